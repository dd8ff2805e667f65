package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reversals of earns and redemptions (returns), and the points a member owes after one.
 */
class ReversalsTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ reverse earn

    @Test
    void reverseOfEarnClawsBackAllItsPointsAndItsLifetimePoints()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 300);
        earn("e2", "m1", 50);
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(300, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(50, c.balance);
        assertEquals(50, c.lifetimeEarned);
        assertEffects(effect(EffectLog.CLAWBACK, 0, 300, at(2025, 2, 1, 0)));
        assertEquals(300, ledger.totalDebited());
    }

    @Test
    void partialReversesOfEarnFollowOneAnotherUntilNothingIsLeftToReverse()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 300);
        reverse("v1", "m1", "e1", 100);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(200, c.balance);
        assertEquals(200, c.lifetimeEarned);
        reverse("v2", "m1", "e1", 100);
        assertOk();

        reverse("v3", "m1", "e1", 150);
        assertResult(ResultCode.REVERSE_POINTS_EXCEED);
        assertEquals(100, c.resultDetail);

        reverse("v4", "m1", "e1", 0);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(0, c.lifetimeEarned);

        reverse("v5", "m1", "e1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
        reverse("v6", "m1", "e1", 1);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
    }

    @Test
    void reverseOfSpentEarnClawsBackWhatIsLeftAndReportsTheShortfall()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 50);                  // lot 1
        redeem("r1", "m1", 120);               // lot 0 empty, lot 1 has 30

        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(30, c.resultPoints);
        assertEquals(70, c.shortfall);
        assertEquals(0, c.alreadyExpired, "the lot was spent, not expired");
        assertEquals(70, c.owed);
        assertEquals(0, c.balance);
        assertEquals(50, c.lifetimeEarned);
        assertEffects(
            effect(EffectLog.CLAWBACK, 1, 30, at(2025, 4, 1, 0)),
            effect(EffectLog.SHORTFALL, 0, 70, at(2025, 2, 1, 0)));
        assertEquals(150, ledger.totalDebited(), "the shortfall is owed, not debited");

        reverse("v2", "m1", "e1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE, "a shortfall still counts as reversed");
        assertEquals(0, c.owed);
        balance("m1");
        assertEquals(70, c.owed);
    }

    @Test
    void reverseOfEarnTakesFromItsOwnLotFirstThenSoonestExpiring()
    {
        enroll("req-1", "m1");
        for (int month = 1; month <= 4; month++)
        {
            now = at(2024, month * 2 - 1, 15, 10);
            earn("e" + month, "m1", 100);      // lots 0..3 expiring 2025-02, -04, -06, -08
        }
        redeem("r1", "m1", 150);               // lot 0 empty, lot 1 has 50

        reverse("v1", "m1", "e2", 0);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(150, c.balance);
        assertEffects(
            effect(EffectLog.CLAWBACK, 1, 50, at(2025, 4, 1, 0)),
            effect(EffectLog.CLAWBACK, 2, 50, at(2025, 6, 1, 0)));
    }

    @Test
    void reverseOfEarnWhoseLotExpiredClawsBackNothingForTheExpiredPoints()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 80);                  // lot 1, 2025-07-01

        now = at(2025, 2, 1, 0);
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(100, c.expired);
        assertEquals(0, c.resultPoints, "the member already lost those points: nothing is taken from lot 1");
        assertEquals(100, c.alreadyExpired);
        assertEquals(0, c.shortfall);
        assertEquals(0, c.owed);
        assertEquals(80, c.balance);
        assertEquals(80, c.lifetimeEarned, "the earn's tier points go in full");
        assertEffects(effect(EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0)));
        assertEquals(0, ledger.totalDebited());

        reverse("v2", "m1", "e1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
    }

    @Test
    void partialReversesOfASweptEarnForgiveItsExpiredPointsOnlyOnce()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 80);                  // lot 1, 2025-07-01
        redeem("r1", "m1", 60);                // lot 0 keeps 40
        now = at(2025, 2, 1, 0);
        expireTick(10);
        assertEquals(40, c.expired);

        reverse("v1", "m1", "e1", 30);
        assertOk();
        assertEquals(0, c.expired, "expired by the sweep, not by the reversal");
        assertEquals(30, c.alreadyExpired);
        assertEquals(0, c.resultPoints);
        assertEquals(0, c.effects.size());
        assertEquals(80, c.balance);

        reverse("v2", "m1", "e1", 30);
        assertOk();
        assertEquals(10, c.alreadyExpired, "only 40 expired, 30 of them forgiven already");
        assertEquals(20, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEffect(0, EffectLog.CLAWBACK, 1, 20, at(2025, 7, 1, 0));

        reverse("v3", "m1", "e1", 0);
        assertOk();
        assertEquals(0, c.alreadyExpired);
        assertEquals(40, c.resultPoints, "the 60 spent points are clawed back in full");
        assertEquals(20, c.balance);
        assertEquals(80, c.lifetimeEarned);
        assertEquals(0, c.owed);
    }

    @Test
    void reverseOfAnEarnWhoseLotExpiredPartlyAfterPartWasSpent()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 50);                  // lot 1, 2025-07-01
        redeem("r1", "m1", 60);                // from lot 0, which keeps 40

        now = at(2025, 2, 1, 0) + HOUR_MS;     // lot 0 is due, not yet swept
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(40, c.expired);
        assertEquals(40, c.alreadyExpired, "the 40 that expired are not clawed again");
        assertEquals(50, c.resultPoints, "of the 60 spent, what the member has");
        assertEquals(10, c.shortfall);
        assertEquals(10, c.owed);
        assertEquals(0, c.balance);
        assertEquals(50, c.lifetimeEarned);
        assertEffects(
            effect(EffectLog.EXPIRE, 0, 40, at(2025, 2, 1, 0)),
            effect(EffectLog.CLAWBACK, 1, 50, at(2025, 7, 1, 0)),
            effect(EffectLog.SHORTFALL, 0, 10, at(2025, 2, 1, 0)));

        earn("e3", "m1", 25);                  // lot 2, 2026-03-01
        assertOk();
        assertEquals(15, c.balance);
        assertEquals(0, c.owed);
        assertEquals(75, c.lifetimeEarned);
        assertEffects(
            effect(EffectLog.CREDIT, 2, 25, at(2026, 3, 1, 0)),
            effect(EffectLog.SETTLE, 2, 10, at(2026, 3, 1, 0)));
        assertEquals(60 + 50 + 10, ledger.totalDebited());
        assertEquals(40, ledger.totalExpired());
    }

    @Test
    void reverseOfEarnLowersLifetimePointsButDoesNotDowngradeTier()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 1000);
        assertEquals(Tier.SILVER.code(), c.tier);
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(0, c.lifetimeEarned);
        assertEquals(Tier.SILVER.code(), c.tier);
        checkTier("m1", Tier.SILVER);
        assertTrue(c.meets);

        earn("e2", "m1", 999);
        assertEquals(999, c.lifetimeEarned);
        assertEquals(Tier.SILVER.code(), c.tier);
    }

    @Test
    void reverseNeedsAnEarlierEarnOrRedeemOfTheSameMember()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 100);
        adjust("a1", "m1", 5, "goodwill");
        redeem("r-rejected", "m1", 1_000);
        final long hash = ledger.stateHash();

        reverse("v1", "m1", "never-seen", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        reverse("v2", "m1", "r-rejected", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND, "a rejected write is not remembered");
        reverse("v3", "m2", "e1", 0);
        assertResult(ResultCode.REVERSE_MEMBER_MISMATCH);
        reverse("v4", "m1", "a1", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
        reverse("v5", "m1", "req-1", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
        reverse("v6", "m1", "e1", 101);
        assertResult(ResultCode.REVERSE_POINTS_EXCEED);
        assertEquals(100, c.resultDetail);
        reverse("v7", "m1", "v7", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        assertEquals(hash, ledger.stateHash());

        reverse("v8", "m1", "e1", 0);
        assertOk();
        reverse("v9", "m1", "v8", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE, "a reversal is not itself reversible");
    }

    // ------------------------------------------------------------------------------------------------ reverse redeem

    @Test
    void reverseOfRedeemReturnsThePointsToTheLotsTheyCameFrom()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-04-01
        now = at(2024, 5, 1, 10);
        earn("e3", "m1", 100);                 // lot 2, 2025-06-01
        redeem("r1", "m1", 150);               // lot 0: 100, lot 1: 50
        final long lifetime = c.lifetimeEarned;

        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(150, c.resultPoints);
        assertEquals(300, c.balance);
        assertEquals(0, c.expired);
        assertEquals(lifetime, c.lifetimeEarned);
        assertEffects(
            effect(EffectLog.RESTORE, 1, 50, at(2025, 4, 1, 0)),
            effect(EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0)));

        listLots("m1", 10);
        assertEquals(3, c.lots.size());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i, c.lots.lotId(i), "lot 0 reopened in its place");
            assertEquals(100, c.lots.remaining(i));
        }
        redeem("r2", "m1", 100);
        assertEffect(0, EffectLog.DEBIT, 0, 100, at(2025, 2, 1, 0));
    }

    @Test
    void partialReversesOfRedeemRestoreLatestExpiringLotFirst()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);                 // lot 1
        redeem("r1", "m1", 150);

        reverse("v1", "m1", "r1", 60);
        assertOk();
        assertEquals(60, c.resultPoints);
        assertEquals(110, c.balance);
        assertEffect(0, EffectLog.RESTORE, 1, 50, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.RESTORE, 0, 10, at(2025, 2, 1, 0));

        reverse("v2", "m1", "r1", 91);
        assertResult(ResultCode.REVERSE_POINTS_EXCEED);
        assertEquals(90, c.resultDetail);

        reverse("v3", "m1", "r1", 0);
        assertOk();
        assertEquals(90, c.resultPoints);
        assertEffects(effect(EffectLog.RESTORE, 0, 90, at(2025, 2, 1, 0)));
        assertEquals(200, c.balance);

        reverse("v4", "m1", "r1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
    }

    @Test
    void reverseOfRedeemExpiresAtOncePointsWhoseLotExpiredMeanwhile()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-07-01
        now = at(2024, 12, 1, 10);
        redeem("r1", "m1", 150);               // lot 0: 100, lot 1: 50

        now = at(2025, 3, 1, 0);
        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(150, c.resultPoints);
        assertEquals(100, c.expired);
        assertEquals(100, c.balance);
        assertEffects(
            effect(EffectLog.RESTORE, 1, 50, at(2025, 7, 1, 0)),
            effect(EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0)),
            effect(EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0)));
        assertEquals(100, ledger.totalExpired());

        balance("m1");
        assertEquals(100, c.balance);
        assertEquals(1, c.openLots);
        expireTick(10);
        assertEquals(0, c.expired, "nothing left for the sweep");
    }

    @Test
    void reverseOfRedeemAlsoExpiresOtherDueLotsOfTheMember()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-07-01
        redeem("r1", "m1", 150);               // lot 0: 100, lot 1: 50

        now = at(2025, 7, 1, 0);               // lot 1 (50 left) is due too
        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(200, c.expired);
        assertEquals(0, c.balance);
        assertEquals(EffectLog.EXPIRE, c.effects.kind(0));
        assertEquals(50, c.effects.amount(0));
        assertEquals(150, c.effects.total(EffectLog.RESTORE));
        assertEquals(200, c.effects.total(EffectLog.EXPIRE));
    }

    // ------------------------------------------------------------------------------------------------ owed

    @Test
    void reversingBothHalvesOfAReturnInEitherOrderLeavesNothing()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");

        earn("e1", "m1", 100);                 // lot 0
        redeem("r1", "m1", 100);
        reverse("v1", "m1", "e1", 0);          // the earn first: nothing to claw, all owed
        assertOk();
        assertEquals(0, c.resultPoints);
        assertEquals(100, c.shortfall);
        assertEquals(0, c.alreadyExpired);
        assertEquals(100, c.owed);
        assertEquals(0, c.balance);
        assertEffects(effect(EffectLog.SHORTFALL, 0, 100, at(2025, 2, 1, 0)));
        reverse("v2", "m1", "r1", 0);          // then the redeem: the restored points pay the debt
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(0, c.owed);
        assertEffects(
            effect(EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0)),
            effect(EffectLog.SETTLE, 0, 100, at(2025, 2, 1, 0)));

        earn("e2", "m2", 100);                 // lot 1
        redeem("r2", "m2", 100);
        reverse("v3", "m2", "r2", 0);          // the redeem first
        assertOk();
        assertEquals(100, c.balance);
        assertEffect(0, EffectLog.RESTORE, 1, 100, at(2025, 2, 1, 0));
        reverse("v4", "m2", "e2", 0);          // then the earn, from its own lot
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(0, c.owed);
        assertEquals(0, c.balance);
        assertEffect(0, EffectLog.CLAWBACK, 1, 100, at(2025, 2, 1, 0));

        for (final String member : new String[] {"m1", "m2"})
        {
            balance(member);
            assertEquals(0, c.balance, member);
            assertEquals(0, c.owed, member);
            assertEquals(0, c.lifetimeEarned, member);
            assertEquals(0, c.openLots, member);
        }
        assertEquals(400, ledger.totalCredited());
        assertEquals(400, ledger.totalDebited());
        assertEquals(0, ledger.totalExpired());
    }

    @Test
    void owedIsTakenFromTheNextCreditsAsSettlements()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0
        redeem("r1", "m1", 100);
        reverse("v1", "m1", "e1", 0);
        assertEquals(100, c.owed);
        balance("m1");
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(100, c.owed);
        final long debited = ledger.totalDebited();

        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 30);                  // lot 1, all of it taken
        assertOk();
        assertEquals(30, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(70, c.owed);
        assertEquals(30, c.lifetimeEarned, "an earn's tier points count even when its points pay a debt");
        assertEquals(1, c.lotId);
        assertEffects(
            effect(EffectLog.CREDIT, 1, 30, at(2025, 4, 1, 0)),
            effect(EffectLog.SETTLE, 1, 30, at(2025, 4, 1, 0)));

        adjust("a1", "m1", 100, "goodwill");   // lot 2, 70 of it taken
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(30, c.balance);
        assertEquals(0, c.owed);
        assertEffect(0, EffectLog.CREDIT, 2, 100, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 2, 70, at(2025, 4, 1, 0));
        assertEquals(debited + 100, ledger.totalDebited(), "settled points are debited");

        earn("e3", "m1", 5);
        assertEquals(1, c.effects.size(), "nothing owed any more");
        assertEquals(35, c.balance);
        balance("m1");
        assertEquals(0, c.owed);
        assertEquals(35, c.balance);
    }

    @Test
    void owedIsSettledSoonestExpiringFirstAfterTheRestoresOfAReversedRedeem()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-04-01
        now = at(2024, 5, 1, 10);
        earn("e3", "m1", 50);                  // lot 2, 2025-06-01
        redeem("r1", "m1", 250);               // all three lots
        reverse("v1", "m1", "e3", 0);
        assertEquals(50, c.owed);

        reverse("v2", "m1", "r1", 120);        // restores lot 2: 50, lot 1: 70; then pays 50 from lot 1
        assertOk();
        assertEquals(120, c.resultPoints);
        assertEquals(70, c.balance);
        assertEquals(0, c.owed);
        assertEffects(
            effect(EffectLog.RESTORE, 2, 50, at(2025, 6, 1, 0)),
            effect(EffectLog.RESTORE, 1, 70, at(2025, 4, 1, 0)),
            effect(EffectLog.SETTLE, 1, 50, at(2025, 4, 1, 0)));

        listLots("m1", 10);
        assertEquals(2, c.lots.size());
        assertEquals(1, c.lots.lotId(0));
        assertEquals(20, c.lots.remaining(0));
        assertEquals(2, c.lots.lotId(1));
        assertEquals(50, c.lots.remaining(1));
    }

    @Test
    void pointsRestoredIntoAnExpiredLotPayWhatIsOwedThenExpire()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        redeem("r1", "m1", 100);
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 40);                  // lot 1, 2025-07-01
        redeem("r2", "m1", 40);
        reverse("v1", "m1", "e2", 0);
        assertEquals(40, c.owed);

        now = at(2025, 3, 1, 0);
        reverse("v2", "m1", "r1", 0);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(60, c.expired);
        assertEquals(0, c.balance);
        assertEquals(0, c.owed, "restored points pay the debt before they lapse");
        assertEffects(
            effect(EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0)),
            effect(EffectLog.SETTLE, 0, 40, at(2025, 2, 1, 0)),
            effect(EffectLog.EXPIRE, 0, 60, at(2025, 2, 1, 0)));

        reverse("v3", "m1", "e1", 0);          // 60 of lot 0's points came back only to expire: forgiven
        assertOk();
        assertEquals(60, c.alreadyExpired);
        assertEquals(0, c.resultPoints);
        assertEquals(40, c.shortfall, "the 40 that paid e2's debt were spent, in effect");
        assertEquals(40, c.owed);

        reverse("v4", "m1", "r2", 0);          // live points pay too
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(0, c.owed);
        assertEffect(0, EffectLog.RESTORE, 1, 40, at(2025, 7, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 1, 40, at(2025, 7, 1, 0));
    }

    @Test
    void reversingBothHalvesOfAReturnEndsTheSameInEitherOrderEvenAfterTheLotExpired()
    {
        for (final boolean earnFirst : new boolean[] {true, false})
        {
            ledger = new Ledger(PROGRAM);
            now = at(2024, 1, 1, 10);
            enroll("req-1", "m1");
            earn("e1", "m1", 100);             // lot 0, expires 2025-02-01
            redeem("r1", "m1", 100);
            now = at(2025, 3, 1, 0);           // lot 0 has expired (empty)
            reverse("v1", "m1", earnFirst ? "e1" : "r1", 0);
            assertOk();
            reverse("v2", "m1", earnFirst ? "r1" : "e1", 0);
            assertOk();
            assertEquals(0, c.balance, "earn first: " + earnFirst);
            assertEquals(0, c.owed, "earn first: " + earnFirst);
            ledger.checkInvariants();
        }
    }

    @Test
    void retryOfAReversalReplaysTheRememberedAlreadyExpiredAndOwed()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 50);                  // lot 1, 2025-07-01
        redeem("r1", "m1", 60);
        now = at(2025, 2, 1, 0);
        reverse("v1", "m1", "e1", 0);
        assertEquals(40, c.alreadyExpired);
        assertEquals(10, c.owed);
        final long sequence = c.sequence;
        earn("e3", "m1", 25);
        assertEquals(0, c.owed);
        final long hash = ledger.stateHash();

        now += HOUR_MS;
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertTrue(c.replay);
        assertEquals(sequence, c.sequence);
        assertEquals(40, c.alreadyExpired);
        assertEquals(10, c.shortfall);
        assertEquals(10, c.owed, "what the member owed right after the reversal, not now");
        assertEquals(50, c.resultPoints);
        assertEquals(hash, ledger.stateHash());
        balance("m1");
        assertEquals(0, c.owed);
        assertEquals(15, c.balance);
    }
}
