package io.jifen.ledger.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rules of a membership program that the state machine decides by: tier thresholds, lot expiry and the
 * business limits. Its rules never change once parsed (a small expiry cache is the only mutable state, confined
 * to the state machine's thread). Its {@link #toText() canonical text} is what the journal records when a program is
 * put in force, so a replay decides every command under the rules of its time.
 * <p>
 * The file format is {@code key = value} lines ({@code #} starts a comment); unknown keys are errors, so a typo
 * never silently leaves a default in force. The richer program language (earning rules, campaigns, pending points)
 * extends this class.
 */
public final class Program
{
    public static final String DEFAULT_NAME = "default";

    private final String name;
    private final ZoneId zone;
    private final int expiryMonths;
    private final long silverThreshold;
    private final long goldThreshold;
    private final long platinumThreshold;
    private final int lotsPerMemberMax;
    private final int requestRetentionDays;

    // Expiry cache: every earn within one calendar month of the zone expires at the same instant.
    private long cachedMonthStart = Long.MAX_VALUE;
    private long cachedMonthEnd = Long.MIN_VALUE;
    private long cachedExpiry;

    private Program(final Map<String, String> values, final int[] lines)
    {
        name = values.get("name");
        zone = parseZone(values.get("expiry.zone"), lines[1]);
        expiryMonths = (int)parseLong(values.get("expiry.months"), "expiry.months", 0, 1200, lines[2]);
        silverThreshold = parseLong(values.get("tier.silver"), "tier.silver", 0, Ledger.POINTS_MAX, lines[3]);
        goldThreshold = parseLong(values.get("tier.gold"), "tier.gold", 0, Ledger.POINTS_MAX, lines[4]);
        platinumThreshold = parseLong(values.get("tier.platinum"), "tier.platinum", 0, Ledger.POINTS_MAX, lines[5]);
        lotsPerMemberMax = (int)parseLong(
            values.get("limits.lotsPerMemberMax"), "limits.lotsPerMemberMax", 1, 1_000_000, lines[6]);
        requestRetentionDays = (int)parseLong(
            values.get("limits.requestRetentionDays"), "limits.requestRetentionDays", 1, 3650, lines[7]);
        if (!(silverThreshold <= goldThreshold && goldThreshold <= platinumThreshold))
        {
            throw new IllegalArgumentException(
                "line " + lines[3] + ": tier thresholds must not decrease: silver <= gold <= platinum");
        }
        if (name.isEmpty() || name.length() > 64)
        {
            throw new IllegalArgumentException("line " + lines[0] + ": name must be 1..64 characters");
        }
    }

    private static final String[] KEYS = {
        "name", "expiry.zone", "expiry.months", "tier.silver", "tier.gold", "tier.platinum",
        "limits.lotsPerMemberMax", "limits.requestRetentionDays"};

    /**
     * The built-in program: tiers at 0 / 1,000 / 5,000 / 20,000 lifetime points; points expire at the end of the
     * month 12 months after they were earned, in China Standard Time.
     */
    public static Program defaultProgram()
    {
        return parse(
            "name = default\n" +
            "expiry.zone = Asia/Shanghai\n" +
            "expiry.months = 12\n" +
            "tier.silver = 1000\n" +
            "tier.gold = 5000\n" +
            "tier.platinum = 20000\n" +
            "limits.lotsPerMemberMax = 10000\n" +
            "limits.requestRetentionDays = 35\n");
    }

    /**
     * Parses program text. Keys not given keep the default program's values.
     *
     * @throws IllegalArgumentException naming the line and the reason.
     */
    public static Program parse(final String text)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("name", DEFAULT_NAME);
        values.put("expiry.zone", "Asia/Shanghai");
        values.put("expiry.months", "12");
        values.put("tier.silver", "1000");
        values.put("tier.gold", "5000");
        values.put("tier.platinum", "20000");
        values.put("limits.lotsPerMemberMax", "10000");
        values.put("limits.requestRetentionDays", "35");
        final int[] lines = new int[KEYS.length];
        final String[] rows = text.split("\n", -1);
        for (int i = 0; i < rows.length; i++)
        {
            final String row = rows[i].strip();
            if (row.isEmpty() || row.startsWith("#"))
            {
                continue;
            }
            final int eq = row.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'key = value', got '" + row + "'");
            }
            final String key = row.substring(0, eq).strip();
            final String value = row.substring(eq + 1).strip();
            int keyIndex = -1;
            for (int k = 0; k < KEYS.length; k++)
            {
                if (KEYS[k].equals(key))
                {
                    keyIndex = k;
                }
            }
            if (keyIndex < 0)
            {
                throw new IllegalArgumentException(
                    "line " + (i + 1) + ": unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (lines[keyIndex] != 0)
            {
                throw new IllegalArgumentException("line " + (i + 1) + ": '" + key + "' given twice");
            }
            lines[keyIndex] = i + 1;
            values.put(key, value);
        }
        return new Program(values, lines);
    }

    private static ZoneId parseZone(final String value, final int line)
    {
        try
        {
            return ZoneId.of(value);
        }
        catch (final DateTimeException ex)
        {
            throw new IllegalArgumentException("line " + line + ": expiry.zone: unknown time zone '" + value + "'");
        }
    }

    private static long parseLong(final String value, final String key, final long min, final long max, final int line)
    {
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("line " + line + ": " + key + ": not a whole number: '" + value + "'");
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(
                "line " + line + ": " + key + ": " + parsed + " is outside " + min + ".." + max);
        }
        return parsed;
    }

    /**
     * @return the canonical text: every key in a fixed order, so equal programs have equal text.
     */
    public String toText()
    {
        return "name = " + name + "\n" +
            "expiry.zone = " + zone.getId() + "\n" +
            "expiry.months = " + expiryMonths + "\n" +
            "tier.silver = " + silverThreshold + "\n" +
            "tier.gold = " + goldThreshold + "\n" +
            "tier.platinum = " + platinumThreshold + "\n" +
            "limits.lotsPerMemberMax = " + lotsPerMemberMax + "\n" +
            "limits.requestRetentionDays = " + requestRetentionDays + "\n";
    }

    public String name()
    {
        return name;
    }

    public int lotsPerMemberMax()
    {
        return lotsPerMemberMax;
    }

    public long requestRetentionMs()
    {
        return requestRetentionDays * 86_400_000L;
    }

    /**
     * @return the tier that lifetime qualifying points reach.
     */
    public Tier tierFor(final long lifetimeQualifyingPoints)
    {
        if (lifetimeQualifyingPoints >= platinumThreshold)
        {
            return Tier.PLATINUM;
        }
        if (lifetimeQualifyingPoints >= goldThreshold)
        {
            return Tier.GOLD;
        }
        if (lifetimeQualifyingPoints >= silverThreshold)
        {
            return Tier.SILVER;
        }
        return Tier.MEMBER;
    }

    /**
     * The instant points earned at {@code earnedAt} expire: the start of the month after the month that lies
     * {@code expiry.months} after the earning month, in the program's zone. Points are usable strictly before it.
     * Allocation-free within one calendar month (the common case on the hot path).
     */
    public long expiresAt(final long earnedAt)
    {
        if (earnedAt >= cachedMonthStart && earnedAt < cachedMonthEnd)
        {
            return cachedExpiry;
        }
        final LocalDate day = Instant.ofEpochMilli(earnedAt).atZone(zone).toLocalDate();
        final LocalDate monthStart = day.withDayOfMonth(1);
        final long start = monthStart.atStartOfDay(zone).toInstant().toEpochMilli();
        final long end = monthStart.plusMonths(1).atStartOfDay(zone).toInstant().toEpochMilli();
        final ZonedDateTime expiry = monthStart.plusMonths(expiryMonths + 1L).atStartOfDay(zone);
        cachedExpiry = expiry.toInstant().toEpochMilli();
        cachedMonthStart = start;
        cachedMonthEnd = end;
        return cachedExpiry;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Program && ((Program)o).toText().equals(toText());
    }

    @Override
    public int hashCode()
    {
        return toText().hashCode();
    }

    @Override
    public String toString()
    {
        return "Program{" + toText().replace('\n', ';') + "}";
    }
}
