package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry: a lot is usable until its instant; the sweep expires due lots in order, bounded; reads leave due points out.
 */
class SweepTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ expiry

    @Test
    void lotIsUsableOneMillisecondBeforeItsExpiryAndNotAtIt()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long expiresAt = c.expiresAt;
        assertEquals(at(2025, 2, 1, 0), expiresAt);

        now = expiresAt - 1;
        balance("m1");
        assertEquals(100, c.balance);
        assertEquals(1, c.openLots);
        assertEquals(expiresAt, c.nextExpiryAt);
        assertEquals(100, c.nextExpiryPoints);
        assertFalse(ledger.hasDueLots(now));
        redeem("r1", "m1", 40);
        assertOk();
        assertEquals(60, c.balance);
        assertEquals(0, c.expired);

        now = expiresAt;
        final long hash = ledger.stateHash();
        balance("m1");
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(0, c.openLots);
        assertEquals(0, c.nextExpiryAt);
        assertEquals(0, c.nextExpiryPoints);
        listLots("m1", 10);
        assertEquals(0, c.lots.size());
        assertEquals(0, c.openLots);
        assertEquals(hash, ledger.stateHash(), "reads never change state");
        assertTrue(ledger.hasDueLots(now));

        redeem("r2", "m1", 1);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(0, c.resultDetail);
    }

    @Test
    void getBalanceNeverShowsDuePointsAndReportsTheSoonestExpiry()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now += HOUR_MS;
        earn("e2", "m1", 20);                  // lot 1, 2025-02-01 as well
        now = at(2024, 6, 5, 10);
        earn("e3", "m1", 7);                   // lot 2, 2025-07-01

        balance("m1");
        assertEquals(127, c.balance);
        assertEquals(3, c.openLots);
        assertEquals(at(2025, 2, 1, 0), c.nextExpiryAt);
        assertEquals(120, c.nextExpiryPoints);
        assertEquals(127, c.lifetimeEarned);
        assertEquals(0, c.pending);
        assertEquals(0, c.held);
        assertEquals(2, c.expiryBatches);
        assertOutlook(at(2025, 2, 1, 0), 120, at(2025, 7, 1, 0), 7);
        redeem("r1", "m1", 100);
        balance("m1");
        assertOutlook(at(2025, 2, 1, 0), 20, at(2025, 7, 1, 0), 7);
        redeem("r2", "m1", 20);
        balance("m1");
        assertEquals(1, c.expiryBatches, "a batch spent in full leaves the outlook");
        assertOutlook(at(2025, 7, 1, 0), 7);

        now = at(2025, 3, 1, 0);
        balance("m1");
        assertEquals(7, c.balance);
        assertEquals(1, c.openLots);
        assertEquals(at(2025, 7, 1, 0), c.nextExpiryAt);
        assertEquals(7, c.nextExpiryPoints);
        assertOutlook(at(2025, 7, 1, 0), 7);
        assertEquals(127, c.lifetimeEarned, "expiry does not touch lifetime points");
        assertEquals(0, ledger.totalExpired(), "a read expires nothing");
    }

    /** The balance read's expiry outlook is these (instant, points) pairs. */
    private void assertOutlook(final long... pairs)
    {
        assertEquals(pairs.length / 2, c.outlook.size(), "expiry batches listed");
        for (int i = 0; i < c.outlook.size(); i++)
        {
            assertEquals(pairs[2 * i], c.outlook.expiresAt(i), "instant of batch " + i);
            assertEquals(pairs[2 * i + 1], c.outlook.points(i), "points of batch " + i);
        }
    }

    @Test
    void expireTickExpiresDueLotsWithEffectsAndASequence()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        redeem("r1", "m1", 30);
        final long sequence = ledger.lastSequence();

        now = at(2025, 2, 1, 0) - 1;
        expireTick(100);
        assertOk();
        assertEquals(0, c.expired);
        assertEquals(0, c.sequence, "nothing due: nothing journaled");
        assertEquals(sequence, ledger.lastSequence());

        now = at(2025, 2, 1, 0);
        expireTick(100);
        assertOk();
        assertEquals(70, c.expired);
        assertEquals(70, c.resultPoints);
        assertEquals(sequence + 1, c.sequence);
        assertEffects(effect(EffectLog.EXPIRE, 0, 70, at(2025, 2, 1, 0)));
        assertEquals(70, ledger.totalExpired());
        assertFalse(ledger.hasDueLots(now));

        balance("m1");
        assertEquals(0, c.balance);
        assertEquals(100, c.lifetimeEarned);

        earn("e2", "m1", 5);
        assertEquals(0, c.expired, "already expired by the sweep");
    }

    @Test
    void expireTickIsBoundedByLimitAndExpiresInExpiryOrderAcrossMembers()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        enroll("req-3", "m3");
        earn("e1", "m1", 10);                  // lot 0, 2025-02-01
        earn("e2", "m2", 20);                  // lot 1, 2025-02-01
        now = at(2024, 2, 10, 10);
        earn("e3", "m3", 30);                  // lot 2, 2025-03-01
        now = at(2024, 3, 10, 10);
        earn("e4", "m1", 40);                  // lot 3, 2025-04-01
        earn("e5", "m2", 50);                  // lot 4, 2025-04-01
        redeem("r1", "m1", 10);                // empties lot 0: its queue entry is stale

        now = at(2025, 6, 1, 0);
        expireTick(1);                         // lot 0 skipped for free; lot 1 takes all of m2's due lots
        assertEquals(70, c.expired);
        assertEquals(70, c.resultPoints);
        assertEffects(
            effect(EffectLog.EXPIRE, 1, 20, at(2025, 2, 1, 0)),
            effect(EffectLog.EXPIRE, 4, 50, at(2025, 4, 1, 0)));
        assertTrue(ledger.hasDueLots(now));
        balance("m3");
        assertEquals(0, c.balance, "m3's lot is due though the sweep has not reached it");

        expireTick(1);
        assertEquals(30, c.expired);
        assertEffects(effect(EffectLog.EXPIRE, 2, 30, at(2025, 3, 1, 0)));

        final long sequence = ledger.lastSequence();
        expireTick(5);
        assertEquals(40, c.expired);
        assertEffects(effect(EffectLog.EXPIRE, 3, 40, at(2025, 4, 1, 0)));
        assertEquals(sequence + 1, c.sequence);
        assertFalse(ledger.hasDueLots(now), "lot 4's entry, already expired with m2, was skipped");

        expireTick(5);
        assertEquals(0, c.expired);
        assertEquals(0, c.sequence);
        assertEquals(140, ledger.totalExpired());
    }

    @Test
    void expireTickExpiresAllOfAMembersDueLotsAtOnceEvenBeyondItsLimit()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 10);                  // lot 0, 2025-02-01
        now = at(2024, 2, 10, 10);
        earn("e2", "m2", 20);                  // lot 1, 2025-03-01
        now = at(2024, 3, 10, 10);
        earn("e3", "m1", 30);                  // lot 2, 2025-04-01
        earn("e4", "m1", 40);                  // lot 3, 2025-04-01
        now = at(2024, 6, 10, 10);
        earn("e5", "m1", 50);                  // lot 4, 2025-07-01: not due below
        final long sequence = ledger.lastSequence();

        now = at(2025, 6, 1, 0);
        expireTick(1);
        assertOk();
        assertEquals(80, c.expired);
        assertEquals(sequence + 1, c.sequence);
        assertEffects(
            effect(EffectLog.EXPIRE, 0, 10, at(2025, 2, 1, 0)),
            effect(EffectLog.EXPIRE, 2, 30, at(2025, 4, 1, 0)),
            effect(EffectLog.EXPIRE, 3, 40, at(2025, 4, 1, 0)));
        assertEquals(80, ledger.totalExpired(), "m2's lot 1, due before lots 2 and 3, waits: the limit is used up");
        balance("m1");
        assertEquals(50, c.balance);
        assertEquals(1, c.openLots);

        expireTick(1);
        assertEquals(20, c.expired);
        assertEffects(effect(EffectLog.EXPIRE, 1, 20, at(2025, 3, 1, 0)));
        expireTick(10);
        assertEquals(0, c.expired, "the entries of lots 2 and 3 were stale");
        assertFalse(ledger.hasDueLots(now));
    }

    @Test
    void listLotsShowsOpenLotsSoonestFirstUpToTheLimit()
    {
        enroll("req-1", "m1");
        for (int month = 1; month <= 5; month++)
        {
            now = at(2024, month, 20, 10);
            earn("e" + month, "m1", month * 10L);
        }
        redeem("r1", "m1", 10);                // empties the January lot
        listLots("m1", 2);
        assertOk();
        assertEquals(4, c.openLots);
        assertEquals(140, c.balance);
        assertEquals(2, c.lots.size());
        assertEquals(1, c.lots.lotId(0));
        assertEquals(2, c.lots.lotId(1));
        assertEquals(at(2025, 3, 1, 0), c.lots.expiresAt(0));

        now = at(2025, 4, 1, 0);               // February and March lots are due
        listLots("m1", CommandValidator.LIST_LOTS_LIMIT_MAX);
        assertEquals(2, c.openLots);
        assertEquals(90, c.balance);
        assertEquals(3, c.lots.lotId(0));
        assertEquals(4, c.lots.lotId(1));
    }
}
