package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A member's tier points, counted by month and calendar year of the earn's instant in its program's zone, and summed
 * over the program's qualification window. Pure functions of the member's history array (see {@link Member}).
 */
final class TierPoints
{
    private TierPoints()
    {
    }

    /**
     * Counts tier points (negative for a reversal) in the month and the year of {@code at}, the earn's instant.
     */
    static void add(final Program p, final Member m, final long at, final long points)
    {
        final int month = p.monthOf(at);
        final long[] h = m.history();
        if (month > m.lastMonth)
        {
            for (int k = Math.max(m.lastMonth + 1, month - Member.MONTHS_KEPT + 1); k <= month; k++)
            {
                h[Math.floorMod(k, Member.MONTHS_KEPT)] = 0;
            }
            m.lastMonth = month;
        }
        if (month > m.lastMonth - Member.MONTHS_KEPT)
        {
            h[Math.floorMod(month, Member.MONTHS_KEPT)] += points;
        }
        final int year = Math.floorDiv(month, 12);
        if (year > m.year)
        {
            final int shift = (int)Math.min(year - (long)m.year, Member.YEARS_KEPT);
            System.arraycopy(h, Member.YEARS, h, Member.YEARS + shift, Member.YEARS_KEPT - shift);
            Arrays.fill(h, Member.YEARS, Member.YEARS + shift, 0);
            m.year = year;
        }
        if (year > m.year - Member.YEARS_KEPT)
        {
            h[Member.YEARS + m.year - year] += points;
        }
    }

    /**
     * @return the member's qualifying points at {@code at} in the program's window: all of them, those of the 12
     * months ending with the month of {@code at}, or those of its calendar year.
     */
    static long at(final Program p, final Member m, final long at)
    {
        return switch (p.tierWindow())
        {
            case ROLLING_12 -> months(m, p.monthOf(at));
            case CALENDAR_YEAR -> year(m, Math.floorDiv(p.monthOf(at), 12));
            case LIFETIME -> m.lifetimeEarned;
        };
    }

    /**
     * @return the tier points of the 12 months ending with {@code lastMonth}. Thirteen months are kept: a program put
     * in force later may have a zone hours behind the one points were counted in, so its month may be one earlier.
     */
    static long months(final Member m, final int lastMonth)
    {
        long sum = 0;
        if (null != m.history)
        {
            final int from = Math.max(lastMonth - 11, m.lastMonth - Member.MONTHS_KEPT + 1);
            for (int k = from; k <= Math.min(lastMonth, m.lastMonth); k++)
            {
                sum += m.history[Math.floorMod(k, Member.MONTHS_KEPT)];
            }
        }
        return sum;
    }

    /**
     * @return the tier points of a calendar year (years since 1970). Three years are kept, for the same reason as
     * thirteen months: an evaluation's last complete year may be two before the year last counted in another zone.
     */
    static long year(final Member m, final int year)
    {
        return null != m.history && year <= m.year && year > m.year - Member.YEARS_KEPT ?
            m.history[Member.YEARS + m.year - year] : 0;
    }
}
