package io.jifen.ledger.core;

/**
 * Where a purchase happened. The code is stable (journal and API); campaigns select channels by bit.
 */
public enum Channel
{
    STORE(1, "store"),
    ONLINE(2, "online"),
    APP(3, "app");

    /** Every channel's bit: a campaign that names no channel applies to all. */
    public static final int ALL = 0b1110;
    private static final Channel[] VALUES = values();

    private final int code;
    private final String text;

    Channel(final int code, final String text)
    {
        this.code = code;
        this.text = text;
    }

    public int code()
    {
        return code;
    }

    public int bit()
    {
        return 1 << code;
    }

    public String text()
    {
        return text;
    }

    public static boolean isValidCode(final int code)
    {
        return code >= 1 && code <= VALUES.length;
    }

    public static Channel fromCode(final int code)
    {
        if (!isValidCode(code))
        {
            throw new IllegalArgumentException("unknown channel code " + code);
        }
        return VALUES[code - 1];
    }

    /** @return the channel named so in a program file (store, STORE or CHANNEL_STORE), or null. */
    public static Channel fromText(final String text)
    {
        for (final Channel c : VALUES)
        {
            if (EnumNames.matches(text, c.text, "CHANNEL_"))
            {
                return c;
            }
        }
        return null;
    }
}
