package io.jifen.ledger.core;

/**
 * String id to a position (a request id to its request-log entry, a member id to its member): an open-addressing
 * table with linear probing over one primitive array in which each slot is two longs, the 64-bit hash of its id and
 * its position, side by side. A probe reads one cache line for both (two arrays cost two misses a probe on a large
 * table: the request log's and the member index's lookups were a fifth of a replay's time). A lookup touches an id
 * string only when the hashes match, so a miss (every new write) costs no pointer chasing; removal shifts the probe
 * chain back instead of leaving tombstones. Ids whose hashes collide are still told apart by their strings.
 */
final class IdIndex
{
    private static final long ID_SEED = 0x5265717565737449L;
    private static final long EMPTY = 0;
    /** The most slots: two longs each, within one Java array (and 70% of it, the most entries, above every limit). */
    static final int CAPACITY_MAX = 1 << 29;

    /** Slot i: its id's hash at 2i, its position + 1 at 2i + 1 (0: an empty slot). */
    private long[] slots;
    private int mask;
    private int size;
    private int resizeAt;

    IdIndex()
    {
        this(1024);
    }

    /**
     * @param expected entries to hold without growing (the table is sized to stay under 70% full).
     */
    IdIndex(final int expected)
    {
        allocate(Integer.highestOneBit(Math.max(16, (int)Math.min(CAPACITY_MAX, expected * 10L / 7 + 1)) * 2 - 1));
    }

    static long hash(final String id)
    {
        return Hashing.mix(ID_SEED, id);
    }

    private void allocate(final int capacity)
    {
        slots = new long[capacity << 1];
        mask = capacity - 1;
        resizeAt = (int)(capacity * 0.7);
    }

    /**
     * @param idOf the id stored at a position, to confirm a hash match.
     * @return the position of the id, or -1.
     */
    long find(final String id, final long idHash, final PositionToId idOf)
    {
        final long[] slots = this.slots;
        int i = (int)idHash & mask;
        long slot;
        while ((slot = slots[(i << 1) + 1]) != EMPTY)
        {
            if (slots[i << 1] == idHash && id.equals(idOf.idAt(slot - 1)))
            {
                return slot - 1;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /**
     * Maps the id to a position, replacing the position of an earlier request with the same id.
     */
    /**
     * Adds the id at {@code position} unless it is there already.
     *
     * @return the position it already had, or -1 when it was added.
     */
    long putIfAbsent(final String id, final long idHash, final long position, final PositionToId idOf)
    {
        final long found = find(id, idHash, idOf);
        if (found < 0)
        {
            put(id, idHash, position, idOf);
        }
        return found;
    }

    void put(final String id, final long idHash, final long position, final PositionToId idOf)
    {
        int i = (int)idHash & mask;
        long slot;
        while ((slot = slots[(i << 1) + 1]) != EMPTY)
        {
            if (slots[i << 1] == idHash && id.equals(idOf.idAt(slot - 1)))
            {
                slots[(i << 1) + 1] = position + 1;
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i << 1] = idHash;
        slots[(i << 1) + 1] = position + 1;
        if (++size > resizeAt)
        {
            if (mask + 1 >= CAPACITY_MAX)
            {
                // the limits keep every index under 70% of the largest table; past it, probing would never end
                throw new IllegalStateException("an id index of " + CAPACITY_MAX + " slots is full (" + size +
                    " ids)");
            }
            rehash((mask + 1) << 1);
        }
    }

    /**
     * Removes the mapping to exactly this position, if the id still maps to it.
     */
    void remove(final long idHash, final long position)
    {
        int i = (int)idHash & mask;
        long slot;
        while ((slot = slots[(i << 1) + 1]) != EMPTY)
        {
            if (slot == position + 1)
            {
                shiftBack(i);
                size--;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void shiftBack(final int removed)
    {
        int hole = removed;
        int j = removed;
        while (true)
        {
            j = (j + 1) & mask;
            if (slots[(j << 1) + 1] == EMPTY)
            {
                break;
            }
            final int home = (int)slots[j << 1] & mask;
            // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
            final boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays)
            {
                slots[hole << 1] = slots[j << 1];
                slots[(hole << 1) + 1] = slots[(j << 1) + 1];
                hole = j;
            }
        }
        slots[hole << 1] = 0;
        slots[(hole << 1) + 1] = EMPTY;
    }

    private void rehash(final int capacity)
    {
        final long[] old = slots;
        allocate(capacity);
        for (int k = 0; k < old.length; k += 2)
        {
            if (old[k + 1] != EMPTY)
            {
                int i = (int)old[k] & mask;
                while (slots[(i << 1) + 1] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                slots[i << 1] = old[k];
                slots[(i << 1) + 1] = old[k + 1];
            }
        }
    }

    int size()
    {
        return size;
    }

    /**
     * Where the index finds the id of a position.
     */
    @FunctionalInterface
    interface PositionToId
    {
        String idAt(long position);
    }
}
