package io.jifen.ledger.core;

/**
 * String id to a position (a request id to its request-log entry, a member id to its member): an open-addressing
 * table with linear probing over two primitive arrays, the 64-bit hash of each id stored beside its position. A
 * lookup compares hashes in the table and touches an id string only when the hashes match, so a miss (every new
 * write) costs no pointer chasing; removal shifts the probe chain back instead of leaving tombstones. Ids whose hashes
 * collide are still told apart by their strings.
 */
final class IdIndex
{
    private static final long ID_SEED = 0x5265717565737449L;
    private static final long EMPTY = 0;

    private long[] hashes;
    /** position + 1, so 0 marks an empty slot. */
    private long[] positions;
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
        allocate(Integer.highestOneBit(Math.max(16, (int)Math.min(1L << 30, expected * 10L / 7 + 1)) * 2 - 1));
    }

    static long hash(final String id)
    {
        return Hashing.mix(ID_SEED, id);
    }

    private void allocate(final int capacity)
    {
        hashes = new long[capacity];
        positions = new long[capacity];
        mask = capacity - 1;
        resizeAt = (int)(capacity * 0.7);
    }

    /**
     * @param idOf the id stored at a position, to confirm a hash match.
     * @return the position of the id, or -1.
     */
    long find(final String id, final long idHash, final PositionToId idOf)
    {
        int i = (int)idHash & mask;
        long slot;
        while ((slot = positions[i]) != EMPTY)
        {
            if (hashes[i] == idHash && id.equals(idOf.idAt(slot - 1)))
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
    void put(final String id, final long idHash, final long position, final PositionToId idOf)
    {
        int i = (int)idHash & mask;
        long slot;
        while ((slot = positions[i]) != EMPTY)
        {
            if (hashes[i] == idHash && id.equals(idOf.idAt(slot - 1)))
            {
                positions[i] = position + 1;
                return;
            }
            i = (i + 1) & mask;
        }
        hashes[i] = idHash;
        positions[i] = position + 1;
        if (++size > resizeAt)
        {
            rehash(positions.length << 1);
        }
    }

    /**
     * Removes the mapping to exactly this position, if the id still maps to it.
     */
    void remove(final long idHash, final long position)
    {
        int i = (int)idHash & mask;
        long slot;
        while ((slot = positions[i]) != EMPTY)
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
            if (positions[j] == EMPTY)
            {
                break;
            }
            final int home = (int)hashes[j] & mask;
            // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
            final boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays)
            {
                hashes[hole] = hashes[j];
                positions[hole] = positions[j];
                hole = j;
            }
        }
        hashes[hole] = 0;
        positions[hole] = EMPTY;
    }

    private void rehash(final int capacity)
    {
        final long[] oldHashes = hashes;
        final long[] oldPositions = positions;
        allocate(capacity);
        for (int k = 0; k < oldPositions.length; k++)
        {
            if (oldPositions[k] != EMPTY)
            {
                int i = (int)oldHashes[k] & mask;
                while (positions[i] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                hashes[i] = oldHashes[k];
                positions[i] = oldPositions[k];
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
