package io.jifen.ledger.core;

/**
 * A member's standing. Codes are stable (journal and API).
 */
public enum MemberStatus
{
    ACTIVE(1),
    FROZEN(2),
    CLOSED(3);

    private static final MemberStatus[] VALUES = values();

    private final int code;

    MemberStatus(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    public static MemberStatus fromCode(final int code)
    {
        if (code < 1 || code > VALUES.length)
        {
            throw new IllegalArgumentException("unknown member status code " + code);
        }
        return VALUES[code - 1];
    }

    public static boolean isValidCode(final int code)
    {
        return code >= 1 && code <= VALUES.length;
    }
}
