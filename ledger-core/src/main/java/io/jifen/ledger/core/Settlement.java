package io.jifen.ledger.core;

/**
 * What comes due for a member with time, made before any write touches it (and by the sweep): the due tier
 * evaluation, the expiry of due lots, the birthday gift, the maturity of pending earns, and the debt those pay. So a
 * lot never pays for anything at or after its expiry instant, and no write of a member is later than an evaluation
 * still to be made. Reads subtract what is due without changing state ({@link #usable}).
 */
final class Settlement
{
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Schedules schedules;
    private final Totals totals;
    private final Movements movements;

    Settlement(final Stores stores, final Movements movements)
    {
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.schedules = stores.schedules;
        this.totals = stores.totals;
        this.movements = movements;
    }

    /**
     * Makes the member's due evaluation, expires its due lots, gives its due birthday gift, matures its due pending
     * earns (expiring at once any that matured past their expiry) and lets them pay its debt.
     *
     * @return the points expired.
     */
    long settleDue(final Program p, final Command c, final int m, final long now)
    {
        evaluateDue(p, c, m, now);
        long expired = movements.expireDue(m, now, c);
        birthdayDue(p, c, m, now);
        if (members.pendingCount(m) > 0 && members.pendingAt(m, 0) <= now)
        {
            while (members.pendingCount(m) > 0 && members.pendingAt(m, 0) <= now)
            {
                mature(p, c, m);
            }
            // a lot that matured late (the sweep lagged past its expiry) expires at once, before it pays any debt
            expired += movements.expireDue(m, now, c);
            movements.settleOwed(c, m);
        }
        return expired;
    }

    /**
     * Earns points as pending: not redeemable, and not a lot yet. They mature into a lot at {@code now +
     * pending.days} (by the sweep, or the member's next write), or a reversal cancels them before.
     */
    void addPending(final Program p, final Command c, final int m, final long points)
    {
        final long at = c.timestamp + p.pendingMs();
        final long position = requests.nextPosition();
        members.addPending(m, at, points, c.timestamp, position);
        members.addPending(m, points);
        totals.pending += points;
        schedules.maturities.add(at, position);
        c.effects.add(EffectLog.PENDING, -1, points, at, m);
        c.lotId = -1;
        c.maturesAt = at;
    }

    /**
     * The member's earliest pending earn becomes a lot, expiring by the program's rule applied at its maturity
     * instant (the caller then settles what the member owes from it).
     */
    private void mature(final Program p, final Command c, final int m)
    {
        final long at = members.pendingAt(m, 0);
        final long points = members.pendingPoints(m, 0);
        final long position = members.pendingRequest(m, 0);
        members.removePending(m, 0);
        members.addPending(m, -points);
        totals.pending -= points;
        final int lot = movements.newLot(m, points, at, p.expiresAt(at), EffectLog.MATURE, c);
        requests.setMatured(position, lots.ids.get(lot), lot);
    }

    /**
     * Cancels pending points of a reversed earn before they mature: they never become available.
     */
    void cancelPending(final Program p, final Command c, final int m, final int i, final long amount)
    {
        assert amount <= members.pendingPoints(m, i);
        final long earnedAt = members.pendingEarnedAt(m, i);
        c.effects.add(EffectLog.PENDING_CANCEL, -1, amount, members.pendingAt(m, i), m);
        members.reducePending(m, i, amount);
        if (members.pendingPoints(m, i) == 0)
        {
            members.removePending(m, i);
        }
        members.addPending(m, -amount);
        totals.pending -= amount;
        assert members.lifetimeEarned(m) >= amount;
        members.addLifetimeEarned(m, -amount);
        TierPoints.add(members, p, m, earnedAt, -amount);
        c.resultPoints = amount;
    }

    /**
     * @return the points a write could take from the member now: its available points less those of lots due to
     * expire, plus those of pending earns due to mature (less what they would pay of the member's debt).
     */
    long usable(final Program p, final int m, final long now)
    {
        long usable = members.available(m) - lots.dueSum(m, now);
        if (members.pendingCount(m) > 0 && members.pendingAt(m, 0) <= now)
        {
            for (int i = 0; i < members.pendingCount(m) && members.pendingAt(m, i) <= now; i++)
            {
                if (p.expiresAt(members.pendingAt(m, i)) > now)
                {
                    usable += members.pendingPoints(m, i);
                }
            }
            usable -= Math.min(members.owed(m), usable);
        }
        return usable;
    }

    /**
     * @return true, with nothing changed, if the member can pay {@code points} now; else false with the result set
     * to insufficient points and the usable points as its detail.
     */
    boolean canPay(final Program p, final Command c, final int m, final long points)
    {
        final long usable = usable(p, m, c.timestamp);
        if (usable < points)
        {
            c.result = ResultCode.INSUFFICIENT_POINTS;
            c.resultDetail = usable;
            return false;
        }
        return true;
    }

    /**
     * The member's due tier evaluation, if the program qualifies tiers in a window: the tier its window's points
     * reach, or its tier kept if they reach the keep-level threshold, or at most maxDrop tiers down; never below a
     * floor set by hand. Missed evaluations are not made up: the latest due one is made. Journaled as a tier effect.
     */
    private void evaluateDue(final Program p, final Command c, final int m, final long now)
    {
        if (members.nextEvaluationAt(m) > now)
        {
            return;
        }
        long at = members.nextEvaluationAt(m);
        long next = p.nextEvaluation(at);
        while (next <= now)
        {
            at = next;
            next = p.nextEvaluation(at);
        }
        if (p.tierWindow() == Program.TierWindow.LIFETIME)
        {
            // no evaluation under lifetime tiers, but the schedule moves on with the member's writes, so a window
            // put in force later never evaluates at an instant the member has written after (its months are intact)
            members.nextEvaluationAt(m, next); // not queued: the sweep makes no evaluations now (see ProgramChanges)
            return;
        }
        final long points = p.tierWindow() == Program.TierWindow.ROLLING_12 ?
            TierPoints.months(members, m, p.monthOf(at)) :
            TierPoints.year(members, m, Math.floorDiv(p.monthOf(at), 12) - 1); // the last complete calendar year
        final int qualified = p.tierFor(points).code();
        int tier = members.tier(m);
        if (qualified >= tier)
        {
            tier = qualified;
        }
        else if (points < p.keepThreshold(tier))
        {
            tier = Math.max(qualified, tier - p.maxDrop());
        }
        if (members.floorUntil[m] > at)
        {
            tier = Math.max(tier, members.floorTier[m]);
        }
        members.tier(m, tier);
        members.nextEvaluationAt(m, next);
        schedules.evaluations.add(next, m);
        c.effects.add(EffectLog.TIER, -1, tier, at, m);
    }

    /**
     * The member's birthday gift, if its birthday has come (the latest one only: missed years are not made up). The
     * schedule moves on with the member's writes even when the program gives no gift.
     */
    private void birthdayDue(final Program p, final Command c, final int m, final long now)
    {
        if (members.nextBirthdayAt(m) > now)
        {
            return;
        }
        long next = p.nextBirthday(members.birthday[m], members.nextBirthdayAt(m));
        while (next <= now)
        {
            next = p.nextBirthday(members.birthday[m], next);
        }
        members.nextBirthdayAt(m, next);
        if (p.birthdayGift() > 0)
        {
            schedules.birthdays.add(next, m); // otherwise not queued: the sweep gives no gifts now
        }
        if (mayHaveGift(members, p, m))
        {
            movements.bonus(p, c, m, p.birthdayGift());
        }
    }

    /**
     * @return true if the program gives a birthday gift and the member may take it: it is active. Only a write can
     * change that, so a member the sweep passes over stays passed over until its next write moves its schedule on.
     * (A gift is a lot even for a member at lotsPerMemberMax, like a maturing earn.)
     */
    static boolean mayHaveGift(final MemberStore members, final Program p, final int m)
    {
        return p.birthdayGift() > 0 && members.status(m) == MemberStatus.ACTIVE.code();
    }
}
