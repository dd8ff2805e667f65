package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.grpc.ManagedChannel;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server as its own JVM taking snapshots under load, killed with SIGKILL the moment a snapshot file is being
 * written, restarted on the same data: the start uses the newest complete snapshot (the one killed mid-write is
 * never read), every acknowledged write is there with its original outcome, every balance is the sum of its earns,
 * and the state is the one a full replay of the journal reaches. {@code -Djifen.snapshot.kills=N} kills more often
 * (default: until one kill lands mid-write, at most 6 cycles).
 */
class SnapshotCrashIT
{
    private static final int MEMBERS = 12_000;
    private static final int CLIENTS = 4;

    @TempDir
    Path data;

    @Test
    void aSigkillWhileASnapshotIsWrittenLeavesThePreviousOneUsable() throws Exception
    {
        final int kills = Integer.getInteger("jifen.snapshot.kills", 0);
        final CrashWrites writes = new CrashWrites();
        int midWrite = 0;
        int cycles = 0;
        boolean enrolled = false;
        while (kills > 0 ? cycles < kills : midWrite == 0 && cycles < 6)
        {
            try (ServerProcess server = ServerProcess.start(data, "--snapshot-every-records", "2000",
                "--snapshots-kept", "2"))
            {
                final ManagedChannel channel = CrashWrites.channel(server.awaitPort());
                if (cycles > 0)
                {
                    checkRestart(server, writes, channel);
                }
                if (!enrolled)
                {
                    enrollAll(channel);
                    enrolled = true;
                }
                final AtomicBoolean running = new AtomicBoolean(true);
                final int cycle = cycles;
                final List<Thread> clients = writes.startClients(LedgerGrpc.newBlockingStub(channel), CLIENTS,
                    running, (client, n) -> new CrashWrites.Attempt("k" + cycle + "-c" + client + "-" + n,
                        "m" + ((n * 7919 + client) % MEMBERS), 1 + (n % 97)));
                final boolean caught = killWhileWriting(server);
                running.set(false);
                for (final Thread thread : clients)
                {
                    thread.join(30_000);
                }
                channel.shutdownNow();
                midWrite += caught ? 1 : 0;
                cycles++;
            }
        }
        assertTrue(midWrite > 0, "no kill landed while a snapshot was being written in " + cycles + " cycles");

        try (ServerProcess last = ServerProcess.start(data))
        {
            final ManagedChannel channel = CrashWrites.channel(last.awaitPort());
            checkRestart(last, writes, channel);
            channel.shutdownNow();
            last.terminate();
        }
        // the journal alone, replayed from its first record, reaches the state the snapshots restarted to
        final String fromSnapshot = stateHashAtStart(data, false);
        final String fullReplay = stateHashAtStart(data, true);
        assertEquals(fullReplay, fromSnapshot, "snapshot + tail and a full replay reach the same state");
        System.out.printf("%d cycles, %d killed mid-write; %d writes attempted, %d acknowledged%n", cycles, midWrite,
            writes.attempted.size(), writes.acknowledged.size());
    }

    private static void enrollAll(final ManagedChannel channel) throws InterruptedException
    {
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++)
        {
            final int first = t;
            final Thread thread = new Thread(() ->
            {
                final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
                for (int m = first; m < MEMBERS; m += 8)
                {
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).enroll(EnrollRequest.newBuilder()
                        .setRequestId("enroll-" + m).setMemberId("m" + m).build());
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }

    /**
     * Watches the snapshot folder and kills the server as soon as a snapshot is being written, once a complete one
     * exists (so there is a previous one to fall back to).
     *
     * @return true if the kill left the snapshot being written unfinished.
     */
    private boolean killWhileWriting(final ServerProcess server) throws Exception
    {
        final Path folder = data.resolve("snapshots");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            if (!complete(folder).isEmpty() && !writing(folder).isEmpty())
            {
                server.kill();
                return !writing(folder).isEmpty();
            }
            Thread.onSpinWait();
        }
        server.kill();
        return false;
    }

    private void checkRestart(final ServerProcess server, final CrashWrites writes, final ManagedChannel channel)
        throws IOException
    {
        final List<Path> snapshots = complete(data.resolve("snapshots"));
        final String started = server.output().stream().filter(l -> l.contains("replayed") && l.contains("from "))
            .findFirst().orElse("");
        assertFalse(server.output().stream().anyMatch(l -> l.contains("skipping snapshot")),
            "no complete snapshot is refused:\n" + String.join("\n", server.output()));
        if (!snapshots.isEmpty())
        {
            assertTrue(started.contains("from snapshot " + snapshots.get(snapshots.size() - 1)),
                "the newest complete snapshot is used: " + started + " " + snapshots);
        }
        final LedgerGrpc.LedgerBlockingStub stub =
            LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        writes.assertAcknowledgedReplay(stub);
        // writes attempted but not acknowledged are retried: applied exactly once, whichever way the kill fell
        writes.retryTheRest(stub);
        writes.assertBalances(stub, MEMBERS, 37);
    }

    /** @return the state hash a server logs at start, from the snapshots or (snapshots moved away) the journal. */
    private String stateHashAtStart(final Path folder, final boolean fullReplay) throws Exception
    {
        final Path snapshots = folder.resolve("snapshots");
        final Path aside = folder.resolve("snapshots-aside");
        if (fullReplay)
        {
            Files.move(snapshots, aside);
        }
        try (ServerProcess server = ServerProcess.start(folder, "--snapshot-every-records", "0",
            "--snapshot-every-minutes", "0"))
        {
            server.awaitPort();
            final String line = server.output().stream().filter(l -> l.contains("state hash")).findFirst()
                .orElseThrow();
            assertTrue(fullReplay == line.contains("from an empty ledger"), line);
            server.terminate();
            return line.replaceAll(".*state hash ([0-9a-f]+).*", "$1");
        }
        finally
        {
            if (fullReplay)
            {
                Files.move(aside, snapshots);
            }
        }
    }

    private static List<Path> complete(final Path folder) throws IOException
    {
        return list(folder, "snapshot-");
    }

    private static List<Path> writing(final Path folder) throws IOException
    {
        return list(folder, ".writing-");
    }

    private static List<Path> list(final Path folder, final String prefix) throws IOException
    {
        if (!Files.isDirectory(folder))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder))
        {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return List.of();
        }
    }
}
