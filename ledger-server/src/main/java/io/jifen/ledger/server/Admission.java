package io.jifen.ledger.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.grpc.Context;
import io.grpc.Deadline;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.pipeline.LedgerPipeline;

/**
 * Load shedding at the edge: the ring is bounded by time as well as by slots. A call is refused at once,
 * RESOURCE_EXHAUSTED {@link ResultCode#OVERLOADED} with a retry hint, when the commands ahead of it would take longer
 * to answer than a quarter of the time its deadline leaves, or longer than the server's queue bound
 * ({@code --max-queue-ms}, 1,000 ms by default; reads get twice as long on both counts, so they go on answering
 * while writes are shed). Offered far past its capacity, the server so keeps its queue short: what it accepts it
 * answers in time, and it is idle again moments after the load stops, instead of applying writes for callers who left
 * long ago.
 *
 * <p>The wait is estimated by Little's law: commands in the ring over the rate the pipeline answers them, sampled at
 * most every {@link #SAMPLE_NANOS} by whichever caller comes (one {@link System#nanoTime()} per call). The rate is the
 * higher of two measures: what the pipeline answered while the ring was never empty (its pace under load, a stall
 * included), and what it answered over the last second or so of samples, busy or not (a lower bound on its pace at
 * any load). The second keeps a short pause from reading as a stopped pipeline: a run of samples inside a 300 ms
 * pause measures nearly nothing answered, and that rate used to stay until the next busy run, shedding every burst
 * meanwhile. A pipeline that answered nothing for a whole second is still an unbounded wait. Below
 * {@link #FREE_DEPTH} commands in the ring every call is let in, and so is every call while no busy run has been
 * measured for {@link #RATE_KEPT_NANOS} (the ring's slots bound it then).
 */
final class Admission
{
    /** Long enough to span a pause of the pipeline (a sync, a collection), short enough to follow a change of load. */
    static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int FREE_DEPTH = 32;
    /** How long the rate of the last busy run stands without a new one. */
    static final long RATE_KEPT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final LongSupplier inFlightNow;
    private final LongSupplier answeredNow;
    private final long maxQueueNanos;
    private final AtomicLong sampledAt = new AtomicLong(System.nanoTime());
    /** The last {@link #WINDOW} samples (time, commands answered), and how many of the newest are one busy run. */
    private static final int WINDOW = 10;
    private final long[] times = new long[WINDOW];
    private final long[] answeredAt = new long[WINDOW];
    private long sampleCount;
    private int samples;
    private long inFlightAtSample;
    /**
     * Commands answered per nanosecond while the ring was busy, over the last second or so of samples (so the
     * bursts and pauses of a sync or a collection average out); NaN until first measured. A new busy run starts from
     * the last run's rate until it has samples of its own: the pipeline's speed does not change with idle time.
     */
    private double busyRate = Double.NaN;
    /** When {@link #busyRate} was last measured. */
    private long busyRateAt;
    /** The estimate admissions use: the higher of the busy rate and the recent throughput; NaN while unknown. */
    private volatile double rate = Double.NaN;
    /** The retry hint of the last refusal, in milliseconds. */
    private final AtomicLong refused = new AtomicLong();

    /** @param maxQueueMillis the longest a write may wait in the ring; 0: only callers' deadlines bound it. */
    Admission(final LedgerPipeline pipeline, final long maxQueueMillis)
    {
        this(pipeline::inFlight, pipeline::answered, maxQueueMillis);
    }

    /**
     * @param inFlight the commands in the ring now.
     * @param answered the commands answered since start.
     * @param maxQueueMillis the longest a write may wait in the ring; 0: only callers' deadlines bound it.
     */
    Admission(final LongSupplier inFlight, final LongSupplier answered, final long maxQueueMillis)
    {
        this.inFlightNow = inFlight;
        this.answeredNow = answered;
        this.maxQueueNanos = maxQueueMillis <= 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(maxQueueMillis);
    }

    /** @return calls refused as overloaded since start. */
    long refused()
    {
        return refused.get();
    }

    /**
     * @param now {@link System#nanoTime()} as the caller read it (one clock read serves both this and
     *            {@link #admit}).
     * @return the current call's deadline as a {@link System#nanoTime()} instant; 0 if it has none.
     */
    static long deadlineNanos(final long now)
    {
        final Deadline deadline = Context.current().getDeadline();
        if (null == deadline)
        {
            return 0;
        }
        final long at = now + deadline.timeRemaining(TimeUnit.NANOSECONDS);
        return at == 0 ? 1 : at;
    }

    /**
     * @param read     whether the command only reads.
     * @param deadline the caller's deadline ({@link System#nanoTime()}), 0 for none.
     * @return 0 if the command may enter the ring, else the milliseconds the caller should wait before retrying.
     */
    long admit(final boolean read, final long deadline)
    {
        return admit(read, deadline, System.nanoTime());
    }

    /** The same, with the caller's clock read. */
    long admit(final boolean read, final long deadline, final long now)
    {
        final long inFlight = inFlightNow.getAsLong();
        sample(now, inFlight);
        if (inFlight < FREE_DEPTH)
        {
            return 0;
        }
        final double perNano = rate;
        if (Double.isNaN(perNano))
        {
            return 0; // not measured yet: the slots bound the ring
        }
        // a pipeline that answered nothing through a busy second (a stalled sync, a long pause) is an unbounded wait
        final long wait = perNano == 0 ? Long.MAX_VALUE / 2 : (long)Math.min(Long.MAX_VALUE / 2, inFlight / perNano);
        long limit = read ? (maxQueueNanos == Long.MAX_VALUE ? Long.MAX_VALUE : 2 * maxQueueNanos) : maxQueueNanos;
        if (deadline != 0)
        {
            // a quarter of the time the caller has left: the estimate is of a mean (measured waits ran to twice
            // it under a bursty pipeline), and the answer must still travel back; a read, twice that, as with the
            // queue bound (the writes ahead of it were let in within their own bound)
            limit = Math.min(limit, (deadline - now) / (read ? 2 : 4));
        }
        if (wait <= limit)
        {
            return 0;
        }
        refused.incrementAndGet();
        // by then the commands ahead of it that would not fit are answered
        final long hint = Math.min(wait - Math.max(0, Math.min(limit, maxQueueNanos)), TimeUnit.SECONDS.toNanos(10));
        return Math.max(10, TimeUnit.NANOSECONDS.toMillis(hint));
    }

    private void sample(final long now, final long inFlight)
    {
        if (now - sampledAt.get() < SAMPLE_NANOS)
        {
            return;
        }
        synchronized (this)
        {
            final long last = sampledAt.get();
            if (now - last < SAMPLE_NANOS)
            {
                return;
            }
            sampledAt.set(now);
            final long answered = answeredNow.getAsLong();
            // Little's law holds for a ring that was never empty through the run (wait = in the ring / answered per
            // unit of time); a window much longer than asked for spans an idle time that says nothing of the rate
            if (inFlightAtSample == 0 || inFlight == 0 || now - last >= 4 * SAMPLE_NANOS)
            {
                samples = 0;
            }
            final int slot = (int)(sampleCount++ % WINDOW);
            times[slot] = now;
            answeredAt[slot] = answered;
            samples = Math.min(samples + 1, WINDOW);
            if (samples >= 3)
            {
                // over the whole busy run (up to a second): commands answered over time taken, pauses included
                final int oldest = (int)((sampleCount - samples) % WINDOW);
                busyRate = (double)(answered - answeredAt[oldest]) / (now - times[oldest]);
                busyRateAt = now;
            }
            inFlightAtSample = inFlight;
            rate = estimate(now, answered);
        }
    }

    /** Under the lock, after the newest sample: the rate admissions use (see the class comment). */
    private double estimate(final long now, final long answered)
    {
        if (Double.isNaN(busyRate) || now - busyRateAt > RATE_KEPT_NANOS)
        {
            return Double.NaN;
        }
        final long kept = Math.min(sampleCount, WINDOW);
        if (kept < 2)
        {
            return busyRate;
        }
        final int oldest = (int)((sampleCount - kept) % WINDOW);
        final double throughput = (double)(answered - answeredAt[oldest]) / (now - times[oldest]);
        return Math.max(busyRate, throughput);
    }
}
