package io.jifen.ledger.core;

import java.math.BigInteger;

/**
 * The points ledger: members, their lots, the remembered requests. Single-threaded by design: exactly one thread
 * (the pipeline's state machine stage, or a replay) calls {@link #apply(Command)}.
 * <p>
 * This class is the flow only: clock check, validation, retry lookup, one exhaustive switch into the handler of the
 * command's family, then the write's effects posted and its request remembered. The state lives in the stores
 * ({@link Stores}: programs, members, lots, requests, schedules, totals), each of which hashes and checks itself; the
 * rules live in the handlers ({@link Enrollment}, {@link Earning}, {@link Debits}, {@link Transfers},
 * {@link Reversals}, {@link Holds}, {@link MemberChanges}, {@link Sweep}, {@link ProgramChanges}, {@link Reads}), which
 * share the movements of points ({@link Movements}, {@link Settlement}, {@link GiveBack}, {@link Capacity}).
 * <p>
 * Every write first checks everything it needs, then changes state: a rejected command changes nothing. Before a
 * write touches a member, that member's due lots are expired, so a lot never pays for anything at or after its
 * expiry instant; reads subtract due lots the same way without changing state.
 * <p>
 * Invariants (asserted with {@code -ea}, checked in full by {@link #checkInvariants()}): a member's available balance
 * is the sum of its open lots' remaining points; no lot has negative remaining or more than it was credited;
 * credited - debited - expired over the ledger equals the sum of available balances; each program's accounts agree
 * with its members.
 */
public final class Ledger implements LedgerStateMachine
{
    /** The largest number of points one command may move. */
    public static final long POINTS_MAX = Limits.POINTS_MAX;
    /** The largest available balance a member may hold: far from overflow however points are summed. */
    public static final long BALANCE_MAX = Limits.BALANCE_MAX;
    /** Requests forgotten per write once past the retention window: bounded work, faster than arrivals. */
    static final int EVICTIONS_PER_WRITE = 8;
    /** Programs one ledger holds: each a membership program with its own members, rules and accounts. */
    public static final int PROGRAMS_MAX = Program.PARTNERS_MAX + 1;

    private final Stores stores;
    private final ProgramStates programs;
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Totals totals;

    private final Enrollment enrollment;
    private final Imports imports;
    private final Earning earning;
    private final Debits debits;
    private final Transfers transfers;
    private final Reversals reversals;
    private final Holds holds;
    private final MemberChanges memberChanges;
    private final Sweep sweep;
    private final ProgramChanges programChanges;
    private final Reads reads;

    private long lastTimestamp = Long.MIN_VALUE;
    private long lastSequence;

    public Ledger(final Program program, final LedgerContext context)
    {
        stores = new Stores(program, context.conclude());
        programs = stores.programs;
        members = stores.members;
        lots = stores.lots;
        requests = stores.requests;
        totals = stores.totals;
        final Movements movements = new Movements(stores);
        final Settlement settlement = new Settlement(stores, movements);
        final Capacity capacity = new Capacity(stores);
        final GiveBack giveBack = new GiveBack(stores, movements);
        enrollment = new Enrollment(stores, movements);
        imports = new Imports(stores, enrollment, movements, settlement, capacity);
        earning = new Earning(stores, movements, settlement, capacity);
        debits = new Debits(stores, movements, settlement, capacity);
        transfers = new Transfers(stores, movements, settlement, capacity);
        reversals = new Reversals(stores, movements, settlement, capacity, giveBack);
        holds = new Holds(stores, movements, settlement, giveBack);
        memberChanges = new MemberChanges(stores, settlement);
        sweep = new Sweep(stores, settlement, holds);
        programChanges = new ProgramChanges(stores);
        reads = new Reads(stores);
    }

    public Ledger(final Program program)
    {
        this(program, new LedgerContext());
    }

    /**
     * Capacity limits (members, lots, remembered request ids) protect the heap of a running server: a replay turns
     * them off, since every journaled command was admitted when it ran and a replay must rebuild it whatever the
     * limits are today. Rejections for capacity are never journaled, so this cannot change a replay's outcome.
     */
    public void capacityLimitsEnforced(final boolean enforced)
    {
        stores.capacityLimitsEnforced = enforced;
    }

    // ------------------------------------------------------------------------------------------------ the flow

    @Override
    public void apply(final Command c)
    {
        c.resetResult();
        if (c.timestamp < lastTimestamp)
        {
            throw new IllegalStateException(
                "ledger time went backwards: " + c.timestamp + " < " + lastTimestamp + " for " + c.toLogString());
        }
        lastTimestamp = c.timestamp;

        final ResultCode invalid = CommandValidator.validate(c);
        if (invalid != ResultCode.OK)
        {
            c.result = invalid;
            return;
        }
        if (c.type.isIdempotentWrite())
        {
            write(c);
        }
        else if (runOrRead(c))
        {
            c.sequence = ++lastSequence;
            c.touched.fill(c, -1, stores);
        }
    }

    /** Runs the sweep or a program change, or answers a read: @return true if it is to be journaled. */
    private boolean runOrRead(final Command c)
    {
        return switch (c.type)
        {
            case EXPIRE_TICK ->
            {
                sweep.expireTick(c);
                yield c.effects.size() > 0; // a sweep that found nothing changed nothing
            }
            case SET_PROGRAM -> programChanges.setProgram(c);
            case GET_BALANCE -> read(c, Reads::getBalance);
            case CHECK_TIER -> read(c, Reads::checkTier);
            case LIST_LOTS -> read(c, Reads::listLots);
            case GET_MEMBER -> read(c, Reads::getMember);
            case LIST_EXPIRING -> read(c, Reads::listExpiring);
            case ENROLL, EARN, REDEEM, REVERSE, ADJUST, SET_STATUS, HOLD, CAPTURE_HOLD, RELEASE_HOLD, SET_TIER,
                TRANSFER, EXCHANGE, IMPORT -> throw new IllegalStateException("a write, not a read: " + c.type);
        };
    }

    private boolean read(final Command c, final Reads.Read read)
    {
        final ProgramState ps = programs.named(c.programId);
        if (null == ps)
        {
            c.result = ResultCode.PROGRAM_NOT_FOUND;
        }
        else
        {
            read.answer(reads, ps, c);
        }
        return false;
    }

    /**
     * A write with a request id. A request older than the retention window is forgotten whether or not its entry is
     * evicted yet; entries are evicted only by a write that succeeds, so rejected and replayed writes change nothing
     * (not even the request log) and a journal replay, which sees only the journaled writes, rebuilds the same state.
     */
    private void write(final Command c)
    {
        final long cutoff = programs.retentionCutoff(c.timestamp);
        if (null != c.programId && c.programId.equals(programs.program(0).name()))
        {
            // the first program named by its name is the first program: one request, one record of version 1
            c.programId = null;
        }
        final ProgramState ps = programs.named(c.programId);
        if (null == ps)
        {
            c.result = ResultCode.PROGRAM_NOT_FOUND;
            return;
        }
        final long fingerprint = Fingerprint.of(c);
        final long position = requests.find(c.requestId, ps.slot, cutoff); // ids are scoped by program
        if (position >= 0)
        {
            if (requests.fingerprint(position) != fingerprint)
            {
                c.result = ResultCode.REQUEST_ID_CONFLICT;
                return;
            }
            requests.fillResult(position, c);
            c.replay = true;
            return;
        }
        if (stores.capacityLimitsEnforced && !requests.hasCapacity(cutoff))
        {
            c.result = ResultCode.REQUEST_IDS_MAX;
            return;
        }

        final long allocStart = requests.allocTail();
        final int memberIndex = dispatch(ps, c);
        if (c.result != ResultCode.OK)
        {
            c.earning.reset();
            assert c.effects.size() == 0 : "a rejected command must not have effects: " + c;
            assert requests.allocTail() == allocStart : "a rejected command must not allocate: " + c;
            return;
        }
        remember(ps, c, memberIndex, cutoff, fingerprint, allocStart);
    }

    /** @return the index of the member the write is for, or -1 with the result set. */
    private int dispatch(final ProgramState ps, final Command c)
    {
        return switch (c.type)
        {
            case ENROLL -> enrollment.enroll(ps, c);
            case EARN -> earning.earn(ps, c);
            case REDEEM -> debits.redeem(ps, c);
            case ADJUST -> debits.adjust(ps, c);
            case REVERSE -> reversals.reverse(ps, c);
            case SET_STATUS -> memberChanges.setStatus(ps, c);
            case SET_TIER -> memberChanges.setTier(ps, c);
            case TRANSFER -> transfers.transfer(ps, c);
            case EXCHANGE -> transfers.exchange(ps, c);
            case HOLD -> holds.hold(ps, c);
            case CAPTURE_HOLD, RELEASE_HOLD -> holds.closeHold(ps, c);
            case IMPORT -> imports.importRow(ps, c);
            case EXPIRE_TICK, SET_PROGRAM, GET_BALANCE, CHECK_TIER, LIST_LOTS, GET_MEMBER, LIST_EXPIRING ->
                throw new IllegalStateException("not a write: " + c.type);
        };
    }

    /**
     * A write succeeded: its answer from the member, its sequence, its effects posted to the program's accounts (an
     * exchange's receiving lot to the partner's), bounded eviction of forgotten requests and lots, and the request
     * remembered with its answer.
     */
    private void remember(final ProgramState ps, final Command c, final int m, final long cutoff,
        final long fingerprint, final long allocStart)
    {
        c.balance = members.available(m);
        c.owed = members.owed(m);
        c.lifetimeEarned = members.lifetimeEarned(m);
        c.tier = members.tier(m);
        c.memberStatus = members.status(m);
        if (c.type == CommandType.HOLD || c.type == CommandType.CAPTURE_HOLD || c.type == CommandType.RELEASE_HOLD)
        {
            c.held = members.held(m);
        }
        c.sequence = ++lastSequence;
        final int effects = c.effects.size();
        if (c.type == CommandType.EXCHANGE)
        {
            // the last effect is the receiving lot, in the partner program's accounts; the rest are the sender's
            ps.accounts.post(c.effects, 0, effects - 1);
            programs.named(c.toProgramId).accounts.post(c.effects, effects - 1, effects);
        }
        else
        {
            ps.accounts.post(c.effects, 0, effects);
        }
        requests.evictOlderThan(cutoff, EVICTIONS_PER_WRITE);
        lots.reclaim(cutoff, EVICTIONS_PER_WRITE);
        requests.append(c, fingerprint, m, allocStart, c.creditedLot);
        c.touched.fill(c, m, stores);
        assert members.consistent(lots, m) : "member invariants broken by " + c;
    }

    // ------------------------------------------------------------------------------------------------ state

    /** @return the stores, for tests of this package that reach into the state (a snapshot will write them). */
    Stores stores()
    {
        return stores;
    }

    @Override
    public long lastSequence()
    {
        return lastSequence;
    }

    @Override
    public long lastTimestamp()
    {
        return lastTimestamp;
    }

    @Override
    public long stateHash()
    {
        long h = Hashing.mix(17, lastSequence);
        h = programs.hashPrograms(h);
        h = members.hash(h, lots);
        h = lots.hashCounts(h);
        h = Hashing.mix(h, programs.forgottenBefore());
        h = lots.hashSlots(h);
        h = requests.hash(h);
        h = totals.hash(h);
        return programs.hash(h);
    }

    /** Writes the whole state for a snapshot (see {@link LedgerSnapshot}), on the owning thread: @return its hash. */
    public long writeTo(final SnapshotOutput out)
    {
        return LedgerSnapshot.write(this, out);
    }

    /** @throws SnapshotFormatException where the body is not what {@link #writeTo} wrote, or fails a check. */
    public static Ledger readFrom(final SnapshotInput in, final LedgerContext context)
    {
        return LedgerSnapshot.read(in, context, null);
    }

    /** The same, the state hash also {@code expectedStateHash} (a snapshot file's header's). */
    public static Ledger readFrom(final SnapshotInput in, final LedgerContext context, final long expectedStateHash)
    {
        return LedgerSnapshot.read(in, context, expectedStateHash);
    }

    /** Sets where a ledger read from a snapshot is: its last sequence and time. */
    void resumeAt(final long sequence, final long timestamp)
    {
        lastSequence = sequence;
        lastTimestamp = timestamp;
    }

    /**
     * Checks every invariant over the whole ledger.
     *
     * @throws IllegalStateException naming the first one broken.
     */
    public void checkInvariants()
    {
        final long openLots = members.checkInvariants(lots);
        programs.checkInvariants(members);
        totals.checkInvariants(members);
        lots.checkInvariants(openLots);
    }

    /** @return true if the sweep has something to do at {@code now}: a due lot, hold, maturity, evaluation or gift. */
    public boolean hasDueLots(final long now)
    {
        return lots.anyDue(now) || stores.schedules.anyDue(now);
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** @return the ledger's first program (slot 0): the one requests without a program id name. */
    public Program program()
    {
        return programs.program(0);
    }

    /** @return how many programs the ledger holds. */
    public int programCount()
    {
        return programs.count();
    }

    /** @return the program in a slot (0 .. programCount - 1), in the order programs were first put in force. */
    public Program program(final int programSlot)
    {
        return programs.program(programSlot);
    }

    /** @return the slot of the program a request names (null or empty: the first program), or -1 if none. */
    public int programSlot(final String programId)
    {
        return programs.slotOf(programId);
    }

    public int memberCount()
    {
        return members.count();
    }

    /**
     * @return how many replayed lots kept a recorded expiry that today's program rule (time-zone data) would put
     * elsewhere: not part of the state, a warning for the operator.
     */
    public long expiryRuleDrift()
    {
        return totals.expiryRuleDrift;
    }

    /** @return lots in the expiry queue: exactly the open lots. */
    int queuedLots()
    {
        return lots.queued();
    }

    /** @return lots ever created. */
    public long lotCount()
    {
        return lots.created();
    }

    /** @return lot slots in use: open lots, and closed ones still inside the retention window. */
    public int lotSlotsInUse()
    {
        return lots.slotsInUse();
    }

    public int rememberedRequests()
    {
        return requests.size();
    }

    /**
     * Points in open holds now: debited from lots (so counted in {@link #debited()}) but not yet redeemed for good;
     * they come back if released.
     */
    public long held()
    {
        return totals.held;
    }

    /** @return the double entry of the first program: its accounts and its members', as posted from every effect. */
    public Accounts accounts()
    {
        return programs.get(0).accounts;
    }

    /** @return the double entry of the program in a slot (each program's accounts balance on their own). */
    public Accounts accounts(final int programSlot)
    {
        return programs.get(programSlot).accounts;
    }

    /**
     * @return points the program in a slot has sent the partner program named {@code partner} in all (exchanges out
     * of it), or 0.
     */
    public long sentToPartner(final int programSlot, final String partner)
    {
        return programs.get(programSlot).sentInAll(partner);
    }

    /** @return points earned as pending and not matured yet, over all members: not credited until they mature. */
    public long pending()
    {
        return totals.pending;
    }

    /** Points ever credited (earns, positive adjustments, restores), exact. */
    public BigInteger credited()
    {
        return totals.credited.value();
    }

    /** Points ever debited (redemptions, negative adjustments, clawbacks), exact. */
    public BigInteger debited()
    {
        return totals.debited.value();
    }

    /** Points ever forfeited by expiry (breakage), exact. */
    public BigInteger expired()
    {
        return totals.expired.value();
    }

    /** @return {@link #credited()} as a long, for tests and tools that know it fits. */
    public long totalCredited()
    {
        return credited().longValueExact();
    }

    public long totalDebited()
    {
        return debited().longValueExact();
    }

    public long totalExpired()
    {
        return expired().longValueExact();
    }

    /**
     * Outstanding points as of a moment, exact: available balances less what is due at that moment but not yet
     * journaled as expired (the sweep runs shortly after an expiry instant, so a month-end report must not count
     * points that were already dead at midnight).
     */
    public BigInteger outstandingAt(final long now)
    {
        BigInteger outstanding = BigInteger.ZERO;
        for (int m = 0; m < members.count(); m++)
        {
            // points in open holds are still the member's until captured
            outstanding = outstanding.add(
                BigInteger.valueOf(members.available(m) + members.held(m) - lots.dueSum(m, now)));
        }
        return outstanding;
    }
}
