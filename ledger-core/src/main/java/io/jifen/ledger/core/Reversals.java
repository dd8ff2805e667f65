package io.jifen.ledger.core;

/**
 * Reverse (a return): takes back all or part of an earn (its lot first; what was spent from the member's other lots;
 * what it lacks is owed), or gives back all or part of a redemption or a captured hold to the lots that paid for it.
 * A full reversal of a member's first earn also takes back the bonuses it triggered, where the program says so.
 */
final class Reversals
{
    private final Stores stores;
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Movements movements;
    private final Settlement settlement;
    private final Capacity capacity;
    private final GiveBack giveBack;

    Reversals(final Stores stores, final Movements movements, final Settlement settlement, final Capacity capacity,
        final GiveBack giveBack)
    {
        this.stores = stores;
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.movements = movements;
        this.settlement = settlement;
        this.capacity = capacity;
        this.giveBack = giveBack;
    }

    /** @return the member's index, or -1 with the result set. */
    int reverse(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, true);
        final long original = m < 0 ? -1 : stores.originalOf(c, m);
        if (original < 0)
        {
            return -1;
        }
        final int originalType = requests.type(original);
        if (originalType != CommandType.EARN.code() && originalType != CommandType.REDEEM.code() &&
            originalType != CommandType.CAPTURE_HOLD.code())
        {
            c.result = ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE;
            return -1;
        }
        final long left = requests.points(original) - requests.reversed(original);
        if (left == 0)
        {
            c.result = ResultCode.NOTHING_TO_REVERSE;
            return -1;
        }
        final long amount = c.points == 0 ? left : c.points;
        if (amount > left)
        {
            c.result = ResultCode.REVERSE_POINTS_EXCEED;
            c.resultDetail = left;
            return -1;
        }
        final Program p = ps.program();
        if (originalType == CommandType.EARN.code())
        {
            reverseEarn(p, c, m, original, amount, amount == left);
        }
        else
        {
            if (!capacity.hasRoomFor(c, m, amount))
            {
                return -1;
            }
            c.expired = settlement.settleDue(p, c, m, c.timestamp);
            giveBack.giveBack(p, c, m, original, amount, EffectLog.RESTORE);
            c.resultPoints = amount;
            movements.settleOwed(c, m);
        }
        requests.addReversed(original, amount);
        return m;
    }

    /**
     * Takes back an earn: pending points are cancelled before they mature; a lot's points are clawed back (see
     * {@link Movements#clawBack}), and the share that expired already is set against later reversals. The earn's tier
     * points go in full.
     */
    private void reverseEarn(final Program p, final Command c, final int m, final long original,
        final long amount, final boolean whole)
    {
        c.expired = settlement.settleDue(p, c, m, c.timestamp);
        final int pending = members.findPending(m, original);
        if (pending >= 0)
        {
            settlement.cancelPending(p, c, m, pending, amount);
        }
        else
        {
            final int lot = requests.lotSlot(original);
            assert lots.ids.get(lot) == requests.earnLotId(original) :
                "the earn's lot slot was reused within the window";
            final long expiredBefore = c.alreadyExpired;
            c.resultPoints = movements.clawBack(p, c, m, lot, amount, requests.forgiven(original));
            requests.addForgiven(original, c.alreadyExpired - expiredBefore);
            assert members.lifetimeEarned(m) >= amount;
            members.addLifetimeEarned(m, -amount);
            TierPoints.add(members, p, m, requests.timestamp(original), -amount);
        }
        if (whole && original == members.firstEarn(m) && p.reverseBonuses() && !members.bonusesReversed[m] &&
            (members.bonusPoints[m] > 0 || members.referrerBonusPoints[m] > 0))
        {
            reverseFirstEarnBonuses(p, c, m);
        }
    }

    /**
     * The member's first qualifying earn was reversed in full: the bonuses it triggered are clawed back. The member's
     * own from their lot first, then from its other points, and what it does not have is owed, like a reversed earn;
     * the referrer's only from what is left in its bonus lot (the referrer did nothing wrong).
     */
    private void reverseFirstEarnBonuses(final Program p, final Command c, final int m)
    {
        members.bonusesReversed[m] = true;
        if (members.bonusPoints[m] > 0)
        {
            assert lots.ids.get(members.bonusLot[m]) == members.bonusLotId[m] :
                "a bonus lot's slot was reused within the window";
            // taken back in full: what is clawed now and what the member owes (or is forgiven), both in the shortfall
            final long shortfallBefore = c.shortfall;
            final long clawed = movements.clawBack(p, c, m, members.bonusLot[m], members.bonusPoints[m], 0);
            c.bonusPoints = -(clawed + c.shortfall - shortfallBefore);
        }
        final int lot = members.referrerBonusLot[m];
        if (members.referrerBonusPoints[m] > 0 && lots.ids.get(lot) == members.referrerBonusLotId[m] &&
            lots.remaining.get(lot) > 0 &&
            lots.expiresAt.get(lot) > c.timestamp)
        {
            final long take = Math.min(lots.remaining.get(lot), members.referrerBonusPoints[m]);
            movements.takeFromLot(members.referrer[m], lot, take, EffectLog.REFERRER_CLAWBACK, c);
            c.referrerBonusPoints = -take;
        }
    }
}
