package io.jifen.ledger.core;

/**
 * Gives points a redemption or a hold took back to the lots that paid for them (a reversed redeem or capture: restore
 * effects; a released hold: release effects), latest-expiring first, as the request log remembers them. Points whose
 * lot has expired meanwhile first pay what the member owes and otherwise expire again at once (or, with a restore
 * grace period, come back as a new lot); points that cancel a forgiven shortfall are taken back at once.
 */
final class GiveBack
{
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Totals totals;
    private final Movements movements;

    GiveBack(final Stores stores, final Movements movements)
    {
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.totals = stores.totals;
        this.movements = movements;
    }

    /**
     * Gives {@code amount} of the points the request at {@code original} took back, as {@code kind} effects (restore
     * or release); what lapses is added to {@code c.expired}.
     */
    void giveBack(final Program p, final Command c, final int m, final long original, final long amount,
        final byte kind)
    {
        final long now = c.timestamp;
        final boolean restore = kind == EffectLog.RESTORE;
        final long graceMs = restore ? p.restoreGraceMs() : 0;
        final long gracedBefore = c.graced;
        long left = amount;
        long refunds = 0;
        final long start = requests.allocStart(original);
        for (long a = start + requests.allocCount(original) - 1; a >= start && left > 0; a--)
        {
            final long give = Math.min(requests.allocAmount(a) - requests.allocRestored(a), left);
            if (give > 0)
            {
                requests.addAllocRestored(a, give);
                left -= give;
                refunds += toLot(c, m, requests.allocLot(a), give, kind, graceMs);
            }
        }
        assert left == 0 : "allocations must cover the points given back";
        if (refunds > 0)
        {
            final int lot = movements.newLot(m, refunds, now, p.expiresAt(now),
                restore ? EffectLog.RESTORE_LOT : EffectLog.RELEASE_LOT, c);
            c.lotId = lots.ids.get(lot);
            c.expiresAt = lots.expiresAt.get(lot);
            if (restore)
            {
                c.restored += refunds;
            }
        }
        final long graced = c.graced - gracedBefore;
        if (graced > 0)
        {
            movements.newLot(m, graced, now, now + graceMs, EffectLog.GRACE, c);
        }
    }

    /**
     * Gives {@code give} points back to one lot.
     *
     * @return the points that come back as a new lot instead (they cancel a shortfall the member no longer owes).
     */
    private long toLot(
        final Command c, final int m, final int lot, final long give, final byte kind, final long graceMs)
    {
        final long now = c.timestamp;
        if (kind == EffectLog.RELEASE)
        {
            lots.held.add(lot, -give);
            if (lots.remaining.get(lot) == 0 && lots.expiresAt.get(lot) <= now)
            {
                lots.markClosed(lot, now); // stays empty: its points lapse below
            }
        }
        // points back in the lot of an earn whose reversal left a shortfall are that clawback, late: an owed one
        // below; a forgiven one here, taken back at once
        final long cancels = Math.min(give, lots.shortfall.get(lot));
        lots.shortfall.add(lot, -cancels);
        final long late = Math.min(give - cancels, lots.forgiven.get(lot));
        if (late > 0)
        {
            lots.forgiven.add(lot, -late);
            c.effects.add(kind == EffectLog.RESTORE ? EffectLog.RECLAIM : EffectLog.RECLAIM_HELD, lots.ids.get(lot),
                late, lots.expiresAt.get(lot), lots.member.get(lot));
            c.reclaimed += late;
        }
        final long back = give - late;
        if (lots.expiresAt.get(lot) <= now)
        {
            return toExpiredLot(c, m, lot, back, cancels, kind, graceMs);
        }
        if (back > 0)
        {
            toOpenLot(c, m, lot, back, kind);
        }
        else if (kind == EffectLog.RELEASE && lots.remaining.get(lot) == 0)
        {
            lots.markClosed(lot, now); // all reclaimed: it stays empty, and its slot may go once nothing is held in it
        }
        return 0;
    }

    /** The lot is open: the points go back into it (reopening it if it had emptied). */
    private void toOpenLot(final Command c, final int m, final int lot, final long back, final byte kind)
    {
        if (kind == EffectLog.RESTORE)
        {
            c.restored += back;
        }
        totals.credited.add(back);
        c.effects.add(kind, lots.ids.get(lot), back, lots.expiresAt.get(lot), lots.member.get(lot));
        if (lots.remaining.get(lot) == 0)
        {
            lots.reopen(m, lot);
        }
        lots.remaining.add(lot, back);
        members.addPoints(m, lots.expiresAt.get(lot), back);
        members.addAvailable(m, back);
    }

    /**
     * The lot has expired meanwhile. The share that cancels its earn's shortfall pays what the member owes, or, if
     * later credits paid that already, comes back as a new lot; the rest pays any other debt, then lapses. So
     * reversing the earn and the redeem of a return ends the same in either order. With a grace period, restored
     * points that would lapse come back as a new lot instead (added to {@code c.graced}).
     *
     * @return the points that come back as a new lot (the refund).
     */
    private long toExpiredLot(final Command c, final int m, final int lot, final long back, final long cancels,
        final byte kind, final long graceMs)
    {
        final long fromOwed = Math.min(members.owed(m), cancels);
        final long refund = cancels - fromOwed;
        final long settled = Math.min(members.owed(m) - fromOwed, back - cancels);
        final long lapsed = back - cancels - settled;
        final long toGrace = graceMs > 0 ? lapsed : 0;
        final long expiresAt = lots.expiresAt.get(lot);
        if (back - refund - toGrace > 0)
        {
            totals.credited.add(back - refund - toGrace);
            c.effects.add(kind, lots.ids.get(lot), back - refund - toGrace, expiresAt, lots.member.get(lot));
        }
        if (fromOwed + settled > 0)
        {
            members.addOwed(m, -(fromOwed + settled));
            totals.debited.add(fromOwed + settled);
            c.effects.add(EffectLog.SETTLE, lots.ids.get(lot), fromOwed + settled, expiresAt, lots.member.get(lot));
        }
        if (lapsed - toGrace > 0)
        {
            totals.expired.add(lapsed - toGrace);
            lots.expired.add(lot, lapsed - toGrace);
            c.expired += lapsed - toGrace;
            c.effects.add(EffectLog.EXPIRE, lots.ids.get(lot), lapsed - toGrace, expiresAt, lots.member.get(lot));
        }
        if (kind == EffectLog.RESTORE)
        {
            c.reexpired += lapsed - toGrace;
        }
        c.graced += toGrace;
        return refund;
    }
}
