package io.jifen.ledger.core;

/**
 * Earn: points, or a purchase priced by the program ({@link PurchasePricer}), credited as a lot (or earned as pending
 * where the program says so), counted as tier points, with the member's first-earn bonuses and its referrer's.
 */
final class Earning
{
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Movements movements;
    private final Settlement settlement;
    private final Capacity capacity;

    Earning(final Stores stores, final Movements movements, final Settlement settlement, final Capacity capacity)
    {
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.movements = movements;
        this.settlement = settlement;
        this.capacity = capacity;
    }

    /** @return the member's index, or -1 with the result set. */
    int earn(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, false);
        if (m < 0)
        {
            return -1;
        }
        final Program p = ps.program();
        final boolean purchase = c.purchaseMinor > 0;
        final long points = purchase ? PurchasePricer.price(members, ps, c, m) : c.points;
        if (points < 0)
        {
            return -1;
        }
        final boolean first = points > 0 && members.firstEarn(m) < 0;
        final long ownBonus = first ? p.firstPurchaseBonus() + (members.referrer[m] >= 0 ? p.referredBonus() : 0) : 0;
        final int ownLots = ownBonus > 0 ? 2 : 1;
        final int ledgerLots = first && referrerTakesBonus(p, c, m) ? ownLots + 1 : ownLots;
        if (points > 0 && !capacity.canCredit(p, c, m, points + ownBonus, ownLots, ledgerLots))
        {
            return -1;
        }
        if (members.lifetimeEarned(m) > Long.MAX_VALUE / 2 - points)
        {
            c.result = ResultCode.BALANCE_MAX;
            return -1;
        }

        c.expired = settlement.settleDue(p, c, m, c.timestamp);
        if (points > 0 && p.pendingMs() > 0)
        {
            settlement.addPending(p, c, m, points);
        }
        else if (points > 0)
        {
            movements.credit(p, c, m, points);
            movements.settleOwed(c, m);
        }
        else
        {
            c.lotId = -1; // a purchase too small for a point (or capped to none) creates no lot
        }
        if (purchase)
        {
            countPurchase(ps, c, m, points);
        }
        if (first)
        {
            firstEarnBonuses(p, c, m, ownBonus);
        }
        members.addLifetimeEarned(m, points);
        TierPoints.add(members, p, m, c.timestamp, points);
        if (points > 0)
        {
            members.addRecentEarn(m, c.timestamp);
        }
        final int reached = p.tierFor(TierPoints.at(members, p, m, c.timestamp)).code();
        if (reached > members.tier(m))
        {
            // an upgrade the moment a threshold is crossed; downgrades wait for an evaluation
            members.tier(m, reached);
        }
        c.resultPoints = points;
        return m;
    }

    /**
     * Counts an applied purchase against the member's day and the campaigns' budgets.
     */
    private void countPurchase(final ProgramState ps, final Command c, final int m, final long points)
    {
        final int day = ps.program().dayOf(c.timestamp);
        if (members.purchaseDay(m) != day)
        {
            members.purchaseDay(m, day);
            members.purchaseDayPoints[m] = 0;
        }
        members.purchaseDayPoints[m] += points;
        final Command.Earning e = c.earning;
        for (int k = 0; k < e.campaignCount(); k++)
        {
            if (e.campaignIndex(k) >= 0) // not the birthday line
            {
                ps.addCampaignGiven(e.campaignIndex(k), e.points(k));
            }
        }
    }

    /**
     * A member's first qualifying earn: its first-purchase (and, if referred, its referral) bonus, and the referrer's
     * bonus if the referrer is active and has room for a lot. Each once, for the life of the member.
     */
    private void firstEarnBonuses(final Program p, final Command c, final int m, final long ownBonus)
    {
        members.firstEarn(m, requests.nextPosition());
        if (ownBonus > 0)
        {
            final int lot = movements.bonus(p, c, m, ownBonus);
            members.bonusLot[m] = lot;
            members.bonusLotId[m] = lots.ids.get(lot);
            members.bonusPoints[m] = ownBonus;
        }
        if (referrerTakesBonus(p, c, m))
        {
            final long points = p.referrerBonus();
            final int lot = movements.newLot(
                members.referrer[m], points, c.timestamp, p.expiresAt(c.timestamp), EffectLog.REFERRER_BONUS, c);
            members.referrerBonusLot[m] = lot;
            members.referrerBonusLotId[m] = lots.ids.get(lot);
            members.referrerBonusPoints[m] = points;
            c.referrerBonusPoints = points;
        }
    }

    /**
     * @return true if the member was referred, the program gives the referrer a bonus, and the referrer may take it
     * now: it is active, owes nothing, and has room under lotsPerMemberMax and balanceMax. Otherwise the referrer's
     * bonus is not given (the member's own earn and bonuses still are).
     */
    private boolean referrerTakesBonus(final Program p, final Command c, final int m)
    {
        if (members.referrer[m] < 0 || p.referrerBonus() <= 0)
        {
            return false;
        }
        final int r = members.referrer[m];
        return members.isActive(r) && members.owed(r) == 0 &&
            members.lotCount(r) - lots.dueCount(r, c.timestamp) + members.pendingCount(r) < p.lotsPerMemberMax() &&
            members.holdings(r) <= Ledger.BALANCE_MAX - p.referrerBonus();
    }
}
