package io.jifen.ledger.core;

/**
 * Import: one row of a migration from another system. The row's points become a lot with the instant they were earned
 * there and the expiry they had there; its tier points count in the month they were earned; a member the ledger does
 * not know is enrolled first, at the program's first tier and without a welcome bonus (the old system gave it). An
 * import is settled history: no pending period, no campaign, no first-purchase or referral bonus, and a member with
 * imported points has had its first earn. It cannot be reversed; a mistaken row is corrected with an adjustment.
 */
final class Imports
{
    private final Stores stores;
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Enrollment enrollment;
    private final Movements movements;
    private final Settlement settlement;
    private final Capacity capacity;

    Imports(final Stores stores, final Enrollment enrollment, final Movements movements, final Settlement settlement,
        final Capacity capacity)
    {
        this.stores = stores;
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.enrollment = enrollment;
        this.movements = movements;
        this.settlement = settlement;
        this.capacity = capacity;
    }

    /** @return the member's index, or -1 with the result set. */
    int importRow(final ProgramState ps, final Command c)
    {
        if (c.earnedAt > c.timestamp)
        {
            c.result = ResultCode.EARNED_AT_INVALID;
            return -1;
        }
        if (c.points > 0 && c.lotExpiresAt <= c.timestamp)
        {
            c.result = ResultCode.LOT_EXPIRES_AT_INVALID;
            return -1;
        }
        final Program p = ps.program();
        final boolean known = members.find(ps.slot, c.memberId) >= 0;
        final int m;
        if (known)
        {
            m = members.active(ps.slot, c, false);
            if (m < 0 || (c.points > 0 && !capacity.canCredit(p, c, m, c.points, 1, 1)))
            {
                return -1;
            }
            if (members.lifetimeEarned(m) > Long.MAX_VALUE / 2 - c.points)
            {
                c.result = ResultCode.BALANCE_MAX;
                return -1;
            }
            c.expired = settlement.settleDue(p, c, m, c.timestamp);
        }
        else
        {
            if (!stores.hasRoomForMember())
            {
                c.result = ResultCode.MEMBERS_MAX;
                return -1;
            }
            if (c.points > 0 && lots.slotsInUse() + 1 > stores.lotsMax())
            {
                c.result = ResultCode.LOTS_MAX;
                return -1;
            }
            m = enrollment.admit(ps, c, -1);
        }
        if (c.points > 0)
        {
            final int lot = movements.newLot(m, c.points, c.earnedAt, c.lotExpiresAt, EffectLog.CREDIT, c);
            c.lotId = lots.ids.get(lot);
            c.creditedLot = lot;
            c.expiresAt = lots.expiresAt.get(lot);
            movements.settleOwed(c, m);
            if (members.firstEarn(m) < 0)
            {
                // earned before: no first-purchase bonus at its next earn
                members.firstEarn(m, requests.nextPosition());
            }
        }
        else
        {
            c.lotId = -1;
        }
        members.addLifetimeEarned(m, c.points);
        TierPoints.add(members, p, m, c.earnedAt, c.importTierPoints);
        final int reached = p.tierFor(TierPoints.at(members, p, m, c.timestamp)).code();
        if (reached > members.tier(m))
        {
            members.tier(m, reached);
        }
        c.resultPoints = c.points;
        return m;
    }
}
