package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The members of every program: their state by index (the order they enrolled in, for the life of the ledger), and
 * the index by key. A member's key is (program, id): {@code alice} of one program and {@code alice} of another are
 * two members. Members are never removed (a closed member keeps its state), so an index is a stable reference, and
 * handlers pass a member as its index.
 * <p>
 * Primitive arrays rather than an object per member: the state of millions of members is a few dozen arrays the
 * collector never traverses and a snapshot writes and reads as a whole. The fields nearly every write touches sit in
 * rows ({@link MemberRows}: one or two cache lines a member); the rest are columns here, one array per field. The
 * arrays are the store's: it allocates and grows them, hashes and checks them. Handlers in this package read and
 * change a member's fields in place, by index, through the row accessors or the columns; they never keep a column
 * across a call that may enroll a member (growth replaces the columns). A member's lists (open lots, expiry groups,
 * pending earns, tier-point history) are reached through the store's methods only.
 */
final class MemberStore extends MemberRows
{
    /** Months of tier points a member keeps: 12 for the window, and one for a later program's zone being behind. */
    static final int MONTHS_KEPT = 13;
    static final int YEARS_KEPT = 3;
    /** A member's history array: months (ring), then years (newest first), then the latest earns (newest first). */
    static final int YEARS = MONTHS_KEPT;
    static final int RECENT = YEARS + YEARS_KEPT;
    static final int HISTORY = RECENT + Program.ACTIVE_EARNS_MAX;
    private static final int LIST_CAPACITY = 4;

    /** The member's id, unique within its program. */
    String[] id = new String[0];
    int[] birthday = new int[0];
    /** The index of the member who referred it, or -1. */
    int[] referrer = new int[0];
    long[] enrolledAt = new long[0];
    /** The bonuses the member's first qualifying earn triggered (see {@link #firstEarn}). */
    int[] bonusLot = new int[0];
    long[] bonusLotId = new long[0];
    long[] bonusPoints = new long[0];
    int[] referrerBonusLot = new int[0];
    long[] referrerBonusLotId = new long[0];
    long[] referrerBonusPoints = new long[0];
    boolean[] bonusesReversed = new boolean[0];
    /** A tier set by hand is a floor for evaluations until floorUntil. */
    int[] floorTier = new int[0];
    long[] floorUntil = new long[0];
    /** The points purchases earned on the member's {@link #purchaseDay}. */
    long[] purchaseDayPoints = new long[0];

    private long[][] historyChunks = new long[0][];
    private int historySlots;
    private static final int HISTORY_CHUNK_SHIFT = 14;
    static final int HISTORY_CHUNK = 1 << HISTORY_CHUNK_SHIFT;
    /**
     * Open points by expiry instant, ascending: what a balance read reports as expiring next without summing a hot
     * member's thousands of lots (all of a month's earns share one instant). Kept by {@link #addPoints}.
     */
    private long[][] groups = new long[0][];
    /** Pending earns: by maturity instant, then request position. */
    private long[][] pendings = new long[0][];
    /** A pending earn's fields, side by side in the member's array. */
    private static final int PENDING_AT = 0;
    private static final int PENDING_POINTS = 1;
    private static final int PENDING_EARNED_AT = 2;
    private static final int PENDING_REQUEST = 3;
    private static final int PENDING_FIELDS = 4;

    private IdIndex byId;
    private final IdIndex.PositionToId idAt = this::idAt;
    private int count;
    /** The program slot {@link #find} looks in: read by {@link #idAt} while the index probes, never kept after. */
    private int probeSlot;

    MemberStore(final int expected)
    {
        byId = new IdIndex(expected);
        grow(Math.max(1, expected));
    }

    /** Grows every column to {@code capacity}. */
    private void grow(final int capacity)
    {
        growRows(capacity);
        id = Arrays.copyOf(id, capacity);
        birthday = Arrays.copyOf(birthday, capacity);
        referrer = Arrays.copyOf(referrer, capacity);
        enrolledAt = Arrays.copyOf(enrolledAt, capacity);
        bonusLot = Arrays.copyOf(bonusLot, capacity);
        bonusLotId = Arrays.copyOf(bonusLotId, capacity);
        bonusPoints = Arrays.copyOf(bonusPoints, capacity);
        referrerBonusLot = Arrays.copyOf(referrerBonusLot, capacity);
        referrerBonusLotId = Arrays.copyOf(referrerBonusLotId, capacity);
        referrerBonusPoints = Arrays.copyOf(referrerBonusPoints, capacity);
        bonusesReversed = Arrays.copyOf(bonusesReversed, capacity);
        floorTier = Arrays.copyOf(floorTier, capacity);
        floorUntil = Arrays.copyOf(floorUntil, capacity);
        purchaseDayPoints = Arrays.copyOf(purchaseDayPoints, capacity);
        groups = Arrays.copyOf(groups, capacity);
        pendings = Arrays.copyOf(pendings, capacity);
    }

    @Override
    int count()
    {
        return count;
    }

    /** @return the index of the member of the program in {@code programSlot} with this id, or -1. */
    int find(final int programSlot, final String id)
    {
        probeSlot = programSlot;
        return (int)byId.find(id, keyHash(programSlot, id), idAt);
    }

    /**
     * Adds a member of the program in {@code programSlot}; the caller has checked it is new and that there is room.
     *
     * @return the new member's index.
     */
    int add(final int programSlot, final String id, final int birthday, final int referrer, final long enrolledAt)
    {
        assert find(programSlot, id) < 0 : "member " + id + " exists";
        final int index = count++;
        if (index == this.id.length)
        {
            grow(index << 1);
        }
        this.id[index] = id;
        program(index, programSlot);
        this.birthday[index] = birthday;
        this.referrer[index] = referrer;
        this.enrolledAt[index] = enrolledAt;
        status(index, MemberStatus.ACTIVE.code());
        firstEarn(index, -1);
        bonusLot[index] = -1;
        bonusLotId[index] = -1;
        referrerBonusLot[index] = -1;
        referrerBonusLotId[index] = -1;
        nextBirthdayAt(index, Long.MAX_VALUE);
        lastMonth(index, Integer.MIN_VALUE / 2);
        year(index, Integer.MIN_VALUE / 2);
        purchaseDay(index, Integer.MIN_VALUE);
        firstLot(index, -1);
        lastLot(index, -1);
        historySlot(index, -1);
        probeSlot = programSlot;
        byId.put(id, keyHash(programSlot, id), index, idAt);
        return index;
    }

    /** @return the member of the program in {@code slot} the command names, or -1 with the result set. */
    int named(final int slot, final Command c)
    {
        final int index = find(slot, c.memberId);
        if (index < 0)
        {
            c.result = ResultCode.MEMBER_NOT_FOUND;
        }
        return index;
    }

    /** @return the member the command names if it is not closed (frozen or active), or -1 with the result set. */
    int open(final int slot, final Command c)
    {
        final int m = named(slot, c);
        if (m >= 0 && status(m) == MemberStatus.CLOSED.code())
        {
            c.result = ResultCode.MEMBER_CLOSED;
            return -1;
        }
        return m;
    }

    /**
     * @param frozenAllowed corrections and reversals still apply to a frozen member; earning and redeeming do not.
     * @return the member the command names if it may be written, or -1 with the result set.
     */
    int active(final int slot, final Command c, final boolean frozenAllowed)
    {
        final int m = open(slot, c);
        if (m >= 0 && status(m) == MemberStatus.FROZEN.code() && !frozenAllowed)
        {
            c.result = ResultCode.MEMBER_FROZEN;
            return -1;
        }
        return m;
    }

    /** @return true while the member may earn and redeem (not frozen, not closed). */
    boolean isActive(final int m)
    {
        return status(m) == MemberStatus.ACTIVE.code();
    }

    /** @return what the member holds in all: available, held and pending points (what balanceMax bounds). */
    long holdings(final int m)
    {
        return available(m) + held(m) + pending(m);
    }

    // ------------------------------------------------------------------------------------------------ history

    /** @return the chunk that holds the member's history block, or null while it has none. */
    long[] historyChunk(final int m)
    {
        final int slot = historySlot(m);
        return slot < 0 ? null : historyChunks[slot >>> HISTORY_CHUNK_SHIFT];
    }

    /** @return where the member's history block starts in its {@link #historyChunk} (0 while it has none). */
    int historyBase(final int m)
    {
        final int slot = historySlot(m);
        return slot < 0 ? 0 : (slot & (HISTORY_CHUNK - 1)) * HISTORY;
    }

    /** @return where the member's history block starts, given at the first call (its first earn), zeroed. */
    int historyFor(final int m)
    {
        if (historySlot(m) < 0)
        {
            final int slot = historySlots++;
            final int chunk = slot >>> HISTORY_CHUNK_SHIFT;
            if (chunk == historyChunks.length)
            {
                historyChunks = Arrays.copyOf(historyChunks, Math.max(4, chunk << 1));
            }
            if (null == historyChunks[chunk])
            {
                historyChunks[chunk] = new long[HISTORY_CHUNK * HISTORY];
            }
            historySlot(m, slot);
        }
        return historyBase(m);
    }

    void addRecentEarn(final int m, final long at)
    {
        final int b = historyFor(m);
        final long[] h = historyChunk(m);
        System.arraycopy(h, b + RECENT, h, b + RECENT + 1, Program.ACTIVE_EARNS_MAX - 1);
        h[b + RECENT] = at;
        recentCount(m, Math.min(recentCount(m) + 1, Program.ACTIVE_EARNS_MAX));
    }

    // ------------------------------------------------------------------------------------------------ expiry groups

    long groupAt(final int m, final int g)
    {
        return groups[m][g << 1];
    }

    long groupPoints(final int m, final int g)
    {
        return groups[m][(g << 1) + 1];
    }

    /** Adds {@code delta} points (negative: taken) to the member's open points expiring at {@code at}. */
    void addPoints(final int m, final long at, final long delta)
    {
        long[] list = groups[m];
        final int n = groupCount(m);
        int low = 0;
        int high = n;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (list[mid << 1] < at)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        if (low < n && list[low << 1] == at)
        {
            list[(low << 1) + 1] += delta;
            if (list[(low << 1) + 1] == 0)
            {
                System.arraycopy(list, (low + 1) << 1, list, low << 1, (n - low - 1) << 1);
                groupCount(m, n - 1);
            }
            return;
        }
        if (null == list || n << 1 == list.length)
        {
            list = null == list ? new long[LIST_CAPACITY << 1] : Arrays.copyOf(list, n << 2);
            groups[m] = list;
        }
        System.arraycopy(list, low << 1, list, (low + 1) << 1, (n - low) << 1);
        list[low << 1] = at;
        list[(low << 1) + 1] = delta;
        groupCount(m, n + 1);
    }

    // ------------------------------------------------------------------------------------------------ pending earns

    long pendingAt(final int m, final int i)
    {
        return pendings[m][i * PENDING_FIELDS + PENDING_AT];
    }

    long pendingPoints(final int m, final int i)
    {
        return pendings[m][i * PENDING_FIELDS + PENDING_POINTS];
    }

    long pendingEarnedAt(final int m, final int i)
    {
        return pendings[m][i * PENDING_FIELDS + PENDING_EARNED_AT];
    }

    long pendingRequest(final int m, final int i)
    {
        return pendings[m][i * PENDING_FIELDS + PENDING_REQUEST];
    }

    /** Takes {@code points} off the member's {@code i}th pending earn (not off its pending total). */
    void reducePending(final int m, final int i, final long points)
    {
        pendings[m][i * PENDING_FIELDS + PENDING_POINTS] -= points;
    }

    /** Adds a pending earn maturing at {@code at}, after those maturing at or before it. */
    void addPending(final int m, final long at, final long points, final long earnedAt, final long request)
    {
        final int n = pendingCount(m);
        long[] list = pendings[m];
        if (null == list || (n + 1) * PENDING_FIELDS > list.length)
        {
            list = null == list ? new long[2 * PENDING_FIELDS] : Arrays.copyOf(list, list.length << 1);
            pendings[m] = list;
        }
        int i = n;
        while (i > 0 && list[(i - 1) * PENDING_FIELDS + PENDING_AT] > at) // a program change may shorten the period
        {
            i--;
        }
        System.arraycopy(list, i * PENDING_FIELDS, list, (i + 1) * PENDING_FIELDS, (n - i) * PENDING_FIELDS);
        final int e = i * PENDING_FIELDS;
        list[e + PENDING_AT] = at;
        list[e + PENDING_POINTS] = points;
        list[e + PENDING_EARNED_AT] = earnedAt;
        list[e + PENDING_REQUEST] = request;
        pendingCount(m, n + 1);
    }

    void removePending(final int m, final int i)
    {
        final long[] list = pendings[m];
        System.arraycopy(list, (i + 1) * PENDING_FIELDS, list, i * PENDING_FIELDS,
            (pendingCount(m) - i - 1) * PENDING_FIELDS);
        addPendingCount(m, -1);
    }

    /** @return the place of the member's pending earn made by the request at {@code request}, or -1. */
    int findPending(final int m, final long request)
    {
        for (int i = 0; i < pendingCount(m); i++)
        {
            if (pendingRequest(m, i) == request)
            {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------ hash, checks

    /**
     * Checks every member against its lots.
     *
     * @return the open lots of all members.
     * @throws IllegalStateException naming the first member whose lists disagree with its lots.
     */
    long checkInvariants(final LotStore lots)
    {
        long openLots = 0;
        for (int m = 0; m < count; m++)
        {
            if (!consistent(lots, m))
            {
                throw new IllegalStateException("member invariants broken for " + id[m]);
            }
            openLots += lotCount(m);
        }
        return openLots;
    }

    /**
     * @return true if the member's lists agree with its lots and with themselves: its open lots are its own, sorted,
     * each with points left and no more than credited, summing to its available points, and grouped by expiry exactly
     * as its expiry groups say; its pending earns are sorted and sum to its pending points; nothing it has is
     * negative; and it owes only while it has no points.
     */
    boolean consistent(final LotStore lots, final int m)
    {
        return lots.memberConsistent(m) && pendingAgrees(m) && available(m) >= 0 && owed(m) >= 0 && held(m) >= 0 &&
            lifetimeEarned(m) >= 0 && (owed(m) == 0 || available(m) == 0);
    }

    /** @return true if the member's pending earns are sorted, each positive, and sum to its pending points. */
    private boolean pendingAgrees(final int m)
    {
        long sum = 0;
        for (int i = 0; i < pendingCount(m); i++)
        {
            if (pendingPoints(m, i) <= 0 || (i > 0 && pendingAt(m, i - 1) > pendingAt(m, i)))
            {
                return false;
            }
            sum += pendingPoints(m, i);
        }
        return sum == pending(m);
    }

    /** @return the id of the member at an index if it is a member of the program probed for (ids are per program). */
    private String idAt(final long index)
    {
        return program((int)index) == probeSlot ? id[(int)index] : null;
    }

    /** A member's key is (program, id): the first program's members hash as the id alone (older journals). */
    private static long keyHash(final int programSlot, final String id)
    {
        final long h = IdIndex.hash(id);
        return programSlot == 0 ? h : Hashing.mix(h, programSlot);
    }

    long hash(final long seed, final LotStore lots)
    {
        long h = Hashing.mix(seed, count);
        for (int m = 0; m < count; m++)
        {
            h = hash(h, m, lots);
        }
        return h;
    }

    /** Mixes one member's state into a state hash, field by field in the order of the first build (journals). */
    private long hash(final long seed, final int m, final LotStore lots)
    {
        long h = Hashing.mix(seed, id[m]);
        if (program(m) != 0)
        {
            h = Hashing.mix(h, program(m));
        }
        h = Hashing.mix(h, birthday[m]);
        h = Hashing.mix(h, referrer[m]);
        h = Hashing.mix(h, enrolledAt[m]);
        h = Hashing.mix(h, status(m));
        h = Hashing.mix(h, tier(m));
        h = Hashing.mix(h, available(m));
        h = Hashing.mix(h, owed(m));
        h = Hashing.mix(h, held(m));
        h = Hashing.mix(h, lifetimeEarned(m));
        h = Hashing.mix(h, pending(m));
        for (int j = 0; j < pendingCount(m); j++)
        {
            h = Hashing.mix(h, pendingAt(m, j));
            h = Hashing.mix(h, pendingPoints(m, j));
            h = Hashing.mix(h, pendingEarnedAt(m, j));
            h = Hashing.mix(h, pendingRequest(m, j));
        }
        h = Hashing.mix(h, recentCount(m));
        h = Hashing.mix(h, firstEarn(m));
        h = Hashing.mix(h, bonusLotId[m]);
        h = Hashing.mix(h, bonusPoints[m]);
        h = Hashing.mix(h, referrerBonusLotId[m]);
        h = Hashing.mix(h, referrerBonusPoints[m]);
        h = Hashing.mix(h, bonusesReversed[m] ? 1 : 0);
        h = Hashing.mix(h, nextBirthdayAt(m));
        h = Hashing.mix(h, lastMonth(m));
        final long[] chunk = historyChunk(m);
        if (null != chunk)
        {
            for (int k = historyBase(m), end = k + HISTORY; k < end; k++)
            {
                h = Hashing.mix(h, chunk[k]);
            }
        }
        h = Hashing.mix(h, year(m));
        h = Hashing.mix(h, nextEvaluationAt(m));
        h = Hashing.mix(h, floorTier[m]);
        h = Hashing.mix(h, floorUntil[m]);
        h = Hashing.mix(h, purchaseDay(m));
        h = Hashing.mix(h, purchaseDayPoints[m]);
        h = Hashing.mix(h, lotCount(m));
        for (int lot = firstLot(m); lot >= 0; lot = lots.nextOpen.get(lot))
        {
            h = Hashing.mix(h, lot);
        }
        return h;
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * The members (snapshot format 3): the ids in index order, then column after column, then the history blocks and
     * the pending earns. A member's open lots are written with the lots ({@link LotStore#nextOpen}) and its expiry
     * groups not at all: they are its lots' points summed by expiry, rebuilt when the lots are read.
     */
    void writeTo(final SnapshotOutput out)
    {
        out.writeInt(id.length);
        out.writeInt(count);
        for (int m = 0; m < count; m++)
        {
            out.writeString(id[m]);
        }
        writeInts(out, PROGRAM, id.length);
        out.writeInts(birthday, count);
        out.writeInts(referrer, count);
        out.writeLongs(enrolledAt, count);
        writeInts(out, STATUS, id.length);
        writeInts(out, TIER, id.length);
        writeLongs(out, AVAILABLE, id.length);
        writeLongs(out, OWED, id.length);
        writeLongs(out, HELD, id.length);
        writeLongs(out, LIFETIME_EARNED, id.length);
        writeInts(out, RECENT_COUNT, id.length);
        writeLongs(out, FIRST_EARN, id.length);
        out.writeInts(bonusLot, count);
        out.writeLongs(bonusLotId, count);
        out.writeLongs(bonusPoints, count);
        out.writeInts(referrerBonusLot, count);
        out.writeLongs(referrerBonusLotId, count);
        out.writeLongs(referrerBonusPoints, count);
        out.writeBooleans(bonusesReversed, count);
        writeLongs(out, NEXT_BIRTHDAY_AT, id.length);
        writeInts(out, LAST_MONTH, id.length);
        writeInts(out, YEAR, id.length);
        writeLongs(out, NEXT_EVALUATION_AT, id.length);
        out.writeInts(floorTier, count);
        out.writeLongs(floorUntil, count);
        writeInts(out, PURCHASE_DAY, id.length);
        out.writeLongs(purchaseDayPoints, count);
        writeInts(out, LOT_COUNT, id.length);
        writeInts(out, FIRST_LOT, id.length);
        writeInts(out, LAST_LOT, id.length);
        writeHistory(out);
        writePending(out);
    }

    /** Each member's block number, then the blocks in number order, chunk by chunk. */
    private void writeHistory(final SnapshotOutput out)
    {
        writeInts(out, HISTORY_SLOT, id.length);
        out.writeInt(historySlots);
        for (int chunk = 0, left = historySlots; left > 0; chunk++, left -= HISTORY_CHUNK)
        {
            out.writeLongs(historyChunks[chunk], Math.min(left, HISTORY_CHUNK) * HISTORY);
        }
    }

    /** Each member's pending points and count, then all pending earns, member after member, field after field. */
    private void writePending(final SnapshotOutput out)
    {
        writeLongs(out, PENDING, id.length);
        writeInts(out, PENDING_COUNT, id.length);
        long total = 0;
        for (int m = 0; m < count; m++)
        {
            total += pendingCount(m);
        }
        out.beginLongs(total * PENDING_FIELDS);
        for (int m = 0; m < count; m++)
        {
            if (pendingCount(m) > 0)
            {
                out.appendLongs(pendings[m], 0, pendingCount(m) * PENDING_FIELDS);
            }
        }
    }

    /**
     * Reads the members back into this empty store, indexing them by key as they were enrolled. Their open lots and
     * expiry groups are not known until the lots are read ({@link LotStore#readFrom}), which checks and rebuilds them.
     *
     * @param expected members to make room for, at least.
     */
    void readFrom(final SnapshotInput in, final int programs, final int expected)
    {
        final long start = in.position();
        final int capacity = in.readInt();
        final int members = in.readInt();
        if (!(count == 0 && members >= 0 && capacity >= members && capacity > 0))
        {
            throw in.impossible(start, members + " members in " + capacity + " places");
        }
        final int room = Math.max(capacity, expected);
        id = new String[room];
        clearRows();
        growRows(room);
        byId = new IdIndex(Math.max(members, expected));
        for (int m = 0; m < members; m++)
        {
            final long at = in.position();
            final String read = in.readString();
            if (null == read)
            {
                throw in.impossible(at, "member " + m + " without an id");
            }
            id[m] = read;
        }
        readInts(in, PROGRAM, members, room);
        for (int m = 0; m < members; m++)
        {
            if (!(program(m) >= 0 && program(m) < programs))
            {
                throw in.impossible(start, "member " + id[m] + " of program slot " + program(m));
            }
            probeSlot = program(m);
            if (byId.putIfAbsent(id[m], keyHash(program(m), id[m]), m, idAt) >= 0)
            {
                throw in.impossible(start, "member " + id[m] + " of program slot " + program(m) + " twice");
            }
        }
        count = members;
        readColumns(in, start, room);
        readHistory(in, start, room);
        readPending(in, start, room);
    }

    private void readColumns(final SnapshotInput in, final long start, final int room)
    {
        final int n = count;
        birthday = ints(in, n, room);
        referrer = ints(in, n, room);
        for (int m = 0; m < n; m++)
        {
            if (!(referrer[m] >= -1 && referrer[m] < m))
            {
                throw in.impossible(start, "member " + id[m] + " referred by member " + referrer[m]);
            }
        }
        enrolledAt = longs(in, n, room);
        readInts(in, STATUS, n, room);
        readInts(in, TIER, n, room);
        readLongs(in, AVAILABLE, n, room);
        readLongs(in, OWED, n, room);
        readLongs(in, HELD, n, room);
        readLongs(in, LIFETIME_EARNED, n, room);
        readInts(in, RECENT_COUNT, n, room);
        readLongs(in, FIRST_EARN, n, room);
        bonusLot = ints(in, n, room);
        bonusLotId = longs(in, n, room);
        bonusPoints = longs(in, n, room);
        referrerBonusLot = ints(in, n, room);
        referrerBonusLotId = longs(in, n, room);
        referrerBonusPoints = longs(in, n, room);
        bonusesReversed = in.readBooleans(n, room);
        readLongs(in, NEXT_BIRTHDAY_AT, n, room);
        readInts(in, LAST_MONTH, n, room);
        readInts(in, YEAR, n, room);
        readLongs(in, NEXT_EVALUATION_AT, n, room);
        floorTier = ints(in, n, room);
        floorUntil = longs(in, n, room);
        readInts(in, PURCHASE_DAY, n, room);
        purchaseDayPoints = longs(in, n, room);
        readInts(in, LOT_COUNT, n, room);
        readInts(in, FIRST_LOT, n, room);
        readInts(in, LAST_LOT, n, room);
        groups = new long[room][];
    }

    private void readHistory(final SnapshotInput in, final long start, final int room)
    {
        readInts(in, HISTORY_SLOT, count, room);
        final long at = in.position();
        historySlots = in.readInt();
        if (!(historySlots >= 0 && historySlots <= count))
        {
            throw in.impossible(at, historySlots + " history blocks for " + count + " members");
        }
        historyChunks = new long[Math.max(4, (historySlots + HISTORY_CHUNK - 1) / HISTORY_CHUNK)][];
        for (int chunk = 0, left = historySlots; left > 0; chunk++, left -= HISTORY_CHUNK)
        {
            historyChunks[chunk] = in.readLongs(HISTORY_CHUNK * HISTORY);
            if (!(historyChunks[chunk].length == HISTORY_CHUNK * HISTORY &&
                in.used() == Math.min(left, HISTORY_CHUNK) * HISTORY))
            {
                throw in.impossible(at, "history chunk " + chunk);
            }
        }
        final boolean[] given = new boolean[historySlots];
        for (int m = 0; m < count; m++)
        {
            final int slot = historySlot(m);
            if (!(slot >= -1 && slot < historySlots && (slot < 0 || !given[slot])))
            {
                throw in.impossible(start, "member " + id[m] + "'s history block " + slot);
            }
            if (slot >= 0)
            {
                given[slot] = true;
            }
        }
    }

    private void readPending(final SnapshotInput in, final long start, final int room)
    {
        readLongs(in, PENDING, count, room);
        readInts(in, PENDING_COUNT, count, room);
        pendings = new long[room][];
        long total = 0;
        for (int m = 0; m < count; m++)
        {
            if (pendingCount(m) < 0 || pendingCount(m) > Integer.MAX_VALUE / PENDING_FIELDS / 2)
            {
                throw in.impossible(start, "member " + id[m] + "'s " + pendingCount(m) + " pending earns");
            }
            total += pendingCount(m);
        }
        final long at = in.position();
        if (in.beginLongs() != total * PENDING_FIELDS)
        {
            throw in.impossible(at, "pending earns other than the members' " + total);
        }
        for (int m = 0; m < count; m++)
        {
            final int n = pendingCount(m);
            if (n > 0)
            {
                pendings[m] = new long[Math.max(2, Integer.highestOneBit(n - 1) << 1) * PENDING_FIELDS];
                in.readLongs(pendings[m], 0, n * PENDING_FIELDS);
            }
        }
    }

    private static int[] ints(final SnapshotInput in, final int count, final int room)
    {
        final long at = in.position();
        final int[] column = in.readInts(room);
        if (!(in.used() == count && column.length == room))
        {
            throw in.impossible(at, "a member column of " + in.used() + " entries in " + column.length + " for " +
                count + " members");
        }
        return column;
    }

    private static long[] longs(final SnapshotInput in, final int count, final int room)
    {
        final long at = in.position();
        final long[] column = in.readLongs(room);
        if (!(in.used() == count && column.length == room))
        {
            throw in.impossible(at, "a member column of " + in.used() + " entries in " + column.length + " for " +
                count + " members");
        }
        return column;
    }
}
