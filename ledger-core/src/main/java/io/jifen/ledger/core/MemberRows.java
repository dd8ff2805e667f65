package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The member fields nearly every write reads or changes, in rows rather than columns: a member's ints in one row of
 * 16 (64 bytes), its longs in one row of 8, so an apply on one member among millions misses the cache on two rows
 * instead of once per field. A replay of 6M records for 1M members ran about a fifth slower with these fields as
 * columns than with the member objects before them; see benchmarks/README.md. The rows sit in chunks of
 * {@link #ROW_CHUNK} members, given as members enroll: no array past Java's limit, and growth never copies them.
 * {@link MemberStore} keeps the other fields (read at enrollment, at a first earn, or by hand) as columns, and writes
 * these as columns too, so the snapshot format does not depend on the layout.
 */
abstract class MemberRows
{
    private static final int ROW_CHUNK_SHIFT = 14;
    static final int ROW_CHUNK = 1 << ROW_CHUNK_SHIFT;
    private static final int ROW_MASK = ROW_CHUNK - 1;
    private static final int INT_ROW_SHIFT = 4;
    private static final int LONG_ROW_SHIFT = 3;
    /** The fields of a member's int row (16 places; 13 used). */
    static final int STATUS = 0;
    static final int PROGRAM = 1;
    static final int TIER = 2;
    static final int LOT_COUNT = 3;
    static final int FIRST_LOT = 4;
    static final int LAST_LOT = 5;
    static final int GROUP_COUNT = 6;
    static final int HISTORY_SLOT = 7;
    static final int PENDING_COUNT = 8;
    static final int YEAR = 9;
    static final int LAST_MONTH = 10;
    static final int RECENT_COUNT = 11;
    static final int PURCHASE_DAY = 12;
    /** The fields of a member's long row (8 places). */
    static final int AVAILABLE = 0;
    static final int OWED = 1;
    static final int HELD = 2;
    static final int LIFETIME_EARNED = 3;
    static final int NEXT_EVALUATION_AT = 4;
    static final int PENDING = 5;
    static final int FIRST_EARN = 6;
    static final int NEXT_BIRTHDAY_AT = 7;
    private int[][] intRows = new int[0][];
    private long[][] longRows = new long[0][];

    /** Drops every row: a store about to be read from a snapshot. */
    final void clearRows()
    {
        intRows = new int[0][];
        longRows = new long[0][];
    }

    /** Gives the rows of members up to {@code capacity} (exclusive) their chunks. */
    final void growRows(final int capacity)
    {
        final int chunks = (capacity + ROW_MASK) >>> ROW_CHUNK_SHIFT;
        if (chunks > intRows.length)
        {
            intRows = Arrays.copyOf(intRows, chunks);
            longRows = Arrays.copyOf(longRows, chunks);
        }
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            if (null == intRows[chunk])
            {
                intRows[chunk] = new int[ROW_CHUNK << INT_ROW_SHIFT];
                longRows[chunk] = new long[ROW_CHUNK << LONG_ROW_SHIFT];
            }
        }
    }

    private int intField(final int m, final int field)
    {
        return intRows[m >>> ROW_CHUNK_SHIFT][((m & ROW_MASK) << INT_ROW_SHIFT) + field];
    }

    private void intField(final int m, final int field, final int value)
    {
        intRows[m >>> ROW_CHUNK_SHIFT][((m & ROW_MASK) << INT_ROW_SHIFT) + field] = value;
    }

    private long longField(final int m, final int field)
    {
        return longRows[m >>> ROW_CHUNK_SHIFT][((m & ROW_MASK) << LONG_ROW_SHIFT) + field];
    }

    private void longField(final int m, final int field, final long value)
    {
        longRows[m >>> ROW_CHUNK_SHIFT][((m & ROW_MASK) << LONG_ROW_SHIFT) + field] = value;
    }

    int status(final int m)
    {
        return intField(m, STATUS);
    }

    void status(final int m, final int value)
    {
        intField(m, STATUS, value);
    }

    /** The slot of the member's program. */
    int program(final int m)
    {
        return intField(m, PROGRAM);
    }

    void program(final int m, final int value)
    {
        intField(m, PROGRAM, value);
    }

    int tier(final int m)
    {
        return intField(m, TIER);
    }

    void tier(final int m, final int value)
    {
        intField(m, TIER, value);
    }

    /** The member's open lots: how many, and the ends of their list through the lots ({@link LotStore#nextOpen}). */
    int lotCount(final int m)
    {
        return intField(m, LOT_COUNT);
    }

    void addLotCount(final int m, final int delta)
    {
        intField(m, LOT_COUNT, intField(m, LOT_COUNT) + delta);
    }

    int firstLot(final int m)
    {
        return intField(m, FIRST_LOT);
    }

    void firstLot(final int m, final int value)
    {
        intField(m, FIRST_LOT, value);
    }

    int lastLot(final int m)
    {
        return intField(m, LAST_LOT);
    }

    void lastLot(final int m, final int value)
    {
        intField(m, LAST_LOT, value);
    }

    /** How many expiry groups the member has (see groupAt). */
    int groupCount(final int m)
    {
        return intField(m, GROUP_COUNT);
    }

    void groupCount(final int m, final int value)
    {
        intField(m, GROUP_COUNT, value);
    }

    /**
     * What the member's tiers and lifecycle segment are computed from, in a block of {@link #HISTORY} longs given at
     * its first earn: tier points of the last 13 months (a ring up to lastMonth), of the last three calendar years
     * (newest first, from year), and the instants of its latest qualifying earns (newest first, recentCount of them).
     * The member's block number, or -1; the blocks sit in chunks of {@link #HISTORY_CHUNK} (no array per member, and
     * no single array past Java's limit).
     */
    int historySlot(final int m)
    {
        return intField(m, HISTORY_SLOT);
    }

    void historySlot(final int m, final int value)
    {
        intField(m, HISTORY_SLOT, value);
    }

    int pendingCount(final int m)
    {
        return intField(m, PENDING_COUNT);
    }

    void pendingCount(final int m, final int value)
    {
        intField(m, PENDING_COUNT, value);
    }

    void addPendingCount(final int m, final int delta)
    {
        intField(m, PENDING_COUNT, intField(m, PENDING_COUNT) + delta);
    }

    /** The last year and the last month tier points were counted in (see {@link #historySlot}). */
    int year(final int m)
    {
        return intField(m, YEAR);
    }

    void year(final int m, final int value)
    {
        intField(m, YEAR, value);
    }

    int lastMonth(final int m)
    {
        return intField(m, LAST_MONTH);
    }

    void lastMonth(final int m, final int value)
    {
        intField(m, LAST_MONTH, value);
    }

    /** How many instants of latest qualifying earns the history holds. */
    int recentCount(final int m)
    {
        return intField(m, RECENT_COUNT);
    }

    void recentCount(final int m, final int value)
    {
        intField(m, RECENT_COUNT, value);
    }

    /** The program-local day of the member's last purchase earn (the points it earned: purchaseDayPoints). */
    int purchaseDay(final int m)
    {
        return intField(m, PURCHASE_DAY);
    }

    void purchaseDay(final int m, final int value)
    {
        intField(m, PURCHASE_DAY, value);
    }

    long available(final int m)
    {
        return longField(m, AVAILABLE);
    }

    void available(final int m, final long value)
    {
        longField(m, AVAILABLE, value);
    }

    void addAvailable(final int m, final long delta)
    {
        longField(m, AVAILABLE, longField(m, AVAILABLE) + delta);
    }

    /** Points a reversed earn could not claw back: taken from the next credits. */
    long owed(final int m)
    {
        return longField(m, OWED);
    }

    void owed(final int m, final long value)
    {
        longField(m, OWED, value);
    }

    void addOwed(final int m, final long delta)
    {
        longField(m, OWED, longField(m, OWED) + delta);
    }

    /** Points in the member's open holds: debited from its lots, not yet captured or released. */
    long held(final int m)
    {
        return longField(m, HELD);
    }

    void addHeld(final int m, final long delta)
    {
        longField(m, HELD, longField(m, HELD) + delta);
    }

    long lifetimeEarned(final int m)
    {
        return longField(m, LIFETIME_EARNED);
    }

    void addLifetimeEarned(final int m, final long delta)
    {
        longField(m, LIFETIME_EARNED, longField(m, LIFETIME_EARNED) + delta);
    }

    long nextEvaluationAt(final int m)
    {
        return longField(m, NEXT_EVALUATION_AT);
    }

    void nextEvaluationAt(final int m, final long value)
    {
        longField(m, NEXT_EVALUATION_AT, value);
    }

    /** Points of pending earns (the earns themselves: pendingAt and the like). */
    long pending(final int m)
    {
        return longField(m, PENDING);
    }

    void addPending(final int m, final long delta)
    {
        longField(m, PENDING, longField(m, PENDING) + delta);
    }

    /** The request position of the member's first qualifying earn (-1: none yet); its bonuses are columns. */
    long firstEarn(final int m)
    {
        return longField(m, FIRST_EARN);
    }

    void firstEarn(final int m, final long value)
    {
        longField(m, FIRST_EARN, value);
    }

    long nextBirthdayAt(final int m)
    {
        return longField(m, NEXT_BIRTHDAY_AT);
    }

    void nextBirthdayAt(final int m, final long value)
    {
        longField(m, NEXT_BIRTHDAY_AT, value);
    }

    /**
     * Writes the row field {@code field} of every member as one array of {@code capacity} entries, as snapshot format
     * 3 has the member fields, a chunk of rows at a time.
     */
    final void writeInts(final SnapshotOutput out, final int field, final int capacity)
    {
        final int count = count();
        out.beginArray(capacity, count);
        final int[] scratch = new int[Math.min(ROW_CHUNK, Math.max(count, 1))];
        for (int chunk = 0, left = count; left > 0; chunk++, left -= ROW_CHUNK)
        {
            final int n = Math.min(left, ROW_CHUNK);
            final int[] rows = intRows[chunk];
            for (int k = 0; k < n; k++)
            {
                scratch[k] = rows[(k << INT_ROW_SHIFT) + field];
            }
            out.appendInts(scratch, 0, n);
        }
    }

    final void writeLongs(final SnapshotOutput out, final int field, final int capacity)
    {
        final int count = count();
        out.beginArray(capacity, count);
        final long[] scratch = new long[Math.min(ROW_CHUNK, Math.max(count, 1))];
        for (int chunk = 0, left = count; left > 0; chunk++, left -= ROW_CHUNK)
        {
            final int n = Math.min(left, ROW_CHUNK);
            final long[] rows = longRows[chunk];
            for (int k = 0; k < n; k++)
            {
                scratch[k] = rows[(k << LONG_ROW_SHIFT) + field];
            }
            out.appendLongs(scratch, 0, n);
        }
    }

    /**
     * Reads an array {@link #writeInts} wrote into the row field {@code field} of members {@code [0, count)}, a chunk
     * at a time; the rows must have room for them.
     *
     * @param room the places the store reads into: the array's written capacity must fit.
     */
    final void readInts(final SnapshotInput in, final int field, final int count, final int room)
    {
        checkColumn(in, count, room);
        final int[] scratch = new int[Math.min(ROW_CHUNK, Math.max(count, 1))];
        for (int chunk = 0, left = count; left > 0; chunk++, left -= ROW_CHUNK)
        {
            final int n = Math.min(left, ROW_CHUNK);
            in.readInts(scratch, 0, n);
            final int[] rows = intRows[chunk];
            for (int k = 0; k < n; k++)
            {
                rows[(k << INT_ROW_SHIFT) + field] = scratch[k];
            }
        }
    }

    final void readLongs(final SnapshotInput in, final int field, final int count, final int room)
    {
        checkColumn(in, count, room);
        final long[] scratch = new long[Math.min(ROW_CHUNK, Math.max(count, 1))];
        for (int chunk = 0, left = count; left > 0; chunk++, left -= ROW_CHUNK)
        {
            final int n = Math.min(left, ROW_CHUNK);
            in.readLongs(scratch, 0, n);
            final long[] rows = longRows[chunk];
            for (int k = 0; k < n; k++)
            {
                rows[(k << LONG_ROW_SHIFT) + field] = scratch[k];
            }
        }
    }

    private static void checkColumn(final SnapshotInput in, final int count, final int room)
    {
        final long at = in.position();
        final int capacity = in.beginArray();
        if (!(in.used() == count && capacity <= room))
        {
            throw in.impossible(at, "a member column of " + in.used() + " entries in " + capacity + " for " +
                count + " members in " + room + " places");
        }
    }

    /** @return how many members there are. */
    abstract int count();
}
