package io.jifen.ledger.core;

/**
 * String id to a position (a request id to its request-log entry, a member id to its member): an open-addressing
 * table with linear probing over one primitive array in which each slot is two longs, the 64-bit hash of its id and
 * its position, side by side. A probe reads one cache line for both (two arrays cost two misses a probe on a large
 * table: the request log's and the member index's lookups were a fifth of a replay's time). A lookup touches an id
 * string only when the hashes match, so a miss (every new write) costs no pointer chasing. Ids whose hashes collide
 * are still told apart by their strings.
 * <p>
 * Positions are forgotten oldest first ({@link #forgetBelow}: the request log evicts in order). A forgotten entry is
 * not looked up at its home, which would cost a cache miss per eviction (a tenth of a replay's time): it stops
 * matching at once, a put may take its slot, and a sweep walking the table in order removes it, shifting the probe
 * chain back instead of leaving tombstones. The sweep advances {@link #SWEEP_PER_FORGOTTEN} slots per position
 * forgotten, so forgotten entries never hold more than 1/{@value #SWEEP_PER_FORGOTTEN} of the slots, and it reads the
 * table sequentially (the prefetcher's case) in small steps: no write waits for a walk of the whole table.
 */
final class IdIndex
{
    private static final long ID_SEED = 0x5265717565737449L;
    private static final long EMPTY = 0;
    /** The most slots: two longs each, within one Java array (and 70% of it, the most entries, above every limit). */
    static final int CAPACITY_MAX = 1 << 29;
    /** Slots the sweep walks for each position forgotten: forgotten entries hold at most 1/8 of the table. */
    static final int SWEEP_PER_FORGOTTEN = 8;

    /** Slot i: its id's hash at 2i, its position + 1 at 2i + 1 (0: an empty slot). */
    private long[] slots;
    private int mask;
    private int size;
    private int resizeAt;
    /** Entries of positions below it are forgotten: slot values (position + 1) up to it (0: none forgotten). */
    private long forgotten;
    /** The slot the sweep looks at next. */
    private int sweepAt;

    IdIndex()
    {
        this(1024);
    }

    /**
     * @param expected entries to hold without growing (the table is sized to stay under 70% full).
     */
    IdIndex(final int expected)
    {
        this(expected, 0);
    }

    /**
     * @param expected entries to hold without growing (the table is sized to stay under 70% full).
     * @param firstPosition the first position it will hold: those below were forgotten before (a log restored at
     * its head), and the sweep has nothing to do for them.
     */
    IdIndex(final int expected, final long firstPosition)
    {
        forgotten = firstPosition;
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
            if (slot > forgotten && slots[i << 1] == idHash && id.equals(idOf.idAt(slot - 1)))
            {
                return slot - 1;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

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

    /**
     * Maps the id to a position, replacing the position of an earlier request with the same id.
     */
    void put(final String id, final long idHash, final long position, final PositionToId idOf)
    {
        int i = (int)idHash & mask;
        int reusable = -1;
        long slot;
        while ((slot = slots[(i << 1) + 1]) != EMPTY)
        {
            if (slot <= forgotten)
            {
                // on the id's probe path, so the id is found there; taken only once the id is known to be absent
                reusable = reusable < 0 ? i : reusable;
            }
            else if (slots[i << 1] == idHash && id.equals(idOf.idAt(slot - 1)))
            {
                slots[(i << 1) + 1] = position + 1;
                return;
            }
            i = (i + 1) & mask;
        }
        if (reusable >= 0)
        {
            slots[reusable << 1] = idHash;
            slots[(reusable << 1) + 1] = position + 1;
            return;
        }
        slots[i << 1] = idHash;
        slots[(i << 1) + 1] = position + 1;
        if (++size > resizeAt)
        {
            grow();
        }
    }

    /**
     * Forgets every position below {@code position}: their ids are no longer found, and the sweep, advanced here by
     * {@link #SWEEP_PER_FORGOTTEN} slots for each position newly forgotten, removes their entries.
     */
    void forgetBelow(final long position)
    {
        final long newly = position - forgotten;
        if (newly <= 0)
        {
            return;
        }
        forgotten = position;
        sweep(newly * SWEEP_PER_FORGOTTEN);
    }

    private void sweep(final long slotCount)
    {
        final long[] slots = this.slots;
        final long n = Math.min(slotCount, mask + 1L);
        int i = sweepAt;
        for (long k = 0; k < n; k++)
        {
            final long slot = slots[(i << 1) + 1];
            if (slot != EMPTY && slot <= forgotten)
            {
                shiftBack(i);
                size--;
                // the shift may have moved another entry into slot i: look at it again
            }
            else
            {
                i = (i + 1) & mask;
            }
        }
        sweepAt = i;
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

    private void grow()
    {
        if (mask + 1 >= CAPACITY_MAX)
        {
            // the limits keep every index under 70% of the largest table; past it, probing would never end
            throw new IllegalStateException("an id index of " + CAPACITY_MAX + " slots is full (" + size + " ids)");
        }
        rehash((mask + 1) << 1);
    }

    /** Moves the entries not forgotten into a table of {@code capacity} slots. */
    private void rehash(final int capacity)
    {
        final long[] old = slots;
        allocate(capacity);
        size = 0;
        sweepAt = 0;
        for (int k = 0; k < old.length; k += 2)
        {
            if (old[k + 1] > forgotten)
            {
                int i = (int)old[k] & mask;
                while (slots[(i << 1) + 1] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                slots[i << 1] = old[k];
                slots[(i << 1) + 1] = old[k + 1];
                size++;
            }
        }
    }

    int capacity()
    {
        return mask + 1;
    }

    /** @return the slots taken: entries found by their ids, and forgotten entries the sweep has not removed yet. */
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
