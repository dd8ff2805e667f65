package io.jifen.ledger.core;

/**
 * A member's lifecycle segment, from the recency and frequency of its qualifying earns (thresholds in the program's
 * {@code lifecycle} section). Computed on read and at each earn, never stored. The code is stable (API).
 */
public enum Segment
{
    /** Enrolled within lifecycle.newDays. */
    NEW(1, "new"),
    /** At least lifecycle.activeEarns qualifying earns within lifecycle.activeDays. */
    ACTIVE(2, "active"),
    /** Not active, but a qualifying earn within lifecycle.atRiskDays. */
    AT_RISK(3, "atRisk"),
    /** None of the above. */
    DORMANT(4, "dormant");

    private static final Segment[] VALUES = values();

    private final int code;
    private final String text;

    Segment(final int code, final String text)
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

    /** Every segment's bit: a campaign that names no segment applies to all. */
    public static final int ALL = 0b11110;

    /** @return the segment named so in a program file, or null. */
    public static Segment fromText(final String text)
    {
        for (final Segment s : VALUES)
        {
            if (EnumNames.matches(text, s.text, "SEGMENT_")) // atRisk, AT_RISK or SEGMENT_AT_RISK
            {
                return s;
            }
        }
        return null;
    }
}
