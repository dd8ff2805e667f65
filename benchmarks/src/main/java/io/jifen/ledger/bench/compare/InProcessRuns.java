package io.jifen.ledger.bench.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.pipeline.LedgerPipeline;
import io.jifen.ledger.pipeline.SyncMode;
import org.HdrHistogram.Histogram;
import org.agrona.ExpandableArrayBuffer;

/**
 * The in-process side of the comparison, run in a child JVM of its own by {@link Compare}: the journaled pipeline
 * (no network) against the raw journal it writes to.
 * <pre>
 *   pipeline: producer --ring--&gt; (1) state machine --&gt; (2) journal: chain, append, [fdatasync] --&gt; (3) reply
 *   journal:  one thread: append a record of the same bytes --&gt; [fdatasync per batch]
 * </pre>
 * Each run starts a fresh pipeline or journal in a temporary folder. Open-loop runs send at an offered rate and
 * count latency from each event's intended time (so a stall is not hidden by a slower sender); max runs push a fixed
 * number of events as fast as they are taken. In a raw-journal max run with {@code batch}, the journal is synced every
 * as many records as the pipeline's own max run put in one sync: the same bytes at the same durability.
 */
public final class InProcessRuns
{
    static final int MEMBERS = 10_000;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int TRACKED = 1 << 22;

    private InProcessRuns()
    {
    }

    /**
     * {@code InProcessRuns smoke|full}: prints one {@code RESULT kind|measurement} line per run.
     */
    public static void main(final String[] args) throws Exception
    {
        final boolean smoke = args.length > 0 && args[0].equals("smoke");
        final PrintStream out = System.out;
        final double seconds = smoke ? 0.5 : 3;
        final double warmup = smoke ? 0.2 : 1;
        final int maxEvents = smoke ? 50_000 : 2_000_000;
        for (final String sync : List.of("none", "batch"))
        {
            final long[] recordsPerSync = new long[1];
            final Measurement pipelineMax = pipelineMax(sync, maxEvents, recordsPerSync);
            out.println("RESULT max|" + pipelineMax.toLine());
            final Measurement journalMax = journalMax(sync, maxEvents, Math.max(1, recordsPerSync[0]));
            out.println("RESULT max|" + journalMax.toLine());
        }
        final double[] fixed = smoke ? new double[] {1_000, 10_000} :
            new double[] {1_000, 10_000, 50_000, 1_000_000};
        for (final String sync : List.of("none", "batch"))
        {
            for (final double rate : fixed)
            {
                out.println("RESULT fixed|" + pipelineAtRate(sync, rate, warmup, seconds).toLine());
                out.println("RESULT fixed|" + journalAtRate(sync, rate, warmup, seconds).toLine());
            }
        }
        if (!smoke)
        {
            for (final String sync : List.of("none", "batch"))
            {
                final PrintStream log = System.err;
                for (final Measurement m : RateSearch.search(rate -> pipelineAtRate(sync, rate, warmup, seconds),
                    50_000, 8_000_000, 1.0, 3, 5_000, log))
                {
                    out.println("RESULT search|" + m.toLine());
                }
                for (final Measurement m : RateSearch.search(rate -> journalAtRate(sync, rate, warmup, seconds),
                    50_000, 8_000_000, 1.0, 3, 5_000, log))
                {
                    out.println("RESULT search|" + m.toLine());
                }
            }
        }
        out.flush();
    }

    static String pipelineName(final String sync)
    {
        return "pipeline sync=" + sync;
    }

    static String journalName(final String sync)
    {
        return "raw journal sync=" + sync;
    }

    /**
     * Earns published as fast as the ring takes them; the rate at which they are journaled and answered.
     */
    public static Measurement pipelineMax(final String sync, final int events, final long[] recordsPerSync)
        throws Exception
    {
        try (Harness h = new Harness(sync, events + MEMBERS))
        {
            h.measureFrom = Long.MAX_VALUE; // closed loop: a throughput, not a latency
            final long start = System.nanoTime();
            for (int i = 0; i < events; i++)
            {
                h.publish(i, start);
            }
            h.awaitAnswers(events);
            final double seconds = (h.lastAnswerNs - start) / 1e9;
            recordsPerSync[0] = h.pipeline.syncs() == 0 ? 0 : h.pipeline.journaledRecords() / h.pipeline.syncs();
            return new Measurement(pipelineName(sync), Measurement.MAX_RATE, events / seconds, events, h.missing,
                h.latency, String.format(Locale.ROOT, "%d records per sync", recordsPerSync[0]));
        }
    }

    /**
     * Earns published at {@code rate} per second from one producer thread; latency from each intended time.
     */
    public static Measurement pipelineAtRate(final String sync, final double rate, final double warmupSeconds,
        final double seconds) throws Exception
    {
        final long warmup = (long)(rate * warmupSeconds);
        final long total = warmup + (long)(rate * seconds);
        try (Harness h = new Harness(sync, total + MEMBERS))
        {
            final double intervalNs = 1e9 / rate;
            final long start = System.nanoTime() + 1_000_000;
            h.measureFrom = warmup;
            for (long i = 0; i < total; i++)
            {
                final long intended = start + (long)(i * intervalNs);
                waitUntil(intended);
                h.publish(i, intended);
            }
            h.awaitAnswers(total);
            final long measured = total - warmup;
            final double achieved = measured / ((h.lastAnswerNs - (start + (long)(warmup * intervalNs))) / 1e9);
            return new Measurement(pipelineName(sync), rate, achieved, measured, h.missing, h.latency, "");
        }
    }

    /**
     * Records of an earn's size appended as fast as possible, synced every {@code recordsPerSync} with
     * {@code batch}.
     */
    public static Measurement journalMax(final String sync, final int events, final long recordsPerSync)
        throws IOException
    {
        try (RawJournal j = new RawJournal())
        {
            final boolean batch = SyncMode.parse(sync) == SyncMode.BATCH;
            final long start = System.nanoTime();
            for (int i = 0; i < events; i++)
            {
                j.appender.append(j.record, j.length);
                if (batch && (i + 1) % recordsPerSync == 0)
                {
                    j.appender.sync();
                }
            }
            if (batch)
            {
                j.appender.sync();
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            return new Measurement(journalName(sync), Measurement.MAX_RATE, events / seconds, events, 0,
                new Histogram(1), String.format(Locale.ROOT, "%d-byte records%s", j.length,
                batch ? ", synced every " + recordsPerSync : ""));
        }
    }

    /**
     * Records appended at {@code rate} per second by one thread; with {@code batch}, every pass appends the records
     * due and syncs once (group commit). Latency from each record's intended time to its append (and sync).
     */
    public static Measurement journalAtRate(final String sync, final double rate, final double warmupSeconds,
        final double seconds) throws IOException
    {
        final long warmup = (long)(rate * warmupSeconds);
        final long total = warmup + (long)(rate * seconds);
        final Histogram latency = new Histogram(HIGHEST_NS, 3);
        final long[] batchIntended = new long[4096];
        try (RawJournal j = new RawJournal())
        {
            final boolean batch = SyncMode.parse(sync) == SyncMode.BATCH;
            final double intervalNs = 1e9 / rate;
            final long start = System.nanoTime() + 1_000_000;
            long next = 0;
            long lastDone = start;
            while (next < total)
            {
                final long now = System.nanoTime();
                final long due = start + (long)(next * intervalNs);
                if (now < due)
                {
                    waitUntil(due);
                    continue;
                }
                int n = 0;
                final long first = next;
                while (next < total && n < batchIntended.length && start + (long)(next * intervalNs) <= now)
                {
                    j.appender.append(j.record, j.length);
                    batchIntended[n++] = start + (long)(next * intervalNs);
                    next++;
                }
                if (batch)
                {
                    j.appender.sync();
                }
                lastDone = System.nanoTime();
                for (int i = 0; i < n; i++)
                {
                    if (first + i >= warmup)
                    {
                        latency.recordValue(Math.min(lastDone - batchIntended[i], HIGHEST_NS));
                    }
                }
            }
            final long measured = total - warmup;
            final double achieved = measured / ((lastDone - (start + (long)(warmup * intervalNs))) / 1e9);
            return new Measurement(journalName(sync), rate, achieved, measured, 0, latency, "");
        }
    }

    /**
     * Waits for an intended time without starving the pipeline's threads on two cores: parks when far, yields when
     * near.
     */
    private static void waitUntil(final long deadline)
    {
        long now;
        while ((now = System.nanoTime()) < deadline)
        {
            if (deadline - now > 100_000)
            {
                LockSupport.parkNanos(deadline - now - 80_000);
            }
            else
            {
                Thread.yield();
            }
        }
    }

    /**
     * A fresh pipeline with members enrolled and tables sized for the run.
     */
    private static final class Harness implements AutoCloseable
    {
        final Path directory;
        final Journal journal;
        final LedgerPipeline pipeline;
        final Histogram latency = new Histogram(HIGHEST_NS, 3);
        final long[] intended = new long[TRACKED];
        final AtomicLong answered = new AtomicLong();
        final Command command = new Command();
        final String[] memberIds = new String[MEMBERS];
        volatile long lastAnswerNs;
        long measureFrom;
        long missing;

        Harness(final String sync, final long expectedRequests) throws Exception
        {
            directory = Files.createTempDirectory("jifen-compare-pipeline");
            journal = new Journal(directory);
            final int expected = (int)Math.min(Integer.MAX_VALUE / 4, expectedRequests + 1024);
            final Ledger ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"), new LedgerContext()
                .expectedRequests(expected).expectedLots(expected).expectedMembers(MEMBERS));
            pipeline = new LedgerPipeline(ledger, journal,
                new LedgerPipeline.Context().syncMode(SyncMode.parse(sync)).expiryTickIntervalMs(0)).start();
            for (int i = 0; i < MEMBERS; i++)
            {
                memberIds[i] = "member-" + i;
                command.clear();
                command.type = CommandType.ENROLL;
                command.requestId = "enroll-" + i;
                command.memberId = memberIds[i];
                pipeline.submitAndWait(command, 10_000);
            }
        }

        void publish(final long i, final long intendedNs)
        {
            final Command c = command;
            c.clear();
            c.type = CommandType.EARN;
            c.requestId = "earn-" + i;
            c.memberId = memberIds[(int)(i % MEMBERS)];
            c.points = 10;
            intended[(int)(i & (TRACKED - 1))] = intendedNs;
            ResultCode code;
            while ((code = pipeline.tryPublish(c, this::onResult, i)) == ResultCode.RING_FULL)
            {
                Thread.yield();
            }
            if (code != ResultCode.OK)
            {
                throw new IllegalStateException("pipeline refused an earn: " + code, pipeline.failure());
            }
        }

        private void onResult(final long correlationId, final Command result)
        {
            final long now = System.nanoTime();
            if (correlationId >= measureFrom)
            {
                latency.recordValue(Math.min(now - intended[(int)(correlationId & (TRACKED - 1))], HIGHEST_NS));
            }
            lastAnswerNs = now;
            answered.lazySet(answered.get() + 1);
        }

        void awaitAnswers(final long count) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answered.get() < count && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            missing = count - answered.get();
        }

        @Override
        public void close() throws IOException
        {
            pipeline.close();
            journal.close();
            delete(directory);
        }
    }

    /**
     * A journal and one real earn record's bytes (encoded by the codec the pipeline uses, chain included).
     */
    private static final class RawJournal implements AutoCloseable
    {
        final Path directory;
        final Journal journal;
        final Journal.Appender appender;
        final byte[] record;
        final int length;

        RawJournal() throws IOException
        {
            final Ledger ledger = new Ledger(Program.defaultProgram());
            final Command c = new Command();
            c.type = CommandType.ENROLL;
            c.requestId = "enroll-1";
            c.memberId = "member-1";
            c.timestamp = 1_767_225_600_000L;
            ledger.apply(c);
            c.clear();
            c.type = CommandType.EARN;
            c.requestId = "earn-1234567";
            c.memberId = "member-1";
            c.points = 10;
            c.timestamp = 1_767_225_600_001L;
            ledger.apply(c);
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
            length = new JournalRecord().encode(c, buffer);
            record = buffer.byteArray();
            directory = Files.createTempDirectory("jifen-compare-journal");
            journal = new Journal(directory);
            appender = journal.openAppender();
        }

        @Override
        public void close() throws IOException
        {
            appender.close();
            journal.close();
            delete(directory);
        }
    }

    static void delete(final Path directory) throws IOException
    {
        try (Stream<Path> walk = Files.walk(directory))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
