package io.jifen.ledger.core;

/**
 * What a {@link Command} asks for. The code is part of the journal format (docs/journal-format.md): never reuse or
 * renumber one.
 */
public enum CommandType
{
    ENROLL(1, true),
    EARN(2, true),
    REDEEM(3, true),
    REVERSE(4, true),
    ADJUST(5, true),
    SET_STATUS(6, true),
    /** Expires due lots, at most {@link Command#limit} of them: the periodic sweep on ledger time. */
    EXPIRE_TICK(7, false),
    /** Replaces the program in force; journaled so a replay decides under the rules of its time. */
    SET_PROGRAM(8, false),
    /** Reserves points for an order (checkout): taken from lots like a redemption, held until captured or released. */
    // 9 is the journal's tail-discarded marker (JournalRecord.TYPE_TAIL_DISCARDED), never a command
    HOLD(10, true),
    /** Redeems all or part of a hold; the rest is released. */
    CAPTURE_HOLD(11, true),
    /** Gives a hold's points back to the lots they came from. */
    RELEASE_HOLD(12, true),
    /** Sets a member's tier by hand, a floor until a date that evaluations do not go below. */
    SET_TIER(13, true),
    /** Moves points from one member to another (family pooling), soonest-expiring first, keeping their expiry. */
    TRANSFER(14, true),
    /** Converts a member's points into points of a partner program's member at the partners' rate (coalition). */
    EXCHANGE(15, true),
    /**
     * Migration: one row of another system's ledger, a lot with its original earned-at and expiry and the tier points
     * it counted, the member enrolled first if absent.
     */
    IMPORT(16, true),
    GET_BALANCE(20, false),
    CHECK_TIER(21, false),
    LIST_LOTS(22, false),
    GET_MEMBER(23, false),
    /** Members of a program with points expiring within a window: a page of them (reminder campaigns). */
    LIST_EXPIRING(24, false);

    private static final CommandType[] BY_CODE = new CommandType[32];

    static
    {
        for (final CommandType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final boolean idempotentWrite;

    CommandType(final int code, final boolean idempotentWrite)
    {
        this.code = code;
        this.idempotentWrite = idempotentWrite;
    }

    public int code()
    {
        return code;
    }

    /**
     * @return true for the writes a client sends with a request id (remembered for retries).
     */
    public boolean isIdempotentWrite()
    {
        return idempotentWrite;
    }

    /**
     * @return true for the queries: they change nothing and are never journaled.
     */
    public boolean isRead()
    {
        return this == GET_BALANCE || this == CHECK_TIER || this == LIST_LOTS || this == GET_MEMBER ||
            this == LIST_EXPIRING;
    }

    public static CommandType fromCode(final int code)
    {
        final CommandType type = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (null == type)
        {
            throw new IllegalArgumentException("unknown command type code " + code);
        }
        return type;
    }
}
