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
        final int m = members.named(ps.slot, c);
        if (m < 0)
        {
            return;
        }
        final Program p = ps.program();
        final long now = c.timestamp;
        c.balance = members.available(m) - lots.dueSum(m, now);
        c.owed = members.owed(m);
        c.held = members.held(m);
        // pending earns as of their last settlement: one that is due matures at the member's next write or the next
        // sweep (every 50 ms in a running server)
        c.pending = members.pending(m);
        for (int i = 0; i < members.pendingCount(m) && c.lots.size() < CommandValidator.LIST_LOTS_LIMIT_MAX; i++)
        {
            c.lots.add(-1, members.pendingPoints(m, i), members.pendingPoints(m, i), members.pendingEarnedAt(m, i),
                members.pendingAt(m, i));
        }
        c.tier = members.tier(m);
        c.lifetimeEarned = members.lifetimeEarned(m);
        c.memberStatus = members.status(m);
        c.openLots = members.lotCount(m) - lots.dueCount(m, now);
        c.tierPoints = TierPoints.at(members, p, m, now);
        c.nextTierPoints = members.tier(m) < Tier.PLATINUM.code() ?
            Math.max(0, p.threshold(members.tier(m) + 1) - c.tierPoints) : 0;
        c.nextEvaluationAt = p.tierWindow() == Program.TierWindow.LIFETIME ? 0 : members.nextEvaluationAt(m);
        if (members.floorUntil[m] > now)
        {
            c.floorTier = members.floorTier[m];
            c.floorUntil = members.floorUntil[m];
        }
        int group = 0;
        while (group < members.groupCount(m) && members.groupAt(m, group) <= now)
        {
            group++;
        }
        if (group < members.groupCount(m))
        {
            c.nextExpiryAt = members.groupAt(m, group);
            c.nextExpiryPoints = members.groupPoints(m, group);
        }
        c.expiryBatches = members.groupCount(m) - group;
        for (int g = group; g < members.groupCount(m) && c.outlook.size() < Limits.LIST_LOTS_LIMIT_MAX; g++)
        {
            c.outlook.add(members.groupAt(m, g), members.groupPoints(m, g));
        }
    }

    void getMember(final ProgramState ps, final Command c)
    {
        final int m = members.named(ps.slot, c);
        if (m < 0)
        {
            return;
        }
        final Program p = ps.program();
        final long now = c.timestamp;
        c.tier = members.tier(m);
        c.memberStatus = members.status(m);
        c.birthday = members.birthday[m];
        c.referrerOut = members.referrer[m] >= 0 ? members.id[members.referrer[m]] : null;
        c.enrolledAt = members.enrolledAt[m];
        c.segment = p.segment(
            members.enrolledAt[m], members.historyChunk(m), members.historyBase(m) + MemberStore.RECENT,
            members.recentCount(m), now).code();
        c.lastEarnAt = members.recentCount(m) > 0 ?
            members.historyChunk(m)[members.historyBase(m) + MemberStore.RECENT] : 0;
        c.recentEarns = p.earnsInActiveWindow(
            members.historyChunk(m), members.historyBase(m) + MemberStore.RECENT, members.recentCount(m), now);
        c.tierPoints = TierPoints.at(members, p, m, now);
        c.nextEvaluationAt = p.tierWindow() == Program.TierWindow.LIFETIME ? 0 : members.nextEvaluationAt(m);
    }

    void checkTier(final ProgramState ps, final Command c)
    {
        final int m = members.named(ps.slot, c);
        if (m < 0)
        {
            return;
        }
        c.tier = members.tier(m);
        c.memberStatus = members.status(m);
        c.meets = members.isActive(m) && members.tier(m) >= c.minTier;
    }

    void listLots(final ProgramState ps, final Command c)
    {
        final int m = members.named(ps.slot, c);
        if (m < 0)
        {
            return;
        }
        final int due = lots.dueCount(m, c.timestamp);
        c.openLots = members.lotCount(m) - due;
        int lot = lots.firstOpen(m);
        for (int i = 0; i < due; i++)
        {
            lot = lots.nextOpen.get(lot);
        }
        for (; lot >= 0 && c.lots.size() < c.limit; lot = lots.nextOpen.get(lot))
        {
            c.lots.add(lots.ids.get(lot), lots.amount.get(lot), lots.remaining.get(lot), lots.earnedAt.get(lot),
                lots.expiresAt.get(lot));
        }
        c.balance = members.available(m) - lots.dueSum(m, c.timestamp);
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
            final int m = i;
            if (members.program(m) != ps.slot || members.status(m) == MemberStatus.CLOSED.code())
            {
                continue;
            }
            long points = 0;
            long first = 0;
            for (int g = 0; g < members.groupCount(m) && members.groupAt(m, g) <= end; g++)
            {
                if (members.groupAt(m, g) > now)
                {
                    points += members.groupPoints(m, g);
                    first = first == 0 ? members.groupAt(m, g) : first;
                }
            }
            if (points >= c.minPoints)
            {
                c.expiring.add(members.id[m], points, first, members.available(m) - lots.dueSum(m, now));
            }
        }
        c.nextCursor = i < count ? i : -1;
        c.windowEnd = end;
    }
}
