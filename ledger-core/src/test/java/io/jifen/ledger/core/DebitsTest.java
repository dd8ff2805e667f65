package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redemptions and adjustments: soonest-expiring first, never more than is usable.
 */
class DebitsTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ redeem

    @Test
    void redeemConsumesLotsSoonestExpiringFirst()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, expires 2025-02-01
        now = at(2024, 3, 10, 12);
        earn("e2", "m1", 200);                 // lot 1, expires 2025-04-01
        now = at(2024, 5, 2, 9);
        earn("e3", "m1", 300);                 // lot 2, expires 2025-06-01

        redeem("r1", "m1", 150);
        assertOk();
        assertEquals(150, c.resultPoints);
        assertEquals(450, c.balance);
        assertEffects(
            effect(EffectLog.DEBIT, 0, 100, at(2025, 2, 1, 0)),
            effect(EffectLog.DEBIT, 1, 50, at(2025, 4, 1, 0)));

        listLots("m1", 10);
        assertEquals(2, c.lots.size());
        assertEquals(1, c.lots.lotId(0));
        assertEquals(150, c.lots.remaining(0));
        assertEquals(2, c.lots.lotId(1));
        assertEquals(300, c.lots.remaining(1));
    }

    @Test
    void redeemFollowsExpiryOrderNotCreationOrder()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, expires 2025-02-01
        setProgram("expiry.months = 1\n");
        now = at(2024, 3, 10, 12);
        earn("e2", "m1", 100);                 // lot 1, expires 2024-05-01: sooner
        assertEquals(at(2024, 5, 1, 0), c.expiresAt);

        redeem("r1", "m1", 120);
        assertOk();
        assertEffect(0, EffectLog.DEBIT, 1, 100, at(2024, 5, 1, 0));
        assertEffect(1, EffectLog.DEBIT, 0, 20, at(2025, 2, 1, 0));
    }

    @Test
    void redeemOfMoreThanUsableIsInsufficientPointsNamingTheUsableBalance()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();

        redeem("r1", "m1", 101);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(100, c.resultDetail);
        assertEquals(0, c.sequence);
        assertEquals(0, c.effects.size());
        assertEquals(hash, ledger.stateHash());

        redeem("r2", "m1", 100);
        assertOk();
        assertEquals(0, c.balance);
        balance("m1");
        assertEquals(0, c.openLots);
    }

    @Test
    void redeemRejectedWhenOnlyExpiredLotsRemain()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // expires 2025-02-01
        now = at(2024, 3, 1, 8);
        earn("e2", "m1", 50);                  // expires 2025-04-01

        now = at(2025, 2, 1, 0);
        redeem("r1", "m1", 120);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(50, c.resultDetail, "the due lot is not usable even before it is swept");

        now = at(2025, 4, 1, 0);
        final long hash = ledger.stateHash();
        redeem("r2", "m1", 1);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(0, c.resultDetail);
        assertEquals(hash, ledger.stateHash(), "a rejected redeem does not expire anything");
        assertTrue(ledger.hasDueLots(now));
    }

    // ------------------------------------------------------------------------------------------------ adjust

    @Test
    void positiveAdjustCreatesALotWithoutLifetimePointsOrTier()
    {
        enroll("req-1", "m1");
        adjust("a1", "m1", 5_000, "migration from the old system");
        assertOk();
        assertEquals(5_000, c.resultPoints);
        assertEquals(5_000, c.balance);
        assertEquals(0, c.lifetimeEarned);
        assertEquals(Tier.MEMBER.code(), c.tier);
        assertEquals(0, c.lotId);
        assertEquals(at(2025, 2, 1, 0), c.expiresAt);
        assertEffect(0, EffectLog.CREDIT, 0, 5_000, at(2025, 2, 1, 0));

        reverse("v1", "m1", "a1", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
    }

    @Test
    void negativeAdjustDebitsSoonestExpiringFirst()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);
        adjust("a1", "m1", -150, "duplicate order");
        assertOk();
        assertEquals(-150, c.resultPoints);
        assertEquals(50, c.balance);
        assertEquals(200, c.lifetimeEarned, "a correction does not touch lifetime points");
        assertEffect(0, EffectLog.DEBIT, 0, 100, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.DEBIT, 1, 50, at(2025, 4, 1, 0));
    }

    @Test
    void negativeAdjustBeyondTheBalanceIsInsufficientPoints()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 50);
        adjust("a1", "m1", -51, "too much");
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(50, c.resultDetail);
        adjust("a2", "m1", -50, "exactly all");
        assertOk();
        assertEquals(0, c.balance);
    }

    @Test
    void adjustWithoutReasonIsReasonRequired()
    {
        enroll("req-1", "m1");
        for (final String reason : new String[] {null, "", "   "})
        {
            adjust("a1", "m1", 10, reason);
            assertResult(ResultCode.REASON_REQUIRED);
        }
        adjust("a1", "m1", 10, "x".repeat(CommandValidator.REASON_LENGTH_MAX + 1));
        assertResult(ResultCode.REASON_INVALID);
        adjust("a1", "m1", 10, "x".repeat(CommandValidator.REASON_LENGTH_MAX));
        assertOk();
    }
}
