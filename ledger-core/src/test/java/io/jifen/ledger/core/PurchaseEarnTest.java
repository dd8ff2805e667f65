package io.jifen.ledger.core;

import java.util.Arrays;

import io.jifen.ledger.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Earning from a purchase: the program's rate and rounding, the tier multiplier, campaigns on their window edges and
 * filters, campaign budgets and the member's daily cap enforced exactly in the middle of a run of earns, and the
 * journal: every record replays (through its encoded bytes) to the same state.
 */
class PurchaseEarnTest extends LedgerTestSupport
{
    private static final String BASE = "limits: {requestRetentionDays: 3650}\n";
    private static final String DOUBLE_11 = BASE +
        "campaigns:\n" +
        "  - {id: double-11, multiplier: 2, start: 2026-11-11T00:00, end: 2026-11-11T02:00, channels: [online, app]}\n";

    PurchaseEarnTest()
    {
        super(BASE, at(2026, 11, 10, 12));
    }

    @Test
    void theRateAndRoundingMakeTheBasePoints()
    {
        enroll("m1");
        purchase("p1", "m1", 12_399, Channel.STORE);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(123, c.resultPoints);
        assertEquals(123, c.earning.basePoints);
        assertEquals(10_000, c.earning.tierMultiplierBp);
        assertEquals(123, c.balance);
        assertEquals(123, c.lifetimeEarned);
        assertTrue(c.lotId >= 0);

        use(BASE + "earning: {points: 3, perMinorUnits: 200, rounding: half_up}\n");
        enroll("m1");
        purchase("p1", "m1", 100, Channel.STORE);   // 1.5 points
        assertEquals(2, c.resultPoints);
        purchase("p2", "m1", 99, Channel.STORE);    // 1.485 points
        assertEquals(1, c.resultPoints);
    }

    @Test
    void aPurchaseTooSmallForAPointEarnsNothingAndIsStillRecorded()
    {
        enroll("m1");
        purchase("p1", "m1", 99, Channel.STORE);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(0, c.resultPoints);
        assertEquals(-1, c.lotId, "no lot");
        assertEquals(0, c.effects.size());
        assertTrue(c.isJournaled());
        begin(CommandType.REVERSE, "r1", "m1").originalRequestId = "p1";
        send();
        assertEquals(ResultCode.NOTHING_TO_REVERSE, c.result);
    }

    @Test
    void theTierMultiplierAppliesAtTheMembersTierBeforeThisEarn()
    {
        use(BASE + "earning: {tierMultipliers: {silver: 1.25, gold: 1.5}}\ntiers: {silver: 100, gold: 1000}\n");
        enroll("m1");
        purchase("p1", "m1", 100_00, Channel.STORE); // 100 points at ×1 make the member silver
        assertEquals(100, c.resultPoints);
        assertEquals(Tier.SILVER.code(), c.tier);
        purchase("p2", "m1", 100_00, Channel.STORE);
        assertEquals(125, c.resultPoints);
        assertEquals(100, c.earning.basePoints);
        assertEquals(12_500, c.earning.tierMultiplierBp);
        assertEquals(125, c.earning.tierPoints);
        assertEquals(225, c.lifetimeEarned);
    }

    @Test
    void aCampaignAppliesFromItsStartUpToButNotAtItsEnd()
    {
        use(DOUBLE_11);
        enroll("m1");
        now = at(2026, 11, 10, 23, 59) + 59_999;
        purchase("before", "m1", 100_00, Channel.ONLINE);
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.earning.campaignCount());
        now = at(2026, 11, 11, 0, 0);
        purchase("start", "m1", 100_00, Channel.ONLINE);
        assertEquals(200, c.resultPoints);
        assertEquals(1, c.earning.campaignCount());
        assertEquals("double-11", c.earning.campaignId(0));
        assertEquals(20_000, c.earning.multiplierBp(0));
        assertEquals(100, c.earning.points(0));
        purchase("in-store", "m1", 100_00, Channel.STORE);
        assertEquals(100, c.resultPoints, "the campaign is online and app only");
        now = at(2026, 11, 11, 2, 0) - 1;
        purchase("last", "m1", 100_00, Channel.APP);
        assertEquals(200, c.resultPoints);
        now = at(2026, 11, 11, 2, 0);
        purchase("end", "m1", 100_00, Channel.APP);
        assertEquals(100, c.resultPoints);
    }

    @Test
    void campaignsStackInProgramOrderEachOnThePointsSoFar()
    {
        use(BASE + "earning: {rounding: floor}\ncampaigns:\n" +
            "  - {id: a, multiplier: 2, start: 2026-11-01T00:00, end: 2026-12-01T00:00}\n" +
            "  - {id: b, multiplier: 1.5, start: 2026-11-01T00:00, end: 2026-12-01T00:00, categories: [tea]}\n" +
            "  - {id: gold-only, multiplier: 3, start: 2026-11-01T00:00, end: 2026-12-01T00:00, minTier: gold}\n");
        enroll("m1");
        purchase("p1", "m1", 33_33, Channel.STORE, "cups", "tea");
        // 33 base; a: +33 = 66; b: +floor(66 × 0.5) = 33 → 99; gold-only: not a gold member
        assertEquals(99, c.resultPoints);
        assertEquals(2, c.earning.campaignCount());
        assertEquals("a", c.earning.campaignId(0));
        assertEquals(33, c.earning.points(0));
        assertEquals("b", c.earning.campaignId(1));
        assertEquals(15_000, c.earning.multiplierBp(1));
        assertEquals(33, c.earning.points(1));
        purchase("p2", "m1", 33_33, Channel.STORE, "cups");
        assertEquals(66, c.resultPoints);
    }

    @Test
    void aCampaignBudgetRunsOutExactlyInTheMiddleOfARun()
    {
        use(BASE + "campaigns:\n" +
            "  - {id: promo, multiplier: 2, start: 2026-11-01T00:00, end: 2026-12-01T00:00, budgetPoints: 250}\n");
        enroll("m1");
        enroll("m2");
        final long[] granted = new long[4];
        final long[] cut = new long[4];
        for (int i = 0; i < 4; i++)
        {
            purchase("p" + i, i % 2 == 0 ? "m1" : "m2", 100_00, Channel.STORE);
            granted[i] = c.earning.points(0);
            cut[i] = c.earning.budgetCut(0);
            assertEquals(100 + granted[i], c.resultPoints);
        }
        assertEquals("[100, 100, 50, 0]", Arrays.toString(granted));
        assertEquals("[0, 0, 50, 100]", Arrays.toString(cut));

        // putting the same campaign in force again does not refill its budget; a new campaign has its own
        use(programText + "  - {id: promo-2, multiplier: 2, start: 2026-11-01T00:00, end: 2026-12-01T00:00, " +
            "budgetPoints: 10}\n", false);
        purchase("p4", "m1", 100_00, Channel.STORE);
        assertEquals(2, c.earning.campaignCount());
        assertEquals(0, c.earning.points(0));
        assertEquals(10, c.earning.points(1));
        assertEquals(110, c.resultPoints);

        // nor does a program that drops the campaign and a later one that brings it back
        use(BASE + "version: 5\n", false);
        purchase("p5", "m1", 100_00, Channel.STORE);
        assertEquals(100, c.resultPoints);
        use(BASE + "version: 6\ncampaigns:\n" +
            "  - {id: promo, multiplier: 2, start: 2026-11-01T00:00, end: 2026-12-01T00:00, budgetPoints: 260}\n",
            false);
        purchase("p6", "m1", 100_00, Channel.STORE);
        assertEquals(110, c.resultPoints, "a budget raised to 260 has 10 left");
    }

    @Test
    void aBudgetLoweredBelowWhatWasGivenGivesNothingMore()
    {
        use(BASE + "campaigns:\n" +
            "  - {id: promo, multiplier: 2, start: 2026-11-01T00:00, end: 2026-12-01T00:00, budgetPoints: 150}\n");
        enroll("m1");
        purchase("p1", "m1", 100_00, Channel.STORE);
        purchase("p2", "m1", 100_00, Channel.STORE);
        assertEquals(50, c.earning.points(0));
        use(BASE + "version: 2\ncampaigns:\n" +
            "  - {id: promo, multiplier: 2, start: 2026-11-01T00:00, end: 2026-12-01T00:00, budgetPoints: 100}\n",
            false);
        purchase("p3", "m1", 100_00, Channel.STORE);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(100, c.resultPoints, "the tier points, and nothing taken off them");
        assertEquals(0, c.earning.points(0));
        assertEquals(100, c.earning.budgetCut(0));
    }

    @Test
    void everyCampaignAndTheBirthdayLineFitOneEarning()
    {
        final StringBuilder text = new StringBuilder(BASE + "bonuses: {birthdayMultiplier: 2}\ncampaigns:\n");
        for (int i = 0; i < Program.CAMPAIGNS_MAX; i++)
        {
            text.append("  - {id: c").append(i).append(", multiplier: 1, start: 2026-11-01T00:00, ")
                .append("end: 2026-12-01T00:00}\n");
        }
        use(text.toString());
        begin(CommandType.ENROLL, "enroll-m1", "m1").birthday = 1111;
        send();
        purchase("p1", "m1", 100_00, Channel.STORE);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(Program.CAMPAIGNS_MAX + 1, c.earning.campaignCount());
        assertEquals(Program.BIRTHDAY_LINE, c.earning.campaignId(Program.CAMPAIGNS_MAX));
        assertEquals(200, c.resultPoints);
    }

    @Test
    void theDailyCapCutsExactlyAndResetsAtLocalMidnight()
    {
        use(DOUBLE_11 + "caps: {memberDailyPoints: 500}\n");
        enroll("m1");
        now = at(2026, 11, 11, 1, 0);
        purchase("p1", "m1", 150_00, Channel.ONLINE);   // 150 + 150
        assertEquals(300, c.resultPoints);
        assertEquals(0, c.earning.capCut);
        purchase("p2", "m1", 150_00, Channel.ONLINE);   // 300 asked, 200 left today: the campaign's extra is cut first
        assertEquals(200, c.resultPoints);
        assertEquals(100, c.earning.capCut);
        assertEquals(50, c.earning.points(0));
        purchase("p3", "m1", 1_00, Channel.STORE);
        assertEquals(0, c.resultPoints);
        assertEquals(1, c.earning.capCut);
        earn("explicit", "m1", 40);
        assertEquals(ResultCode.OK, c.result, "explicit points are not purchases and are not capped");

        now = at(2026, 11, 12, 0, 0) - 1;
        purchase("p4", "m1", 1_00, Channel.STORE);
        assertEquals(0, c.resultPoints);
        now = at(2026, 11, 12, 0, 0);
        purchase("p5", "m1", 600_00, Channel.STORE);
        assertEquals(500, c.resultPoints);
        assertEquals(100, c.earning.capCut);
        assertEquals(540 + 500, c.balance);
    }

    @Test
    void retriesReplayThePointsAndOtherContentUnderTheSameIdConflicts()
    {
        use(DOUBLE_11);
        enroll("m1");
        now = at(2026, 11, 11, 1, 0);
        purchase("p1", "m1", 100_00, Channel.APP, "shoes");
        final long lot = c.lotId;
        now += 60_000;
        purchase("p1", "m1", 100_00, Channel.APP, "shoes");
        assertTrue(c.replay);
        assertEquals(200, c.resultPoints);
        assertEquals(lot, c.lotId);
        for (final Runnable change : new Runnable[] {
            () -> purchase("p1", "m1", 100_01, Channel.APP, "shoes"),
            () -> purchase("p1", "m1", 100_00, Channel.ONLINE, "shoes"),
            () -> purchase("p1", "m1", 100_00, Channel.APP, "socks"),
            () -> purchase("p1", "m1", 100_00, Channel.APP)})
        {
            change.run();
            assertRejected(ResultCode.REQUEST_ID_CONFLICT);
        }
    }

    @Test
    void aReversedPurchaseTakesBackItsPointsAndItsTierPoints()
    {
        use(DOUBLE_11 + "tiers: {silver: 150}\n");
        enroll("m1");
        now = at(2026, 11, 11, 1, 0);
        purchase("p1", "m1", 100_00, Channel.APP);
        assertEquals(200, c.resultPoints);
        assertEquals(Tier.SILVER.code(), c.tier);
        begin(CommandType.REVERSE, "r1", "m1").originalRequestId = "p1";
        send();
        assertEquals(ResultCode.OK, c.result);
        assertEquals(200, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(0, c.lifetimeEarned);
    }

    @Test
    void badPurchasesAreRefusedAndChangeNothing()
    {
        use(DOUBLE_11 + "earning: {points: 10000, perMinorUnits: 1}\n");
        enroll("m1");
        final long before = ledger.stateHash();
        prepare("p1", "m1", 100, Channel.STORE);
        c.currency = "USD";
        send();
        assertRejected(ResultCode.PURCHASE_CURRENCY_MISMATCH);
        prepare("p2", "m1", 100, Channel.STORE);
        c.points = 5;
        send();
        assertRejected(ResultCode.POINTS_WITH_PURCHASE);
        purchase("p3", "m1", CommandValidator.PURCHASE_AMOUNT_MAX + 1, Channel.STORE);
        assertRejected(ResultCode.PURCHASE_AMOUNT_INVALID);
        prepare("p4", "m1", 100, Channel.STORE);
        c.channel = 0;
        send();
        assertRejected(ResultCode.PURCHASE_CHANNEL_INVALID);
        purchase("p5", "m1", 100, Channel.STORE, "a,b");
        assertRejected(ResultCode.PURCHASE_CATEGORIES_INVALID);
        purchase("p6", "m1", 100, Channel.STORE, " padded");
        assertRejected(ResultCode.PURCHASE_CATEGORIES_INVALID);
        prepare("p7", "m1", 100, Channel.STORE);
        c.currency = "cny";
        send();
        assertRejected(ResultCode.PURCHASE_CURRENCY_INVALID);
        purchase("p8", "m1", 100_000_001, Channel.STORE);  // 10^12 + 10^4 points
        assertRejected(ResultCode.PURCHASE_POINTS_TOO_LARGE);
        purchase("p9", "nobody", 100, Channel.STORE);
        assertRejected(ResultCode.MEMBER_NOT_FOUND);
        assertEquals(before, ledger.stateHash());
        purchase("p1", "m1", 100, Channel.STORE);
        assertEquals(ResultCode.OK, c.result, "a refused request id is free to use");
        assertEquals(1_000_000, c.resultPoints);
    }

    @Test
    void theJournalRecordCarriesThePurchaseAndItsComputation()
    {
        use(DOUBLE_11);
        enroll("m1");
        now = at(2026, 11, 11, 1, 0);
        purchase("p1", "m1", 123_45, Channel.APP, "shoes", "bags");
        final String json = JournalRecord.toJson(new UnsafeBuffer(journal.get(journal.size() - 1)));
        assertTrue(json.contains("\"purchase\":{\"amount_minor\":12345,\"currency\":\"CNY\",\"channel\":\"app\"," +
            "\"categories\":[\"shoes\",\"bags\"],\"base_points\":123,\"tier_multiplier\":\"1\",\"tier_points\":123," +
            "\"campaigns\":[{\"id\":\"double-11\",\"multiplier\":\"2\",\"points\":123,\"budget_cut\":0}]," +
            "\"cap_cut\":0}"), json);
        assertTrue(json.contains("\"chain\":\""), json);
        final Command decoded = new Command();
        JournalRecord.decodeCommand(new UnsafeBuffer(journal.get(journal.size() - 1)), decoded);
        assertEquals(123_45, decoded.purchaseMinor);
        assertEquals("CNY", decoded.currency);
        assertEquals(Channel.APP.code(), decoded.channel);
        assertEquals("[shoes, bags]", Arrays.toString(decoded.categories));
        assertEquals(0, decoded.points);
        assertFalse(decoded.earning.isPresent(), "a replay recomputes the outcome");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Puts a program in force: in a new ledger (fresh), or as a journaled SetProgram on this one. */
    private void use(final String text, final boolean fresh)
    {
        if (fresh)
        {
            use(text);
            return;
        }
        begin(CommandType.SET_PROGRAM, null, null).programText = Program.parse(text).toText();
        send();
        assertEquals(ResultCode.OK, c.result);
    }

    private static long at(final int year, final int month, final int day, final int hour, final int minute)
    {
        return at(year, month, day, hour) + minute * 60_000L;
    }

    private void purchase(
        final String requestId, final String memberId, final long amountMinor, final Channel channel,
        final String... categories)
    {
        prepare(requestId, memberId, amountMinor, channel, categories);
        send();
    }

    private void prepare(
        final String requestId, final String memberId, final long amountMinor, final Channel channel,
        final String... categories)
    {
        begin(CommandType.EARN, requestId, memberId).purchaseMinor = amountMinor;
        c.currency = "CNY";
        c.channel = channel.code();
        c.categories = categories.length == 0 ? null : categories;
        c.orderId = "order-" + requestId;
    }

    private void assertRejected(final ResultCode expected)
    {
        assertEquals(expected, c.result, c::toString);
        assertEquals(0, c.sequence, () -> "a rejected command is not journaled: " + c);
        assertEquals(0, c.effects.size(), () -> "a rejected command has no effects: " + c);
        assertFalse(c.earning.isPresent(), () -> "a rejected command has no computation: " + c);
    }
}
