package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A column of longs, one per slot, kept in chunks of {@link #CHUNK} entries. Growth adds chunks and never copies: a
 * store of 50M lots grown by doubling arrays copied gigabytes on the writing thread at each doubling (and a replay of
 * 6M records spent ~1.8 s of ~13 s growing the lots), and no chunk comes near Java's array limit. A slot's entry
 * costs one shift and one mask more than an array's; the chunk table stays in the first-level cache.
 * <p>
 * A chunk is allocated when a slot in it is first given a value other than zero, and reads as zeros until then: the
 * lot fields that stay zero for most lots (points expired, shortfall, forgiven, held) cost no memory for them, and a
 * snapshot's run of zeros is read back without allocating.
 */
final class LongColumn
{
    static final int SHIFT = 14;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    /** What a missing chunk writes. */
    private static final long[] ZEROS = new long[CHUNK];

    private long[][] chunks = new long[0][];
    private int capacity;

    LongColumn(final int capacity)
    {
        ensure(capacity);
    }

    long get(final int i)
    {
        final long[] chunk = chunks[i >>> SHIFT];
        return null == chunk ? 0 : chunk[i & MASK];
    }

    void set(final int i, final long value)
    {
        final long[] chunk = chunks[i >>> SHIFT];
        if (null != chunk)
        {
            chunk[i & MASK] = value;
        }
        else if (value != 0)
        {
            allocate(i >>> SHIFT)[i & MASK] = value;
        }
    }

    void add(final int i, final long delta)
    {
        set(i, get(i) + delta);
    }

    private long[] allocate(final int c)
    {
        final long[] chunk = new long[CHUNK];
        chunks[c] = chunk;
        return chunk;
    }

    /** @return the chunks allocated: those with a slot ever set to other than zero. */
    int chunksAllocated()
    {
        int n = 0;
        for (final long[] chunk : chunks)
        {
            n += null == chunk ? 0 : 1;
        }
        return n;
    }

    /** @return the slots the column holds: a multiple of {@link #CHUNK}. */
    int capacity()
    {
        return capacity;
    }

    /** Makes room for slots {@code [0, slots)}. */
    void ensure(final int slots)
    {
        final int count = (int)(((long)slots + MASK) >>> SHIFT);
        if (count > chunks.length)
        {
            chunks = Arrays.copyOf(chunks, count); // exactly: a slot past the capacity fails as in an array
            capacity = count << SHIFT;
        }
    }

    /** Writes entries {@code [0, used)} as one array of the column's capacity (snapshot format 3's arrays). */
    void writeTo(final SnapshotOutput out, final int used)
    {
        out.beginArray(capacity, used);
        for (int c = 0, left = used; left > 0; c++, left -= CHUNK)
        {
            out.appendLongs(null == chunks[c] ? ZEROS : chunks[c], 0, Math.min(left, CHUNK));
        }
    }

    /**
     * @return the column of an array {@link #writeTo} (or {@link SnapshotOutput#writeLongs}) wrote, with room for its
     * written capacity or {@code minCapacity} if larger; {@link SnapshotInput#used()} tells how many entries it read.
     */
    static LongColumn readFrom(final SnapshotInput in, final int minCapacity)
    {
        final int written = in.beginArray();
        final int used = in.used();
        final LongColumn column = new LongColumn(Math.max(written, minCapacity));
        final long[] piece = new long[Math.min(CHUNK, Math.max(used, 1))];
        for (int c = 0, left = used; left > 0; c++, left -= CHUNK)
        {
            final int n = Math.min(left, CHUNK);
            in.readLongs(piece, 0, n);
            for (int k = 0; k < n; k++)
            {
                if (piece[k] != 0)
                {
                    System.arraycopy(piece, 0, column.allocate(c), 0, n);
                    break;
                }
            }
        }
        return column;
    }
}
