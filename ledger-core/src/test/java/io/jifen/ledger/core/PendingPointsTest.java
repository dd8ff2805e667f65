package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pending points: a program with a 14-day return window earns points as pending; they are not redeemable, a return
 * in the window cancels them before they are ever available, and they mature into a lot by the sweep or at the
 * member's next write. Every case replays from its journal bytes to the same state.
 */
class PendingPointsTest extends LedgerTestSupport
{
    private static final String PROGRAM = "limits: {requestRetentionDays: 60}\npending: {days: 14}\n" +
        "tiers: {silver: 100}\n";

    PendingPointsTest()
    {
        super(PROGRAM, at(2026, 11, 11, 10));
    }

    @Test
    void pointsEarnedInTheWindowArePendingAndNotRedeemable()
    {
        enroll("m1");
        earn("e1", "m1", 150);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(150, c.resultPoints);
        assertEquals(-1, c.lotId);
        assertEquals(now + 14 * DAY_MS, c.maturesAt);
        assertEquals(0, c.balance);
        assertEquals(150, c.lifetimeEarned, "tier points count at the earn");
        assertEquals(Tier.SILVER.code(), c.tier);
        assertEffects("pending -1 150");

        balance("m1");
        assertEquals(0, c.balance);
        assertEquals(150, c.pending);
        assertEquals(1, c.lots.size());
        assertEquals(150, c.lots.amount(0));
        assertEquals(now + 14 * DAY_MS, c.lots.expiresAt(0), "the maturity instant");
        assertEquals(0, c.openLots);

        redeem("r1", "m1", 1);
        assertEquals(ResultCode.INSUFFICIENT_POINTS, c.result);
        assertEquals(0, c.resultDetail);
        assertEquals(150, ledger.pending());
        assertEquals(0, ledger.totalCredited(), "pending points are not credited yet");
    }

    @Test
    void theSweepMaturesThemIntoALotAtTheEndOfTheWindow()
    {
        enroll("m1");
        earn("e1", "m1", 150);
        final long maturity = c.maturesAt;
        now = maturity - 1;
        sweep();
        assertEquals(0, c.effects.size(), "not yet");
        assertFalse(ledger.hasDueLots(now));
        now = maturity;
        assertTrue(ledger.hasDueLots(now));
        sweep();
        assertEquals(1, c.effects.size());
        assertEquals(EffectLog.MATURE, c.effects.kind(0));
        assertEquals(150, c.effects.amount(0));
        final long expiry = at(2027, 12, 1, 0);
        assertEquals(expiry, c.effects.expiresAt(0), "the expiry rule applies at maturity (November 25, 2026)");
        balance("m1");
        assertEquals(150, c.balance);
        assertEquals(0, c.pending);
        assertEquals(1, c.openLots);
        assertEquals(0, ledger.pending());
        assertEquals(150, ledger.totalCredited());

        earn("e1", "m1", 150);
        assertTrue(c.replay);
        assertEquals(-1, c.lotId, "a retry answers as the earn did");
        assertEquals(maturity, c.maturesAt);
    }

    @Test
    void aWriteAfterTheWindowMaturesThePointsFirst()
    {
        enroll("m1");
        earn("e1", "m1", 150);
        now = c.maturesAt + 1;
        redeem("r1", "m1", 100);
        assertEquals(ResultCode.OK, c.result);
        assertEffects("mature 0 150; debit 0 100");
        assertEquals(50, c.balance);
    }

    @Test
    void aReturnInTheWindowCancelsThePointsBeforeTheyAreEverAvailable()
    {
        enroll("m1");
        earn("e1", "m1", 150);
        earn("e2", "m1", 40);
        now += DAY_MS;
        reverse("x1", "m1", "e1", 100);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(0, c.owed);
        assertEquals(90, c.lifetimeEarned);
        assertEquals(Tier.SILVER.code(), c.tier, "a tier reached is kept");
        assertEffects("pending_cancel -1 100");
        reverse("x2", "m1", "e1", 0);
        assertEquals(50, c.resultPoints, "the rest of it");
        balance("m1");
        assertEquals(40, c.pending);
        assertEquals(1, c.lots.size());
        reverse("x3", "m1", "e1", 0);
        assertEquals(ResultCode.NOTHING_TO_REVERSE, c.result);

        now += 14 * DAY_MS;
        sweep();
        assertEffects("mature 0 40");
        assertEquals(40, ledger.totalCredited());
    }

    @Test
    void aPartlyReturnedEarnMaturesWithTheRestAndIsReversedFromItsLotAfterwards()
    {
        enroll("m1");
        earn("e1", "m1", 150);
        reverse("x1", "m1", "e1", 30);
        now += 15 * DAY_MS;
        sweep();
        assertEffects("mature 0 120");
        reverse("x2", "m1", "e1", 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(120, c.resultPoints);
        assertEffects("clawback 0 120");
        assertEquals(0, c.balance);
        assertEquals(0, c.lifetimeEarned);
    }

    @Test
    void maturingPointsPayWhatTheMemberOwes()
    {
        enroll("m1");
        earn("e1", "m1", 100);
        now += 15 * DAY_MS;
        redeem("r1", "m1", 100);
        assertEffects("mature 0 100; debit 0 100");
        reverse("x1", "m1", "e1", 0);
        assertEquals(100, c.shortfall);
        assertEquals(100, c.owed);
        earn("e2", "m1", 30);
        assertEquals(100, c.owed, "pending points pay nothing yet");
        now += 15 * DAY_MS;
        sweep();
        assertEffects("mature 1 30; settle 1 30");
        balance("m1");
        assertEquals(0, c.balance);
        assertEquals(70, c.owed);
    }

    @Test
    void pendingEarnsCountTowardTheLotsAMemberMayHold()
    {
        final Ledger small = new Ledger(Program.parse("pending: {days: 3}\nlimits: {lotsPerMemberMax: 2}\n"));
        for (final String id : new String[] {"enroll", "e1", "e2", "e3"})
        {
            c.clear();
            c.type = id.equals("enroll") ? CommandType.ENROLL : CommandType.EARN;
            c.requestId = id;
            c.memberId = "m1";
            c.points = 10;
            c.timestamp = now;
            small.apply(c);
        }
        assertEquals(ResultCode.LOTS_PER_MEMBER_MAX, c.result);
        small.checkInvariants();
    }

    @Test
    void aPendingPeriodMustEndInsideTheRetentionWindow()
    {
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Program.parse("pending: {days: 35}\n"));
        assertTrue(ex.getMessage().startsWith("line 1: pending.days: must be shorter than"), ex.getMessage());
    }
}
