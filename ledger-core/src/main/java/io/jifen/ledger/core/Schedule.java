package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * What the sweep must do, by instant, earliest first: a binary min-heap of (instant, key), where the key is a request
 * position (holds by timeout, pending earns by maturity) or a member index (tier evaluations, birthdays). A write that
 * settles an entry early (a capture, a release, a cancellation, a member's own write) does not take it out; the sweep
 * skips entries already settled when it meets them (lazy deletion), which keeps those writes O(1). Ties are broken by
 * key, so the order is the same on every replay.
 */
final class Schedule
{
    private long[] at = new long[16];
    private long[] positions = new long[16];
    private int size;

    void clear()
    {
        size = 0;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekAt()
    {
        return at[0];
    }

    long peekPosition()
    {
        return positions[0];
    }

    void add(final long instant, final long position)
    {
        if (size == at.length)
        {
            at = Arrays.copyOf(at, size << 1);
            positions = Arrays.copyOf(positions, size << 1);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(instant, position, at[parent], positions[parent]))
            {
                break;
            }
            at[i] = at[parent];
            positions[i] = positions[parent];
            i = parent;
        }
        at[i] = instant;
        positions[i] = position;
    }

    /**
     * Removes the earliest entry.
     */
    void poll()
    {
        final int last = --size;
        final long lastAt = at[last];
        final long lastPosition = positions[last];
        int i = 0;
        while (true)
        {
            int child = (i << 1) + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && before(at[child + 1], positions[child + 1], at[child], positions[child]))
            {
                child++;
            }
            if (!before(at[child], positions[child], lastAt, lastPosition))
            {
                break;
            }
            at[i] = at[child];
            positions[i] = positions[child];
            i = child;
        }
        if (size > 0)
        {
            at[i] = lastAt;
            positions[i] = lastPosition;
        }
    }

    private static boolean before(final long atA, final long positionA, final long atB, final long positionB)
    {
        return atA < atB || (atA == atB && positionA < positionB);
    }

    void writeTo(final SnapshotOutput out)
    {
        out.writeLongs(at, size);
        out.writeLongs(positions, size);
    }

    /** Reads the heap back entry for entry: the sweep meets the same entries, stale ones too, in the same order. */
    void readFrom(final SnapshotInput in)
    {
        final long start = in.position();
        final long[] readAt = in.readLongs();
        final int count = in.used();
        final long[] readPositions = in.readLongs();
        in.check(start, readAt.length == readPositions.length && readAt.length > 0 && in.used() == count,
            "a schedule's arrays differ");
        at = readAt;
        positions = readPositions;
        size = count;
    }
}
