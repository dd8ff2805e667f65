package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A member's tier points, counted by month and calendar year of the earn's instant in its program's zone, and summed
 * over the program's qualification window. Pure functions of the member's history block (see
 * {@link MemberStore#historySlot}).
 */
final class TierPoints
{
    private TierPoints()
    {
    }

    /**
     * Counts tier points (negative for a reversal) in the month and the year of {@code at}, the earn's instant.
     */
    static void add(final MemberStore members, final Program p, final int m, final long at, final long points)
    {
        final int month = p.monthOf(at);
        final int b = members.historyFor(m);
        final long[] h = members.historyChunk(m);
        if (month > members.lastMonth(m))
        {
            for (int k = Math.max(members.lastMonth(m) + 1, month - MemberStore.MONTHS_KEPT + 1); k <= month; k++)
            {
                h[b + Math.floorMod(k, MemberStore.MONTHS_KEPT)] = 0;
            }
            members.lastMonth(m, month);
        }
        if (month > members.lastMonth(m) - MemberStore.MONTHS_KEPT)
        {
            h[b + Math.floorMod(month, MemberStore.MONTHS_KEPT)] += points;
        }
        final int year = Math.floorDiv(month, 12);
        if (year > members.year(m))
        {
            final int shift = (int)Math.min(year - (long)members.year(m), MemberStore.YEARS_KEPT);
            final int years = b + MemberStore.YEARS;
            System.arraycopy(h, years, h, years + shift, MemberStore.YEARS_KEPT - shift);
            Arrays.fill(h, years, years + shift, 0);
            members.year(m, year);
        }
        if (year > members.year(m) - MemberStore.YEARS_KEPT)
        {
            h[b + MemberStore.YEARS + members.year(m) - year] += points;
        }
    }

    /**
     * @return the member's qualifying points at {@code at} in the program's window: all of them, those of the 12
     * months ending with the month of {@code at}, or those of its calendar year.
     */
    static long at(final MemberStore members, final Program p, final int m, final long at)
    {
        return switch (p.tierWindow())
        {
            case ROLLING_12 -> months(members, m, p.monthOf(at));
            case CALENDAR_YEAR -> year(members, m, Math.floorDiv(p.monthOf(at), 12));
            case LIFETIME -> members.lifetimeEarned(m);
        };
    }

    /**
     * @return the tier points of the 12 months ending with {@code lastMonth}. Thirteen months are kept: a program put
     * in force later may have a zone hours behind the one points were counted in, so its month may be one earlier.
     */
    static long months(final MemberStore members, final int m, final int lastMonth)
    {
        long sum = 0;
        final long[] h = members.historyChunk(m);
        if (null != h)
        {
            final int b = members.historyBase(m);
            final int from = Math.max(lastMonth - 11, members.lastMonth(m) - MemberStore.MONTHS_KEPT + 1);
            for (int k = from; k <= Math.min(lastMonth, members.lastMonth(m)); k++)
            {
                sum += h[b + Math.floorMod(k, MemberStore.MONTHS_KEPT)];
            }
        }
        return sum;
    }

    /**
     * @return the tier points of a calendar year (years since 1970). Three years are kept, for the same reason as
     * thirteen months: an evaluation's last complete year may be two before the year last counted in another zone.
     */
    static long year(final MemberStore members, final int m, final int year)
    {
        final long[] h = members.historyChunk(m);
        return null != h && year <= members.year(m) && year > members.year(m) - MemberStore.YEARS_KEPT ?
            h[members.historyBase(m) + MemberStore.YEARS + members.year(m) - year] : 0;
    }
}
