package io.jifen.ledger.server;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shedding rule against a simulated ring on a simulated clock: calls arrive at a steady rate, the pipeline answers
 * them first in, first out at its capacity, or not at all while it is paused. The rule: a write is let in unless the
 * commands ahead of it would take longer than the queue bound (or a quarter of its deadline) to answer, so a pipeline
 * offered more than it can do sheds the excess and keeps what it accepts within the bound.
 * And a pause shorter than the bound (a collection, a slow sync) sheds nothing.
 */
class AdmissionTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long STEP = 100_000; // 0.1 ms

    /** The simulated ring: arrival times of the commands in it, oldest first. */
    private final ArrayDeque<Long> ring = new ArrayDeque<>();
    private long answered;
    private long refused;
    private long sent;
    private long timedOut;
    private long longestWait;
    private final Admission admission = new Admission(ring::size, () -> answered, 1000);
    /** Simulated time 0 on the clock the admission started on. */
    private final long origin = System.nanoTime();

    /**
     * Runs from {@code from} to {@code to}: {@code perSecond} calls offered, {@code capacity} answered per second
     * (0: paused), waits of answered calls recorded from {@code measureFrom} on.
     */
    private void run(final long from, final long to, final double perSecond, final double capacity,
        final long measureFrom)
    {
        run(from, to, perSecond, now -> capacity, measureFrom, 0);
    }

    /**
     * The same, the pipeline answering {@code capacity.applyAsDouble(now)} per second; calls with a deadline
     * {@code deadline} after they are sent when it is not 0: a command whose deadline has passed is skipped when its
     * turn comes, as the server does (answered at once, not applied).
     */
    private void run(final long from, final long to, final double perSecond,
        final java.util.function.LongToDoubleFunction capacity, final long measureFrom, final long deadline)
    {
        double arrivals = 0;
        double answers = 0;
        for (long now = from; now < to; now += STEP)
        {
            answers += capacity.applyAsDouble(now) * STEP / 1e9;
            while (!ring.isEmpty() && (answers >= 1 || (deadline != 0 && now - ring.peekFirst() > deadline)))
            {
                final long wait = now - ring.removeFirst();
                answered++;
                if (deadline != 0 && wait > deadline)
                {
                    timedOut++; // skipped, not applied
                    continue;
                }
                answers--;
                longestWait = now >= measureFrom ? Math.max(longestWait, wait) : longestWait;
            }
            answers = Math.min(answers, 1);
            arrivals += perSecond * STEP / 1e9;
            while (arrivals >= 1)
            {
                arrivals--;
                sent++;
                if (admission.admit(false, deadline == 0 ? 0 : origin + now + deadline, origin + now) == 0)
                {
                    ring.addLast(now);
                }
                else
                {
                    refused++;
                }
            }
        }
    }

    @Test
    void fiveTimesCapacityIsShedAndWhatIsAcceptedWaitsWithinTheBound()
    {
        run(0, 10_000 * MS, 100_000, 20_000, 2_000 * MS);
        assertTrue(refused > 10_000 * 100 * 0.7, "the excess is shed: " + refused + " of 1,000,000 refused");
        assertTrue(answered > 10 * 20_000 * 0.95, "the pipeline stays busy: " + answered + " answered");
        // a second or so without a rate lets the ring fill at first; once measured, the bound holds
        assertTrue(longestWait <= 1100 * MS, "an accepted write waited " + longestWait / MS + " ms");
    }

    @Test
    void aPipelineThatAnswersNothingForASecondShedsWrites()
    {
        run(0, 1500 * MS, 30_000, 20_000, 0);
        run(1500 * MS, 2500 * MS, 2_000, 20_000, 0);
        refused = 0;
        run(2500 * MS, 4500 * MS, 2_000, 0, 0);
        assertTrue(refused > 0, "a stalled pipeline still admits everything");
    }

    /**
     * A pipeline that runs in bursts, 1 ms of every 100 at 36,000 commands a second (a CPU quota: 360 a second on
     * average), after a fast start that measured it at 20,000; offered five times what it can do, with calls of a
     * one-second deadline (a quarter of it the bound): the estimate follows the pipeline down, few calls wait past
     * their deadline, and what is accepted is answered in time.
     */
    @Test
    void aPipelineThatSlowsDownIsFollowedAndItsCallsAnsweredWithinTheirDeadline()
    {
        run(0, 1500 * MS, 30_000, 20_000, 0);
        run(1500 * MS, 3000 * MS, 1_000, 20_000, 0); // the backlog drained
        assertEquals(0, ring.size());
        refused = 0;
        sent = 0;
        run(3000 * MS, 11_000 * MS, 1_800, now -> (now % (100 * MS)) < MS ? 36_000 : 0, 3000 * MS, 1000 * MS);
        assertTrue(refused > sent / 2, "the excess is shed: " + refused + " of " + sent);
        assertTrue(timedOut < sent / 10, "few calls wait past their deadline: " + timedOut + " of " + sent);
        assertTrue(longestWait <= 1000 * MS, "an accepted call waited " + longestWait / MS + " ms");
    }

    /**
     * Sixteen pauses of 150-300 ms at 2,000 calls a second, each with 30 ms of work in the ring when it begins, the
     * pipeline otherwise ten times as fast as it is asked: every wait stays within the bound, so nothing is shed.
     * (The estimator that measured a busy run's rate alone shed 6,830 of the 29,600 calls here, whether or not a rate
     * was known at the first pause: a run of three samples inside a pause measured nearly nothing answered, and that
     * rate stood until the next busy run.)
     */
    @Test
    void pausesShorterThanTheBoundShedNothing()
    {
        pauses(true);
    }

    @Test
    void pausesShorterThanTheBoundShedNothingWhenTheFirstComesBeforeAnyRateIsKnown()
    {
        pauses(false);
    }

    private void pauses(final boolean measuredFirst)
    {
        long now = 0;
        if (measuredFirst)
        {
            run(now, now + 1500 * MS, 30_000, 20_000, 0); // measures 20,000 a second
            now += 1500 * MS;
            run(now, now + 1500 * MS, 2_000, 20_000, 0);
            now += 1500 * MS;
        }
        refused = 0;
        sent = 0;
        for (int pause = 0; pause < 16; pause++)
        {
            for (int i = 0; i < 600; i++)
            {
                ring.addLast(now); // 30 ms of work at 20,000 a second
            }
            final long length = (150 + 50 * (pause % 4)) * MS;
            run(now, now + length, 2_000, 0, 0);
            now += length;
            run(now, now + 700 * MS, 2_000, 20_000, 0);
            now += 700 * MS;
        }
        assertEquals(0, refused, (measuredFirst ? "" : "with no rate known at the first pause: ") +
            refused + " of " + sent + " calls shed");
    }

    /**
     * Reads get twice as long as writes, by the queue bound and by their deadline alike: with 300 ms of work in the
     * ring, a write whose caller has a second left is refused (a quarter of it), a read with the same deadline is
     * let in (half of it), and a read with 500 ms left is refused.
     */
    @Test
    void aReadWaitsTwiceAsLongAsAWriteWithTheSameDeadline()
    {
        run(0, 1500 * MS, 30_000, 20_000, 0); // measures 20,000 a second
        run(1500 * MS, 3000 * MS, 1_000, 20_000, 0);
        for (int i = 0; i < 6_000; i++)
        {
            ring.addLast(3000 * MS);
        }
        final long now = origin + 3000 * MS;
        assertTrue(admission.admit(false, now + 1000 * MS, now) > 0, "a write past a quarter of its deadline");
        assertEquals(0, admission.admit(true, now + 1000 * MS, now), "a read within half of its deadline");
        assertTrue(admission.admit(true, now + 500 * MS, now) > 0, "a read past half of its deadline");
        assertEquals(0, admission.admit(false, now + 2000 * MS, now), "a write within a quarter of its deadline");
    }
}
