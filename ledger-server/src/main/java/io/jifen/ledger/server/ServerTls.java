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
 * clients' CA), and the rule that an address other than loopback needs clients authenticated over TLS (API keys, or
 * client certificates) unless the operator says {@code --insecure}: otherwise anyone who can reach the port could do
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
                throw new IllegalStateException("cannot read " + file + (Files.exists(file) ? ": permission denied" :
                    ": no such file"));
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
        final boolean certificates = null != config.tlsClientCa;
        final boolean keys = null != config.keysFile;
        final String how = (tls ? "TLS" : "plaintext") + (certificates ? ", client certificates required" : "") +
            (keys ? ", API keys required" : "");
        if (loopback)
        {
            return how + (keys || certificates ? "" : " (no API keys: every caller may do anything)") +
                ", on loopback only: reachable from this machine alone";
        }
        if (certificates || keys && tls)
        {
            return how + ", on " + config.host;
        }
        if (!config.insecure)
        {
            throw new IllegalStateException("binding " + config.host + (keys ?
                " would send API keys over the network in clear: give the server --tls-cert and --tls-key" :
                " would let anyone who reaches the port do anything (no client authentication): give the server " +
                "--keys FILE with --tls-cert and --tls-key, or --tls-client-ca (mutual TLS)") +
                "; or say --insecure to accept the risk; or bind 127.0.0.1");
        }
        return INSECURE_WARNING + " (" + how + " on " + config.host + ")";
    }

    static final String INSECURE_WARNING = "INSECURE: --insecure serves the network without client authentication " +
        "over TLS: anyone who reaches the port, or reads its traffic, can read and change every balance";
}
