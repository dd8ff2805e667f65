package io.jifen.ledger.core;

/**
 * Whole-ledger reads for finance's reports, on a ledger no thread is writing (one replayed to a past moment): every
 * member with its balances, every open lot. Not for the server's writer thread: a pass is as long as the ledger.
 */
public final class LedgerView
{
    private LedgerView()
    {
    }

    /** A member: its balances as a balance read at {@code asOf} answers them. */
    public interface MemberVisitor
    {
        void member(String program, String memberId, int tier, int status, long available, long owed, long held,
            long pending, int openLots);
    }

    /** A lot of a member with points outstanding: what remains of it, and what of it is in open holds. */
    public interface LotVisitor
    {
        void lot(String program, String memberId, int tier, long lotId, long remaining, long held, long earnedAt,
            long expiresAt);
    }

    /**
     * Every member in enrollment order; available excludes lots past their expiry at {@code asOf} (as a balance read
     * at that instant does, even before the sweep journals their expiry).
     */
    public static void members(final Ledger ledger, final long asOf, final MemberVisitor visitor)
    {
        final Stores stores = ledger.stores();
        final MemberStore members = stores.members;
        for (int m = 0, n = members.count(); m < n; m++)
        {
            visitor.member(stores.programs.program(members.program(m)).name(), members.id[m], members.tier(m),
                members.status(m), members.available(m) - stores.lots.dueSum(m, asOf), members.owed(m), members.held(m),
                members.pending(m), members.lotCount(m));
        }
    }

    /**
     * Every lot with points outstanding at {@code asOf}, in slot order: its remaining points unless it is past its
     * expiry then, and its points in open holds (still the member's until captured, whatever the lot's expiry; the
     * outstanding points {@code journal verify} prints are these, summed).
     */
    public static void lots(final Ledger ledger, final long asOf, final LotVisitor visitor)
    {
        final Stores stores = ledger.stores();
        final LotStore lots = stores.lots;
        final MemberStore members = stores.members;
        for (int lot = 0, n = lots.slotCount(); lot < n; lot++)
        {
            final long remaining = lots.expiresAt.get(lot) > asOf ? lots.remaining.get(lot) : 0;
            if (remaining > 0 || lots.held.get(lot) > 0)
            {
                final int m = lots.member.get(lot);
                visitor.lot(stores.programs.program(members.program(m)).name(), members.id[m], members.tier(m),
                    lots.ids.get(lot), remaining, lots.held.get(lot), lots.earnedAt.get(lot), lots.expiresAt.get(lot));
            }
        }
    }
}
