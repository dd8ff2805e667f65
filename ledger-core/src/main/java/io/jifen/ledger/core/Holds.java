package io.jifen.ledger.core;

/**
 * Hold (checkout): points reserved for an order, taken from lots like a redemption and remembered with their lots;
 * CaptureHold redeems all or part of it and releases the rest; ReleaseHold, or the sweep at its timeout, gives it back.
 */
final class Holds
{
    private final Stores stores;
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Schedules schedules;
    private final Totals totals;
    private final Movements movements;
    private final Settlement settlement;
    private final GiveBack giveBack;

    Holds(final Stores stores, final Movements movements, final Settlement settlement, final GiveBack giveBack)
    {
        this.stores = stores;
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.schedules = stores.schedules;
        this.totals = stores.totals;
        this.movements = movements;
        this.settlement = settlement;
        this.giveBack = giveBack;
    }

    /**
     * Reserves points for an order: taken from the member's lots soonest-expiring first like a redemption (and
     * counted as debited), remembered with their lots, and held until captured, released or timed out.
     *
     * @return the member's index, or -1 with the result set.
     */
    int hold(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, false);
        if (m < 0)
        {
            return -1;
        }
        final Program p = ps.program();
        final long timeoutMs = (c.holdTimeoutSeconds == 0 ? p.holdTimeoutSeconds() : c.holdTimeoutSeconds) * 1000L;
        if (timeoutMs >= p.requestRetentionMs())
        {
            // the hold must close while its request is remembered: its allocations live there
            c.result = ResultCode.HOLD_TIMEOUT_INVALID;
            return -1;
        }
        if (!settlement.canPay(p, c, m, c.points))
        {
            return -1;
        }
        c.expired = settlement.settleDue(p, c, m, c.timestamp);
        movements.debitSoonestFirst(m, c.points, EffectLog.HOLD, c, true);
        members.addHeld(m, c.points);
        totals.held += c.points;
        c.resultPoints = c.points;
        c.expiresAt = c.timestamp + timeoutMs;
        schedules.holdTimeouts.add(c.expiresAt, requests.nextPosition());
        return m;
    }

    /**
     * CaptureHold redeems all or part of an open hold, soonest-expiring lots first, and releases the rest;
     * ReleaseHold releases all of it. Either closes the hold. A capture at or after the hold's timeout is refused
     * (the sweep releases it); a release then is allowed and ends the same as the sweep would.
     *
     * @return the member's index, or -1 with the result set.
     */
    int closeHold(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, true);
        final long hold = m < 0 ? -1 : stores.originalOf(c, m);
        final long held = hold < 0 ? -1 : openHold(c, hold);
        if (held < 0)
        {
            return -1;
        }
        final boolean capture = c.type == CommandType.CAPTURE_HOLD;
        if (capture && c.timestamp >= requests.expiresAt(hold))
        {
            c.result = ResultCode.HOLD_TIMED_OUT;
            c.resultDetail = requests.expiresAt(hold);
            return -1;
        }
        final long captured = capture ? (c.points == 0 ? held : c.points) : 0;
        if (captured > held)
        {
            c.result = ResultCode.CAPTURE_EXCEEDS_HOLD;
            c.resultDetail = held;
            return -1;
        }

        final Program p = ps.program();
        c.expired = settlement.settleDue(p, c, m, c.timestamp);
        if (captured > 0)
        {
            captureAllocations(c, hold, captured);
            members.addHeld(m, -captured);
            totals.held -= captured;
        }
        final long released = held - captured;
        if (released > 0)
        {
            release(p, c, m, hold, released);
        }
        requests.addReversed(hold, held);
        c.resultPoints = capture ? captured : released;
        c.released = released;
        // a lot a release may have refunded into is not this write's to report (lot_id is the earn's field)
        c.lotId = 0;
        c.expiresAt = 0;
        return m;
    }

    /** @return the points the hold at {@code hold} still holds, or -1 with the result set if it is not open. */
    private long openHold(final Command c, final long hold)
    {
        if (requests.type(hold) != CommandType.HOLD.code())
        {
            c.result = ResultCode.NOT_A_HOLD;
            return -1;
        }
        final long held = requests.points(hold) - requests.reversed(hold);
        if (held == 0)
        {
            c.result = ResultCode.HOLD_CLOSED;
            return -1;
        }
        return held;
    }

    /**
     * Turns {@code amount} of a hold's allocations into the current capture's own, soonest-expiring first, so the
     * capture can be reversed like a redemption. A lot the capture leaves referred to counts as closed from now: its
     * slot is not reused while the capture is remembered.
     */
    private void captureAllocations(final Command c, final long hold, final long amount)
    {
        long left = amount;
        final long start = requests.allocStart(hold);
        for (long a = start, end = start + requests.allocCount(hold); a < end && left > 0; a++)
        {
            final long take = Math.min(requests.allocAmount(a) - requests.allocRestored(a), left);
            if (take <= 0)
            {
                continue;
            }
            final int lot = requests.allocLot(a);
            requests.addAllocRestored(a, take);
            requests.addAllocation(lot, take);
            lots.held.add(lot, -take);
            c.effects.add(EffectLog.CAPTURE, lots.ids.get(lot), take, lots.expiresAt.get(lot), lots.member.get(lot));
            if (lots.remaining.get(lot) == 0)
            {
                lots.markClosed(lot, c.timestamp);
            }
            left -= take;
        }
        assert left == 0 : "allocations of a hold must cover its points";
    }

    /**
     * Releases {@code amount} of an open hold back to its lots, then lets the points pay what the member owes.
     */
    void release(final Program p, final Command c, final int m, final long hold, final long amount)
    {
        members.addHeld(m, -amount);
        totals.held -= amount;
        giveBack.giveBack(p, c, m, hold, amount, EffectLog.RELEASE);
        movements.settleOwed(c, m);
    }
}
