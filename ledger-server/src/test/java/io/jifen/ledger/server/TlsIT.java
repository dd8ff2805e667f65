package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS over real sockets with certificates made for the run: a TLS server answers clients that trust its CA and no
 * one else (plaintext, another CA); mutual TLS admits only clients whose certificate its client CA signed; the
 * command-line clients speak TLS; and a server refuses to be reachable from the network without client
 * authentication unless told {@code --insecure}, which it then warns of.
 */
class TlsIT
{
    @TempDir
    Path dir;

    private TestAuthority ca;
    private TestAuthority rogue;
    private TestAuthority.Issued serverCert;
    private LedgerServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void certificates() throws Exception
    {
        ca = new TestAuthority("Jifen test CA", dir.resolve("pki"));
        rogue = new TestAuthority("Rogue CA", dir.resolve("rogue"));
        serverCert = ca.server(dir.resolve("pki"));
    }

    @AfterEach
    void stop()
    {
        channels.forEach(ManagedChannel::shutdownNow);
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void aTlsServerAnswersClientsThatTrustItsCaAndNoOneElse() throws Exception
    {
        server = new LedgerServer(new ServerConfig().port(0).data(dir.resolve("data"))
            .tls(serverCert.cert(), serverCert.key())).start();
        final LedgerGrpc.LedgerBlockingStub trusted = stub(tls(ca.cert, null));
        trusted.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("ann").build());
        assertEquals(0, trusted.getBalance(GetBalanceRequest.newBuilder().setMemberId("ann").build()).getAvailable());

        assertRefused(stub(channel(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext())));
        assertRefused(stub(tls(rogue.cert, null)));

        // the command-line clients, over TLS
        final Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "member_id,points,earned_at,expires_at\nbob,10," + (System.currentTimeMillis() - 1000) +
            "," + (System.currentTimeMillis() + 86_400_000L) + "\n");
        final String imported = run("import", csv.toString(), "--server", "127.0.0.1:" + server.port(), "--tls-ca",
            ca.cert.toString());
        assertTrue(imported.contains("imported           1 rows"), imported);
        final String tail = run("journal", "tail", "--server", "localhost:" + server.port(), "--tls-ca",
            ca.cert.toString());
        assertTrue(tail.contains("\"type\":\"import\"") && tail.contains("\"member_id\":\"ann\""), tail);
    }

    @Test
    void mutualTlsAdmitsOnlyClientsWhoseCertificateItsCaSigned() throws Exception
    {
        // with client certificates required the server may bind every address
        server = new LedgerServer(new ServerConfig().host("0.0.0.0").port(0).data(dir.resolve("data"))
            .tls(serverCert.cert(), serverCert.key()).tlsClientCa(ca.cert)).start();
        final TestAuthority.Issued pos = ca.client("pos-17", dir.resolve("clients"));
        final TestAuthority.Issued stranger = rogue.client("stranger", dir.resolve("clients"));
        final LedgerGrpc.LedgerBlockingStub admitted = stub(tls(ca.cert, pos));
        admitted.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("ann").build());

        assertRefused(stub(tls(ca.cert, null)));
        assertRefused(stub(tls(ca.cert, stranger)));
        final String tail = run("journal", "tail", "--server", "127.0.0.1:" + server.port(), "--tls-ca",
            ca.cert.toString(), "--tls-cert", pos.cert().toString(), "--tls-key", pos.key().toString());
        assertTrue(tail.contains("\"member_id\":\"ann\""), tail);
    }

    @Test
    void theNetworkIsRefusedWithoutClientAuthenticationUnlessInsecureWhichIsWarnedOf() throws Exception
    {
        final Path data = dir.resolve("data");
        final IllegalStateException plaintext = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().host("0.0.0.0").port(0).data(data)).start());
        assertTrue(plaintext.getMessage().contains("--insecure") && plaintext.getMessage().contains("0.0.0.0"),
            plaintext.getMessage());
        assertFalse(Files.exists(data), "refused before the data folder is touched");
        final IllegalStateException serverOnly = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().host("0.0.0.0").port(0).data(data)
                .tls(serverCert.cert(), serverCert.key())).start());
        assertTrue(serverOnly.getMessage().contains("--tls-client-ca"), serverOnly.getMessage());
        final IllegalStateException halfTls = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data).tls(serverCert.cert(), null)).start());
        assertTrue(halfTls.getMessage().contains("--tls-key"), halfTls.getMessage());

        // the server logs through SLF4J to Logback: listen there
        final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
        final ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(LedgerServer.class.getName());
        final ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture =
            new ch.qos.logback.core.AppenderBase<>()
            {
                @Override
                protected void append(final ch.qos.logback.classic.spi.ILoggingEvent event)
                {
                    if (event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                    {
                        warnings.add(event.getFormattedMessage());
                    }
                }
            };
        capture.setContext(logger.getLoggerContext());
        capture.start();
        logger.addAppender(capture);
        try
        {
            server = new LedgerServer(new ServerConfig().host("0.0.0.0").port(0).data(data).insecure(true)).start();
            stub(channel(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()))
                .enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("ann").build());
        }
        finally
        {
            logger.detachAppender(capture);
            capture.stop();
        }
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("INSECURE")), warnings.toString());
    }

    private void assertRefused(final LedgerGrpc.LedgerBlockingStub stub)
    {
        final StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
            () -> stub.getBalance(GetBalanceRequest.newBuilder().setMemberId("ann").build()));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
    }

    private ManagedChannel tls(final Path trust, final TestAuthority.Issued client) throws Exception
    {
        final SslContextBuilder context = GrpcSslContexts.forClient().trustManager(trust.toFile());
        if (null != client)
        {
            context.keyManager(client.cert().toFile(), client.key().toFile());
        }
        return channel(NettyChannelBuilder.forAddress("localhost", server.port()).sslContext(context.build()));
    }

    private ManagedChannel channel(final NettyChannelBuilder builder)
    {
        final ManagedChannel channel = builder.build();
        channels.add(channel);
        return channel;
    }

    private static LedgerGrpc.LedgerBlockingStub stub(final ManagedChannel channel)
    {
        return LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static String run(final String... args) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            LedgerMain.run(args, out, out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
