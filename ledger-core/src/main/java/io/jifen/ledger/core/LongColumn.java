package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A column of longs, one per slot, kept in chunks of {@link #CHUNK} entries. Growth adds chunks and never copies: a
 * store of 50M lots grown by doubling arrays copied gigabytes on the writing thread at each doubling (and a replay of
 * 6M records spent a sixth of its time growing the lots), and no chunk comes near Java's array limit. A slot's entry
 * costs one shift and one mask more than an array's; the chunk table stays in the first-level cache.
 */
final class LongColumn
{
    static final int SHIFT = 14;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    private long[][] chunks = new long[0][];
    private int capacity;

    LongColumn(final int capacity)
    {
        ensure(capacity);
    }

    long get(final int i)
    {
        return chunks[i >>> SHIFT][i & MASK];
    }

    void set(final int i, final long value)
    {
        chunks[i >>> SHIFT][i & MASK] = value;
    }

    void add(final int i, final long delta)
    {
        chunks[i >>> SHIFT][i & MASK] += delta;
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
            chunks = Arrays.copyOf(chunks, Math.max(count, chunks.length << 1));
        }
        for (int c = capacity >>> SHIFT; c < count; c++)
        {
            chunks[c] = new long[CHUNK];
        }
        capacity = Math.max(capacity, count << SHIFT);
    }

    /** Writes entries {@code [0, used)} as one array of the column's capacity (snapshot format 3's arrays). */
    void writeTo(final SnapshotOutput out, final int used)
    {
        out.beginArray(capacity, used);
        for (int c = 0, left = used; left > 0; c++, left -= CHUNK)
        {
            out.appendLongs(chunks[c], 0, Math.min(left, CHUNK));
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
        for (int c = 0, left = used; left > 0; c++, left -= CHUNK)
        {
            in.readLongs(column.chunks[c], 0, Math.min(left, CHUNK));
        }
        return column;
    }
}
