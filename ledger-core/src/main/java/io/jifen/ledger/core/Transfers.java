package io.jifen.ledger.core;

/**
 * Transfer (family pooling: points to another member of the program, each keeping its expiry) and Exchange (积分互通:
 * points into a partner program's member at the partners' rate). Both take the sender's points soonest-expiring first
 * and check the receiver the same way before anything changes.
 */
final class Transfers
{
    private final ProgramStates programs;
    private final MemberStore members;
    private final LotStore lots;
    private final Movements movements;
    private final Settlement settlement;
    private final Capacity capacity;
    /**
     * Scratch for {@link #expiriesToMove}: the sender's lots as they will be once settled. Kept between calls so a
     * transfer allocates nothing once warm; only the writer thread uses it, and nothing in it outlives a call.
     */
    private long[] scratchAt = new long[16];
    private long[] scratchRemaining = new long[16];

    Transfers(final Stores stores, final Movements movements, final Settlement settlement, final Capacity capacity)
    {
        this.programs = stores.programs;
        this.members = stores.members;
        this.lots = stores.lots;
        this.movements = movements;
        this.settlement = settlement;
        this.capacity = capacity;
    }

    /**
     * Moves points to another member of the program: taken from the sender's lots soonest-expiring first, and given
     * to the receiver as one new lot per expiry instant moved, so every point keeps its expiry. The receiver is not
     * settled (its due lots expire at its own next write or the sweep); the moved points are not due.
     *
     * @return the sender's index, or -1 with the result set.
     */
    int transfer(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, false);
        if (m < 0)
        {
            return -1;
        }
        final Program p = ps.program();
        final int r = receiver(c, members.find(ps.slot, c.toMemberId));
        final long now = c.timestamp;
        if (r < 0 || !settlement.canPay(p, c, m, c.points) ||
            !capacity.receiverHasRoom(p, c, r, c.points, expiriesToMove(p, m, now, c.points)))
        {
            return -1;
        }

        c.expired = settlement.settleDue(p, c, m, now);
        final int first = c.effects.size();
        movements.debitSoonestFirst(m, c.points, EffectLog.TRANSFER_OUT, c, false);
        final int last = c.effects.size();
        for (int i = first; i < last; )
        {
            final long expiresAt = c.effects.expiresAt(i);
            long points = 0;
            while (i < last && c.effects.expiresAt(i) == expiresAt)
            {
                points += c.effects.amount(i++);
            }
            movements.newLot(r, points, now, expiresAt, EffectLog.TRANSFER_IN, c);
        }
        c.resultPoints = c.points;
        return m;
    }

    /**
     * Converts points of the member's program into points of a partner program: the sender's points leave its lots
     * soonest-expiring first into the program's clearing account for the partner; the receiver, a member of the
     * partner program, gets the points at the sending program's rate for that partner (rounded by its rule) as one new
     * lot under its own program's expiry rule, out of the partner program's clearing account for the sender's. Both
     * programs must list each other as partners; the sending program's limits for the partner (a minimum, a daily and
     * a total limit in its own points) are counters in the ledger, so they hold exactly. One record, both sides or
     * neither. An exchange is final: it is not reversible (a new exchange back is, where the partners allow).
     * <p>
     * The effects are the sender's, then last the receiving lot's: the ledger posts that one to the partner's accounts.
     *
     * @return the sender's index, or -1 with the result set.
     */
    int exchange(final ProgramState from, final Command c)
    {
        final int m = members.active(from.slot, c, false);
        final ProgramState to = m < 0 ? null : partnerOf(from, c);
        if (null == to)
        {
            return -1;
        }
        final long received = receivedFor(from, to, c);
        if (received < 0 || !settlement.canPay(from.program(), c, m, c.points))
        {
            return -1;
        }
        final int r = receiver(c, members.find(to.slot, c.toMemberId));
        if (r < 0 || !capacity.receiverHasRoom(to.program(), c, r, received, 1))
        {
            return -1;
        }

        final long now = c.timestamp;
        final String toName = to.program().name();
        c.expired = settlement.settleDue(from.program(), c, m, now);
        movements.debitSoonestFirst(m, c.points, EffectLog.EXCHANGE_OUT, c, false);
        final int lot = movements.newLot(r, received, now, to.program().expiresAt(now), EffectLog.EXCHANGE_IN, c);
        c.lotId = lots.ids.get(lot);
        c.expiresAt = lots.expiresAt.get(lot);
        from.accounts.clear(toName, c.points, 0);
        to.accounts.clear(from.program().name(), 0, received);
        from.addSent(toName, from.program().dayOf(now), c.points);
        c.resultPoints = c.points;
        c.exchanged = received;
        return m;
    }

    /**
     * @return the state of the program the exchange sends to, if it is another program of the ledger and the two list
     * each other as partners, else null with the result set.
     */
    private ProgramState partnerOf(final ProgramState from, final Command c)
    {
        final int target = programs.slotOf(c.toProgramId);
        if (target < 0)
        {
            c.result = ResultCode.TO_PROGRAM_NOT_FOUND;
            return null;
        }
        if (target == from.slot)
        {
            c.result = ResultCode.TO_PROGRAM_ID_INVALID;
            return null;
        }
        final ProgramState to = programs.get(target);
        if (null == from.program().partner(to.program().name()) || null == to.program().partner(from.program().name()))
        {
            c.result = ResultCode.NOT_A_PARTNER;
            return null;
        }
        return to;
    }

    /**
     * @return the partner's points for the exchange, within the sending program's minimum and limits for the
     * partner, or -1 with the result set.
     */
    private static long receivedFor(final ProgramState from, final ProgramState to, final Command c)
    {
        final Program.Partner partner = from.program().partner(to.program().name());
        if (c.points < partner.minPoints())
        {
            c.result = ResultCode.EXCHANGE_BELOW_MINIMUM;
            c.resultDetail = partner.minPoints();
            return -1;
        }
        final long received =
            Program.mulDiv(c.points, partner.rateBp(), Program.MULTIPLIER_ONE, from.program().rounding());
        if (received < 1)
        {
            c.result = ResultCode.EXCHANGE_TOO_SMALL;
            return -1;
        }
        if (received > Ledger.POINTS_MAX)
        {
            c.result = ResultCode.EXCHANGE_TOO_LARGE;
            return -1;
        }
        final String toName = to.program().name();
        final long sentToday = from.sentOn(toName, from.program().dayOf(c.timestamp));
        if (partner.dailyLimit() > 0 && c.points > partner.dailyLimit() - sentToday)
        {
            c.result = ResultCode.PARTNER_DAILY_LIMIT;
            c.resultDetail = Math.max(0, partner.dailyLimit() - sentToday);
            return -1;
        }
        final long sentInAll = from.sentInAll(toName);
        if (partner.totalLimit() > 0 && c.points > partner.totalLimit() - sentInAll)
        {
            c.result = ResultCode.PARTNER_TOTAL_LIMIT;
            c.resultDetail = Math.max(0, partner.totalLimit() - sentInAll);
            return -1;
        }
        return received;
    }

    /**
     * The receiving member of a transfer or an exchange: @return it if it exists, is active and owes nothing (its own
     * credits pay a debt: another member's points do not settle it), else -1 with the result set.
     */
    private int receiver(final Command c, final int index)
    {
        if (index < 0)
        {
            c.result = ResultCode.RECEIVER_NOT_FOUND;
            return -1;
        }
        if (!members.isActive(index))
        {
            c.result = ResultCode.RECEIVER_NOT_ACTIVE;
            return -1;
        }
        if (members.owed(index) > 0)
        {
            c.result = ResultCode.RECEIVER_OWES;
            c.resultDetail = members.owed(index);
            return -1;
        }
        return index;
    }

    /**
     * @return the lots a transfer of {@code points} gives the receiver: the distinct expiry instants of the
     * soonest-expiring {@code points} of the sender's lots as they will be once it is settled (due lots expired, due
     * pending earns matured, and then its debt paid), counted without changing anything, since the transfer may still
     * be refused.
     */
    private int expiriesToMove(final Program p, final int m, final long now, final long points)
    {
        final int due = lots.dueCount(m, now);
        int matured = 0;
        while (matured < members.pendingCount(m) && members.pendingAt(m, matured) <= now)
        {
            matured++;
        }
        // the lots after settling: open ones by (expiry, lot id); then a birthday gift and matured earns as newer lots,
        // each paying the debt from the soonest-expiring points first
        final int size = members.lotCount(m) - due + matured + 1;
        if (scratchAt.length < size)
        {
            scratchAt = new long[Math.max(size, scratchAt.length << 1)];
            scratchRemaining = new long[scratchAt.length];
        }
        final long[] at = scratchAt;
        final long[] remaining = scratchRemaining;
        int n = 0;
        int lot = lots.firstOpen(m);
        for (int i = 0; i < due; i++)
        {
            lot = lots.nextOpen.get(lot);
        }
        for (; lot >= 0; lot = lots.nextOpen.get(lot))
        {
            at[n] = lots.expiresAt.get(lot);
            remaining[n++] = lots.remaining.get(lot);
        }
        long debt = members.owed(m);
        if (members.nextBirthdayAt(m) <= now && Settlement.mayHaveGift(members, p, m))
        {
            n = insertByExpiry(at, remaining, n, p.expiresAt(now), p.birthdayGift());
            debt = payFront(remaining, n, debt);
        }
        if (matured > 0)
        {
            for (int i = 0; i < matured; i++)
            {
                final long expiresAt = p.expiresAt(members.pendingAt(m, i));
                if (expiresAt > now)
                {
                    n = insertByExpiry(at, remaining, n, expiresAt, members.pendingPoints(m, i));
                }
            }
            payFront(remaining, n, debt);
        }
        return distinctExpiries(at, remaining, n, points);
    }

    /** @return the distinct expiry instants among the first {@code points} points of the lots. */
    private static int distinctExpiries(final long[] at, final long[] remaining, final int n, final long points)
    {
        long left = points;
        int expiries = 0;
        long lastAt = Long.MIN_VALUE;
        for (int i = 0; i < n && left > 0; i++)
        {
            final long take = Math.min(remaining[i], left);
            if (take > 0)
            {
                if (at[i] != lastAt)
                {
                    expiries++;
                    lastAt = at[i];
                }
                left -= take;
            }
        }
        return expiries;
    }

    /** Inserts a newer lot after the lots expiring no later: @return the new count. */
    private static int insertByExpiry(
        final long[] at, final long[] remaining, final int n, final long expiresAt, final long points)
    {
        int j = n;
        while (j > 0 && at[j - 1] > expiresAt)
        {
            at[j] = at[j - 1];
            remaining[j] = remaining[j - 1];
            j--;
        }
        at[j] = expiresAt;
        remaining[j] = points;
        return n + 1;
    }

    /** Pays a debt from the front: @return what is left of it. */
    private static long payFront(final long[] remaining, final int n, final long debt)
    {
        long left = debt;
        for (int i = 0; i < n && left > 0; i++)
        {
            final long paid = Math.min(left, remaining[i]);
            remaining[i] -= paid;
            left -= paid;
        }
        return left;
    }
}
