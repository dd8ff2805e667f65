package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The remembered writes: for every request id within the retention window, a fingerprint of its content and its
 * outcome, so a retry returns the original result and a reuse with other content is refused; and, for redemptions,
 * which lots paid for them, so a reversal can put the points back where they came from.
 * <p>
 * A ring of entries in arrival order (ledger time never goes back, so the oldest is at the head), growing by doubling
 * up to {@code requestIdsMax}. An entry is {@link #STRIDE} longs side by side in one array (an append or a lookup
 * touches one or two cache lines) plus its id string. Positions are absolute and never reused; the slot is the
 * position masked by the current capacity, so growing copies entries without renumbering them.
 */
final class RequestLog
{
    private static final long MISSING = -1;

    private static final int ID_HASH = 0;
    /** member index (low 32 bits), command type, tier and member status (a byte each, above). */
    private static final int MEMBER_TYPE_TIER_STATUS = 1;
    private static final int FINGERPRINT = 2;
    private static final int TIMESTAMP = 3;
    private static final int SEQUENCE = 4;
    private static final int POINTS = 5;
    private static final int BALANCE = 6;
    private static final int LIFETIME = 7;
    /** An earn's lot; for a hold, a capture or a release: the member's held points after it. */
    private static final int LOT_ID = 8;
    /** An earn's lot expiry (a pending earn's maturity instant); a hold's timeout instant. */
    private static final int EXPIRES_AT = 9;
    private static final int EXPIRED = 10;
    /**
     * A reversed earn's shortfall; for a capture or a release: the points released; for an enrollment or an earn: the
     * referrer's bonus it paid; for an exchange: the points the receiver got.
     */
    private static final int SHORTFALL = 11;
    private static final int ALREADY_EXPIRED = 12;
    private static final int OWED = 13;
    /** Points of this earn or redeem reversed so far. */
    private static final int REVERSED = 14;
    /** Points of this earn's expired share already set against its reversals. */
    private static final int FORGIVEN = 15;
    private static final int ALLOC_START = 16;
    /** An earn has no allocations: the slot holds the id of the lot its pending points matured into. */
    private static final int MATURED_LOT_ID = ALLOC_START;
    private static final int ALLOC_COUNT = 17;
    /** The slot of the lot an earn created (its id is in LOT_ID): a reversal finds the lot without a search. */
    private static final int LOT_SLOT = 18;
    /** A purchase earn: the position of its earning lines (how the program computed its points), else -1. */
    private static final int EARNING = 19;
    /** The bonus points the write credited (or, a reversal, took back): a birthday gift settled first, say. */
    private static final int BONUS = 20;
    static final int STRIDE = 21;
    /**
     * Earning lines per expected request: a purchase's header line and up to three campaigns'. The lines are sized so
     * at the first purchase (a ledger whose writes name their points never needs them), and grow only past that.
     */
    static final int LINES_PER_REQUEST = 4;
    private static final int LINES_INITIAL = 1024;
    /**
     * A flag above the member status in MEMBER_TYPE_TIER_STATUS: a reversal that restored points (of a redemption or
     * a capture), whose entry keeps restored, reexpired, graced and reclaimed where a reversed earn's keeps its
     * shortfall, points already expired and the bonuses it took back (the others are zero either way).
     */
    private static final long RESTORING = 1L << 56;

    private final int capacityMax;
    private IdIndex index;
    private final IdIndex.PositionToId idAt = this::idAt;
    /** Whose programs scope the ids; and the program a lookup or insertion is for. */
    private MemberStore members;
    /**
     * The program slot of each entry (its member's), beside the ids: derived, so neither hashed nor in a snapshot,
     * and kept here so an eviction or a probe never reads the member of an old request (a cache miss on the writer).
     */
    private byte[] programSlots;
    private int probeProgram;
    private String lastHashedId;
    private long lastIdHash;
    private long head;
    private long tail;
    private int mask;
    private String[] ids;
    private long[] entries;

    // Allocations of redemptions: (lot, amount, restored), also a ring by absolute position.
    private long allocHead;
    private long allocTail;
    private int allocMask;
    private int[] allocLots;
    private long[] allocAmounts;
    private long[] allocRestored;
    /**
     * Purchase earns' earning lines, in a ring in request order like the allocations: a header line (base points,
     * tier multiplier, tier points, cap cut; and the campaign line count) then one line per campaign (multiplier,
     * points, budget cut; and its id), so a retry answers with the computation the first answer gave.
     */
    private long lineHead;
    private long lineTail;
    private int lineMask;
    private long[] lineA;
    private long[] lineB;
    private long[] lineC;
    private long[] lineD;
    private int[] lineCount;
    private String[] lineIds;
    /** The size the earning-line ring grows to at its first growth (set again when read from a snapshot). */
    private int linesExpected;

    RequestLog(final int capacityMax)
    {
        this(capacityMax, 1024);
    }

    RequestLog(final int capacityMax, final int expected)
    {
        this.capacityMax = capacityMax;
        final int capacity = Integer.highestOneBit(Math.max(2, Math.min(capacityMax, expected)) * 2 - 1);
        allocate(capacity);
        allocateAllocations(Math.max(1024, capacity / 4));
        linesExpected = Math.max(LINES_INITIAL, capacity * LINES_PER_REQUEST);
        allocateLines(LINES_INITIAL);
        index = new IdIndex(capacity);
    }

    private void allocate(final int capacity)
    {
        if ((long)capacity * STRIDE > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("request log cannot hold " + capacity + " entries");
        }
        final String[] oldIds = ids;
        final byte[] oldPrograms = programSlots;
        final long[] oldEntries = entries;
        final long oldMask = mask;
        ids = new String[capacity];
        programSlots = new byte[capacity];
        entries = new long[capacity * STRIDE];
        mask = capacity - 1;
        if (null != oldIds)
        {
            for (long p = head; p < tail; p++)
            {
                final int from = (int)(p & oldMask);
                final int to = (int)(p & mask);
                ids[to] = oldIds[from];
                programSlots[to] = oldPrograms[from];
                System.arraycopy(oldEntries, from * STRIDE, entries, to * STRIDE, STRIDE);
            }
        }
    }

    private void allocateAllocations(final int capacity)
    {
        final int[] oldLots = allocLots;
        final long[] oldAmounts = allocAmounts;
        final long[] oldRestored = allocRestored;
        final long oldMask = allocMask;
        allocLots = new int[capacity];
        allocAmounts = new long[capacity];
        allocRestored = new long[capacity];
        allocMask = capacity - 1;
        if (null != oldLots)
        {
            for (long p = allocHead; p < allocTail; p++)
            {
                final int from = (int)(p & oldMask);
                final int to = (int)(p & allocMask);
                allocLots[to] = oldLots[from];
                allocAmounts[to] = oldAmounts[from];
                allocRestored[to] = oldRestored[from];
            }
        }
    }

    private void allocateLines(final int capacity)
    {
        final long[] oldA = lineA;
        final long[] oldB = lineB;
        final long[] oldC = lineC;
        final long[] oldD = lineD;
        final int[] oldCount = lineCount;
        final String[] oldIds = lineIds;
        final long oldMask = lineMask;
        lineA = new long[capacity];
        lineB = new long[capacity];
        lineC = new long[capacity];
        lineD = new long[capacity];
        lineCount = new int[capacity];
        lineIds = new String[capacity];
        lineMask = capacity - 1;
        if (null != oldA)
        {
            for (long p = lineHead; p < lineTail; p++)
            {
                final int from = (int)(p & oldMask);
                final int to = (int)(p & lineMask);
                lineA[to] = oldA[from];
                lineB[to] = oldB[from];
                lineC[to] = oldC[from];
                lineD[to] = oldD[from];
                lineCount[to] = oldCount[from];
                lineIds[to] = oldIds[from];
            }
        }
    }

    /** @return the position of the earning's header line, the lines written after it. */
    private long appendEarning(final Command.Earning e)
    {
        final int lines = 1 + e.campaignCount();
        while (lineTail - lineHead + lines > lineMask + 1)
        {
            // growth copies the whole ring on the writer's path: straight to the expected size, then doubling
            allocateLines(Math.max(linesExpected, (lineMask + 1) << 1));
        }
        final long start = lineTail;
        int i = (int)(lineTail++ & lineMask);
        lineA[i] = e.basePoints;
        lineB[i] = e.tierMultiplierBp;
        lineC[i] = e.tierPoints;
        lineD[i] = e.capCut;
        lineCount[i] = e.campaignCount();
        lineIds[i] = null;
        for (int k = 0; k < e.campaignCount(); k++)
        {
            i = (int)(lineTail++ & lineMask);
            lineA[i] = e.multiplierBp(k);
            lineB[i] = e.points(k);
            lineC[i] = e.budgetCut(k);
            lineD[i] = 0;
            lineCount[i] = 0;
            lineIds[i] = e.campaignId(k);
        }
        return start;
    }

    private void fillEarning(final long start, final Command.Earning e)
    {
        e.reset();
        int i = (int)(start & lineMask);
        e.basePoints = lineA[i];
        e.tierMultiplierBp = lineB[i];
        e.tierPoints = lineC[i];
        e.capCut = lineD[i];
        final int count = lineCount[i];
        for (int k = 1; k <= count; k++)
        {
            i = (int)((start + k) & lineMask);
            e.add(lineIds[i], lineA[i], lineB[i], lineC[i]);
        }
    }

    private int base(final long position)
    {
        return (int)(position & mask) * STRIDE;
    }

    private long get(final long position, final int field)
    {
        return entries[base(position) + field];
    }

    /**
     * @return the position of the request id if it was stamped at or after {@code cutoff}, or -1: a request older than
     * the retention window is forgotten whether or not its entry has been evicted yet.
     */
    long find(final String requestId, final int program, final long cutoff)
    {
        probeProgram = program;
        final long position = index.find(requestId, scoped(idHash(requestId), program), idAt);
        return position != MISSING && get(position, TIMESTAMP) >= cutoff ? position : MISSING;
    }

    /**
     * Request ids are scoped by program: one program's clients can neither see, replay nor block another's. The index
     * key is the id's hash mixed with the program's slot, and a probe matches only an entry of that program (the
     * program of the entry's member). The first program's key is the id's hash alone, and the entries keep the id's
     * own hash, so the state hash of every journal written before scoping is what it was.
     */
    private static long scoped(final long idHash, final int program)
    {
        return program == 0 ? idHash : Hashing.mix(idHash, program);
    }

    private int programOf(final long position)
    {
        return programSlots[(int)(position & mask)];
    }

    /** Gives the log the members whose programs scope its ids (the store is created first, and read first). */
    void scopeBy(final MemberStore members)
    {
        this.members = members;
    }

    /**
     * The id's hash, computed once for the lookup and the append of the same command.
     */
    private long idHash(final String requestId)
    {
        if (requestId != lastHashedId)
        {
            lastIdHash = IdIndex.hash(requestId);
            lastHashedId = requestId;
        }
        return lastIdHash;
    }

    /** The id at a position, if its entry is of the program being probed (else null: no match). */
    private String idAt(final long position)
    {
        return programOf(position) == probeProgram ? ids[(int)(position & mask)] : null;
    }

    int size()
    {
        return (int)(tail - head);
    }

    /**
     * Forgets up to {@code max} of the oldest requests stamped before {@code cutoff}. An open hold stops the
     * eviction: its allocations are what gives its points back, so it stays until captured, released or timed out
     * (at most seven days), even when a shorter retention window has made its request id forgotten. So does an earn
     * whose points are still pending: its entry is where they mature into a lot.
     */
    void evictOlderThan(final long cutoff, final int max)
    {
        for (int n = 0; n < max && head < tail; n++)
        {
            final int b = base(head);
            if (entries[b + TIMESTAMP] >= cutoff)
            {
                break;
            }
            final int type = (int)(entries[b + MEMBER_TYPE_TIER_STATUS] >>> 32 & 0xFF);
            if ((type == CommandType.HOLD.code() || (type == CommandType.EARN.code() && entries[b + LOT_SLOT] < 0)) &&
                entries[b + REVERSED] < entries[b + POINTS])
            {
                break; // an open hold, or an earn whose points are still pending
            }
            ids[(int)(head & mask)] = null;
            if (entries[b + ALLOC_COUNT] > 0)
            {
                allocHead = entries[b + ALLOC_START] + entries[b + ALLOC_COUNT];
            }
            final long earning = entries[b + EARNING];
            if (earning >= 0)
            {
                final long end = earning + 1 + lineCount[(int)(earning & lineMask)];
                for (long p = earning; p < end; p++)
                {
                    lineIds[(int)(p & lineMask)] = null;
                }
                lineHead = end;
            }
            head++;
        }
        index.forgetBelow(head); // the index drops the evicted entries as its sweep reaches them
    }

    /**
     * @return true when fewer than requestIdsMax requests are remembered at {@code cutoff}. Forgotten entries not
     * yet evicted (and open holds kept past the window) do not count: the ring grows past requestIdsMax for them.
     */
    boolean hasCapacity(final long cutoff)
    {
        return size() < capacityMax || rememberedSince(cutoff) < capacityMax;
    }

    /**
     * The number of entries stamped at or after {@code cutoff}: entries are in time order, so a binary search.
     */
    private long rememberedSince(final long cutoff)
    {
        long low = head;
        long high = tail;
        while (low < high)
        {
            final long mid = (low + high) >>> 1;
            if (get(mid, TIMESTAMP) < cutoff)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return tail - low;
    }

    /**
     * Remembers a successful write. Its allocations, if any, were added just before with {@link #addAllocation}.
     * The capacity limit is the caller's to check: a replay appends whatever the journal holds.
     */
    void append(
        final Command c, final long fingerprint, final int memberIndex, final long allocStart, final int lotSlot)
    {
        if (size() == mask + 1)
        {
            allocate((mask + 1) << 1);
        }
        final long position = tail++;
        final int b = base(position);
        final long idHash = idHash(c.requestId);
        ids[(int)(position & mask)] = c.requestId;
        programSlots[(int)(position & mask)] = (byte)members.program(memberIndex); // the member at hand
        entries[b + ID_HASH] = idHash;
        final boolean restoring = c.restored != 0 || c.reexpired != 0 || c.graced != 0 || c.reclaimed != 0;
        entries[b + MEMBER_TYPE_TIER_STATUS] = (memberIndex & 0xFFFF_FFFFL) | ((long)c.type.code() << 32) |
            ((long)c.tier << 40) | ((long)c.memberStatus << 48) | (restoring ? RESTORING : 0);
        entries[b + FINGERPRINT] = fingerprint;
        entries[b + TIMESTAMP] = c.timestamp;
        entries[b + SEQUENCE] = c.sequence;
        entries[b + POINTS] = c.resultPoints;
        entries[b + BALANCE] = c.balance;
        entries[b + LIFETIME] = c.lifetimeEarned;
        entries[b + EXPIRES_AT] = c.maturesAt != 0 ? c.maturesAt : c.expiresAt;
        entries[b + EXPIRED] = c.expired;
        entries[b + ALREADY_EXPIRED] = c.alreadyExpired;
        entries[b + BONUS] = c.bonusPoints;
        entries[b + OWED] = c.owed;
        entries[b + REVERSED] = 0;
        entries[b + FORGIVEN] = 0;
        putSharedSlots(Slots.of(c.type), c, b, restoring);
        entries[b + ALLOC_START] = allocStart;
        entries[b + ALLOC_COUNT] = allocTail - allocStart;
        entries[b + LOT_SLOT] = lotSlot;
        entries[b + EARNING] = c.earning.isPresent() ? appendEarning(c.earning) : -1;
        probeProgram = programOf(position);
        index.put(c.requestId, scoped(idHash, probeProgram), position, idAt);
    }

    /**
     * Writes the remembered outcome at a position into a command, as the answer to a retry.
     */
    void fillResult(final long position, final Command c)
    {
        final int b = base(position);
        final long packed = entries[b + MEMBER_TYPE_TIER_STATUS];
        c.tier = (int)(packed >>> 40) & 0xFF;
        c.memberStatus = (int)(packed >>> 48) & 0xFF;
        c.sequence = entries[b + SEQUENCE];
        c.timestamp = entries[b + TIMESTAMP];
        c.resultPoints = entries[b + POINTS];
        c.balance = entries[b + BALANCE];
        c.lifetimeEarned = entries[b + LIFETIME];
        final int type = (int)(packed >>> 32) & 0xFF;
        if (type == CommandType.EARN.code() && entries[b + LOT_ID] < 0)
        {
            c.maturesAt = entries[b + EXPIRES_AT]; // pending when earned (0 for a purchase of no points)
        }
        else
        {
            c.expiresAt = entries[b + EXPIRES_AT];
        }
        c.expired = entries[b + EXPIRED];
        c.alreadyExpired = entries[b + ALREADY_EXPIRED];
        c.bonusPoints = entries[b + BONUS];
        c.owed = entries[b + OWED];
        getSharedSlots(Slots.of(CommandType.fromCode(type)), b, (packed & RESTORING) != 0, c);
        if (entries[b + EARNING] >= 0)
        {
            fillEarning(entries[b + EARNING], c.earning);
        }
    }

    /**
     * How an entry's shared slots (LOT_ID, SHORTFALL, and for some REVERSED, FORGIVEN and ALREADY_EXPIRED) are used,
     * by the command that made it. Every command type says which, so a new one does not compile until it is decided.
     */
    private enum Slots
    {
        /** A hold: LOT_ID the points held, SHORTFALL those released; REVERSED counts what was closed since. */
        HOLD,
        /** A capture or release of a hold: as a hold, and FORGIVEN what it reclaimed (only an earn's is reversed). */
        HOLD_CLOSE,
        /** An enrollment or an earn (never a shortfall): SHORTFALL the referrer's bonus it paid. */
        BONUS,
        /** An exchange: SHORTFALL the partner program's points the receiver got. */
        EXCHANGE,
        /** A reversal, never reversed itself: SHORTFALL, ALREADY_EXPIRED, REVERSED and FORGIVEN keep its answer. */
        REVERSE,
        /** Every other write: LOT_ID the lot made, SHORTFALL the shortfall (reads and the sweep are not kept). */
        PLAIN;

        static Slots of(final CommandType type)
        {
            return switch (type)
            {
                case HOLD -> HOLD;
                case CAPTURE_HOLD, RELEASE_HOLD -> HOLD_CLOSE;
                case ENROLL, EARN -> BONUS;
                case EXCHANGE -> EXCHANGE;
                case REVERSE -> REVERSE;
                case REDEEM, ADJUST, SET_STATUS, SET_TIER, TRANSFER, IMPORT, EXPIRE_TICK, SET_PROGRAM, GET_BALANCE,
                    CHECK_TIER, LIST_LOTS, GET_MEMBER, LIST_EXPIRING -> PLAIN;
            };
        }
    }

    private void putSharedSlots(final Slots slots, final Command c, final int b, final boolean restoring)
    {
        switch (slots)
        {
            case HOLD, HOLD_CLOSE ->
            {
                entries[b + LOT_ID] = c.held;
                entries[b + SHORTFALL] = c.released;
                if (slots == Slots.HOLD_CLOSE)
                {
                    entries[b + FORGIVEN] = c.reclaimed; // an open hold's FORGIVEN stays 0
                }
            }
            case BONUS ->
            {
                entries[b + LOT_ID] = c.lotId;
                entries[b + SHORTFALL] = c.referrerBonusPoints;
            }
            case EXCHANGE ->
            {
                entries[b + LOT_ID] = c.lotId;
                entries[b + SHORTFALL] = c.exchanged;
            }
            case REVERSE ->
            {
                entries[b + LOT_ID] = c.lotId;
                entries[b + SHORTFALL] = restoring ? c.restored : c.shortfall;
                entries[b + ALREADY_EXPIRED] = restoring ? c.reexpired : c.alreadyExpired;
                entries[b + REVERSED] = restoring ? c.graced : 0;
                entries[b + FORGIVEN] = restoring ? c.reclaimed : c.referrerBonusPoints;
            }
            case PLAIN ->
            {
                entries[b + LOT_ID] = c.lotId;
                entries[b + SHORTFALL] = c.shortfall;
            }
        }
    }

    private void getSharedSlots(final Slots slots, final int b, final boolean restoring, final Command c)
    {
        switch (slots)
        {
            case HOLD, HOLD_CLOSE ->
            {
                c.held = entries[b + LOT_ID];
                c.released = entries[b + SHORTFALL];
                if (slots == Slots.HOLD_CLOSE)
                {
                    c.reclaimed = entries[b + FORGIVEN];
                }
            }
            case BONUS ->
            {
                c.lotId = entries[b + LOT_ID];
                c.referrerBonusPoints = entries[b + SHORTFALL];
            }
            case EXCHANGE ->
            {
                c.lotId = entries[b + LOT_ID];
                c.exchanged = entries[b + SHORTFALL];
            }
            case REVERSE ->
            {
                c.lotId = entries[b + LOT_ID];
                if (restoring)
                {
                    c.shortfall = 0;
                    c.alreadyExpired = 0;
                    c.restored = entries[b + SHORTFALL];
                    c.reexpired = entries[b + ALREADY_EXPIRED];
                    c.graced = entries[b + REVERSED];
                    c.reclaimed = entries[b + FORGIVEN];
                }
                else
                {
                    c.shortfall = entries[b + SHORTFALL];
                    c.referrerBonusPoints = entries[b + FORGIVEN];
                }
            }
            case PLAIN ->
            {
                c.lotId = entries[b + LOT_ID];
                c.shortfall = entries[b + SHORTFALL];
            }
        }
    }

    /**
     * The position the next {@link #append} takes.
     */
    long nextPosition()
    {
        return tail;
    }

    /**
     * @return true while the entry at {@code position} is remembered (not evicted).
     */
    boolean isLive(final long position)
    {
        return position >= head && position < tail;
    }

    /**
     * Records the lot an earn's pending points matured into: a reversal of the earn then claws back from it.
     */
    void setMatured(final long position, final long lotId, final int lotSlot)
    {
        final int b = base(position);
        entries[b + MATURED_LOT_ID] = lotId;
        entries[b + LOT_SLOT] = lotSlot;
    }

    /** The lot an earn credited, or its pending points matured into. */
    long earnLotId(final long position)
    {
        final long lotId = get(position, LOT_ID);
        return lotId >= 0 ? lotId : get(position, MATURED_LOT_ID);
    }

    /** An earn's lot expiry, a hold's timeout instant. */
    long expiresAt(final long position)
    {
        return get(position, EXPIRES_AT);
    }

    long fingerprint(final long position)
    {
        return get(position, FINGERPRINT);
    }

    long timestamp(final long position)
    {
        return get(position, TIMESTAMP);
    }

    int type(final long position)
    {
        return (int)(get(position, MEMBER_TYPE_TIER_STATUS) >>> 32) & 0xFF;
    }

    int member(final long position)
    {
        return (int)get(position, MEMBER_TYPE_TIER_STATUS);
    }

    /** The points the original write moved: what a reversal may undo. */
    long points(final long position)
    {
        return get(position, POINTS);
    }

    long lotId(final long position)
    {
        return get(position, LOT_ID);
    }

    int lotSlot(final long position)
    {
        return (int)get(position, LOT_SLOT);
    }

    long reversed(final long position)
    {
        return get(position, REVERSED);
    }

    void addReversed(final long position, final long amount)
    {
        entries[base(position) + REVERSED] += amount;
    }

    long forgiven(final long position)
    {
        return get(position, FORGIVEN);
    }

    void addForgiven(final long position, final long amount)
    {
        entries[base(position) + FORGIVEN] += amount;
    }

    long allocStart(final long position)
    {
        return get(position, ALLOC_START);
    }

    int allocCount(final long position)
    {
        return (int)get(position, ALLOC_COUNT);
    }

    long allocTail()
    {
        return allocTail;
    }

    void addAllocation(final int lot, final long amount)
    {
        if (allocTail - allocHead == allocMask + 1)
        {
            allocateAllocations((allocMask + 1) << 1);
        }
        final int i = (int)(allocTail++ & allocMask);
        allocLots[i] = lot;
        allocAmounts[i] = amount;
        allocRestored[i] = 0;
    }

    int allocLot(final long allocPosition)
    {
        return allocLots[(int)(allocPosition & allocMask)];
    }

    long allocAmount(final long allocPosition)
    {
        return allocAmounts[(int)(allocPosition & allocMask)];
    }

    long allocRestored(final long allocPosition)
    {
        return allocRestored[(int)(allocPosition & allocMask)];
    }

    void addAllocRestored(final long allocPosition, final long amount)
    {
        allocRestored[(int)(allocPosition & allocMask)] += amount;
    }

    /**
     * Hashes every remembered entry, every field of it, and every allocation.
     */
    long hash(final long seed)
    {
        long h = Hashing.mix(seed, head);
        h = Hashing.mix(h, tail);
        for (long p = head; p < tail; p++)
        {
            h = Hashing.mix(h, ids[(int)(p & mask)]);
            final int b = base(p);
            for (int field = 0; field < STRIDE; field++)
            {
                h = Hashing.mix(h, entries[b + field]);
            }
        }
        for (long p = allocHead; p < allocTail; p++)
        {
            final int i = (int)(p & allocMask);
            h = Hashing.mix(h, allocLots[i]);
            h = Hashing.mix(h, allocAmounts[i]);
            h = Hashing.mix(h, allocRestored[i]);
        }
        for (long p = lineHead; p < lineTail; p++)
        {
            final int i = (int)(p & lineMask);
            h = Hashing.mix(h, lineA[i]);
            h = Hashing.mix(h, lineB[i]);
            h = Hashing.mix(h, lineC[i]);
            h = Hashing.mix(h, lineD[i]);
            h = Hashing.mix(h, lineCount[i]);
            h = Hashing.mix(h, lineIds[i]);
        }
        return h;
    }

    @Override
    public String toString()
    {
        return "RequestLog{size=" + size() + ", capacity=" + (mask + 1) + ", max=" + capacityMax +
            ", allocations=" + (allocTail - allocHead) + "}" + Arrays.toString(new long[] {head, tail});
    }

    /** The three rings (requests, allocations, earning lines) at their absolute positions. */
    void writeTo(final SnapshotOutput out)
    {
        out.writeRing(ids, head, tail);
        out.writeRing(entries, STRIDE, head, tail);
        out.writeRing(allocLots, allocHead, allocTail);
        out.writeRing(allocAmounts, 1, allocHead, allocTail);
        out.writeRing(allocRestored, 1, allocHead, allocTail);
        out.writeRing(lineIds, lineHead, lineTail);
        out.writeRing(lineA, 1, lineHead, lineTail);
        out.writeRing(lineB, 1, lineHead, lineTail);
        out.writeRing(lineC, 1, lineHead, lineTail);
        out.writeRing(lineD, 1, lineHead, lineTail);
        out.writeRing(lineCount, lineHead, lineTail);
    }

    /**
     * Reads the rings back into this empty log and indexes every request by id in request order, so an id used again
     * maps to its latest request as it did when written.
     *
     * @param expected requests to make room for, at least.
     */
    void readFrom(final SnapshotInput in, final int expected)
    {
        final long start = in.position();
        in.check(start, head == tail && index.size() == 0, "a request log that is not empty");
        final int expectedCapacity = Integer.highestOneBit(Math.max(2, Math.min(capacityMax, expected)) * 2 - 1);
        final long[] bounds = new long[2];
        ids = in.readStringRing(bounds, expectedCapacity);
        head = bounds[0];
        tail = bounds[1];
        entries = in.readRing(STRIDE, bounds, ids.length);
        linesExpected = Math.max(LINES_INITIAL, ids.length * LINES_PER_REQUEST);
        mask = ids.length - 1;
        in.check(start, entries.length == ids.length * STRIDE && bounds[0] == head && bounds[1] == tail,
            "the request rings differ");
        allocLots = in.readIntRing(bounds);
        allocHead = bounds[0];
        allocTail = bounds[1];
        allocMask = allocLots.length - 1;
        allocAmounts = in.readRing(1, bounds);
        in.check(start, allocAmounts.length == allocLots.length && bounds[0] == allocHead && bounds[1] == allocTail,
            "the allocation rings differ");
        allocRestored = in.readRing(1, bounds);
        in.check(start, allocRestored.length == allocLots.length && bounds[0] == allocHead &&
            bounds[1] == allocTail, "the allocation rings differ");
        lineIds = in.readStringRing(bounds);
        lineHead = bounds[0];
        lineTail = bounds[1];
        lineMask = lineIds.length - 1;
        lineA = lineRing(in, start, bounds);
        lineB = lineRing(in, start, bounds);
        lineC = lineRing(in, start, bounds);
        lineD = lineRing(in, start, bounds);
        lineCount = in.readIntRing(bounds);
        in.check(start, lineCount.length == lineIds.length && bounds[0] == lineHead && bounds[1] == lineTail,
            "the earning line rings differ");
        index = new IdIndex(ids.length, head);
        programSlots = new byte[ids.length]; // derived: rebuilt from the members, like the index
        for (long p = head; p < tail; p++)
        {
            final String id = ids[(int)(p & mask)];
            if (!(null != id && entries[base(p) + ID_HASH] == IdIndex.hash(id)))
            {
                throw in.impossible(start, "request " + p);
            }
            probeProgram = members.program(member(p));
            programSlots[(int)(p & mask)] = (byte)probeProgram;
            index.put(id, scoped(entries[base(p) + ID_HASH], probeProgram), p, idAt);
        }
    }

    private long[] lineRing(final SnapshotInput in, final long start, final long[] bounds)
    {
        final long[] ring = in.readRing(1, bounds);
        in.check(start, ring.length == lineIds.length && bounds[0] == lineHead && bounds[1] == lineTail,
            "the earning line rings differ");
        return ring;
    }
}
