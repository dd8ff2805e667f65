package io.jifen.ledger.core;

/**
 * The movements of points every handler shares: a new lot, a debit soonest-expiring first, the expiry of due lots, the
 * settlement of a debt, a clawback. Each keeps the lot store, the member's balances, the totals and the command's
 * effects in step, so a handler never changes one without the others. Stateless: the state is in the stores.
 */
final class Movements
{
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Totals totals;

    Movements(final Stores stores)
    {
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.totals = stores.totals;
    }

    /**
     * Creates an open lot of the member, as a {@code kind} effect (credit, bonus, maturity, transfer in, ...). A
     * replay keeps the expiry instant the journal recorded, even where today's rule would compute another.
     *
     * @return its slot.
     */
    int newLot(
        final int m, final long points, final long earnedAt, final long ruledExpiresAt, final byte kind,
        final Command c)
    {
        final long expiresAt = c.nextExpiry(ruledExpiresAt);
        if (expiresAt != ruledExpiresAt)
        {
            totals.expiryRuleDrift++;
        }
        final int lot = lots.open(m, points, earnedAt, expiresAt);
        members.addPoints(m, expiresAt, points);
        members.addAvailable(m, points);
        totals.credited.add(points);
        c.effects.add(kind, lots.ids.get(lot), points, expiresAt, lots.member.get(lot));
        return lot;
    }

    /** Credits the points of an earn or an adjustment as a new lot under the program's expiry rule. */
    void credit(final Program p, final Command c, final int m, final long points)
    {
        final long now = c.timestamp;
        final int lot = newLot(m, points, now, p.expiresAt(now), EffectLog.CREDIT, c);
        c.lotId = lots.ids.get(lot);
        c.creditedLot = lot;
        c.expiresAt = lots.expiresAt.get(lot);
    }

    /**
     * Credits a bonus to the member as a lot of its own (which then pays first what the member owes).
     *
     * @return its slot.
     */
    int bonus(final Program p, final Command c, final int m, final long points)
    {
        final int lot = newLot(m, points, c.timestamp, p.expiresAt(c.timestamp), EffectLog.BONUS, c);
        c.bonusPoints += points;
        settleOwed(c, m);
        return lot;
    }

    /**
     * Pays what the member owes from an earlier clawback shortfall out of its available points, soonest-expiring
     * first, as settle effects: after every credit, so points a reversal could not take are taken when they come.
     */
    void settleOwed(final Command c, final int m)
    {
        final long settled = Math.min(members.owed(m), members.available(m));
        if (settled > 0)
        {
            debitSoonestFirst(m, settled, EffectLog.SETTLE, c, false);
            members.addOwed(m, -settled);
        }
    }

    /**
     * Debits soonest-expiring first, as {@code kind} effects. The caller has checked the member has the points and
     * expired its due lots.
     *
     * @param recordAllocations remember which lots paid, in the request being written (to give them back later).
     */
    void debitSoonestFirst(
        final int m, final long points, final byte kind, final Command c, final boolean recordAllocations)
    {
        long left = points;
        int emptied = 0;
        for (int lot = lots.firstOpen(m); lot >= 0 && left > 0; lot = lots.nextOpen.get(lot))
        {
            final long take = Math.min(lots.remaining.get(lot), left);
            lots.remaining.add(lot, -take);
            members.addPoints(m, lots.expiresAt.get(lot), -take);
            left -= take;
            c.effects.add(kind, lots.ids.get(lot), take, lots.expiresAt.get(lot), lots.member.get(lot));
            if (recordAllocations)
            {
                requests.addAllocation(lot, take);
            }
            if (kind == EffectLog.HOLD)
            {
                lots.held.add(lot, take);
            }
            if (lots.remaining.get(lot) == 0)
            {
                lots.close(lot, c.timestamp);
                emptied++;
            }
        }
        assert left == 0 : "debit beyond the member's lots";
        lots.removeFirstOpen(m, emptied);
        members.addAvailable(m, -points);
        totals.debited.add(points);
    }

    /**
     * Expires the member's lots whose expiry instant is at or before now.
     *
     * @return the points expired.
     */
    long expireDue(final int m, final long now, final Command c)
    {
        long expired = 0;
        int due = 0;
        for (int lot = lots.firstOpen(m); lot >= 0 && lots.expiresAt.get(lot) <= now; lot = lots.nextOpen.get(lot))
        {
            final long remaining = lots.remaining.get(lot);
            lots.remaining.set(lot, 0);
            members.addPoints(m, lots.expiresAt.get(lot), -remaining);
            lots.expired.add(lot, remaining);
            expired += remaining;
            c.effects.add(EffectLog.EXPIRE, lots.ids.get(lot), remaining, lots.expiresAt.get(lot),
                lots.member.get(lot));
            lots.close(lot, now);
            due++;
        }
        if (due > 0)
        {
            lots.removeFirstOpen(m, due);
            members.addAvailable(m, -expired);
            totals.expired.add(expired);
        }
        return expired;
    }

    /**
     * Takes {@code points} out of one open lot of the member, as a {@code kind} effect, closing it if it empties.
     */
    void takeFromLot(final int m, final int lot, final long points, final byte kind, final Command c)
    {
        lots.remaining.add(lot, -points);
        members.addPoints(m, lots.expiresAt.get(lot), -points);
        members.addAvailable(m, -points);
        totals.debited.add(points);
        c.effects.add(kind, lots.ids.get(lot), points, lots.expiresAt.get(lot), lots.member.get(lot));
        if (lots.remaining.get(lot) == 0)
        {
            lots.removeOpen(m, lot);
            lots.close(lot, c.timestamp);
        }
    }

    /**
     * Takes back {@code amount} points credited as {@code lot}: from that lot first; of what it no longer holds, the
     * share that expired (beyond {@code forgiven}, already set against earlier reversals) is not taken again; the
     * share that was spent is taken soonest-expiring first from the member's other lots, and what the member does not
     * have is the shortfall, owed against future credits (or forgiven, if the program says so). Adds what expired
     * already to {@code c.alreadyExpired} and the shortfall to {@code c.shortfall}.
     *
     * @return the points clawed back.
     */
    long clawBack(
        final Program p, final Command c, final int m, final int lot, final long amount, final long forgiven)
    {
        long clawed = 0;
        final long fromLot = Math.min(lots.remaining.get(lot), amount);
        if (fromLot > 0)
        {
            takeFromLot(m, lot, fromLot, EffectLog.CLAWBACK, c);
            clawed = fromLot;
        }
        final long alreadyExpired = Math.min(amount - clawed, lots.expired.get(lot) - forgiven);
        final long fromOthers = Math.min(amount - clawed - alreadyExpired, members.available(m));
        if (fromOthers > 0)
        {
            debitSoonestFirst(m, fromOthers, EffectLog.CLAWBACK, c, false);
            clawed += fromOthers;
        }
        final long shortfall = amount - clawed - alreadyExpired;
        if (shortfall > 0 && p.forgiveShortfall())
        {
            c.effects.add(EffectLog.FORGIVE, lots.ids.get(lot), shortfall, lots.expiresAt.get(lot), m);
            lots.forgiven.add(lot, shortfall);
        }
        else if (shortfall > 0)
        {
            c.effects.add(EffectLog.SHORTFALL, lots.ids.get(lot), shortfall, lots.expiresAt.get(lot), m);
            members.addOwed(m, shortfall);
            lots.shortfall.add(lot, shortfall);
        }
        c.alreadyExpired += alreadyExpired;
        c.shortfall += shortfall;
        return clawed;
    }
}
