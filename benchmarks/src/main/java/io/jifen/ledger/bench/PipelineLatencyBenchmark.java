package io.jifen.ledger.bench;

import java.util.concurrent.TimeUnit;

import io.jifen.ledger.bench.compare.InProcessRuns;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process pipeline's latency under a constant offered rate (1M earns/s by default), no network:
 * <pre>
 *   producer thread, one earn every 1 µs of intended time --ring--&gt; (1) state machine --&gt; (2) journal
 *        (chain, append, fdatasync with batch) --&gt; (3) reply: latency = answered - intended send time
 * </pre>
 * One invocation is one run: a fresh pipeline, 0.5 s of warm-up load, then {@link #seconds} measured. The score is
 * the invocation's wall time (about warm-up + measured when the pipeline keeps up, more when it falls behind); the
 * percentiles come as secondary results, in nanoseconds, with the achieved rate. Latency counts from each event's
 * intended time, so a stalled pipeline cannot hide behind a slower producer. {@code benchmarks/compare} runs the same
 * harness ({@link InProcessRuns#pipelineAtRate}). JMH sums auxiliary counters over measurement iterations, so there is
 * one measured invocation: the secondary results are that run's own (pass {@code -i 1} if you override iterations).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g"})
public class PipelineLatencyBenchmark
{
    @Param({"none", "batch"})
    public String sync;

    @Param({"1000000"})
    public double rate;

    @Param({"2"})
    public double seconds;

    /**
     * The run's percentiles, reported by JMH next to the score.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Percentiles
    {
        public long p50Ns;
        public long p99Ns;
        public long p9999Ns;
        public long maxNs;
        public long achievedPerSecond;

        @Setup(Level.Invocation)
        public void clear()
        {
            p50Ns = 0;
            p99Ns = 0;
            p9999Ns = 0;
            maxNs = 0;
            achievedPerSecond = 0;
        }
    }

    @Benchmark
    public long constantRate(final Percentiles percentiles) throws Exception
    {
        final io.jifen.ledger.bench.compare.Measurement m = InProcessRuns.pipelineAtRate(sync, rate, 0.5, seconds);
        percentiles.p50Ns = (long)(m.p50 * 1e6);
        percentiles.p99Ns = (long)(m.p99 * 1e6);
        percentiles.p9999Ns = (long)(m.p9999 * 1e6);
        percentiles.maxNs = (long)(m.max * 1e6);
        percentiles.achievedPerSecond = (long)m.achieved;
        return m.count;
    }
}
