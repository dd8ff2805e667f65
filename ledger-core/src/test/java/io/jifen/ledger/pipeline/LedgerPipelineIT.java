package io.jifen.ledger.pipeline;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalReplay;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline with a real Chronicle journal in a temporary folder, no network.
 */
class LedgerPipelineIT
{
    @TempDir
    Path dir;

    private static Command command(
        final CommandType type, final String requestId, final String member, final long points)
    {
        final Command c = new Command();
        c.type = type;
        c.requestId = requestId;
        c.memberId = member;
        c.points = points;
        return c;
    }

    @Test
    void batchSyncForcesTheJournalAndNoneNeverDoes() throws Exception
    {
        for (final SyncMode mode : SyncMode.values())
        {
            final Path journalDir = dir.resolve(mode.name());
            try (Journal journal = new Journal(journalDir))
            {
                final LedgerPipeline pipeline = new LedgerPipeline(new Ledger(Program.defaultProgram()), journal,
                    new LedgerPipeline.Context().syncMode(mode).expiryTickIntervalMs(0)).start();
                assertEquals(ResultCode.OK, pipeline.submitAndWait(
                    command(CommandType.ENROLL, "enroll-1", "m-1", 0), 10_000).result);
                final int earns = 2_000;
                final CountDownLatch answered = new CountDownLatch(earns);
                for (int i = 0; i < earns; i++)
                {
                    while (pipeline.tryPublish(command(CommandType.EARN, "e-" + i, "m-1", 1),
                        (id, c) -> answered.countDown(), i) == ResultCode.RING_FULL)
                    {
                        Thread.onSpinWait();
                    }
                }
                assertTrue(answered.await(30, TimeUnit.SECONDS));
                pipeline.close();
                assertEquals(earns + 1, pipeline.journaledRecords());
                if (mode == SyncMode.BATCH)
                {
                    assertTrue(pipeline.syncs() > 0, "synced");
                    assertTrue(pipeline.syncs() <= earns + 1, "at most one sync per batch");
                }
                else
                {
                    assertEquals(0, pipeline.syncs());
                }
            }
        }
    }

    @Test
    void aFullRingRefusesAtOnceAndAcceptsAgainWhenItDrains() throws Exception
    {
        try (Journal journal = new Journal(dir))
        {
            final LedgerPipeline pipeline = new LedgerPipeline(new Ledger(Program.defaultProgram()), journal,
                new LedgerPipeline.Context().ringSize(4).syncMode(SyncMode.NONE).expiryTickIntervalMs(0)).start();
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch answered = new CountDownLatch(4);
            final ResultListener slowClient = (id, c) ->
            {
                try
                {
                    release.await(); // the reply stage is stuck behind this caller
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                answered.countDown();
            };
            for (int i = 0; i < 4; i++)
            {
                assertEquals(ResultCode.OK,
                    pipeline.tryPublish(command(CommandType.GET_BALANCE, null, "m-" + i, 0), slowClient, i));
            }
            assertEquals(ResultCode.RING_FULL,
                pipeline.tryPublish(command(CommandType.GET_BALANCE, null, "m-x", 0), slowClient, 9),
                "no slot: refused at once, never blocking the caller");
            release.countDown();
            assertTrue(answered.await(10, TimeUnit.SECONDS));
            final Command after = pipeline.submitAndWait(command(CommandType.ENROLL, "enroll-1", "m-1", 0), 10_000);
            assertEquals(ResultCode.OK, after.result, "accepted again once drained");
            pipeline.close();
        }
    }

    @Test
    void aCommandWhoseCallersDeadlinePassedBeforeItsTurnIsSkippedAndLeavesNoTrace() throws Exception
    {
        try (Journal journal = new Journal(dir))
        {
            final LedgerPipeline pipeline = new LedgerPipeline(new Ledger(Program.defaultProgram()), journal,
                new LedgerPipeline.Context().syncMode(SyncMode.NONE).expiryTickIntervalMs(0)).start();
            assertEquals(ResultCode.OK, pipeline.submitAndWait(
                command(CommandType.ENROLL, "enroll-1", "m-1", 0), 10_000).result);
            final CountDownLatch release = new CountDownLatch(1);
            final ConcurrentHashMap<Long, ResultCode> results = new ConcurrentHashMap<>();
            final CountDownLatch answered = new CountDownLatch(3);
            final ResultListener listener = (id, c) ->
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                results.put(id, c.result);
                answered.countDown();
            };
            final long passed = System.nanoTime() - 1;
            final long later = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            assertEquals(ResultCode.OK, pipeline.tryPublish(command(CommandType.EARN, "late", "m-1", 50), listener,
                1, passed));
            assertEquals(ResultCode.OK, pipeline.tryPublish(command(CommandType.EARN, "in-time", "m-1", 7), listener,
                2, later));
            assertEquals(ResultCode.OK, pipeline.tryPublish(command(CommandType.GET_BALANCE, null, "m-1", 0),
                listener, 3, passed));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pipeline.inFlight() != 3 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(3, pipeline.inFlight(), "the three wait on the reply stage");
            release.countDown();
            assertTrue(answered.await(10, TimeUnit.SECONDS));
            assertEquals(ResultCode.DEADLINE_PASSED, results.get(1L));
            assertEquals(ResultCode.OK, results.get(2L));
            assertEquals(ResultCode.DEADLINE_PASSED, results.get(3L));
            assertEquals(2, pipeline.skippedPastDeadline());
            // the skipped write is not remembered: its retry is judged anew, and applied
            final Command retry = pipeline.submitAndWait(command(CommandType.EARN, "late", "m-1", 50), 10_000);
            assertEquals(ResultCode.OK, retry.result);
            assertEquals(false, retry.replay);
            final Command balance = pipeline.submitAndWait(command(CommandType.GET_BALANCE, null, "m-1", 0), 10_000);
            assertEquals(57, balance.balance, "the write in time and the retry, nothing else");
            pipeline.close();
            assertEquals(3, pipeline.journaledRecords(), "enroll, the earn in time, the retry");
        }
    }

    @Test
    void ledgerTimeNeverGoesBackEvenWhenTheClockDoes() throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_800_000_000_000L);
        try (Journal journal = new Journal(dir))
        {
            final LedgerPipeline pipeline = new LedgerPipeline(new Ledger(Program.defaultProgram()), journal,
                new LedgerPipeline.Context().clock(clock).expiryTickIntervalMs(0)).start();
            final Command first = pipeline.submitAndWait(command(CommandType.ENROLL, "enroll-1", "m-1", 0), 10_000);
            clock.update(1_700_000_000_000L); // NTP stepped the clock back
            final Command second = pipeline.submitAndWait(command(CommandType.EARN, "e-1", "m-1", 5), 10_000);
            assertEquals(ResultCode.OK, second.result);
            assertEquals(1_800_000_000_000L, first.timestamp);
            assertEquals(1_800_000_000_000L, second.timestamp);
            pipeline.close();
        }
    }

    @Test
    void aJournalFailureStopsThePipelineAndNothingMoreIsAcknowledged() throws Exception
    {
        final Journal journal = new Journal(dir);
        final LedgerPipeline pipeline = new LedgerPipeline(new Ledger(Program.defaultProgram()), journal,
            new LedgerPipeline.Context().expiryTickIntervalMs(0)).start();
        assertEquals(ResultCode.OK,
            pipeline.submitAndWait(command(CommandType.ENROLL, "enroll-1", "m-1", 0), 10_000).result);
        journal.close(); // the journal goes away under the pipeline: the next append throws

        final Command earn = pipeline.submitAndWait(command(CommandType.EARN, "e-1", "m-1", 5), 10_000);
        assertEquals(ResultCode.LEDGER_FAILED, earn.result, "not acknowledged");
        assertTrue(null != pipeline.failure());
        assertEquals(ResultCode.LEDGER_FAILED,
            pipeline.tryPublish(command(CommandType.EARN, "e-2", "m-1", 5), (id, c) -> { }, 0));
        pipeline.close();

        // what the journal holds is exactly what was acknowledged
        final Ledger rebuilt = new Ledger(Program.defaultProgram());
        try (Journal reopened = new Journal(dir))
        {
            assertEquals(1, JournalReplay.replay(reopened, rebuilt, 0, null).records);
        }
    }

    @Test
    void manyProducersOneWriterEveryAnswerJournaledInOrder() throws Exception
    {
        final ConcurrentHashMap<Long, Long> sequences = new ConcurrentHashMap<>();
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final long hash;
        try (Journal journal = new Journal(dir))
        {
            final LedgerPipeline pipeline = new LedgerPipeline(ledger, journal,
                new LedgerPipeline.Context().ringSize(1024).syncMode(SyncMode.NONE).expiryTickIntervalMs(0)).start();
            for (int m = 0; m < 8; m++)
            {
                pipeline.submitAndWait(command(CommandType.ENROLL, "enroll-" + m, "m-" + m, 0), 10_000);
            }
            final int perThread = 5_000;
            final CountDownLatch answered = new CountDownLatch(4 * perThread);
            final Thread[] producers = new Thread[4];
            for (int t = 0; t < producers.length; t++)
            {
                final int thread = t;
                producers[t] = new Thread(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final long correlation = thread * 1_000_000L + i;
                        final Command c = command(CommandType.EARN, "t" + thread + "-" + i, "m-" + (i % 8), 1);
                        while (pipeline.tryPublish(c, (id, result) ->
                        {
                            sequences.put(id, result.sequence);
                            answered.countDown();
                        }, correlation) == ResultCode.RING_FULL)
                        {
                            Thread.yield();
                        }
                    }
                });
                producers[t].start();
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            assertTrue(answered.await(60, TimeUnit.SECONDS));
            pipeline.close();
            hash = ledger.stateHash();
        }
        assertEquals(20_000, sequences.size());
        assertEquals(20_000, sequences.values().stream().distinct().count(), "every write its own sequence");
        final Ledger rebuilt = new Ledger(Program.defaultProgram());
        try (Journal journal = new Journal(dir))
        {
            final JournalReplay.Result result = JournalReplay.replay(journal, rebuilt, 0, null);
            assertEquals(20_008, result.records);
            assertEquals(hash, result.stateHash);
        }
    }
}
