package io.jifen.ledger.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import io.jifen.ledger.pipeline.LedgerPipeline;
import io.jifen.ledger.pipeline.ResultListener;
import io.jifen.ledger.pipeline.SyncMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole in-process pipeline, no network: earns published by one producer thread through the ring, applied by the
 * state machine stage, appended (and with {@code batch}, synced) by the journal stage, answered by the reply stage.
 * <pre>
 *   benchmark thread --tryPublish--&gt; ring --&gt; (1) state machine --&gt; (2) journal (Chronicle) --&gt; (3) reply
 *        ^                                                                                   |
 *        +------------------------ waits for the batch's last answer ------------------------+
 * </pre>
 * One invocation publishes {@link #BATCH} earns as fast as the ring takes them and waits until all are answered:
 * the score is journaled-and-answered earns per second. Each iteration starts a fresh pipeline and journal.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class PipelineThroughputBenchmark
{
    static final int BATCH = 10_000;
    private static final int MEMBERS = 10_000;

    @Param({"none", "batch"})
    public String sync;

    private Path directory;
    private Journal journal;
    private LedgerPipeline pipeline;
    private final Command command = new Command();
    private final AtomicLong answered = new AtomicLong();
    private final ResultListener listener = (correlationId, result) -> answered.lazySet(answered.get() + 1);
    private String[] memberIds;
    private long next;

    @Setup(Level.Iteration)
    public void setUp() throws Exception
    {
        directory = Files.createTempDirectory("jifen-pipeline-bench");
        journal = new Journal(directory);
        // a fresh ledger per iteration, its tables sized for what an iteration writes: growth is not measured here
        final Ledger ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"), new LedgerContext()
            .expectedRequests(4 << 20).expectedLots(4 << 20).expectedMembers(MEMBERS));
        pipeline = new LedgerPipeline(ledger, journal,
            new LedgerPipeline.Context().syncMode(SyncMode.parse(sync)).expiryTickIntervalMs(0)).start();
        memberIds = new String[MEMBERS];
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

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException
    {
        pipeline.close();
        journal.close();
        try (Stream<Path> walk = Files.walk(directory))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long publishAndAwaitEarns()
    {
        final long target = answered.get() + BATCH;
        for (int i = 0; i < BATCH; i++)
        {
            final Command c = command;
            c.clear();
            c.type = CommandType.EARN;
            c.requestId = "earn-" + (next++);
            c.memberId = memberIds[(int)(next % MEMBERS)];
            c.points = 10;
            while (pipeline.tryPublish(c, listener, next) == ResultCode.RING_FULL)
            {
                LockSupport.parkNanos(1_000); // on two cores a spinning producer would starve the stages
            }
        }
        while (answered.get() < target)
        {
            LockSupport.parkNanos(1_000);
        }
        return answered.get();
    }
}
