package io.jifen.ledger.core;

/**
 * Redeem, and Adjust (a correction by hand, either way): points taken soonest-expiring first, or credited as a lot.
 */
final class Debits
{
    private final MemberStore members;
    private final Movements movements;
    private final Settlement settlement;
    private final Capacity capacity;

    Debits(final Stores stores, final Movements movements, final Settlement settlement, final Capacity capacity)
    {
        this.members = stores.members;
        this.movements = movements;
        this.settlement = settlement;
        this.capacity = capacity;
    }

    /** @return the member's index, or -1 with the result set. */
    int redeem(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, false);
        final Program p = ps.program();
        if (m < 0 || !settlement.canPay(p, c, m, c.points))
        {
            return -1;
        }
        c.expired = settlement.settleDue(p, c, m, c.timestamp);
        movements.debitSoonestFirst(m, c.points, EffectLog.DEBIT, c, true);
        c.resultPoints = c.points;
        return m;
    }

    /** @return the member's index, or -1 with the result set. */
    int adjust(final ProgramState ps, final Command c)
    {
        final int m = members.active(ps.slot, c, true);
        if (m < 0)
        {
            return -1;
        }
        final Program p = ps.program();
        if (c.points > 0)
        {
            if (!capacity.canCredit(p, c, m, c.points, 1, 1))
            {
                return -1;
            }
            c.expired = settlement.settleDue(p, c, m, c.timestamp);
            movements.credit(p, c, m, c.points);
            movements.settleOwed(c, m);
        }
        else
        {
            if (!settlement.canPay(p, c, m, -c.points))
            {
                return -1;
            }
            c.expired = settlement.settleDue(p, c, m, c.timestamp);
            movements.debitSoonestFirst(m, -c.points, EffectLog.DEBIT, c, false);
        }
        c.resultPoints = c.points;
        return m;
    }
}
