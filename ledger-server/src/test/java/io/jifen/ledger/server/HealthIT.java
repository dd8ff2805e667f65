package io.jifen.ledger.server;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandBatch;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health as a load balancer sees it: the port answers while the journal is replayed, NOT_SERVING (and the ledger's
 * calls UNAVAILABLE STARTING) until the replay is over, SERVING after; and a stopping server reports NOT_SERVING while
 * it still serves for --drain-grace-ms, before it drains.
 */
class HealthIT
{
    private static final int MEMBERS = 1_000;
    private static final int EARNS = 300_000;

    @TempDir
    Path data;

    @Test
    void notServingWhileTheJournalReplaysServingAfterAndNotServingWhileDraining() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }
        // snapshots off: the restart replays the whole journal
        final ServerConfig config = new ServerConfig().data(data).snapshots(0, 0, 1).sync(
            io.jifen.ledger.pipeline.SyncMode.NONE);
        try (InProcessServer first = InProcessServer.start(config))
        {
            fill(first);
        }

        final CompletableFuture<LedgerServer> started = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return new LedgerServer(config.port(port).sync(io.jifen.ledger.pipeline.SyncMode.BATCH)
                    .drainGraceMs(1_500)).start();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        // a channel that met a closed port backs off for a second or more: open it once the port listens
        final long listenBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!listening(port) && System.nanoTime() < listenBy)
        {
            Thread.sleep(2);
        }
        final ManagedChannel channel = CrashWrites.channel(port);
        try
        {
            final HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            final LedgerGrpc.LedgerBlockingStub ledger = LedgerGrpc.newBlockingStub(channel);
            int notServing = 0;
            int starting = 0;
            ServingStatus status = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (status != ServingStatus.SERVING && System.nanoTime() < deadline)
            {
                try
                {
                    status = health.withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder()
                        .setService(LedgerServer.LEDGER_SERVICE).build()).getStatus();
                }
                catch (final StatusRuntimeException ex)
                {
                    Thread.sleep(5); // not listening yet
                    continue;
                }
                if (status == ServingStatus.NOT_SERVING)
                {
                    notServing++;
                    try
                    {
                        ledger.withDeadlineAfter(2, TimeUnit.SECONDS)
                            .getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1").build());
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        if (ex.getStatus().getCode() == Status.Code.UNAVAILABLE &&
                            ex.getStatus().getDescription().contains("replaying its journal"))
                        {
                            starting++;
                        }
                    }
                }
            }
            final LedgerServer server = started.get(120, TimeUnit.SECONDS);
            assertEquals(ServingStatus.SERVING, status);
            assertTrue(notServing > 0, "NOT_SERVING seen while the journal replayed");
            assertTrue(starting > 0, "the ledger's calls answered UNAVAILABLE STARTING meanwhile");
            assertTrue(server.recovery().records >= MEMBERS + EARNS, "replayed " + server.recovery().records);
            assertEquals(EARNS / MEMBERS, ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1")
                .build()).getAvailable(), "the state after the replay");

            // stopping: NOT_SERVING at once, calls still served during the grace, then the port closes
            final CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
            boolean servedWhileNotServing = false;
            final long graceEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!closed.isDone() && System.nanoTime() < graceEnd && !servedWhileNotServing)
            {
                try
                {
                    if (health.withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                        .getStatus() == ServingStatus.NOT_SERVING)
                    {
                        ledger.withDeadlineAfter(2, TimeUnit.SECONDS)
                            .getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1").build());
                        servedWhileNotServing = true;
                    }
                }
                catch (final StatusRuntimeException ex)
                {
                    Thread.sleep(5);
                }
            }
            assertTrue(servedWhileNotServing, "NOT_SERVING while draining, and a call still served in the grace");
            closed.get(60, TimeUnit.SECONDS);
        }
        finally
        {
            channel.shutdownNow();
        }
    }

    private static boolean listening(final int port)
    {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port))
        {
            return true;
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }

    /**
     * Members, and earns spread over them, through Submit batches, one in flight at a time; commands the server sheds
     * (OVERLOADED, as a cold server may) are sent again, as a bulk client must.
     */
    private static void fill(final InProcessServer server) throws InterruptedException
    {
        final java.util.concurrent.BlockingQueue<CommandResult> answers =
            new java.util.concurrent.LinkedBlockingQueue<>();
        final ManagedChannel channel = CrashWrites.channel(server.port());
        final StreamObserver<Command> stream = LedgerGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.MINUTES).submit(new StreamObserver<>()
            {
                @Override
                public void onNext(final CommandResult value)
                {
                    answers.add(value);
                }

                @Override
                public void onError(final Throwable t)
                {
                    answers.add(CommandResult.newBuilder().setCode(Status.fromThrowable(t).getCode().value()).build());
                }

                @Override
                public void onCompleted()
                {
                }
            });
        final java.util.List<Command> pending = new java.util.ArrayList<>();
        for (int i = 0; i < MEMBERS; i++)
        {
            pending.add(Command.newBuilder().setEnroll(EnrollRequest.newBuilder().setRequestId("e-" + i)
                .setMemberId("m-" + i)).build());
        }
        long accepted = send(stream, answers, pending); // enrolled before the earns name them
        for (int n = 0; n < EARNS; n++)
        {
            pending.add(Command.newBuilder().setEarn(EarnRequest.newBuilder().setRequestId("x-" + n)
                .setMemberId("m-" + (n % MEMBERS)).setPoints(1)).build());
            if (pending.size() == 4096 || n == EARNS - 1)
            {
                accepted += send(stream, answers, pending);
            }
        }
        stream.onCompleted();
        channel.shutdownNow();
        assertEquals(MEMBERS + EARNS, accepted, "every write accepted");
    }

    /** @return commands accepted; sends the shed ones again until none is left. */
    private static long send(final StreamObserver<Command> stream,
        final java.util.concurrent.BlockingQueue<CommandResult> answers, final java.util.List<Command> pending)
        throws InterruptedException
    {
        long accepted = 0;
        for (int attempt = 0; !pending.isEmpty() && attempt < 100; attempt++)
        {
            stream.onNext(Command.newBuilder().setBatch(CommandBatch.newBuilder().addAllCommands(pending)).build());
            final CommandResult answer = answers.poll(60, TimeUnit.SECONDS);
            assertTrue(null != answer && answer.hasBatch(), "a batch answer: " + answer);
            final java.util.List<Command> shed = new java.util.ArrayList<>();
            for (int i = 0; i < answer.getBatch().getResultsCount(); i++)
            {
                final CommandResult r = answer.getBatch().getResults(i);
                if (r.getCode() == 0)
                {
                    accepted++;
                }
                else
                {
                    assertEquals("OVERLOADED", r.getReason(), "only shed, never refused: " + r);
                    shed.add(pending.get(i));
                }
            }
            pending.clear();
            pending.addAll(shed);
            if (!shed.isEmpty())
            {
                Thread.sleep(50);
            }
        }
        assertTrue(pending.isEmpty(), "all sent");
        return accepted;
    }
}
