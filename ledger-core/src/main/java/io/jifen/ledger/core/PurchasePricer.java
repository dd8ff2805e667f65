package io.jifen.ledger.core;

/**
 * What a purchase earns under a program: a pure function of the program, its campaigns' budgets so far, the member
 * and the purchase, written into the command's {@link Command.Earning} with nothing else changed.
 */
final class PurchasePricer
{
    private PurchasePricer()
    {
    }

    /**
     * The amount at the program's rate times the member's tier multiplier; then, in the program's order, each
     * campaign that applies adds {@code points so far × (multiplier − 1)}, cut to what is left of its budget; then the
     * birthday month's multiplier; then the member's daily cap cuts the total, from the last campaign's extra
     * backwards. Every step is rounded by the program's rule.
     *
     * @return the points, or -1 with {@code c.result} set.
     */
    static long price(final MemberStore members, final ProgramState ps, final Command c, final int m)
    {
        final Program p = ps.program();
        if (!p.currency().equals(c.currency))
        {
            c.result = ResultCode.PURCHASE_CURRENCY_MISMATCH;
            final String currency = p.currency();
            c.resultDetail = currency.charAt(0) << 16 | currency.charAt(1) << 8 | currency.charAt(2);
            return -1;
        }
        final Command.Earning e = c.earning;
        final Program.Rounding rounding = p.rounding();
        final long rated = c.purchaseMinor * p.ratePoints();
        e.basePoints = Program.mulDiv(rated, 1, p.ratePerMinor(), rounding);
        e.tierMultiplierBp = p.tierMultiplierBp(members.tier(m));
        long total = Program.mulDiv(rated, e.tierMultiplierBp, p.ratePerMinor() * Program.MULTIPLIER_ONE, rounding);
        e.tierPoints = total;
        total = campaigns(members, ps, c, m, total);
        if (p.birthdayMultiplierBp() > Program.MULTIPLIER_ONE && members.birthday[m] != 0 &&
            total <= Ledger.POINTS_MAX &&
            members.birthday[m] / 100 == Math.floorMod(p.monthOf(c.timestamp), 12) + 1)
        {
            final long extra = Program.mulDiv(
                total, p.birthdayMultiplierBp() - Program.MULTIPLIER_ONE, Program.MULTIPLIER_ONE, rounding);
            e.add(Program.BIRTHDAY_LINE, p.birthdayMultiplierBp(), extra, 0);
            total = extra > Ledger.POINTS_MAX ? extra : total + extra;
        }
        if (total > Ledger.POINTS_MAX)
        {
            c.result = ResultCode.PURCHASE_POINTS_TOO_LARGE;
            e.reset();
            return -1;
        }
        return dailyCap(members, p, c, m, total);
    }

    /** @return the points after each campaign that applies has added its extra, within its budget. */
    private static long campaigns(
        final MemberStore members, final ProgramState ps, final Command c, final int m, final long tierPoints)
    {
        final Program p = ps.program();
        if (p.campaignCount() == 0)
        {
            return tierPoints;
        }
        final Command.Earning e = c.earning;
        final Segment segment = p.segment(
            members.enrolledAt[m], members.historyChunk(m), members.historyBase(m) + MemberStore.RECENT,
            members.recentCount(m), c.timestamp);
        long total = tierPoints;
        for (int i = 0, n = p.campaignCount(); i < n && total <= Ledger.POINTS_MAX; i++)
        {
            final Program.Campaign campaign = p.campaign(i);
            if (campaign.applies(c.timestamp, c.channel, members.tier(m), segment, c.categories))
            {
                long extra = Program.mulDiv(
                    total, campaign.multiplierBp() - Program.MULTIPLIER_ONE, Program.MULTIPLIER_ONE, p.rounding());
                long cut = 0;
                if (campaign.budgetPoints() > 0)
                {
                    // never below zero: a new program version may lower a budget below what was given already
                    final long left = Math.max(0, campaign.budgetPoints() - ps.campaignGiven(i));
                    if (extra > left)
                    {
                        cut = extra - left;
                        extra = left;
                    }
                }
                e.add(i, campaign, extra, cut);
                total = extra > Ledger.POINTS_MAX ? extra : total + extra;
            }
        }
        return total;
    }

    /** @return the points within the member's daily cap, cutting the campaigns' extras from the last backwards. */
    private static long dailyCap(
        final MemberStore members, final Program p, final Command c, final int m, final long total)
    {
        final long cap = p.memberDailyPoints();
        if (cap <= 0)
        {
            return total;
        }
        final long today = members.purchaseDay(m) == p.dayOf(c.timestamp) ? members.purchaseDayPoints[m] : 0;
        final long room = Math.max(0, cap - today);
        if (total <= room)
        {
            return total;
        }
        final Command.Earning e = c.earning;
        e.capCut = total - room;
        long cut = e.capCut;
        for (int k = e.campaignCount() - 1; k >= 0 && cut > 0; k--)
        {
            final long take = Math.min(cut, e.points(k));
            e.setPoints(k, e.points(k) - take);
            cut -= take;
        }
        return room;
    }
}
