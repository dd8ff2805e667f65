package io.jifen.ledger.server;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.jifen.ledger.api.v1.LedgerGrpc;

/**
 * A {@link LedgerServer} in the test's JVM on a free loopback port, with a plaintext channel and a blocking stub to
 * it: what the integration tests that drive a server in-process share. Closing it closes both.
 */
final class InProcessServer implements AutoCloseable
{
    private final LedgerServer server;
    private final ManagedChannel channel;

    private InProcessServer(final LedgerServer server)
    {
        this.server = server;
        this.channel = CrashWrites.channel(server.port());
    }

    static InProcessServer start(final ServerConfig config) throws IOException
    {
        return new InProcessServer(new LedgerServer(config.port(0)).start());
    }

    LedgerServer server()
    {
        return server;
    }

    int port()
    {
        return server.port();
    }

    /** A blocking stub whose calls must end within 30 s of this call. */
    LedgerGrpc.LedgerBlockingStub ledger()
    {
        return LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public void close()
    {
        channel.shutdownNow();
        server.close();
    }
}
