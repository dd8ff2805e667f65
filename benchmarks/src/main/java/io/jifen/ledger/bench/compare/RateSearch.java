package io.jifen.ledger.bench.compare;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Steps the offered rate to find what a system sustains. A step is sustained under a latency bound when at least 95%
 * of the offered rate was achieved, without errors, with p99 within the bound.
 * <ol>
 *   <li>Capacity: double the rate from a start while steps stay sustained under the loose bound (queues are not
 *       growing), then narrow the gap to the first failed rate geometrically.</li>
 *   <li>Under the strict bound (the p99 ≤ 1 ms the issue asks for): when no step so far met it, halve the rate below
 *       the start until one does, or give up below a floor.</li>
 * </ol>
 */
public final class RateSearch
{
    /** The loose bound: beyond it a step's queue is growing, whatever the achieved rate says. */
    public static final double CAPACITY_P99_MS = 50;

    /**
     * One run at one offered rate.
     */
    public interface Run
    {
        Measurement at(double rate) throws Exception;

        /**
         * One run whose rate is already fixed.
         */
        interface Once
        {
            Measurement run() throws Exception;
        }
    }

    private RateSearch()
    {
    }

    public static List<Measurement> search(final Run run, final double start, final double ceiling,
        final double p99LimitMs, final int refinements, final double floor, final PrintStream log) throws Exception
    {
        final List<Measurement> steps = new ArrayList<>();
        double good = 0;
        double bad = 0;
        for (double rate = start; rate <= ceiling; rate *= 2)
        {
            if (step(run, rate, steps, log).sustained(CAPACITY_P99_MS))
            {
                good = rate;
            }
            else
            {
                bad = rate;
                break;
            }
        }
        for (int i = 0; i < refinements && good > 0 && bad > good * 1.1; i++)
        {
            final double mid = Math.rint(Math.sqrt(good * bad));
            if (step(run, mid, steps, log).sustained(CAPACITY_P99_MS))
            {
                good = mid;
            }
            else
            {
                bad = mid;
            }
        }
        for (double rate = start / 2; maxSustained(steps, p99LimitMs) == 0 && rate >= floor; rate /= 2)
        {
            step(run, Math.rint(rate), steps, log);
        }
        return steps;
    }

    /**
     * The highest offered rate among the steps sustained under {@code p99LimitMs}; 0 when none was.
     */
    public static double maxSustained(final List<Measurement> steps, final double p99LimitMs)
    {
        double best = 0;
        for (final Measurement m : steps)
        {
            if (m.sustained(p99LimitMs))
            {
                best = Math.max(best, m.offered);
            }
        }
        return best;
    }

    private static Measurement step(final Run run, final double rate, final List<Measurement> steps,
        final PrintStream log) throws Exception
    {
        final Measurement m = run.at(rate);
        steps.add(m);
        log.println("  " + m);
        return m;
    }
}
