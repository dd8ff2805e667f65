package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiers qualified in a window: upgrade the moment a threshold is crossed, downgrade only at an evaluation, kept at
 * the keep-level threshold (保级), at most maxDrop tiers down, never below a tier set by hand until its date; reversed
 * earns take their tier points out of the month they were counted in. Every case replays from its journal bytes.
 */
class TierEvaluationTest extends LedgerTestSupport
{
    private static final String ROLLING = "limits: {requestRetentionDays: 3650}\n" +
        "tiers: {silver: 1000, gold: 5000, platinum: 20000, window: rolling12, evaluation: anniversary,\n" +
        "  keep: {gold: 4000, platinum: 15000}, maxDrop: 1}\n";

    TierEvaluationTest()
    {
        super(ROLLING, at(2026, 1, 15, 10));
    }

    @Test
    void anUpgradeIsImmediateAndTheBalanceSaysWhatComesNext()
    {
        enroll("m1");
        earn("e1", "m1", 4_999);
        assertEquals(Tier.SILVER.code(), c.tier);
        earn("e2", "m1", 1);
        assertEquals(Tier.GOLD.code(), c.tier, "crossing 5000 upgrades at once");
        balance("m1");
        assertEquals(5_000, c.tierPoints);
        assertEquals(15_000, c.nextTierPoints);
        assertEquals(at(2027, 1, 15, 0), c.nextEvaluationAt, "the first anniversary");
    }

    @Test
    void pointsOlderThanTwelveMonthsLeaveTheWindowButTheTierWaitsForTheEvaluation()
    {
        enroll("m1");
        earn("e1", "m1", 6_000); // January 2026: gold
        now = at(2026, 12, 31, 23);
        balance("m1");
        assertEquals(6_000, c.tierPoints, "January 2026 is still inside the 12 months ending December 2026");
        now = at(2027, 1, 1, 0);
        balance("m1");
        assertEquals(0, c.tierPoints);
        assertEquals(Tier.GOLD.code(), c.tier, "no downgrade before the evaluation");
    }

    @Test
    void theKeepLevelThresholdKeepsTheTierAtTheEvaluation()
    {
        enroll("m1");
        earn("e1", "m1", 5_000); // gold in January 2026
        now = at(2026, 3, 1, 10);
        earn("e2", "m1", 4_000); // counts in the window ending January 2027
        now = at(2027, 1, 15, 0);
        sweep();
        assertEffects("tier -1 3");
        balance("m1");
        assertEquals(Tier.GOLD.code(), c.tier, "4000 in the window: kept gold at the keep level (保级)");
        assertEquals(at(2028, 1, 15, 0), c.nextEvaluationAt);
        assertFalse(ledger.hasDueLots(now));
    }

    @Test
    void belowTheKeepLevelTheTierDropsAtMostMaxDropLevels()
    {
        enroll("m1");
        earn("e1", "m1", 25_000); // platinum
        now = at(2026, 3, 1, 10);
        earn("e2", "m1", 100);
        now = at(2027, 1, 15, 0) + 1;
        redeem("r1", "m1", 1); // the write evaluates first
        assertEffects("tier -1 3; debit 0 1");
        assertEquals(Tier.GOLD.code(), c.tier, "100 points qualify for member, but one level down at most");
        now = at(2028, 1, 15, 0);
        sweep();
        balance("m1");
        assertEquals(Tier.SILVER.code(), c.tier);
    }

    @Test
    void aReversedEarnTakesItsTierPointsOutOfItsMonthButDowngradesOnlyAtTheEvaluation()
    {
        enroll("m1");
        earn("e1", "m1", 3_000);
        now = at(2026, 6, 1, 10);
        earn("e2", "m1", 3_000);
        assertEquals(Tier.GOLD.code(), c.tier);
        reverse("x1", "m1", "e2");
        assertEquals(Tier.GOLD.code(), c.tier);
        balance("m1");
        assertEquals(3_000, c.tierPoints);
        now = at(2027, 1, 15, 0);
        sweep();
        balance("m1");
        assertEquals(Tier.SILVER.code(), c.tier);
    }

    @Test
    void aTierSetByHandIsAFloorUntilItsDate()
    {
        enroll("m1");
        setTier("t1", "m1", Tier.PLATINUM, at(2027, 6, 1, 0));
        assertEquals(Tier.PLATINUM.code(), c.tier);
        final String json = io.jifen.ledger.journal.JournalRecord.toJson(
            new org.agrona.concurrent.UnsafeBuffer(journal.get(journal.size() - 1)));
        assertTrue(json.contains("\"floor_until_ms\":" + at(2027, 6, 1, 0)) &&
            json.contains("\"tier\":\"platinum\""), json);
        balance("m1");
        assertEquals(Tier.PLATINUM.code(), c.floorTier);
        assertEquals(at(2027, 6, 1, 0), c.floorUntil);
        now = at(2027, 1, 15, 0);
        sweep();
        balance("m1");
        assertEquals(Tier.PLATINUM.code(), c.tier, "the floor holds at the 2027 evaluation");
        now = at(2028, 1, 15, 0);
        sweep();
        balance("m1");
        assertEquals(Tier.GOLD.code(), c.tier, "after its date the floor is gone");
        assertEquals(0, c.floorUntil);

        setTier("t2", "m1", Tier.MEMBER, 0);
        assertEquals(Tier.MEMBER.code(), c.tier, "a tier set by hand may also lower it, with no floor");
        begin(CommandType.SET_TIER, "t3", "m1");
        c.requestedTier = 9;
        send();
        assertEquals(ResultCode.TIER_INVALID, c.result);
    }

    @Test
    void aCalendarYearProgramEvaluatesOnTheYearThatEnded()
    {
        use("limits: {requestRetentionDays: 3650}\ntiers: {silver: 100, gold: 500, window: calendarYear, " +
            "evaluation: '01-01', maxDrop: 2}\n");
        enroll("m1");
        earn("e1", "m1", 600); // gold in 2026
        now = at(2027, 1, 1, 0);
        sweep();
        assertEquals(0, c.effects.size(), "the first evaluation comes after a full year of membership");
        now = at(2027, 3, 1, 10);
        earn("e2", "m1", 150); // 2027: silver-worthy
        balance("m1");
        assertEquals(150, c.tierPoints);
        assertEquals(at(2028, 1, 1, 0), c.nextEvaluationAt);
        now = at(2028, 1, 1, 0);
        sweep();
        assertEffects("tier -1 2");
        now = at(2029, 1, 1, 0);
        sweep();
        assertEffects("tier -1 1; expire 1 150"); // nothing in 2028; the 2027 points expire with the same sweep
    }

    // ------------------------------------------------------------------------------------------------ helpers

    @Override
    void earn(final String requestId, final String memberId, final long points)
    {
        super.earn(requestId, memberId, points);
        assertEquals(ResultCode.OK, c.result);
    }

    @Override
    void redeem(final String requestId, final String memberId, final long points)
    {
        super.redeem(requestId, memberId, points);
        assertEquals(ResultCode.OK, c.result);
    }

    private void reverse(final String requestId, final String memberId, final String original)
    {
        reverse(requestId, memberId, original, 0);
        assertEquals(ResultCode.OK, c.result);
    }

    private void setTier(final String requestId, final String memberId, final Tier tier, final long until)
    {
        begin(CommandType.SET_TIER, requestId, memberId).requestedTier = tier.code();
        c.requestedFloorUntil = until;
        send();
        assertEquals(ResultCode.OK, c.result);
    }
}
