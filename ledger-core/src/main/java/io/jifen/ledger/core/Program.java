package io.jifen.ledger.core;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The rules of a membership program that the state machine decides by: tiers, lot expiry, purchase earning with its
 * tier multipliers, campaigns and caps, hold timeouts and the business limits. Its rules never change once parsed (two
 * small calendar caches are the only mutable state, confined to the state machine's thread). Its
 * {@link #toText() canonical text} is what the journal records when a program is put in force, so a replay decides
 * every command under the rules of its time.
 * <p>
 * The file format is YAML, described in {@code docs/program.md} and read by {@link ProgramParser}; the older
 * {@code key = value} lines are still read, so journals written before YAML replay unchanged.
 */
public final class Program
{
    public static final String DEFAULT_NAME = "default";
    /** The version of the file format this build reads and writes. */
    public static final int SCHEMA = 1;
    /** A multiplier of 1 in the program's fixed-point unit (ten-thousandths). */
    public static final long MULTIPLIER_ONE = 10_000;
    public static final int CAMPAIGNS_MAX = 32;
    /** Partner programs one program may list (and programs in one ledger, at most one more). */
    public static final int PARTNERS_MAX = 31;
    /** The id of the earning line the birthday multiplier adds (reserved: no campaign may use it). */
    public static final String BIRTHDAY_LINE = "birthday";
    /** The most recent qualifying earns a member keeps for its lifecycle segment. */
    public static final int ACTIVE_EARNS_MAX = 8;

    private final int version;
    private final String name;
    private final ZoneId zone;
    private final int expiryMonths;
    private final long silverThreshold;
    private final long goldThreshold;
    private final long platinumThreshold;
    private final TierWindow tierWindow;
    /** 0: the membership anniversary; otherwise month * 100 + day. */
    private final int evaluationMonthDay;
    /** Keep-level (保级) thresholds by tier code − 1 (member's is 0). */
    private final long[] keep;
    private final int maxDrop;
    private final int lotsPerMemberMax;
    private final int requestRetentionDays;
    private final int holdTimeoutSeconds;
    private final int pendingDays;
    private final String currency;
    private final String pointValue;
    private final long ratePoints;
    private final long ratePerMinor;
    private final Rounding rounding;
    /** By tier code − 1. */
    private final long[] tierMultiplierBp;
    private final long memberDailyPoints;
    private final long welcomeBonus;
    private final long firstPurchaseBonus;
    private final long referrerBonus;
    private final long referredBonus;
    private final long birthdayMultiplierBp;
    private final long birthdayGift;
    private final boolean reverseBonuses;
    private final int graceDays;
    private final boolean forgiveShortfall;
    private final int newDays;
    private final int activeDays;
    private final int activeEarns;
    private final int atRiskDays;
    private final Campaign[] campaigns;
    private final Partner[] partners;
    private final String text;
    /** The canonical text without the version: what decides whether two programs have the same rules. */
    private final String rules;

    // Expiry cache: every earn within one calendar month of the zone expires at the same instant.
    private long cachedMonthStart = Long.MAX_VALUE;
    private long cachedMonthEnd = Long.MIN_VALUE;
    private long cachedExpiry;
    // Day cache: the program-local day that daily caps count in.
    private long cachedDayStart = Long.MAX_VALUE;
    private long cachedDayEnd = Long.MIN_VALUE;
    private int cachedDay;
    // Month cache: the calendar month tier points are counted in.
    private long cachedTierMonthStart = Long.MAX_VALUE;
    private long cachedTierMonthEnd = Long.MIN_VALUE;
    private int cachedTierMonth;
    // First-evaluation cache: every member enrolled on one program-local day is first evaluated at the same instant.
    private long cachedEnrollDayStart = Long.MAX_VALUE;
    private long cachedEnrollDayEnd = Long.MIN_VALUE;
    private long cachedFirstEvaluation;

    Program(final ProgramSettings b)
    {
        version = b.version;
        name = b.name;
        zone = b.zone;
        expiryMonths = b.expiryMonths;
        silverThreshold = b.silver;
        goldThreshold = b.gold;
        platinumThreshold = b.platinum;
        tierWindow = b.tierWindow;
        evaluationMonthDay = b.evaluationMonthDay;
        keep = new long[] {0, b.keepSilver, b.keepGold, b.keepPlatinum};
        maxDrop = b.maxDrop;
        lotsPerMemberMax = b.lotsPerMemberMax;
        requestRetentionDays = b.requestRetentionDays;
        holdTimeoutSeconds = b.holdTimeoutSeconds;
        pendingDays = b.pendingDays;
        currency = b.currency;
        pointValue = b.pointValue;
        ratePoints = b.ratePoints;
        ratePerMinor = b.ratePerMinor;
        rounding = b.rounding;
        tierMultiplierBp = b.tierMultiplierBp.clone();
        memberDailyPoints = b.memberDailyPoints;
        welcomeBonus = b.welcomeBonus;
        firstPurchaseBonus = b.firstPurchaseBonus;
        referrerBonus = b.referrerBonus;
        referredBonus = b.referredBonus;
        birthdayMultiplierBp = b.birthdayMultiplierBp;
        birthdayGift = b.birthdayGift;
        reverseBonuses = b.reverseBonuses;
        graceDays = b.graceDays;
        forgiveShortfall = b.forgiveShortfall;
        newDays = b.newDays;
        activeDays = b.activeDays;
        activeEarns = b.activeEarns;
        atRiskDays = b.atRiskDays;
        campaigns = b.campaigns.clone();
        partners = null == b.partners ? new Partner[0] : b.partners.clone();
        text = canonicalText();
        rules = text.replace("version: " + version + "\n", "");
    }

    /**
     * The built-in program: tiers at 0 / 1,000 / 5,000 / 20,000 lifetime points; points expire at the end of the
     * month 12 months after they were earned, in China Standard Time; one point per yuan spent (CNY, rounded down);
     * holds time out after 15 minutes; no campaigns or caps. Its version is 0, so any program file (version 1 or
     * more) may replace it.
     */
    public static Program defaultProgram()
    {
        return parse("version: 0");
    }

    /**
     * Parses program text (YAML, or the older {@code key = value} lines). Settings not given keep their defaults.
     *
     * @throws IllegalArgumentException naming the line, the setting and the reason.
     */
    public static Program parse(final String text)
    {
        return ProgramParser.parse(text);
    }

    /**
     * @return the canonical text: every setting in a fixed order, so equal programs have equal text.
     */
    public String toText()
    {
        return text;
    }

    private String canonicalText()
    {
        final StringBuilder sb = new StringBuilder(512);
        appendRules(sb);
        appendEarning(sb);
        appendCampaigns(sb);
        if (partners.length > 0) // absent when none, so programs written before coalitions keep their text
        {
            appendPartners(sb);
        }
        if (null != pointValue) // absent when not set, so programs written before it keep their text
        {
            sb.append("\nfinance:\n  pointValue: ").append(pointValue);
        }
        return sb.append('\n').toString();
    }

    /** Identity, expiry, tiers, limits, holds and pending points. */
    private void appendRules(final StringBuilder sb)
    {
        sb.append("schema: ").append(SCHEMA).append('\n');
        sb.append("version: ").append(version).append('\n');
        sb.append("name: ");
        quote(sb, name).append('\n');
        sb.append("zone: ").append(zone.getId()).append('\n');
        sb.append("expiry:\n  months: ").append(expiryMonths).append('\n');
        sb.append("tiers:\n  silver: ").append(silverThreshold)
            .append("\n  gold: ").append(goldThreshold)
            .append("\n  platinum: ").append(platinumThreshold)
            .append("\n  window: ").append(tierWindow.text())
            .append("\n  evaluation: ").append(evaluationMonthDay == 0 ? "anniversary" :
                "\"" + CommandValidator.formatBirthday(evaluationMonthDay) + "\"")
            .append("\n  keep:\n    silver: ").append(keep[1])
            .append("\n    gold: ").append(keep[2])
            .append("\n    platinum: ").append(keep[3])
            .append("\n  maxDrop: ").append(maxDrop).append('\n');
        sb.append("limits:\n  lotsPerMemberMax: ").append(lotsPerMemberMax)
            .append("\n  requestRetentionDays: ").append(requestRetentionDays).append('\n');
        sb.append("holds:\n  timeoutSeconds: ").append(holdTimeoutSeconds).append('\n');
        sb.append("pending:\n  days: ").append(pendingDays).append('\n');
    }

    /** Purchase earning, caps, bonuses, returns and the lifecycle segments. */
    private void appendEarning(final StringBuilder sb)
    {
        sb.append("earning:\n  currency: ").append(currency)
            .append("\n  points: ").append(ratePoints)
            .append("\n  perMinorUnits: ").append(ratePerMinor)
            .append("\n  rounding: ").append(rounding.text())
            .append("\n  tierMultipliers:")
            .append("\n    member: ").append(multiplierText(tierMultiplierBp[0]))
            .append("\n    silver: ").append(multiplierText(tierMultiplierBp[1]))
            .append("\n    gold: ").append(multiplierText(tierMultiplierBp[2]))
            .append("\n    platinum: ").append(multiplierText(tierMultiplierBp[3])).append('\n');
        sb.append("caps:\n  memberDailyPoints: ").append(memberDailyPoints).append('\n');
        sb.append("bonuses:\n  welcome: ").append(welcomeBonus)
            .append("\n  firstPurchase: ").append(firstPurchaseBonus)
            .append("\n  referrer: ").append(referrerBonus)
            .append("\n  referred: ").append(referredBonus)
            .append("\n  birthdayMultiplier: ").append(multiplierText(birthdayMultiplierBp))
            .append("\n  birthdayGift: ").append(birthdayGift)
            .append("\n  reverseWithFirstPurchase: ").append(reverseBonuses).append('\n');
        sb.append("returns:\n  graceDays: ").append(graceDays)
            .append("\n  shortfall: ").append(forgiveShortfall ? "forgive" : "owe").append('\n');
        sb.append("lifecycle:\n  newDays: ").append(newDays)
            .append("\n  activeDays: ").append(activeDays)
            .append("\n  activeEarns: ").append(activeEarns)
            .append("\n  atRiskDays: ").append(atRiskDays).append('\n');
    }

    private void appendCampaigns(final StringBuilder sb)
    {
        sb.append("campaigns:");
        if (campaigns.length == 0)
        {
            sb.append(" []");
        }
        for (final Campaign c : campaigns)
        {
            sb.append("\n  - id: ");
            quote(sb, c.id);
            sb.append("\n    multiplier: ").append(multiplierText(c.multiplierBp));
            sb.append("\n    start: ").append(instantText(c.start));
            sb.append("\n    end: ").append(instantText(c.end));
            sb.append("\n    channels: [");
            String separator = "";
            for (final Channel channel : Channel.values())
            {
                if ((c.channels & channel.bit()) != 0)
                {
                    sb.append(separator).append(channel.text());
                    separator = ", ";
                }
            }
            sb.append("]\n    categories: [");
            for (int i = 0; i < c.categories.length; i++)
            {
                quote(sb.append(i == 0 ? "" : ", "), c.categories[i]);
            }
            sb.append("]\n    minTier: ").append(Tier.fromCode(c.minTier).name().toLowerCase(java.util.Locale.ROOT));
            sb.append("\n    budgetPoints: ").append(c.budgetPoints);
            sb.append("\n    segments: [");
            String comma = "";
            for (final Segment segment : Segment.values())
            {
                if ((c.segments & segment.bit()) != 0)
                {
                    sb.append(comma).append(segment.text());
                    comma = ", ";
                }
            }
            sb.append(']');
        }
    }

    private void appendPartners(final StringBuilder sb)
    {
        sb.append("\npartners:");
        for (final Partner p : partners)
        {
            sb.append("\n  - program: ");
            quote(sb, p.program);
            sb.append("\n    rate: ").append(multiplierText(p.rateBp));
            sb.append("\n    minPoints: ").append(p.minPoints);
            sb.append("\n    dailyLimit: ").append(p.dailyLimit);
            sb.append("\n    totalLimit: ").append(p.totalLimit);
        }
    }

    private String instantText(final long epochMs)
    {
        return Instant.ofEpochMilli(epochMs).atZone(zone).toOffsetDateTime().toString();
    }

    /** Renders ten-thousandths as a plain decimal: 15000 → "1.5". */
    public static String multiplierText(final long bp)
    {
        return java.math.BigDecimal.valueOf(bp, 4).stripTrailingZeros().toPlainString();
    }

    private static StringBuilder quote(final StringBuilder sb, final String value)
    {
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char ch = value.charAt(i);
            if (ch == '"' || ch == '\\')
            {
                sb.append('\\').append(ch);
            }
            else if (ch < 0x20)
            {
                sb.append(String.format("\\x%02x", (int)ch));
            }
            else
            {
                sb.append(ch);
            }
        }
        return sb.append('"');
    }

    public int version()
    {
        return version;
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

    /** A hold's timeout when the request gives none. */
    public int holdTimeoutSeconds()
    {
        return holdTimeoutSeconds;
    }

    /**
     * @return how long earned points stay pending (not redeemable, removed without a trace by a reversal) before they
     * mature into a lot: the return window; 0 for points available at once.
     */
    public long pendingMs()
    {
        return pendingDays * 86_400_000L;
    }

    /** @return what a point is worth in {@link #currency()} (finance.pointValue), or null if the program says not. */
    public java.math.BigDecimal pointValue()
    {
        return null == pointValue ? null : new java.math.BigDecimal(pointValue);
    }

    /** @return the zone of the program's month ends and days. */
    public ZoneId zone()
    {
        return zone;
    }

    /** The currency purchases are earned in. */
    public String currency()
    {
        return currency;
    }

    public long ratePoints()
    {
        return ratePoints;
    }

    public long ratePerMinor()
    {
        return ratePerMinor;
    }

    public Rounding rounding()
    {
        return rounding;
    }

    /** @return the earning multiplier of a tier, in ten-thousandths. */
    public long tierMultiplierBp(final int tierCode)
    {
        return tierMultiplierBp[tierCode - 1];
    }

    /** @return the most points purchases may earn one member in one program-local day; 0 for no cap. */
    public long memberDailyPoints()
    {
        return memberDailyPoints;
    }

    /**
     * @return how long points a reversed redemption gives back to a lot that expired meanwhile stay usable (as a new
     * lot); 0: they expire again at once.
     */
    public long restoreGraceMs()
    {
        return graceDays * 86_400_000L;
    }

    /**
     * @return true if what a reversal cannot take back from the member is recorded and forgiven (the clawback capped at
     * the balance), false if the member owes it (a negative balance its next credits pay).
     */
    public boolean forgiveShortfall()
    {
        return forgiveShortfall;
    }

    /** Points credited to a member at enrollment. */
    public long welcomeBonus()
    {
        return welcomeBonus;
    }

    /** Points credited with a member's first qualifying earn. */
    public long firstPurchaseBonus()
    {
        return firstPurchaseBonus;
    }

    /** Points credited to the referrer when a referred member's first qualifying earn lands. */
    public long referrerBonus()
    {
        return referrerBonus;
    }

    /** Points credited to a referred member with its first qualifying earn. */
    public long referredBonus()
    {
        return referredBonus;
    }

    /** The multiplier on purchase earning in the member's birthday month, in ten-thousandths. */
    public long birthdayMultiplierBp()
    {
        return birthdayMultiplierBp;
    }

    /** Points credited on the member's birthday. */
    public long birthdayGift()
    {
        return birthdayGift;
    }

    /** Whether reversing a member's first qualifying earn in full claws back the bonuses it triggered. */
    public boolean reverseBonuses()
    {
        return reverseBonuses;
    }

    /**
     * @return the first birthday (00:00 in the zone; 02-29 falls on 02-28 in other years) strictly after {@code after}.
     */
    public long nextBirthday(final int mmdd, final long after)
    {
        final LocalDate day = Instant.ofEpochMilli(after).atZone(zone).toLocalDate();
        for (int year = day.getYear(); ; year++)
        {
            final int month = mmdd / 100;
            final int dom = Math.min(mmdd % 100, java.time.YearMonth.of(year, month).lengthOfMonth());
            final long at = LocalDate.of(year, month, dom).atStartOfDay(zone).toInstant().toEpochMilli();
            if (at > after)
            {
                return at;
            }
        }
    }

    /**
     * @return the segment of a member enrolled at {@code enrolledAt} whose latest qualifying earns (newest first, at
     * most {@link #ACTIVE_EARNS_MAX}) are {@code recent[offset..offset + count)}, at {@code now}.
     */
    public Segment segment(
        final long enrolledAt, final long[] recent, final int offset, final int count, final long now)
    {
        if (now - enrolledAt < newDays * 86_400_000L)
        {
            return Segment.NEW;
        }
        if (earnsInActiveWindow(recent, offset, count, now) >= activeEarns)
        {
            return Segment.ACTIVE;
        }
        return count > 0 && recent[offset] > now - atRiskDays * 86_400_000L ? Segment.AT_RISK : Segment.DORMANT;
    }

    /**
     * @return how many of the latest qualifying earns (at most {@link #ACTIVE_EARNS_MAX}) fall in the last
     * lifecycle.activeDays before {@code now}.
     */
    public int earnsInActiveWindow(final long[] recent, final int offset, final int count, final long now)
    {
        int inWindow = 0;
        for (int i = offset; i < offset + count; i++)
        {
            if (recent[i] > now - activeDays * 86_400_000L)
            {
                inWindow++;
            }
        }
        return inWindow;
    }

    public int campaignCount()
    {
        return campaigns.length;
    }

    public Campaign campaign(final int index)
    {
        return campaigns[index];
    }

    public int partnerCount()
    {
        return partners.length;
    }

    public Partner partner(final int index)
    {
        return partners[index];
    }

    /** @return the partner entry for the program named {@code program}, or null if it is not a partner. */
    public Partner partner(final String program)
    {
        for (final Partner p : partners)
        {
            if (p.program.equals(program))
            {
                return p;
            }
        }
        return null;
    }

    public TierWindow tierWindow()
    {
        return tierWindow;
    }

    public int maxDrop()
    {
        return maxDrop;
    }

    /** @return the tier points that keep a member in {@code tierCode} at an evaluation. */
    public long keepThreshold(final int tierCode)
    {
        return keep[tierCode - 1];
    }

    /** @return the tier points {@code tierCode} needs. */
    public long threshold(final int tierCode)
    {
        return tierCode == Tier.PLATINUM.code() ? platinumThreshold : tierCode == Tier.GOLD.code() ? goldThreshold :
            tierCode == Tier.SILVER.code() ? silverThreshold : 0;
    }

    /**
     * @return the first tier evaluation of a member enrolled at {@code enrolledAt}: a year of membership later on
     * the anniversary, or the first evaluation date at least a year after enrollment. Allocation-free within a day.
     */
    public long firstEvaluation(final long enrolledAt)
    {
        if (enrolledAt >= cachedEnrollDayStart && enrolledAt < cachedEnrollDayEnd)
        {
            return cachedFirstEvaluation;
        }
        final LocalDate enrolled = Instant.ofEpochMilli(enrolledAt).atZone(zone).toLocalDate();
        final LocalDate yearLater = enrolled.plusYears(1);
        LocalDate date = evaluationMonthDay == 0 ? yearLater :
            LocalDate.of(yearLater.getYear(), evaluationMonthDay / 100, evaluationMonthDay % 100);
        if (date.isBefore(yearLater))
        {
            date = date.plusYears(1);
        }
        cachedEnrollDayStart = enrolled.atStartOfDay(zone).toInstant().toEpochMilli();
        cachedEnrollDayEnd = enrolled.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        cachedFirstEvaluation = date.atStartOfDay(zone).toInstant().toEpochMilli();
        return cachedFirstEvaluation;
    }

    /**
     * @return the evaluation after one at {@code evaluatedAt}: the same date a year later.
     */
    public long nextEvaluation(final long evaluatedAt)
    {
        final LocalDate day = Instant.ofEpochMilli(evaluatedAt).atZone(zone).toLocalDate();
        final LocalDate next = evaluationMonthDay == 0 ? day.plusYears(1) :
            LocalDate.of(day.getYear() + 1, evaluationMonthDay / 100, evaluationMonthDay % 100);
        return next.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /**
     * @return the month of an instant in the program's zone, as months since 1970-01.
     */
    public int monthOf(final long at)
    {
        if (at >= cachedTierMonthStart && at < cachedTierMonthEnd)
        {
            return cachedTierMonth;
        }
        final LocalDate monthStart = Instant.ofEpochMilli(at).atZone(zone).toLocalDate().withDayOfMonth(1);
        cachedTierMonthStart = monthStart.atStartOfDay(zone).toInstant().toEpochMilli();
        cachedTierMonthEnd = monthStart.plusMonths(1).atStartOfDay(zone).toInstant().toEpochMilli();
        cachedTierMonth = (monthStart.getYear() - 1970) * 12 + monthStart.getMonthValue() - 1;
        return cachedTierMonth;
    }

    /**
     * @return the tier that qualifying points reach.
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

    /**
     * @return the program-local day of an instant, as days since 1970-01-01 in the program's zone. Allocation-free
     * within one day.
     */
    public int dayOf(final long at)
    {
        if (at >= cachedDayStart && at < cachedDayEnd)
        {
            return cachedDay;
        }
        final LocalDate day = Instant.ofEpochMilli(at).atZone(zone).toLocalDate();
        cachedDayStart = day.atStartOfDay(zone).toInstant().toEpochMilli();
        cachedDayEnd = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        cachedDay = (int)day.toEpochDay();
        return cachedDay;
    }

    /**
     * @return {@code a × b / divisor} rounded by {@code rounding}, exactly, for non-negative {@code a}, {@code b} and a
     * positive divisor (128-bit intermediate; {@link Long#MAX_VALUE} if the quotient does not fit a long).
     */
    public static long mulDiv(final long a, final long b, final long divisor, final Rounding rounding)
    {
        final long high = Math.multiplyHigh(a, b);
        final long low = a * b;
        if (high != 0 || low < 0)
        {
            return slowMulDiv(a, b, divisor, rounding);
        }
        final long q = low / divisor;
        final long r = low - q * divisor;
        return q + rounding.roundUp(q, r, divisor);
    }

    private static long slowMulDiv(final long a, final long b, final long divisor, final Rounding rounding)
    {
        final BigInteger[] qr = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b))
            .divideAndRemainder(BigInteger.valueOf(divisor));
        if (qr[0].bitLength() > 62)
        {
            return Long.MAX_VALUE;
        }
        final long q = qr[0].longValueExact();
        return q + rounding.roundUp(q, qr[1].longValueExact(), divisor);
    }

    /**
     * @return true if the other program decides everything as this one does (their versions may differ).
     */
    public boolean sameRules(final Program other)
    {
        return rules.equals(other.rules);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Program && ((Program)o).text.equals(text);
    }

    @Override
    public int hashCode()
    {
        return text.hashCode();
    }

    @Override
    public String toString()
    {
        return "Program{" + name + " v" + version + "}";
    }

    /**
     * Which tier points qualify: all of a membership's, those of the last 12 months (by calendar month in the
     * program's zone, the current one included), or those of the calendar year.
     */
    public enum TierWindow
    {
        LIFETIME("lifetime"),
        ROLLING_12("rolling12"),
        CALENDAR_YEAR("calendarYear");

        private final String text;

        TierWindow(final String text)
        {
            this.text = text;
        }

        public String text()
        {
            return text;
        }
    }

    /**
     * How computed points are rounded to whole points.
     */
    public enum Rounding
    {
        FLOOR("floor"),
        CEILING("ceiling"),
        HALF_UP("half_up"),
        HALF_EVEN("half_even");

        private final String text;

        Rounding(final String text)
        {
            this.text = text;
        }

        public String text()
        {
            return text;
        }

        /** @return 1 if quotient {@code q} with remainder {@code r} of {@code divisor} rounds up, else 0. */
        int roundUp(final long q, final long r, final long divisor)
        {
            if (r == 0)
            {
                return 0;
            }
            switch (this)
            {
                case CEILING:
                    return 1;
                case HALF_UP:
                    return r >= divisor - r ? 1 : 0;
                case HALF_EVEN:
                    return r > divisor - r || (r == divisor - r && (q & 1) == 1) ? 1 : 0;
                default:
                    return 0;
            }
        }
    }

    /**
     * A campaign: a multiplier on purchase earning within a window of ledger time, for some channels, categories and
     * tiers, with an optional budget of extra points.
     */
    public static final class Campaign
    {
        private final String id;
        private final long multiplierBp;
        private final long start;
        private final long end;
        private final int channels;
        private final String[] categories;
        private final int minTier;
        private final long budgetPoints;
        private final int segments;

        Campaign(
            final String id,
            final long multiplierBp,
            final long start,
            final long end,
            final int channels,
            final String[] categories,
            final int minTier,
            final long budgetPoints,
            final int segments)
        {
            this.segments = segments;
            this.id = id;
            this.multiplierBp = multiplierBp;
            this.start = start;
            this.end = end;
            this.channels = channels;
            this.categories = categories;
            this.minTier = minTier;
            this.budgetPoints = budgetPoints;
        }

        public String id()
        {
            return id;
        }

        public long multiplierBp()
        {
            return multiplierBp;
        }

        /** @return the most extra points the campaign may give in all; 0 for no budget. */
        public long budgetPoints()
        {
            return budgetPoints;
        }

        /**
         * @return true if a purchase at {@code at} through {@code channel} by a member of {@code tier}, naming
         * {@code purchaseCategories}, is in this campaign: start ≤ at &lt; end.
         */
        public boolean applies(
            final long at, final int channel, final int tier, final Segment segment, final String[] purchaseCategories)
        {
            if (at < start || at >= end || (channels & (1 << channel)) == 0 || tier < minTier ||
                (segments & segment.bit()) == 0)
            {
                return false;
            }
            if (categories.length == 0)
            {
                return true;
            }
            if (null != purchaseCategories)
            {
                for (final String wanted : categories)
                {
                    for (final String named : purchaseCategories)
                    {
                        if (wanted.equals(named))
                        {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /**
     * A coalition partner (积分互通): another program of the ledger this program's members may exchange points into,
     * at a rate, with limits on what this program sends it. The partner must list this program too.
     */
    public static final class Partner
    {
        private final String program;
        private final long rateBp;
        private final long minPoints;
        private final long dailyLimit;
        private final long totalLimit;

        Partner(final String program, final long rateBp, final long minPoints, final long dailyLimit,
            final long totalLimit)
        {
            this.program = program;
            this.rateBp = rateBp;
            this.minPoints = minPoints;
            this.dailyLimit = dailyLimit;
            this.totalLimit = totalLimit;
        }

        /** @return the partner program's name. */
        public String program()
        {
            return program;
        }

        /** @return the partner's points per point of this program, in ten-thousandths. */
        public long rateBp()
        {
            return rateBp;
        }

        /** @return the fewest points of this program one exchange may send. */
        public long minPoints()
        {
            return minPoints;
        }

        /** @return the most points of this program its members may send the partner in one day of its zone; 0: none. */
        public long dailyLimit()
        {
            return dailyLimit;
        }

        /** @return the most points of this program its members may send the partner in all; 0: no limit. */
        public long totalLimit()
        {
            return totalLimit;
        }
    }
}
