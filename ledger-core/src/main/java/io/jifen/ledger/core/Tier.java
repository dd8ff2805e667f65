package io.jifen.ledger.core;

/**
 * Membership tiers, lowest first. The ordinal order is the rank; the code is stable (journal and API).
 */
public enum Tier
{
    MEMBER(1),
    SILVER(2),
    GOLD(3),
    PLATINUM(4);

    private static final Tier[] VALUES = values();

    private final int code;

    Tier(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    public static Tier fromCode(final int code)
    {
        if (code < 1 || code > VALUES.length)
        {
            throw new IllegalArgumentException("unknown tier code " + code);
        }
        return VALUES[code - 1];
    }

    public static boolean isValidCode(final int code)
    {
        return code >= 1 && code <= VALUES.length;
    }
}
