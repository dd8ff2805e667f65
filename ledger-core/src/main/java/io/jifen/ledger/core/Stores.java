package io.jifen.ledger.core;

/**
 * The ledger's state, store by store: each owns its arrays and tables and hashes and checks them. The handlers are
 * given this at construction and keep the stores they use; the state is nowhere else.
 */
final class Stores
{
    final LedgerContext context;
    final ProgramStates programs;
    final MemberStore members;
    final LotStore lots;
    final RequestLog requests;
    final Schedules schedules = new Schedules();
    final Totals totals = new Totals();
    /** See {@link Ledger#capacityLimitsEnforced(boolean)}. */
    boolean capacityLimitsEnforced = true;

    Stores(final Program first, final LedgerContext context)
    {
        this.context = context;
        programs = new ProgramStates(first);
        // tables sized up front for the expected scale: doubling a large table copies it on the writer's thread
        requests = new RequestLog(context.requestIdsMax(), context.expectedRequests());
        members = new MemberStore(context.expectedMembers());
        requests.scopeBy(members);
        lots = new LotStore(context.expectedLots(), members);
    }

    /** @return the lot slots the ledger may use: the configured limit, or what the arrays can address in a replay. */
    int lotsMax()
    {
        return capacityLimitsEnforced ? context.lotsMax() : LedgerContext.LOTS_MAX_LIMIT;
    }

    /** @return true if the ledger may enroll another member. */
    boolean hasRoomForMember()
    {
        return !capacityLimitsEnforced || members.count() < context.membersMax();
    }

    /**
     * The remembered write {@code c.originalRequestId} names (a reversal's original, a hold to close), which must be
     * the member's own.
     *
     * @return its position in the request log, or -1 with the result set.
     */
    long originalOf(final Command c, final int m)
    {
        final long original =
            requests.find(c.originalRequestId, members.program(m), programs.retentionCutoff(c.timestamp));
        if (original < 0)
        {
            c.result = ResultCode.ORIGINAL_REQUEST_NOT_FOUND;
            return -1;
        }
        if (requests.member(original) != m)
        {
            c.result = ResultCode.REVERSE_MEMBER_MISMATCH;
            return -1;
        }
        return original;
    }
}
