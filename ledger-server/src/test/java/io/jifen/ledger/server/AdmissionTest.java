package io.jifen.ledger.server;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shedding rule against a simulated ring on a simulated clock: calls arrive at a steady rate, the pipeline answers
 * them first in, first out at its capacity, or not at all while it is paused. The rule: a write is let in unless the
 * commands ahead of it would take longer than the queue bound to answer, so a pause shorter than the bound sheds
 * nothing, and a pipeline offered more than it can do sheds the excess and keeps what it accepts within the bound.
 */
class AdmissionTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long STEP = 100_000; // 0.1 ms

    /** The simulated ring: arrival times of the commands in it, oldest first. */
    private final ArrayDeque<Long> ring = new ArrayDeque<>();
    private long answered;
    private long refused;
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
        double arrivals = 0;
        double answers = 0;
        for (long now = from; now < to; now += STEP)
        {
            answers += capacity * STEP / 1e9;
            while (answers >= 1 && !ring.isEmpty())
            {
                answers--;
                final long wait = now - ring.removeFirst();
                answered++;
                longestWait = now >= measureFrom ? Math.max(longestWait, wait) : longestWait;
            }
            answers = Math.min(answers, 1);
            arrivals += perSecond * STEP / 1e9;
            while (arrivals >= 1)
            {
                arrivals--;
                if (admission.admit(false, 0, origin + now) == 0)
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
    void aPauseShorterThanTheBoundShedsNothing()
    {
        // a busy second measures the rate: 30,000/s offered to a pipeline that answers 20,000/s
        run(0, 1500 * MS, 30_000, 20_000, 0);
        // drained, then a light load with pauses of 150 to 300 ms (a collection, a descheduled writer thread) that
        // start at every phase of the 100 ms sampling
        long now = 1500 * MS;
        run(now, now + 2000 * MS, 2_000, 20_000, 0);
        now += 2000 * MS;
        refused = 0;
        for (int pause = 150; pause <= 300; pause += 10)
        {
            run(now, now + pause * MS, 2_000, 0, 0);
            now += pause * MS;
            run(now, now + (400 + pause) * MS, 2_000, 20_000, 0);
            now += (400 + pause) * MS;
        }
        assertEquals(0, refused, "calls shed after pauses that left at most 600 commands (30 ms of work) in the ring");
    }

    @Test
    void aPauseBeforeAnyRateIsKnownShedsNothing()
    {
        run(0, 1000 * MS, 2_000, 20_000, 0);
        for (long at = 1000 * MS; at < 3000 * MS; at += 700 * MS)
        {
            run(at, at + 250 * MS, 2_000, 0, 0);
            run(at + 250 * MS, at + 700 * MS, 2_000, 20_000, 0);
        }
        assertEquals(0, refused);
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
}
