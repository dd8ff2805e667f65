package io.jifen.ledger.core;

/**
 * Capacity limits: how much the ledger may hold in memory. Business limits live in the {@link Program}.
 */
public final class LedgerContext
{
    /** What the arrays can address: lot, member and request tables double in size up to this. */
    public static final int LOTS_MAX_LIMIT = 1 << 30;
    /** The member id index keeps two longs a slot in one array, at most 70% full: 2^28 members fit. */
    public static final int MEMBERS_MAX_LIMIT = 1 << 28;
    /** The request log keeps {@code RequestLog.STRIDE} longs per entry in one array: 2^26 entries fit. */
    public static final int REQUEST_IDS_MAX_LIMIT = 1 << 26;

    private int membersMax = 100_000_000;
    private int expectedRequests = 1024;
    private int expectedLots = 1024;
    private int expectedMembers = 1024;
    private int lotsMax = LOTS_MAX_LIMIT;
    private int requestIdsMax = 8_000_000;

    public LedgerContext membersMax(final int membersMax)
    {
        this.membersMax = membersMax;
        return this;
    }

    public int membersMax()
    {
        return membersMax;
    }

    public LedgerContext lotsMax(final int lotsMax)
    {
        this.lotsMax = lotsMax;
        return this;
    }

    public int lotsMax()
    {
        return lotsMax;
    }

    /**
     * The default limit of remembered request ids for a heap of {@code heapBytes}: one per KiB of heap, rounded down
     * to a power of two, at most 8,000,000. A remembered write costs ~610 bytes (its id, outcome and lot, and a share
     * of its member's state); the rest is room for the request table to double (the table is a power of two, and
     * growing it holds the old and the new table at once). With 8,000,000 on the default 4 GiB heap, the table's
     * growth from 2^22 to 2^23 entries ran the heap out (measured: {@code ledger load --mode client} at 150,000
     * writes a second, the state machine stopped with OutOfMemoryError at 4,194,150 remembered requests); with
     * 2^22 it stops at that size and writes beyond it are refused with RESOURCE_EXHAUSTED.
     */
    public static int requestIdsMaxFor(final long heapBytes)
    {
        final long perKib = Math.max(1024, heapBytes >> 10);
        return (int)Math.min(8_000_000, Long.highestOneBit(Math.min(perKib, REQUEST_IDS_MAX_LIMIT)));
    }

    public LedgerContext requestIdsMax(final int requestIdsMax)
    {
        this.requestIdsMax = requestIdsMax;
        return this;
    }

    public int requestIdsMax()
    {
        return requestIdsMax;
    }

    /**
     * Remembered requests to size the request tables for at start (rounded up to a power of two): growing past it
     * doubles a table on the state machine's thread, a pause proportional to its size. Each costs about 350 bytes up
     * front: its entry (21 longs), its id index slot, and room for a purchase's computation under three campaigns.
     */
    public LedgerContext expectedRequests(final int expectedRequests)
    {
        this.expectedRequests = expectedRequests;
        return this;
    }

    public int expectedRequests()
    {
        return expectedRequests;
    }

    /** Members to size the member tables for at start. */
    public LedgerContext expectedMembers(final int expectedMembers)
    {
        this.expectedMembers = expectedMembers;
        return this;
    }

    public int expectedMembers()
    {
        return expectedMembers;
    }

    /** Lots (open, and closed within the retention window) to size the lot tables for at start. */
    public LedgerContext expectedLots(final int expectedLots)
    {
        this.expectedLots = expectedLots;
        return this;
    }

    public int expectedLots()
    {
        return expectedLots;
    }

    public LedgerContext conclude()
    {
        if (expectedRequests < 16 || expectedRequests > REQUEST_IDS_MAX_LIMIT || expectedLots < 16 ||
            expectedLots > LOTS_MAX_LIMIT || expectedMembers < 16 || expectedMembers > MEMBERS_MAX_LIMIT)
        {
            throw new IllegalArgumentException("invalid expected sizes: requests " + expectedRequests +
                ", lots " + expectedLots + ", members " + expectedMembers);
        }
        // a size to expect never exceeds the limit: no table is sized past what it may ever hold
        expectedRequests = Math.max(16, Math.min(expectedRequests, requestIdsMax));
        expectedMembers = Math.max(16, Math.min(expectedMembers, membersMax));
        expectedLots = Math.max(16, Math.min(expectedLots, lotsMax));
        if (membersMax < 1 || membersMax > MEMBERS_MAX_LIMIT || lotsMax < 1 || lotsMax > LOTS_MAX_LIMIT ||
            requestIdsMax < 1 || requestIdsMax > REQUEST_IDS_MAX_LIMIT)
        {
            throw new IllegalArgumentException("invalid ledger limits: membersMax=" + membersMax +
                " lotsMax=" + lotsMax + " requestIdsMax=" + requestIdsMax);
        }
        return this;
    }

    /**
     * @return a copy with the same limits and the smallest tables: for a ledger whose tables are about to be replaced
     * (read from a snapshot, which sizes them to at least what this context expects).
     */
    LedgerContext withSmallTables()
    {
        return new LedgerContext().membersMax(membersMax).lotsMax(lotsMax).requestIdsMax(requestIdsMax)
            .expectedMembers(16).expectedLots(16).expectedRequests(16).conclude();
    }
}
