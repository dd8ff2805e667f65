package io.jifen.ledger.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * Who may reach the ledger, decided before it binds: TLS with the configured certificate (and, for mutual TLS, the
 * clients' CA), and the rule that an address other than loopback needs client authentication (mutual TLS; API keys
 * when they exist) unless the operator says {@code --insecure}. Until then anyone who can reach the port can do
 * anything, so the server refuses to be reachable from the network by default.
 */
final class ServerTls
{
    private ServerTls()
    {
    }

    /** @return the server's TLS context, or null for plaintext. */
    static SslContext context(final ServerConfig config) throws IOException
    {
        if (null == config.tlsCert && null == config.tlsKey)
        {
            if (null != config.tlsClientCa)
            {
                throw new IllegalStateException("--tls-client-ca needs --tls-cert and --tls-key: client certificates " +
                    "are asked for during a TLS handshake");
            }
            return null;
        }
        if (null == config.tlsCert || null == config.tlsKey)
        {
            throw new IllegalStateException("TLS needs both --tls-cert and --tls-key");
        }
        for (final Path file : new Path[] {config.tlsCert, config.tlsKey, config.tlsClientCa})
        {
            if (null != file && !Files.isReadable(file))
            {
                throw new IllegalStateException("cannot read " + file);
            }
        }
        try
        {
            final SslContextBuilder builder =
                GrpcSslContexts.forServer(config.tlsCert.toFile(), config.tlsKey.toFile());
            if (null != config.tlsClientCa)
            {
                builder.trustManager(config.tlsClientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        }
        catch (final IllegalArgumentException | javax.net.ssl.SSLException ex)
        {
            throw new IllegalStateException("the TLS files are not a PEM certificate chain and its PKCS#8 private " +
                "key (" + config.tlsCert + ", " + config.tlsKey + (null == config.tlsClientCa ? "" : ", CA " +
                config.tlsClientCa) + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * @return what to log about who can reach the server; throws when the address would expose an unauthenticated
     * ledger to the network and the operator did not say {@code --insecure}.
     */
    static String exposure(final ServerConfig config) throws IOException
    {
        final boolean loopback = InetAddress.getByName(config.host).isLoopbackAddress();
        final boolean tls = null != config.tlsCert;
        final boolean clientsAuthenticated = null != config.tlsClientCa;
        if (loopback)
        {
            return (tls ? "TLS" : "plaintext") + (clientsAuthenticated ? ", client certificates required" : "") +
                ", on loopback only: reachable from this machine alone";
        }
        if (clientsAuthenticated)
        {
            return "TLS, client certificates required (mutual TLS), on " + config.host;
        }
        if (!config.insecure)
        {
            throw new IllegalStateException("binding " + config.host + " would let anyone who reaches the port do " +
                "anything (no client authentication): give the server --tls-cert, --tls-key and --tls-client-ca " +
                "(mutual TLS), or say --insecure to accept the risk, or bind 127.0.0.1");
        }
        return INSECURE_WARNING + " (" + (tls ? "TLS without client certificates" : "plaintext") + " on " +
            config.host + ")";
    }

    static final String INSECURE_WARNING = "INSECURE: --insecure serves without client authentication to the " +
        "network: anyone who reaches the port can read and change every balance";
}
