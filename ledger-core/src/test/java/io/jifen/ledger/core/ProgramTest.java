package io.jifen.ledger.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Program files: YAML with every default, the older key = value lines, the canonical text, and an error that names
 * the line, the setting and the reason for every kind of mistake.
 */
class ProgramTest
{
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Test
    void aPointValueIsReadWrittenOnlyWhenSetAndRefusedWhenNotAPositiveDecimal()
    {
        final Program valued = Program.parse("name: shop\nfinance:\n  pointValue: 0.0100\n");
        assertEquals(new java.math.BigDecimal("0.01"), valued.pointValue());
        assertEquals(valued.toText(), Program.parse(valued.toText()).toText(), "its canonical text reads back");
        assertTrue(valued.toText().contains("finance:\n  pointValue: 0.01"), valued.toText());
        final Program plain = Program.parse("name: shop\n");
        assertEquals(null, plain.pointValue());
        assertFalse(plain.toText().contains("finance"), "a program without it keeps the text it had before");
        for (final String bad : new String[] {"0", "-1", "abc", "0.0000001", "1001"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Program.parse("name: shop\nfinance:\n  pointValue: " + bad + "\n"));
            assertTrue(ex.getMessage().contains("finance.pointValue"), ex.getMessage());
        }
    }

    @Test
    void theExampleFileReadsAsWritten() throws IOException
    {
        final Path example = Path.of("..", "docs", "examples", "coffee.yaml");
        final Program p = Program.parse(Files.readString(example, StandardCharsets.UTF_8));
        assertEquals("coffee-club", p.name());
        assertEquals(4, p.version());
        assertEquals(1, p.partnerCount());
        assertEquals("skyway-miles", p.partner(0).program());
        assertEquals(1000, p.partner(0).rateBp());
        assertEquals(500, p.partner(0).minPoints());
        assertEquals(2_000_000, p.partner(0).dailyLimit());
        assertEquals(0, p.partner(0).totalLimit());
        final Program skyway = Program.parse(Files.readString(example.resolveSibling("skyway.yaml"),
            StandardCharsets.UTF_8));
        assertEquals(80_000, skyway.partner("coffee-club").rateBp(), "the partner lists coffee-club back");
        assertEquals(skyway.toText(), Program.parse(skyway.toText()).toText(), "the canonical text reads as itself");
        assertEquals(p.toText(), Program.parse(p.toText()).toText());
        assertEquals(600, p.holdTimeoutSeconds());
        assertEquals("CNY", p.currency());
        assertEquals(1, p.ratePoints());
        assertEquals(100, p.ratePerMinor());
        assertEquals(Program.Rounding.FLOOR, p.rounding());
        assertEquals(10_000, p.tierMultiplierBp(Tier.MEMBER.code()));
        assertEquals(12_000, p.tierMultiplierBp(Tier.SILVER.code()));
        assertEquals(20_000, p.tierMultiplierBp(Tier.PLATINUM.code()));
        assertEquals(5000, p.memberDailyPoints());
        assertEquals(3, p.campaignCount());
        assertEquals(Program.TierWindow.ROLLING_12, p.tierWindow());
        assertEquals(1500, p.keepThreshold(Tier.GOLD.code()));
        assertEquals(7 * 86_400_000L, p.pendingMs());
        assertEquals(30 * 86_400_000L, p.restoreGraceMs());
        assertEquals(200, p.referrerBonus());
        assertEquals(20_000, p.birthdayMultiplierBp());
        final Program.Campaign double11 = p.campaign(0);
        assertEquals("double-11", double11.id());
        assertEquals(20_000, double11.multiplierBp());
        assertEquals(50_000_000, double11.budgetPoints());
        final long start = ZonedDateTime.of(2026, 11, 11, 0, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
        final long end = start + 2 * 3_600_000L;
        final int member = Tier.MEMBER.code();
        final Segment active = Segment.ACTIVE;
        assertTrue(double11.applies(start, Channel.ONLINE.code(), member, active, null));
        assertTrue(double11.applies(end - 1, Channel.APP.code(), member, active, null));
        assertEquals(false, double11.applies(start - 1, Channel.ONLINE.code(), member, active, null));
        assertEquals(false, double11.applies(end, Channel.ONLINE.code(), member, active, null));
        assertEquals(false, double11.applies(start, Channel.STORE.code(), member, active, null));
        final Program.Campaign beans = p.campaign(1);
        final int store = Channel.STORE.code();
        assertTrue(beans.applies(start, store, Tier.SILVER.code(), active, new String[] {"milk", "beans"}));
        assertEquals(false, beans.applies(start, Channel.STORE.code(), member, active, new String[] {"beans"}));
        assertEquals(false, beans.applies(start, store, Tier.GOLD.code(), active, new String[] {"milk"}));
        assertEquals(false, beans.applies(start, Channel.STORE.code(), Tier.GOLD.code(), active, null));
    }

    @Test
    void theCanonicalTextReadsBackToAnEqualProgramAndIgnoresLayout()
    {
        final String text = "name: \"Café \\\"Dragon\\\" club\"\n" +
            "campaigns:\n" +
            "  - {id: a, multiplier: 1.25, start: '2026-01-01T00:00Z', end: 2026-02-01T00:00, categories: ['x y']}\n";
        final Program p = Program.parse(text);
        assertEquals("Café \"Dragon\" club", p.name());
        final Program again = Program.parse(p.toText());
        assertEquals(p, again);
        assertEquals(p.toText(), again.toText());
        final Program empty = Program.parse("# nothing but a comment\n");
        assertEquals(1, empty.version());
        assertEquals(0, Program.defaultProgram().version(), "any file may replace the built-in program");
        assertTrue(Program.defaultProgram().sameRules(empty));
        assertNotEquals(Program.defaultProgram(), empty);
        assertEquals(Program.parse("tiers: {silver: 10, gold: 20, platinum: 30}"),
            Program.parse("tiers:\n  platinum: 30\n  gold: 20\n  silver: 10\n"));
        assertNotEquals(Program.defaultProgram(), Program.parse("version: 2"));
    }

    @Test
    void theOlderKeyValueLinesStillRead()
    {
        final Program legacy = Program.parse(
            "name = coffee-club\nexpiry.zone = UTC\nexpiry.months = 6\ntier.silver = 500\ntier.gold = 2000\n" +
            "tier.platinum = 8000\nlimits.requestRetentionDays = 60\n");
        final Program yaml = Program.parse(
            "name: coffee-club\nzone: UTC\nexpiry: {months: 6}\ntiers: {silver: 500, gold: 2000, platinum: 8000}\n" +
            "limits: {requestRetentionDays: 60}\n");
        assertEquals(yaml, legacy);
        assertError("line 2: unknown key 'tier.diamond'", "name = x\ntier.diamond = 5\n");
        assertError("line 3: 'name' given twice", "name = x\n\nname = y\n");
        assertError("line 2: tiers.silver: not a whole number: 'lots'", "name = x\ntier.silver = lots\n");
    }

    @Test
    void everyMistakeNamesItsLineSettingAndReason()
    {
        assertError("line 3: tiers.goldd: unknown setting", "tiers:\n  gold: 1\n  goldd: 2\n");
        assertError("line 1: colour: unknown setting", "colour: red\n");
        assertError("line 3: expiry.months: 1201 is outside 0..1200", "name: x\nexpiry:\n  months: 1201\n");
        assertError("tier thresholds must not decrease", "tiers: {silver: 10, gold: 5}");
        assertError("line 1: zone: unknown time zone 'Mars/Olympus'", "zone: Mars/Olympus");
        assertError("line 2: earning.currency: must be an ISO 4217 code", "earning:\n  currency: yuan\n");
        assertError("line 2: earning.rounding: must be one of floor, ceiling, half_up, half_even",
            "earning:\n  rounding: up\n");
        assertError("line 3: earning.tierMultipliers.gold: at most four decimals",
            "earning:\n  tierMultipliers:\n    gold: 1.00001\n");
        assertError("line 1: earning.tierMultipliers.gold: 0.5 is outside 1..100",
            "earning: {tierMultipliers: {gold: 0.5}}");
        assertError("line 3: campaigns[0].end: must be after start",
            "campaigns:\n  - {id: a, multiplier: 2, start: 2026-11-11T02:00,\n     end: 2026-11-11T00:00}\n");
        assertError("campaigns[1].id: campaign id 'a' is used twice",
            "campaigns:\n  - {id: a, multiplier: 2, start: 2026-11-11T00:00, end: 2026-11-12T00:00}\n" +
            "  - {id: a, multiplier: 2, start: 2026-11-11T00:00, end: 2026-11-12T00:00}\n");
        assertError("line 2: campaigns[0].channels[1]: must be one of store, online, app (or CHANNEL_STORE, ...); " +
            "got 'tv'",
            "campaigns:\n  - {id: a, multiplier: 2, start: 2026-11-11T00:00, end: 2026-11-12T00:00, " +
            "channels: [app, tv]}\n");
        assertError("campaigns[0].multiplier: every campaign needs a multiplier",
            "campaigns:\n  - {id: a, start: 2026-11-11T00:00, end: 2026-11-12T00:00}\n");
        assertError("campaigns[0].start: not a date and time",
            "campaigns:\n  - {id: a, multiplier: 2, start: tomorrow, end: 2026-11-12T00:00}\n");
        assertError("line 2: holds.timeoutSeconds: must be shorter than limits.requestRetentionDays",
            "holds:\n  timeoutSeconds: 86400\nlimits:\n  requestRetentionDays: 1\n");
        assertError("line 3: tiers.gold: given twice", "tiers:\n  gold: 1\n  gold: 2\n");
        assertError("not valid YAML", "tiers: [unclosed\n");
        assertError("line 1: a program is a mapping", "- a\n- b\n");
        assertError("line 1: schema: 2 is outside 1..1", "schema: 2\n");
        assertError("line 1: tiers.window: must be one of lifetime, rolling12, calendarYear; got 'weekly'",
            "tiers: {window: weekly}");
        assertError("line 1: tiers.evaluation: must be anniversary or a date MM-DD", "tiers: {evaluation: '02-30'}");
        assertError("line 1: tiers.keep.gold: 6000 is outside 0..5000", "tiers: {keep: {gold: 6000}}");
        assertError("line 1: pending.days: must be shorter than limits.requestRetentionDays",
            "pending: {days: 40}\nlimits: {requestRetentionDays: 40}");
        assertError("line 3: partners[0].rate: 0 is outside 0.0001..10000",
            "name: coffee\npartners:\n  - {program: air, rate: 0}\n");
        assertError("partners[0].rate: every partner needs a rate", "partners:\n  - {program: air}\n");
        assertError("partners[0].program: every partner names a program", "partners:\n  - {rate: 2}\n");
        assertError("partners[0].program: a program cannot be its own partner",
            "name: coffee\npartners:\n  - {program: coffee, rate: 2}\n");
        assertError("line 3: partners[1].program: partner 'air' is listed twice",
            "partners:\n  - {program: air, rate: 2}\n  - {program: air, rate: 3}\n");
        assertError("line 2: partners[0].minPoints: 0 is outside 1..1000000000000",
            "partners:\n  - {program: air, rate: 2, minPoints: 0}\n");
        assertError("line 1: name: must be 1..64 characters without control characters", "name: \"a\\tb\"\n");
        assertError("partners[0].dailyLimits: unknown setting",
            "partners:\n  - {program: air, rate: 2, dailyLimits: 5}\n");
    }

    @Test
    void multipliedPointsAreExactAndRoundedByTheRule()
    {
        assertEquals(1, Program.mulDiv(150, 1, 100, Program.Rounding.FLOOR));
        assertEquals(2, Program.mulDiv(150, 1, 100, Program.Rounding.CEILING));
        assertEquals(2, Program.mulDiv(150, 1, 100, Program.Rounding.HALF_UP));
        assertEquals(2, Program.mulDiv(150, 1, 100, Program.Rounding.HALF_EVEN));
        assertEquals(2, Program.mulDiv(250, 1, 100, Program.Rounding.HALF_EVEN));
        assertEquals(3, Program.mulDiv(251, 1, 100, Program.Rounding.HALF_EVEN));
        assertEquals(1, Program.mulDiv(149, 1, 100, Program.Rounding.HALF_UP));
        // past 64 bits: 10^16 × 10^6 / 10^10 = 10^12, exact
        assertEquals(1_000_000_000_000L,
            Program.mulDiv(10_000_000_000_000_000L, 1_000_000, 10_000_000_000L, Program.Rounding.FLOOR));
        assertEquals(1_000_000_000_001L,
            Program.mulDiv(10_000_000_000_000_001L, 1_000_000, 10_000_000_000L, Program.Rounding.CEILING));
        assertEquals(Long.MAX_VALUE, Program.mulDiv(Long.MAX_VALUE, Long.MAX_VALUE, 1, Program.Rounding.FLOOR));
    }

    @Test
    void aProgramTooLongForItsJournalRecordIsRefusedWhenRead()
    {
        final StringBuilder text = new StringBuilder("campaigns:\n");
        for (int i = 0; i < Program.CAMPAIGNS_MAX; i++)
        {
            text.append("  - {id: c").append(i).append(", multiplier: 2, start: 2026-11-01T00:00, ")
                .append("end: 2026-12-01T00:00, categories: [");
            for (int k = 0; k < CommandValidator.CATEGORIES_MAX; k++)
            {
                text.append(k == 0 ? "" : ", ").append("category-").append(k).append("-of-campaign-").append(i);
            }
            text.append("]}\n");
        }
        assertError("a set_program record holds", text.toString());
    }

    private static void assertError(final String expected, final String text)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Program.parse(text));
        assertTrue(ex.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + ex.getMessage());
    }

    /** A program file may name channels, tiers and segments as the .proto does: the same rules either way. */
    @Test
    void enumeratedValuesTakeTheProtosNamesToo()
    {
        final String campaign = "campaigns:\n  - {id: a, multiplier: 2, start: 2026-11-11T00:00, " +
            "end: 2026-11-12T00:00, ";
        final String shortNames = campaign + "channels: [store, app], minTier: gold, segments: [atRisk, dormant]}\n";
        final String protoNames = campaign +
            "channels: [CHANNEL_STORE, APP], minTier: TIER_GOLD, segments: [SEGMENT_AT_RISK, DORMANT]}\n";
        assertTrue(Program.parse(shortNames).sameRules(Program.parse(protoNames)));
        assertFalse(Program.parse(shortNames).sameRules(Program.parse(protoNames.replace("TIER_GOLD", "TIER_SILVER"))),
            "the comparison sees a different tier");
        assertError("line 2: campaigns[0].minTier: must be one of member, silver, gold, platinum " +
            "(or TIER_MEMBER, ...); got 'tier_gold'", protoNames.replace("TIER_GOLD", "tier_gold"));
    }

    /**
     * The first tier evaluation, by the rule: the anniversary a year after the program-local enrollment day, or the
     * first evaluation date on or after it; at the start of that day in the program's zone. Asked for instants in a
     * random order, jumping across days, midnights and the zone's DST changes, a program answers each as a fresh
     * one does (it keeps the answer for the day last asked).
     */
    @Test
    void firstEvaluationFollowsTheEnrollmentDayWhateverWasAskedBefore()
    {
        final ZoneId zone = ZoneId.of("America/Santiago"); // DST changes at midnight: days of 23 and 25 hours
        final java.util.Random random = new java.util.Random(42);
        for (final String evaluation : new String[] {"anniversary", "01-01", "03-31", "12-31"})
        {
            final String text = "name: club\nzone: America/Santiago\ntiers: {evaluation: '" + evaluation + "'}\n";
            final Program warm = Program.parse(text);
            // around each DST change of 2023-2025, every 10 minutes over two days either side, shuffled
            final java.util.List<Long> instants = new java.util.ArrayList<>();
            java.time.zone.ZoneOffsetTransition change = zone.getRules().nextTransition(
                ZonedDateTime.of(2023, 1, 1, 0, 0, 0, 0, zone).toInstant());
            while (change.getInstant().isBefore(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, zone).toInstant()))
            {
                for (long k = -288; k <= 288; k++)
                {
                    instants.add(change.getInstant().toEpochMilli() + k * 600_000 + random.nextInt(3) - 1);
                }
                change = zone.getRules().nextTransition(change.getInstant());
            }
            java.util.Collections.shuffle(instants, random);
            for (int i = 0; i < instants.size(); i++)
            {
                // every other ask up to 26 hours after the one before: within its day, or just past its end
                final long at = i % 2 == 1 ? instants.get(i - 1) + random.nextInt(26 * 3_600_000) : instants.get(i);
                final java.time.LocalDate yearLater = java.time.Instant.ofEpochMilli(at).atZone(zone).toLocalDate()
                    .plusYears(1);
                java.time.LocalDate date = yearLater;
                if (!"anniversary".equals(evaluation))
                {
                    date = java.time.LocalDate.of(yearLater.getYear(), Integer.parseInt(evaluation.substring(0, 2)),
                        Integer.parseInt(evaluation.substring(3)));
                    date = date.isBefore(yearLater) ? date.plusYears(1) : date;
                }
                final long expected = date.atStartOfDay(zone).toInstant().toEpochMilli();
                assertEquals(expected, warm.firstEvaluation(at), evaluation + " enrolled at " + at);
                assertEquals(expected, Program.parse(text).firstEvaluation(at), evaluation + " enrolled at " + at);
            }
        }
    }
}
