package io.jifen.ledger.core;

import io.jifen.ledger.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Import rows from another system: the lot keeps its original earned-at and expiry, tier points count in the month
 * they were earned, a new member is enrolled without the welcome bonus, and nothing the import is not (bonuses,
 * pending periods) happens. Under a program with a welcome bonus, a first-purchase bonus, a pending period and rolling
 * tiers, so each rule has something to leave out.
 */
class ImportTest extends LedgerTestSupport
{
    private static final String PROGRAM = String.join("\n",
        "limits: {requestRetentionDays: 3650}",
        "bonuses: {welcome: 50, firstPurchase: 20}",
        "pending: {days: 7}",
        "tiers: {silver: 1000, gold: 5000, platinum: 20000, window: rolling12, evaluation: anniversary,",
        "  keep: {gold: 4000, platinum: 15000}, maxDrop: 1}",
        "");

    ImportTest()
    {
        super(PROGRAM, at(2026, 6, 15, 10));
    }

    private void importRow(final String requestId, final String memberId, final long points, final long earnedAt,
        final long expiresAt, final long tierPoints)
    {
        begin(CommandType.IMPORT, requestId, memberId).points = points;
        c.earnedAt = earnedAt;
        c.lotExpiresAt = expiresAt;
        c.importTierPoints = tierPoints;
        send();
    }

    private void lots(final String memberId)
    {
        begin(CommandType.LIST_LOTS, null, memberId).limit = 100;
        send();
    }

    @Test
    void aRowEnrollsTheMemberWithItsLotAsItWasAndItsTierPoints()
    {
        final long earned = at(2026, 2, 3, 12);
        final long expires = at(2027, 2, 28, 23);
        importRow("i1", "ann", 1200, earned, expires, 5200);
        assertEquals(ResultCode.OK, c.result);
        assertEffects("credit 0 1200");
        assertEquals(expires, c.expiresAt);
        assertEquals(1200, c.balance, "no welcome bonus: the old system gave it");
        assertEquals(Tier.GOLD.code(), c.tier, "5,200 tier points in the window reach gold at once");

        lots("ann");
        assertEquals(1, c.lots.size());
        assertEquals(expires, c.lots.expiresAt(0));
        assertEquals(earned, c.lots.earnedAt(0));
        balance("ann");
        assertEquals(5200, c.tierPoints);
        assertEquals(1200, c.lifetimeEarned);

        final String json = JournalRecord.toJson(new UnsafeBuffer(journal.get(journal.size() - 1)));
        assertTrue(json.contains("\"type\":\"import\"") && json.contains("\"import\":{\"earned_at_ms\":" + earned +
            ",\"expires_at_ms\":" + expires + ",\"tier_points\":5200}"), json);
    }

    @Test
    void theNextEarnGetsNoFirstPurchaseBonusAndTheLotsExpireAtTheirOwnInstants()
    {
        importRow("i1", "ann", 100, at(2025, 9, 1, 10), at(2026, 7, 1, 0), 0);
        importRow("i2", "ann", 40, at(2026, 1, 1, 10), at(2026, 6, 20, 0), 0);
        assertEquals(140, c.balance);
        earn("e1", "ann", 10);
        assertEquals(0, c.bonusPoints, "a migrated member has earned before");
        assertEquals(140, c.balance, "the earn is pending; nothing else was credited");
        now = at(2026, 6, 20, 0);
        sweep();
        assertEffects("expire 1 40");
        now = at(2026, 7, 1, 0);
        sweep();
        assertEffects("expire 0 100; mature 2 10"); // the earn's own points: no bonus lot beside them
    }

    @Test
    void tierPointsOutsideTheWindowDoNotCount()
    {
        importRow("i1", "bob", 0, at(2025, 1, 10, 10), 0, 9000); // 17 months ago: outside the rolling 12
        assertEquals(ResultCode.OK, c.result);
        assertEquals(-1, c.lotId);
        assertEquals(0, c.effects.size());
        assertEquals(Tier.MEMBER.code(), c.tier);
        importRow("i2", "bob", 0, at(2025, 8, 10, 10), 0, 1500);
        assertEquals(Tier.SILVER.code(), c.tier);
        balance("bob");
        assertEquals(1500, c.tierPoints);
    }

    @Test
    void aRetryAnswersAsBeforeAndAnotherRowUnderItsIdConflicts()
    {
        final long earned = at(2026, 3, 1, 10);
        importRow("i1", "ann", 70, earned, at(2027, 3, 1, 10), 70);
        final long lot = c.lotId;
        importRow("i1", "ann", 70, earned, at(2027, 3, 1, 10), 70);
        assertTrue(c.replay);
        assertEquals(lot, c.lotId);
        assertEquals(70, c.balance);
        importRow("i1", "ann", 70, earned, at(2027, 4, 1, 10), 70);
        assertEquals(ResultCode.REQUEST_ID_CONFLICT, c.result);
        importRow("i1", "ann", 70, earned, at(2027, 3, 1, 10), 71);
        assertEquals(ResultCode.REQUEST_ID_CONFLICT, c.result);
        assertEquals(1, journal.size());
    }

    @Test
    void rowsThatCannotBeTrueAreRefusedAndChangeNothing()
    {
        enroll("ann");
        final long hash = ledger.stateHash();
        final int records = journal.size();
        importRow("i1", "ann", 10, now + 1, now + DAY_MS, 0);
        assertEquals(ResultCode.EARNED_AT_INVALID, c.result, "earned after ledger time");
        importRow("i2", "ann", 10, at(2025, 1, 1, 0), now, 0);
        assertEquals(ResultCode.LOT_EXPIRES_AT_INVALID, c.result, "expired by ledger time");
        importRow("i3", "ann", 10, at(2025, 1, 1, 0), at(2024, 1, 1, 0), 0);
        assertEquals(ResultCode.LOT_EXPIRES_AT_INVALID, c.result, "expires before it was earned");
        importRow("i4", "ann", 0, at(2025, 1, 1, 0), now + DAY_MS, 0);
        assertEquals(ResultCode.LOT_EXPIRES_AT_INVALID, c.result, "an expiry without points");
        importRow("i5", "ann", 10, 0, now + DAY_MS, 0);
        assertEquals(ResultCode.EARNED_AT_INVALID, c.result);
        importRow("i6", "ann", 10, at(2025, 1, 1, 0), now + DAY_MS, -1);
        assertEquals(ResultCode.TIER_POINTS_INVALID, c.result);
        importRow("i7", "ann", -1, at(2025, 1, 1, 0), now + DAY_MS, 0);
        assertEquals(ResultCode.POINTS_INVALID, c.result);
        begin(CommandType.SET_STATUS, "s1", "ann").status = MemberStatus.FROZEN.code();
        send();
        final long frozen = ledger.stateHash();
        importRow("i8", "ann", 10, at(2025, 1, 1, 0), now + DAY_MS, 0);
        assertEquals(ResultCode.MEMBER_FROZEN, c.result);
        assertEquals(frozen, ledger.stateHash());
        assertEquals(records + 1, journal.size());
        assertFalse(hash == frozen);
    }

    @Test
    void anExistingMembersRowPaysWhatItOwesFirst()
    {
        enroll("ann"); // welcome 50
        earn("e1", "ann", 30);
        now += 8 * DAY_MS;
        sweep(); // matured: 30, with the welcome 50 and the first-purchase 20
        balance("ann");
        assertEquals(100, c.balance);
        redeem("r1", "ann", 100);
        reverse("v1", "ann", "e1", 0); // the earn's 30 and its bonus 20 are owed
        assertEquals(50, c.owed);
        importRow("i1", "ann", 80, at(2026, 1, 1, 0), at(2027, 1, 1, 0), 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(0, c.owed);
        assertEquals(30, c.balance);
    }
}
