package io.jifen.ledger.core;

/**
 * SetMemberStatus and SetTier: a member's status, or its tier set by hand (a floor for evaluations until a date).
 * Either settles what is due first, so the change takes effect from now.
 */
final class MemberChanges
{
    private final MemberStore members;
    private final Settlement settlement;

    MemberChanges(final Stores stores, final Settlement settlement)
    {
        this.members = stores.members;
        this.settlement = settlement;
    }

    /** @return the member's index, or -1 with the result set. */
    int setStatus(final ProgramState ps, final Command c)
    {
        final int m = members.open(ps.slot, c);
        if (m < 0)
        {
            return -1;
        }
        c.expired = settlement.settleDue(ps.program(), c, m, c.timestamp);
        members.status(m, c.status);
        return m;
    }

    /** @return the member's index, or -1 with the result set. */
    int setTier(final ProgramState ps, final Command c)
    {
        final int m = members.open(ps.slot, c);
        if (m < 0)
        {
            return -1;
        }
        c.expired = settlement.settleDue(ps.program(), c, m, c.timestamp);
        members.tier(m, c.requestedTier);
        members.floorTier[m] = c.requestedFloorUntil > c.timestamp ? c.requestedTier : 0;
        members.floorUntil[m] = c.requestedFloorUntil > c.timestamp ? c.requestedFloorUntil : 0;
        return m;
    }
}
