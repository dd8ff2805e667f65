package io.jifen.ledger.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.grpc.ManagedChannel;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
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
        final CrashWrites writes = new CrashWrites();

        try (ServerProcess first = ServerProcess.start(data, "--sync", sync))
        {
            final ManagedChannel channel = CrashWrites.channel(first.awaitPort());
            final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
            for (int m = 0; m < MEMBERS; m++)
            {
                stub.enroll(EnrollRequest.newBuilder().setRequestId("enroll-" + m).setMemberId("m" + m).build());
            }
            final AtomicBoolean running = new AtomicBoolean(true);
            final List<Thread> clients = writes.startClients(stub, CLIENTS, running, (client, n) ->
                new CrashWrites.Attempt("c" + client + "-" + n, "m" + ((n * 7 + client) % MEMBERS), 1 + (n % 97)));
            Thread.sleep(loadMillis);
            first.kill();
            running.set(false);
            for (final Thread thread : clients)
            {
                thread.join(30_000);
            }
            channel.shutdownNow();
            assertTrue(writes.acknowledged.size() > 100, "load ran: " + writes.acknowledged.size() + " acknowledged");
        }

        try (ServerProcess second = ServerProcess.start(data, "--sync", sync))
        {
            final ManagedChannel channel = CrashWrites.channel(awaitPortKeepingTheJournal(second, sync));
            final LedgerGrpc.LedgerBlockingStub stub =
                LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            writes.assertAcknowledgedReplay(stub);
            final int acknowledgedBeforeKill = writes.acknowledged.size();
            final long unacknowledgedFound = writes.retryTheRest(stub);
            writes.assertBalances(stub, MEMBERS, 1);
            channel.shutdownNow();
            final int exit = second.terminate();
            assertEquals(0, exit, "a graceful stop on SIGTERM exits 0");
            assertTrue(second.output().stream().anyMatch(l -> l.contains("stopped cleanly")),
                "clean stop logged:\n" + String.join("\n", second.output()));
            System.out.printf("sync=%s: %d attempted, %d acknowledged before SIGKILL, %d more were journaled%n",
                sync, writes.attempted.size(), acknowledgedBeforeKill, unacknowledgedFound);
        }

        final Process verify = new ProcessBuilder(ServerProcess.javaCommand("journal", "verify", "--data",
            data.toString())).redirectErrorStream(true).start();
        final String report = new String(verify.getInputStream().readAllBytes());
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), report);
        assertTrue(report.contains("state_hash"), report);
    }

    /**
     * @return the restarted server's port; if it does not start, the data folder is first copied under
     * {@code target/crash-recovery-failures} (the temporary folder is deleted after the test), so the journal a kill
     * left behind can be read.
     */
    private int awaitPortKeepingTheJournal(final ServerProcess server, final String sync) throws Exception
    {
        try
        {
            return server.awaitPort();
        }
        catch (final Exception ex)
        {
            final Path kept = Path.of("target", "crash-recovery-failures", "sync-" + sync + "-" +
                System.currentTimeMillis());
            java.nio.file.Files.createDirectories(kept.getParent());
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(data))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    java.nio.file.Files.copy(file, kept.resolve(data.relativize(file).toString()));
                }
            }
            System.out.println("the data folder of the failed restart is kept in " + kept.toAbsolutePath());
            throw ex;
        }
    }
}
