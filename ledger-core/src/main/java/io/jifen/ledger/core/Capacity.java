package io.jifen.ledger.core;

/**
 * The room checks a credit makes before it changes anything: the member's lots under the program's lotsPerMemberMax,
 * the ledger's lot slots, and the member's balance under {@link Ledger#BALANCE_MAX}.
 */
final class Capacity
{
    private final Stores stores;
    private final MemberStore members;
    private final LotStore lots;

    Capacity(final Stores stores)
    {
        this.stores = stores;
        this.members = stores.members;
        this.lots = stores.lots;
    }

    /**
     * @return true if the member has room for {@code points} as {@code newLots} new lots of its own (an earn, a
     * bonus, an adjustment) and the ledger for {@code ledgerLots} new lots in all (an earn's may include its
     * referrer's bonus lot), else false with the result set.
     */
    boolean canCredit(
        final Program p, final Command c, final int m, final long points, final int newLots, final int ledgerLots)
    {
        final long now = c.timestamp;
        if (members.lotCount(m) - lots.dueCount(m, now) + members.pendingCount(m) + newLots > p.lotsPerMemberMax())
        {
            c.result = ResultCode.LOTS_PER_MEMBER_MAX;
            c.resultDetail = p.lotsPerMemberMax();
            return false;
        }
        if (lots.slotsInUse() + ledgerLots > stores.lotsMax())
        {
            c.result = ResultCode.LOTS_MAX;
            return false;
        }
        if (members.holdings(m) - lots.dueSum(m, now) > Ledger.BALANCE_MAX - points)
        {
            c.result = ResultCode.BALANCE_MAX;
            return false;
        }
        return true;
    }

    /**
     * @return true if the receiver of a transfer or an exchange, under its program, has room for {@code points} as
     * {@code newLots} new lots (its lotsPerMemberMax, the ledger's lot slots, balanceMax), else false with the result
     * set.
     */
    boolean receiverHasRoom(final Program p, final Command c, final int r, final long points, final int newLots)
    {
        final long now = c.timestamp;
        if (members.lotCount(r) - lots.dueCount(r, now) + members.pendingCount(r) + newLots > p.lotsPerMemberMax())
        {
            c.result = ResultCode.RECEIVER_LOTS_MAX;
            c.resultDetail = p.lotsPerMemberMax();
            return false;
        }
        if (lots.slotsInUse() + newLots > stores.lotsMax())
        {
            c.result = ResultCode.LOTS_MAX;
            return false;
        }
        if (members.holdings(r) - lots.dueSum(r, now) > Ledger.BALANCE_MAX - points)
        {
            c.result = ResultCode.RECEIVER_BALANCE_MAX;
            return false;
        }
        return true;
    }

    /**
     * @return true if the member, with its due lots expired, has room for {@code points} more (balanceMax), else
     * false with the result set.
     */
    boolean hasRoomFor(final Command c, final int m, final long points)
    {
        if (members.holdings(m) - lots.dueSum(m, c.timestamp) > Ledger.BALANCE_MAX - points)
        {
            c.result = ResultCode.BALANCE_MAX;
            return false;
        }
        return true;
    }
}
