package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A column of ints, one per slot, kept in chunks of {@link #CHUNK} entries: growth adds chunks and never copies (see
 * {@link LongColumn}). Its chunks are allocated as the column grows: the lots' int fields (member, list links) are set
 * for every lot.
 */
final class IntColumn
{
    static final int SHIFT = 14;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    private int[][] chunks = new int[0][];
    private int capacity;

    IntColumn(final int capacity)
    {
        ensure(capacity);
    }

    int get(final int i)
    {
        return chunks[i >>> SHIFT][i & MASK];
    }

    void set(final int i, final int value)
    {
        chunks[i >>> SHIFT][i & MASK] = value;
    }

    void add(final int i, final int delta)
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
            chunks[c] = new int[CHUNK];
        }
        capacity = Math.max(capacity, count << SHIFT);
    }

    /** Writes entries {@code [0, used)} as one array of the column's capacity (snapshot format 3's arrays). */
    void writeTo(final SnapshotOutput out, final int used)
    {
        out.beginArray(capacity, used);
        for (int c = 0, left = used; left > 0; c++, left -= CHUNK)
        {
            out.appendInts(chunks[c], 0, Math.min(left, CHUNK));
        }
    }

    /**
     * @return the column of an array {@link #writeTo} (or {@link SnapshotOutput#writeInts}) wrote, with room for its
     * written capacity or {@code minCapacity} if larger; {@link SnapshotInput#used()} tells how many entries it read.
     */
    static IntColumn readFrom(final SnapshotInput in, final int minCapacity)
    {
        final int written = in.beginArray();
        final int used = in.used();
        final IntColumn column = new IntColumn(Math.max(written, minCapacity));
        for (int c = 0, left = used; left > 0; c++, left -= CHUNK)
        {
            in.readInts(column.chunks[c], 0, Math.min(left, CHUNK));
        }
        return column;
    }
}
