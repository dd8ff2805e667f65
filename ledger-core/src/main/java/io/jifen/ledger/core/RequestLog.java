package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The remembered writes: for every request id within the retention window, a fingerprint of its content and its
 * outcome, so a retry returns the original result and a reuse with other content is refused; and, for redemptions,
 * which lots paid for them, so a reversal can put the points back where they came from.
 * <p>
 * A ring of struct-of-arrays entries in arrival order (ledger time never goes back, so the oldest is at the head),
 * growing by doubling up to {@code requestIdsMax}. Positions are absolute and never reused; the array index is the
 * position masked by the current capacity, so growing copies entries without renumbering them.
 */
final class RequestLog
{
    private static final long MISSING = -1;

    private final int capacityMax;
    private final RequestIdIndex index = new RequestIdIndex();
    private final RequestIdIndex.PositionToId idAt = this::idAt;
    private String lastHashedId;
    private long lastIdHash;
    private long head;
    private long tail;
    private int mask;

    private String[] ids;
    private byte[] types;
    private byte[] tiers;
    private byte[] statuses;
    private int[] members;
    private long[] idHashes;
    private long[] fingerprints;
    private long[] timestamps;
    private long[] sequences;
    private long[] points;
    private long[] balances;
    private long[] lifetimes;
    private long[] lotIds;
    private long[] expiresAts;
    private long[] expireds;
    private long[] shortfalls;
    private long[] reverseds;
    private long[] allocStarts;
    private int[] allocCounts;

    // Allocations of redemptions: (lot, amount, restored), also a ring by absolute position.
    private long allocHead;
    private long allocTail;
    private int allocMask;
    private int[] allocLots;
    private long[] allocAmounts;
    private long[] allocRestored;

    RequestLog(final int capacityMax)
    {
        this.capacityMax = capacityMax;
        allocate(Math.min(1024, Integer.highestOneBit(Math.max(capacityMax, 2))));
        allocateAllocations(1024);
    }

    private void allocate(final int capacity)
    {
        final String[] oldIds = ids;
        final long oldMask = mask;
        final byte[] oldTypes = types;
        final byte[] oldTiers = tiers;
        final byte[] oldStatuses = statuses;
        final int[] oldMembers = members;
        final long[] oldIdHashes = idHashes;
        final long[] oldFingerprints = fingerprints;
        final long[] oldTimestamps = timestamps;
        final long[] oldSequences = sequences;
        final long[] oldPoints = points;
        final long[] oldBalances = balances;
        final long[] oldLifetimes = lifetimes;
        final long[] oldLotIds = lotIds;
        final long[] oldExpiresAts = expiresAts;
        final long[] oldExpireds = expireds;
        final long[] oldShortfalls = shortfalls;
        final long[] oldReverseds = reverseds;
        final long[] oldAllocStarts = allocStarts;
        final int[] oldAllocCounts = allocCounts;

        ids = new String[capacity];
        types = new byte[capacity];
        tiers = new byte[capacity];
        statuses = new byte[capacity];
        members = new int[capacity];
        idHashes = new long[capacity];
        fingerprints = new long[capacity];
        timestamps = new long[capacity];
        sequences = new long[capacity];
        points = new long[capacity];
        balances = new long[capacity];
        lifetimes = new long[capacity];
        lotIds = new long[capacity];
        expiresAts = new long[capacity];
        expireds = new long[capacity];
        shortfalls = new long[capacity];
        reverseds = new long[capacity];
        allocStarts = new long[capacity];
        allocCounts = new int[capacity];
        mask = capacity - 1;

        if (null != oldIds)
        {
            for (long p = head; p < tail; p++)
            {
                final int from = (int)(p & oldMask);
                final int to = (int)(p & mask);
                ids[to] = oldIds[from];
                types[to] = oldTypes[from];
                tiers[to] = oldTiers[from];
                statuses[to] = oldStatuses[from];
                members[to] = oldMembers[from];
                idHashes[to] = oldIdHashes[from];
                fingerprints[to] = oldFingerprints[from];
                timestamps[to] = oldTimestamps[from];
                sequences[to] = oldSequences[from];
                points[to] = oldPoints[from];
                balances[to] = oldBalances[from];
                lifetimes[to] = oldLifetimes[from];
                lotIds[to] = oldLotIds[from];
                expiresAts[to] = oldExpiresAts[from];
                expireds[to] = oldExpireds[from];
                shortfalls[to] = oldShortfalls[from];
                reverseds[to] = oldReverseds[from];
                allocStarts[to] = oldAllocStarts[from];
                allocCounts[to] = oldAllocCounts[from];
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

    /**
     * @return the position of the request id if it was stamped at or after {@code cutoff}, or -1: a request older than
     * the retention window is forgotten whether or not its entry has been evicted yet.
     */
    long find(final String requestId, final long cutoff)
    {
        final long position = index.find(requestId, idHash(requestId), idAt);
        return position != MISSING && timestamps[(int)(position & mask)] >= cutoff ? position : MISSING;
    }

    /**
     * The id's hash, computed once for the lookup and the append of the same command.
     */
    private long idHash(final String requestId)
    {
        if (requestId != lastHashedId)
        {
            lastIdHash = RequestIdIndex.hash(requestId);
            lastHashedId = requestId;
        }
        return lastIdHash;
    }

    private String idAt(final long position)
    {
        return ids[(int)(position & mask)];
    }

    int size()
    {
        return (int)(tail - head);
    }

    /**
     * Forgets up to {@code max} of the oldest requests stamped before {@code cutoff}.
     */
    void evictOlderThan(final long cutoff, final int max)
    {
        for (int n = 0; n < max && head < tail; n++)
        {
            final int i = (int)(head & mask);
            if (timestamps[i] >= cutoff)
            {
                return;
            }
            index.remove(idHashes[i], head); // a no-op if a newer request reused the id
            ids[i] = null;
            if (allocCounts[i] > 0)
            {
                allocHead = allocStarts[i] + allocCounts[i];
            }
            head++;
        }
    }

    /**
     * @return false when the log holds requestIdsMax entries, all still within the retention window.
     */
    boolean hasCapacity()
    {
        return size() < capacityMax;
    }

    /**
     * @return true when the log is below requestIdsMax, or its oldest entry is older than {@code cutoff} (forgotten,
     * so the next successful write evicts it before appending).
     */
    boolean hasCapacity(final long cutoff)
    {
        return size() < capacityMax || timestamps[(int)(head & mask)] < cutoff;
    }

    /**
     * Remembers a successful write. Its allocations, if any, were added just before with {@link #addAllocation}.
     */
    void append(final Command c, final long fingerprint, final int memberIndex, final long allocStart)
    {
        assert hasCapacity();
        if (size() == mask + 1)
        {
            allocate((mask + 1) << 1);
        }
        final long position = tail++;
        final int i = (int)(position & mask);
        ids[i] = c.requestId;
        types[i] = (byte)c.type.code();
        tiers[i] = (byte)c.tier;
        statuses[i] = (byte)c.memberStatus;
        members[i] = memberIndex;
        fingerprints[i] = fingerprint;
        timestamps[i] = c.timestamp;
        sequences[i] = c.sequence;
        points[i] = c.resultPoints;
        balances[i] = c.balance;
        lifetimes[i] = c.lifetimeEarned;
        lotIds[i] = c.lotId;
        expiresAts[i] = c.expiresAt;
        expireds[i] = c.expired;
        shortfalls[i] = c.shortfall;
        reverseds[i] = 0;
        allocStarts[i] = allocStart;
        allocCounts[i] = (int)(allocTail - allocStart);
        idHashes[i] = idHash(c.requestId);
        index.put(c.requestId, idHashes[i], position, idAt);
    }

    /**
     * Writes the remembered outcome at a position into a command, as the answer to a retry.
     */
    void fillResult(final long position, final Command c)
    {
        final int i = (int)(position & mask);
        c.sequence = sequences[i];
        c.timestamp = timestamps[i];
        c.resultPoints = points[i];
        c.balance = balances[i];
        c.lifetimeEarned = lifetimes[i];
        c.tier = tiers[i];
        c.memberStatus = statuses[i];
        c.lotId = lotIds[i];
        c.expiresAt = expiresAts[i];
        c.expired = expireds[i];
        c.shortfall = shortfalls[i];
    }

    long fingerprint(final long position)
    {
        return fingerprints[(int)(position & mask)];
    }

    int type(final long position)
    {
        return types[(int)(position & mask)];
    }

    int member(final long position)
    {
        return members[(int)(position & mask)];
    }

    /** The points the original write moved: what a reversal may undo. */
    long points(final long position)
    {
        return points[(int)(position & mask)];
    }

    long lotId(final long position)
    {
        return lotIds[(int)(position & mask)];
    }

    long reversed(final long position)
    {
        return reverseds[(int)(position & mask)];
    }

    void addReversed(final long position, final long amount)
    {
        reverseds[(int)(position & mask)] += amount;
    }

    long allocStart(final long position)
    {
        return allocStarts[(int)(position & mask)];
    }

    int allocCount(final long position)
    {
        return allocCounts[(int)(position & mask)];
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

    long hash(final long seed)
    {
        long h = Hashing.mix(seed, head);
        h = Hashing.mix(h, tail);
        for (long p = head; p < tail; p++)
        {
            final int i = (int)(p & mask);
            h = Hashing.mix(h, ids[i]);
            h = Hashing.mix(h, types[i]);
            h = Hashing.mix(h, members[i]);
            h = Hashing.mix(h, fingerprints[i]);
            h = Hashing.mix(h, timestamps[i]);
            h = Hashing.mix(h, sequences[i]);
            h = Hashing.mix(h, points[i]);
            h = Hashing.mix(h, balances[i]);
            h = Hashing.mix(h, reverseds[i]);
            h = Hashing.mix(h, allocCounts[i]);
        }
        for (long p = allocHead; p < allocTail; p++)
        {
            final int i = (int)(p & allocMask);
            h = Hashing.mix(h, allocLots[i]);
            h = Hashing.mix(h, allocAmounts[i]);
            h = Hashing.mix(h, allocRestored[i]);
        }
        return h;
    }

    @Override
    public String toString()
    {
        return "RequestLog{size=" + size() + ", capacity=" + (mask + 1) + ", max=" + capacityMax +
            ", allocations=" + (allocTail - allocHead) + "}" + Arrays.toString(new long[] {head, tail});
    }
}
