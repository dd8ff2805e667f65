package io.jifen.ledger.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as its own JVM, writing under load, killed with SIGKILL, restarted on the same journal: every
 * acknowledged write is there with its original outcome, and no write is half-applied (retrying every write that
 * was attempted, acknowledged or not, leaves each member with exactly the sum of its earns).
 * {@code -Djifen.crash.seconds=N} loads for longer (default 2 s).
 */
class CrashRecoveryIT
{
    private static final int MEMBERS = 64;
    private static final int CLIENTS = 4;

    @TempDir
    Path data;

    private record Attempt(String requestId, String memberId, long points)
    {
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkillAndNothingIsHalfApplied() throws Exception
    {
        killUnderLoadThenCheck("batch");
    }

    @Test
    void syncNoneAlsoSurvivesAKilledProcess() throws Exception
    {
        killUnderLoadThenCheck("none");
    }

    private void killUnderLoadThenCheck(final String sync) throws Exception
    {
        final long loadMillis = Long.getLong("jifen.crash.seconds", 2) * 1000;
        final Map<String, Attempt> attempted = new ConcurrentHashMap<>();
        final Map<String, WriteResult> acknowledged = new ConcurrentHashMap<>();

        try (ServerProcess first = ServerProcess.start(data, "--sync", sync))
        {
            final ManagedChannel channel = channel(first.awaitPort());
            final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
            for (int m = 0; m < MEMBERS; m++)
            {
                stub.enroll(EnrollRequest.newBuilder().setRequestId("enroll-" + m).setMemberId("m" + m).build());
            }

            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicLong errors = new AtomicLong();
            final List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++)
            {
                final int client = t;
                final Thread thread = new Thread(() ->
                {
                    for (int n = 0; running.get(); n++)
                    {
                        final Attempt attempt = new Attempt("c" + client + "-" + n, "m" + ((n * 7 + client) % MEMBERS),
                            1 + (n % 97));
                        attempted.put(attempt.requestId(), attempt);
                        try
                        {
                            final WriteResult result = stub.withDeadlineAfter(5, TimeUnit.SECONDS).earn(
                                EarnRequest.newBuilder().setRequestId(attempt.requestId())
                                    .setMemberId(attempt.memberId()).setPoints(attempt.points()).build());
                            acknowledged.put(attempt.requestId(), result);
                        }
                        catch (final StatusRuntimeException ex)
                        {
                            errors.incrementAndGet();
                            return;
                        }
                    }
                });
                thread.start();
                clients.add(thread);
            }
            Thread.sleep(loadMillis);
            first.kill();
            running.set(false);
            for (final Thread thread : clients)
            {
                thread.join(30_000);
            }
            channel.shutdownNow();
            assertTrue(acknowledged.size() > 100, "load ran: " + acknowledged.size() + " acknowledged");
        }

        try (ServerProcess second = ServerProcess.start(data, "--sync", sync))
        {
            final ManagedChannel channel = channel(second.awaitPort());
            final LedgerGrpc.LedgerBlockingStub stub =
                LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);

            for (final Map.Entry<String, WriteResult> entry : acknowledged.entrySet())
            {
                final Attempt attempt = attempted.get(entry.getKey());
                final WriteResult retry = stub.earn(EarnRequest.newBuilder().setRequestId(attempt.requestId())
                    .setMemberId(attempt.memberId()).setPoints(attempt.points()).build());
                assertTrue(retry.getReplay(), "acknowledged write " + attempt + " was lost");
                assertEquals(entry.getValue().getSequence(), retry.getSequence());
                assertEquals(entry.getValue().getBalance(), retry.getBalance());
                assertEquals(entry.getValue().getLotId(), retry.getLotId());
            }
            long unacknowledgedFound = 0;
            for (final Attempt attempt : attempted.values())
            {
                if (!acknowledged.containsKey(attempt.requestId()))
                {
                    final WriteResult retry = stub.earn(EarnRequest.newBuilder().setRequestId(attempt.requestId())
                        .setMemberId(attempt.memberId()).setPoints(attempt.points()).build());
                    unacknowledgedFound += retry.getReplay() ? 1 : 0;
                }
            }
            final long[] expected = new long[MEMBERS];
            for (final Attempt attempt : attempted.values())
            {
                expected[Integer.parseInt(attempt.memberId().substring(1))] += attempt.points();
            }
            for (int m = 0; m < MEMBERS; m++)
            {
                assertEquals(expected[m], stub.getBalance(
                    GetBalanceRequest.newBuilder().setMemberId("m" + m).build()).getAvailable(), "member m" + m);
            }
            channel.shutdownNow();
            final int exit = second.terminate();
            assertTrue(exit == 0 || exit == 143, "graceful stop on SIGTERM, exit " + exit);
            assertTrue(second.output().stream().anyMatch(l -> l.contains("stopped cleanly")),
                "clean stop logged:\n" + String.join("\n", second.output()));
            System.out.printf("sync=%s: %d attempted, %d acknowledged before SIGKILL, %d more were journaled%n",
                sync, attempted.size(), acknowledged.size(), unacknowledgedFound);
        }

        final Process verify = new ProcessBuilder(ServerProcess.javaCommand("journal", "verify", "--data",
            data.toString())).redirectErrorStream(true).start();
        final String report = new String(verify.getInputStream().readAllBytes());
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), report);
        assertTrue(report.contains("state_hash"), report);
    }

    private static ManagedChannel channel(final int port)
    {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }
}
