package io.jifen.ledger.server;

import java.nio.file.Path;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import picocli.CommandLine.Option;

/**
 * How the command-line clients ({@code ledger import}, {@code ledger journal tail}) reach a server: plaintext by
 * default, TLS when told which CA to trust ({@code --tls-ca}), with a client certificate for a server that asks for
 * one ({@code --tls-cert}, {@code --tls-key}: mutual TLS), and an API key for a server with keys ({@code --api-key}
 * or {@code JIFEN_API_KEY}, which keeps it out of the process list).
 */
final class ClientTls
{
    @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9090",
        description = "the ledger server (default ${DEFAULT-VALUE})")
    String server;
    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:JIFEN_API_KEY}",
        description = "the API key of a server with keys (default: the JIFEN_API_KEY environment variable, " +
            "which keeps it out of the process list)")
    private String apiKey;
    @Option(names = "--tls-ca", paramLabel = "FILE",
        description = "TLS: trust the server's certificate as these PEM CAs signed it")
    private Path ca;
    @Option(names = "--tls-cert", paramLabel = "FILE", description = "mutual TLS: this client's PEM certificate")
    private Path cert;
    @Option(names = "--tls-key", paramLabel = "FILE", description = "mutual TLS: this client's PKCS#8 PEM key")
    private Path key;

    /** A channel to {@link #server}, over TLS if a CA was given. */
    ManagedChannel channel()
    {
        return channel(server);
    }

    /** A channel to {@code target} (HOST:PORT), over TLS if a CA was given. */
    ManagedChannel channel(final String target)
    {
        final int colon = target.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("--server needs HOST:PORT, not '" + target + "'");
        }
        final NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.substring(0, colon),
            Integer.parseInt(target.substring(colon + 1)));
        if (null != apiKey && !apiKey.isEmpty())
        {
            final io.grpc.Metadata headers = new io.grpc.Metadata();
            headers.put(ApiKeys.AUTHORIZATION, "Bearer " + apiKey);
            builder.intercept(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        if ((null == cert) != (null == key))
        {
            throw new IllegalArgumentException("a client certificate needs both --tls-cert and --tls-key");
        }
        if (null == ca)
        {
            if (null != apiKey && !apiKey.isEmpty() && !isLoopback(target.substring(0, colon)))
            {
                throw new IllegalArgumentException("an API key is not sent to " + target + " in clear: give --tls-ca " +
                    "(the server's CA) to speak TLS");
            }
            if (null != cert)
            {
                throw new IllegalArgumentException("--tls-cert needs --tls-ca: the server's CA, for TLS");
            }
            return builder.usePlaintext().build();
        }
        try
        {
            final SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(ca.toFile());
            if (null != cert)
            {
                tls.keyManager(cert.toFile(), key.toFile());
            }
            return builder.sslContext(tls.build()).build();
        }
        catch (final javax.net.ssl.SSLException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("the TLS files are not PEM certificates and a PKCS#8 key: " +
                ex.getMessage(), ex);
        }
    }

    private static boolean isLoopback(final String host)
    {
        try
        {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final java.net.UnknownHostException ex)
        {
            return false;
        }
    }
}
