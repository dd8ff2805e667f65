package io.jifen.ledger.core;

/**
 * GetBalance, GetMember, CheckTier, ListLots, ListExpiring: answers as of the command's instant, with due lots
 * subtracted, and
 * nothing changed (a read never settles a member: only a write or the sweep does).
 */
final class Reads
{
    private static final long DAY_MS = 86_400_000L;

    /** One of the reads, bound at the call in {@link Ledger} (a method reference to it allocates nothing). */
    @FunctionalInterface
    interface Read
    {
        void answer(Reads reads, ProgramState program, Command c);
    }

    private final MemberStore members;
    private final LotStore lots;

    Reads(final Stores stores)
    {
        this.members = stores.members;
        this.lots = stores.lots;
    }

    void getBalance(final ProgramState ps, final Command c)
    {
        final Member m = members.named(ps.slot, c);
        if (null == m)
        {
            return;
        }
        final Program p = ps.program();
        final long now = c.timestamp;
        c.balance = m.available - lots.dueSum(m, now);
        c.owed = m.owed;
        c.held = m.held;
        // pending earns as of their last settlement: one that is due matures at the member's next write or the next
        // sweep (every 50 ms in a running server)
        c.pending = m.pending;
        for (int i = 0; i < m.pendingCount && c.lots.size() < CommandValidator.LIST_LOTS_LIMIT_MAX; i++)
        {
            c.lots.add(-1, m.pendingPoints[i], m.pendingPoints[i], m.pendingEarnedAt[i], m.pendingAt[i]);
        }
        c.tier = m.tier;
        c.lifetimeEarned = m.lifetimeEarned;
        c.memberStatus = m.status;
        c.openLots = m.lotCount - lots.dueCount(m, now);
        c.tierPoints = TierPoints.at(p, m, now);
        c.nextTierPoints = m.tier < Tier.PLATINUM.code() ? Math.max(0, p.threshold(m.tier + 1) - c.tierPoints) : 0;
        c.nextEvaluationAt = p.tierWindow() == Program.TierWindow.LIFETIME ? 0 : m.nextEvaluationAt;
        if (m.floorUntil > now)
        {
            c.floorTier = m.floorTier;
            c.floorUntil = m.floorUntil;
        }
        int group = 0;
        while (group < m.groupCount && m.groupAt[group] <= now)
        {
            group++;
        }
        if (group < m.groupCount)
        {
            c.nextExpiryAt = m.groupAt[group];
            c.nextExpiryPoints = m.groupPoints[group];
        }
        c.expiryBatches = m.groupCount - group;
        for (int g = group; g < m.groupCount && c.outlook.size() < Limits.LIST_LOTS_LIMIT_MAX; g++)
        {
            c.outlook.add(m.groupAt[g], m.groupPoints[g]);
        }
    }

    void getMember(final ProgramState ps, final Command c)
    {
        final Member m = members.named(ps.slot, c);
        if (null == m)
        {
            return;
        }
        final Program p = ps.program();
        final long now = c.timestamp;
        c.tier = m.tier;
        c.memberStatus = m.status;
        c.birthday = m.birthday;
        c.referrerOut = m.referrer >= 0 ? members.get(m.referrer).id : null;
        c.enrolledAt = m.enrolledAt;
        c.segment = p.segment(m.enrolledAt, m.history, Member.RECENT, m.recentCount, now).code();
        c.lastEarnAt = m.recentCount > 0 ? m.history[Member.RECENT] : 0;
        c.recentEarns = p.earnsInActiveWindow(m.history, Member.RECENT, m.recentCount, now);
        c.tierPoints = TierPoints.at(p, m, now);
        c.nextEvaluationAt = p.tierWindow() == Program.TierWindow.LIFETIME ? 0 : m.nextEvaluationAt;
    }

    void checkTier(final ProgramState ps, final Command c)
    {
        final Member m = members.named(ps.slot, c);
        if (null == m)
        {
            return;
        }
        c.tier = m.tier;
        c.memberStatus = m.status;
        c.meets = m.isActive() && m.tier >= c.minTier;
    }

    void listLots(final ProgramState ps, final Command c)
    {
        final Member m = members.named(ps.slot, c);
        if (null == m)
        {
            return;
        }
        final int due = lots.dueCount(m, c.timestamp);
        c.openLots = m.lotCount - due;
        for (int i = due; i < m.lotCount && c.lots.size() < c.limit; i++)
        {
            final int lot = m.lots[i];
            c.lots.add(lots.ids[lot], lots.amount[lot], lots.remaining[lot], lots.earnedAt[lot], lots.expiresAt[lot]);
        }
        c.balance = m.available - lots.dueSum(m, c.timestamp);
    }

    /**
     * A page of the program's members, in enrollment order from {@code c.cursor}, whose points expiring after now
     * and at or before the window's end come to at least {@code c.minPoints}: at most {@code c.limit} of them, from
     * at most {@link Limits#EXPIRING_SCAN_MAX} members scanned (a page may come back short, or empty, with more to
     * scan). Closed members are left out: their points cannot be used.
     */
    void listExpiring(final ProgramState ps, final Command c)
    {
        final int count = members.count();
        if (c.cursor > count)
        {
            c.result = ResultCode.PAGE_TOKEN_INVALID;
            return;
        }
        final long now = c.timestamp;
        final long end = c.expiringBefore > 0 ? c.expiringBefore : now + c.withinDays * DAY_MS;
        int i = c.cursor;
        for (int scanned = 0; i < count && scanned < Limits.EXPIRING_SCAN_MAX && c.expiring.size() < c.limit;
            scanned++, i++)
        {
            final Member m = members.get(i);
            if (m.program != ps.slot || m.status == MemberStatus.CLOSED.code())
            {
                continue;
            }
            long points = 0;
            long first = 0;
            for (int g = 0; g < m.groupCount && m.groupAt[g] <= end; g++)
            {
                if (m.groupAt[g] > now)
                {
                    points += m.groupPoints[g];
                    first = first == 0 ? m.groupAt[g] : first;
                }
            }
            if (points >= c.minPoints)
            {
                c.expiring.add(m.id, points, first, m.available - lots.dueSum(m, now));
            }
        }
        c.nextCursor = i < count ? i : -1;
        c.windowEnd = end;
    }
}
