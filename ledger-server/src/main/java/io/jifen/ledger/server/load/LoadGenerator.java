package io.jifen.ledger.server.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.Tier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code ledger load}: an open-loop load generator for any running ledger server.
 * <pre>
 *   sender thread: intended send times at the offered rate --&gt; unary RPCs (async stubs, a concurrency cap)
 *                                                          \-&gt; or Submit streams (client flow control)
 *   completions (gRPC threads) --&gt; Recorder: latency = completion - intended send time
 * </pre>
 * The sender never waits for an answer before the next intended time: a server that stalls shows up as latency,
 * not as a slower offered rate.
 */
public final class LoadGenerator implements LoadTarget.Completions
{
    static final int ENROLL = 0;
    static final int EARN = 1;
    static final int REDEEM = 2;
    static final int BALANCE = 3;
    static final int TIER = 4;
    static final int RETURN = 5;
    static final int RETRY = 6;
    static final int HOLD = 7;
    static final int CAPTURE = 8;
    static final String[] OP_NAMES =
        {"enroll", "earn", "redeem", "balance", "tier", "return", "retry", "hold", "capture"};
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private final LoadOptions options;
    private final LoadTarget.Factory targets;
    private final PrintStream out;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final ZipfSampler members;
    private final SplittableRandom random;
    /** 0 unknown, 1 enroll sent, 2 enrolled. */
    private final AtomicIntegerArray enrolled;
    private final AtomicReferenceArray<String> lastEarn;
    /** A member's hold awaiting its capture (the second half of a checkout), by member. */
    private final AtomicReferenceArray<String> openHold;
    private final Recorder recorder = new Recorder(HIGHEST_NS, 3);
    private final Recorder[] opRecorders = new Recorder[OP_NAMES.length];
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong[] opCounts = new AtomicLong[OP_NAMES.length];
    private volatile String lastError = "";
    private volatile boolean measuring;
    private volatile long measureFromNs = Long.MIN_VALUE;
    private long sequence;
    private Message lastWrite;

    public LoadGenerator(final LoadOptions options, final PrintStream out)
    {
        this(options, GrpcTargets.factory(), out);
    }

    /**
     * A generator sending the mix to the targets {@code targets} opens (a system other than a Jifen server).
     */
    public LoadGenerator(final LoadOptions options, final LoadTarget.Factory targets, final PrintStream out)
    {
        this.options = options;
        this.targets = targets;
        this.out = out;
        this.members = new ZipfSampler(options.population, options.zipf);
        this.random = new SplittableRandom(options.seed);
        this.enrolled = new AtomicIntegerArray(options.population);
        this.lastEarn = new AtomicReferenceArray<>(options.population);
        this.openHold = new AtomicReferenceArray<>(options.population);
        for (int i = 0; i < OP_NAMES.length; i++)
        {
            opRecorders[i] = new Recorder(HIGHEST_NS, 3);
            opCounts[i] = new AtomicLong();
        }
    }

    /**
     * Runs warm-up then the measured period, prints a summary and writes the JSON and histogram files asked for.
     */
    public Summary run() throws IOException, InterruptedException
    {
        final LoadTarget sender = targets.open(options, this);
        out.printf(Locale.ROOT, "ledger load: %s, %s ops/s%s for %.0f s (+%.0f s warm-up) against %s, " +
            "population %d (zipf %.2f)%n", sender.mode(), fmt(options.rate),
            options.rampTo > 0 ? " ramping to " + fmt(options.rampTo) : "", options.durationSeconds,
            options.warmupSeconds, sender.describe(), options.population, options.zipf);
        final long warmupNs = (long)(options.warmupSeconds * 1e9);
        final long durationNs = (long)(options.durationSeconds * 1e9);
        final long start = System.nanoTime();
        final long measureFrom = start + warmupNs;
        measureFromNs = measureFrom;
        final long end = measureFrom + durationNs;
        final Histogram total = new Histogram(HIGHEST_NS, 3);
        Histogram interval = null;
        long intended = start;
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long sentAtMeasureStart = 0;
        measuring = warmupNs == 0;
        while (intended < end)
        {
            final long now = System.nanoTime();
            if (now < intended)
            {
                LockSupport.parkNanos(Math.min(intended - now, 200_000));
                continue;
            }
            if (!measuring && intended >= measureFrom)
            {
                measuring = true;
                recorder.reset();
                for (final Recorder r : opRecorders)
                {
                    r.reset();
                }
                sentAtMeasureStart = sent.get();
                resetCounters();
            }
            final Message operation = nextOperation();
            sender.send(operation, lastType, intended);
            sent.incrementAndGet();
            final double elapsed = Math.max(0, (double)(intended - measureFrom) / durationNs);
            final double rate = options.rampTo > 0 ? options.rate + (options.rampTo - options.rate) * elapsed :
                options.rate;
            intended += (long)(1e9 / rate);
            if (now >= nextReport)
            {
                interval = recorder.getIntervalHistogram(interval);
                if (measuring)
                {
                    total.add(interval);
                }
                if (options.progress)
                {
                    out.printf(Locale.ROOT, "\r%5.0f s  %9.0f ops/s  errors %d  p50 %s  p99 %s  p99.9 %s      ",
                        (now - start) / 1e9, interval.getTotalCount() / 1.0, errors.get(),
                        ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)),
                        ms(interval.getValueAtPercentile(99.9)));
                    out.flush();
                }
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
        }
        final long sendingEnded = System.nanoTime();
        sender.finish(TimeUnit.SECONDS.toNanos(GrpcTargets.CALL_DEADLINE_S + 5));
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        sender.close();
        return summarize(sender, total, sent.get() - sentAtMeasureStart, (sendingEnded - measureFrom) / 1e9);
    }

    /** Prints the summary of the measured period and writes the JSON and histogram files asked for. */
    private Summary summarize(final LoadTarget sender, final Histogram total, final long sentMeasured,
        final double sendingSeconds) throws IOException
    {
        if (options.progress)
        {
            out.println();
        }
        final Histogram[] perOp = new Histogram[OP_NAMES.length];
        for (int i = 0; i < OP_NAMES.length; i++)
        {
            perOp[i] = opRecorders[i].getIntervalHistogram();
        }
        final Summary summary = new Summary(options, sender.mode(), sender.describe(), sentMeasured,
            sendingSeconds, ok.get(), replays.get(), rejected.get(), errors.get(), total, perOp, opCounts, lastError);
        summary.print(out);
        if (null != options.json)
        {
            Files.writeString(options.json, summary.toJson(), StandardCharsets.UTF_8);
        }
        if (null != options.hdrLog)
        {
            try (PrintStream log = new PrintStream(Files.newOutputStream(options.hdrLog), true,
                StandardCharsets.UTF_8))
            {
                total.outputPercentileDistribution(log, 1000.0);
            }
        }
        return summary;
    }

    private void resetCounters()
    {
        ok.set(0);
        replays.set(0);
        rejected.set(0);
        errors.set(0);
        for (final AtomicLong count : opCounts)
        {
            count.set(0);
        }
    }

    /** The type of the operation {@link #nextOperation()} returned last. */
    private int lastType;

    /**
     * The next operation of the 'peak sale' mix, as a request message; its type in {@link #lastType}.
     */
    private Message nextOperation()
    {
        final int member = members.sample(random);
        final String memberId = "load-m" + member;
        if (enrolled.get(member) == 0 && enrolled.compareAndSet(member, 0, 1))
        {
            lastType = ENROLL;
            return EnrollRequest.newBuilder().setRequestId("load-" + runId + "-enroll-" + member)
                .setMemberId(memberId).build();
        }
        if (null != lastWrite && random.nextDouble() < options.retryShare)
        {
            lastType = RETRY;
            return lastWrite;
        }
        final int roll = random.nextInt(100);
        final String requestId = "load-" + runId + "-" + (++sequence);
        final Message message;
        if (roll < 70)
        {
            lastType = EARN;
            message = EarnRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setPoints(10 + random.nextInt(990)).setOrderId("order-" + sequence).build();
            lastEarn.set(member, requestId);
        }
        else if (roll < 80 && options.holds)
        {
            message = checkout(member, memberId, requestId);
        }
        else if (roll < 80)
        {
            lastType = REDEEM;
            message = RedeemRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setPoints(1 + random.nextInt(200)).build();
        }
        else if (roll < 92)
        {
            lastType = BALANCE;
            return GetBalanceRequest.newBuilder().setMemberId(memberId).build();
        }
        else if (roll < 97)
        {
            lastType = TIER;
            return CheckTierRequest.newBuilder().setMemberId(memberId).setMinTier(Tier.TIER_SILVER).build();
        }
        else
        {
            final String original = lastEarn.get(member);
            if (null == original)
            {
                lastType = BALANCE;
                return GetBalanceRequest.newBuilder().setMemberId(memberId).build();
            }
            lastType = RETURN;
            message = ReverseRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setOriginalRequestId(original).setPoints(1).setReason("return").build();
        }
        lastWrite = message;
        return message;
    }

    /** A checkout: holds the points, and captures them when the member is drawn next. */
    private Message checkout(final int member, final String memberId, final String requestId)
    {
        final String hold = openHold.getAndSet(member, null);
        if (null == hold)
        {
            lastType = HOLD;
            final Message message = HoldRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setPoints(1 + random.nextInt(200)).setOrderId("order-" + sequence).build();
            openHold.set(member, requestId);
            return message;
        }
        lastType = CAPTURE;
        return CaptureHoldRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
            .setHoldRequestId(hold).build();
    }

    @Override
    public void complete(final Message request, final int type, final long intendedNs, final Status.Code code,
        final boolean replay, final String message)
    {
        markEnrolled(request, code);
        record(type, intendedNs, code, replay, message);
    }

    @Override
    public void failed(final String message)
    {
        errors.incrementAndGet();
        lastError = message;
    }

    private void record(final int type, final long intendedNs, final Status.Code code, final boolean replay,
        final String message)
    {
        if (intendedNs < measureFromNs)
        {
            return; // a warm-up operation answered after measuring began
        }
        final long latency = Math.min(System.nanoTime() - intendedNs, HIGHEST_NS);
        recorder.recordValue(latency);
        opRecorders[type].recordValue(latency);
        opCounts[type].incrementAndGet();
        if (code == Status.Code.OK)
        {
            ok.incrementAndGet();
            if (replay)
            {
                replays.incrementAndGet();
            }
        }
        else if (code == Status.Code.FAILED_PRECONDITION || code == Status.Code.NOT_FOUND ||
            code == Status.Code.ALREADY_EXISTS)
        {
            rejected.incrementAndGet();
        }
        else
        {
            errors.incrementAndGet();
            lastError = code + ": " + message;
        }
    }

    private void markEnrolled(final Message request, final Status.Code code)
    {
        if (request instanceof EnrollRequest
            && (code == Status.Code.OK || code == Status.Code.ALREADY_EXISTS))
        {
            final String memberId = ((EnrollRequest)request).getMemberId();
            enrolled.set(Integer.parseInt(memberId.substring("load-m".length())), 2);
        }
    }

    private static String fmt(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }

    static String ms(final long nanos)
    {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
