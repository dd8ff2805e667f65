package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limits and capacity: lots, requests, balances, the retention window, and replay whatever the limits.
 */
class LimitsTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ limits

    @Test
    void lotsPerMemberMaxRefusesNewLotsUntilOneCloses()
    {
        ledger = new Ledger(Program.parse("limits.lotsPerMemberMax = 3"));
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        for (int i = 1; i <= 3; i++)
        {
            now = at(2024, i, 20, 10);
            earn("e" + i, "m1", 10);
            assertOk();
        }
        earn("e4", "m1", 10);
        assertResult(ResultCode.LOTS_PER_MEMBER_MAX);
        assertEquals(3, c.resultDetail);
        adjust("a1", "m1", 10, "goodwill");
        assertResult(ResultCode.LOTS_PER_MEMBER_MAX);
        earn("e5", "m2", 10);
        assertOk();

        redeem("r1", "m1", 10);                // empties the oldest lot
        earn("e4", "m1", 10);
        assertOk();
        earn("e6", "m1", 10);
        assertResult(ResultCode.LOTS_PER_MEMBER_MAX);

        now = at(2025, 3, 1, 0);               // the February lot is due: it no longer counts
        earn("e6", "m1", 10);
        assertOk();
        assertEquals(10, c.expired);
    }

    @Test
    void lotsMaxRefusesNewLotsAcrossTheLedger()
    {
        ledger = new Ledger(Program.defaultProgram(), new LedgerContext().lotsMax(2));
        enroll("req-1", "m1");
        earn("e1", "m1", 10);
        redeem("r1", "m1", 10);
        adjust("a1", "m1", 10, "why");
        earn("e2", "m1", 10);
        assertResult(ResultCode.LOTS_MAX);
        assertEquals(2, ledger.lotCount());
    }

    @Test
    void retriedRequestIdAfterTheRetentionWindowIsANewRequest()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"));
        enroll("req-1", "m1");
        final long t0 = now;
        earn("e1", "m1", 100);

        now = t0 + DAY_MS;
        earn("e1", "m1", 100);
        assertTrue(c.replay, "remembered for exactly the retention window");
        assertEquals(100, c.balance);

        now = t0 + DAY_MS + 1;
        earn("e1", "m1", 100);
        assertOk();
        assertFalse(c.replay);
        assertEquals(200, c.balance);
        earn("e1", "m1", 100);
        assertTrue(c.replay);
        assertEquals(200, c.balance);
    }

    @Test
    void reverseOfAnOriginalOlderThanTheRetentionWindowIsOriginalRequestNotFound()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"));
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        redeem("r1", "m1", 50);
        now += DAY_MS + 1;
        reverse("v1", "m1", "e1", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        reverse("v2", "m1", "r1", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
    }

    @Test
    void defaultProgramForgetsRequestsAfter35DaysSoOlderWritesCannotBeReversed()
    {
        ledger = new Ledger(Program.defaultProgram());
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        redeem("r1", "m1", 10);
        now += 35 * DAY_MS;
        reverse("v1", "m1", "r1", 5);
        assertOk();
        now += 1;
        reverse("v2", "m1", "e1", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        reverse("v3", "m1", "r1", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        reverse("v1", "m1", "r1", 5);
        assertTrue(c.replay, "the reversal itself is younger");
    }

    @Test
    void requestRetentionDoesNotDependOnHowManyOlderRequestsWaitForEviction()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"));
        enroll("req-1", "m1");
        final int burst = 5 * Ledger.EVICTIONS_PER_WRITE;
        for (int i = 0; i < burst; i++)
        {
            earn("e" + i, "m1", 1);
        }
        now += DAY_MS + 1;
        for (int i = burst - 1; i >= 0; i -= 7)
        {
            earn("e" + i, "m1", 1);
            assertOk();
            assertFalse(c.replay, "e" + i + " is older than the window");
        }
        reverse("v1", "m1", "e0", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        now += 1;
        earn("e" + (burst - 1), "m1", 1);
        assertTrue(c.replay, "forgetting the old request must not forget the new one of the same id");
    }

    @Test
    void requestIdsMaxRefusesNewRequestsButStillReplaysRemembered()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"), new LedgerContext().requestIdsMax(3));
        enroll("req-1", "m1");
        earn("e1", "m1", 10);
        earn("e2", "m1", 10);
        assertEquals(3, ledger.rememberedRequests());

        earn("e3", "m1", 10);
        assertResult(ResultCode.REQUEST_IDS_MAX);
        earn("e1", "m1", 10);
        assertOk();
        assertTrue(c.replay);
        balance("m1");
        assertEquals(20, c.balance);

        now += DAY_MS + 1;
        earn("e3", "m1", 10);
        assertOk();
        assertFalse(c.replay);
        assertEquals(30, c.balance);
    }

    @Test
    void balanceMaxRefusesCreditsBeyondIt()
    {
        enroll("req-1", "m1");
        final long earns = Ledger.BALANCE_MAX / Ledger.POINTS_MAX;
        for (long i = 0; i < earns; i++)
        {
            earn("e" + i, "m1", Ledger.POINTS_MAX);
            assertOk();
        }
        assertEquals(Ledger.BALANCE_MAX, c.balance);
        final long hash = ledger.stateHash();

        earn("e-over", "m1", 1);
        assertResult(ResultCode.BALANCE_MAX);
        adjust("a-over", "m1", 1, "why");
        assertResult(ResultCode.BALANCE_MAX);
        assertEquals(hash, ledger.stateHash());

        redeem("r1", "m1", 5);
        adjust("a1", "m1", 5, "why");
        assertOk();
        reverse("v1", "m1", "r1", 0);
        assertResult(ResultCode.BALANCE_MAX);
        reverse("v2", "m1", "e0", 0);
        assertOk();
        reverse("v1", "m1", "r1", 0);
        assertOk();
    }

    // ------------------------------------------------------------------------------------------------ capacity

    @Test
    void journalReplayedWithCapacityLimitsOffReachesTheSameStateWhateverTheLimits()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 100);
        earn("e3", "m2", 70);
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 50);
        redeem("r1", "m1", 120);
        reverse("v1", "m1", "e1", 0);
        adjust("a1", "m1", 20, "goodwill");
        now = at(2025, 2, 1, 0);
        expireTick(10);
        reverse("v2", "m1", "r1", 0);
        earn("e4", "m2", 5);
        final long hash = ledger.stateHash();
        assertEquals(11, journal.size(), "the sweep expired m2's lot");

        final LedgerContext tiny = new LedgerContext().membersMax(1).lotsMax(1).requestIdsMax(1);
        final Ledger replayed = new Ledger(PROGRAM, tiny);
        replayed.capacityLimitsEnforced(false);
        assertEquals(ResultCode.OK, replay(replayed));
        assertEquals(hash, replayed.stateHash());
        assertEquals(ledger.lastSequence(), replayed.lastSequence());
        assertEquals(2, replayed.memberCount());
        assertEquals(ledger.lotCount(), replayed.lotCount());
        assertEquals(ledger.rememberedRequests(), replayed.rememberedRequests());
        replayed.checkInvariants();

        replayed.capacityLimitsEnforced(true);
        final Command next = new Command();
        next.type = CommandType.ENROLL;
        next.requestId = "req-3";
        next.memberId = "m3";
        next.timestamp = now;
        replayed.apply(next);
        assertEquals(ResultCode.REQUEST_IDS_MAX, next.result, "once live again, the limits apply");

        assertEquals(ResultCode.MEMBERS_MAX, replay(new Ledger(PROGRAM, new LedgerContext().membersMax(1))));
        assertEquals(ResultCode.LOTS_MAX, replay(new Ledger(PROGRAM, new LedgerContext().lotsMax(1))));
        assertEquals(ResultCode.REQUEST_IDS_MAX, replay(new Ledger(PROGRAM, new LedgerContext().requestIdsMax(1))));
    }

    @Test
    void capacityLimitsMustStayWithinWhatTheTablesCanAddress()
    {
        assertEquals(1 << 28, LedgerContext.MEMBERS_MAX_LIMIT);
        assertEquals(1 << 26, LedgerContext.REQUEST_IDS_MAX_LIMIT);
        assertEquals(1 << 30, LedgerContext.LOTS_MAX_LIMIT);
        assertEquals(LedgerContext.LOTS_MAX_LIMIT, new LedgerContext().conclude().lotsMax());
        new LedgerContext().membersMax(1 << 28).lotsMax(1 << 30).requestIdsMax(1 << 26).conclude();
        new LedgerContext().membersMax(1).lotsMax(1).requestIdsMax(1).conclude();

        // the id indexes hold at most 70% of their largest table: every member and request id limit fits in it
        assertTrue(LedgerContext.MEMBERS_MAX_LIMIT <= IdIndex.CAPACITY_MAX * 0.7);
        assertTrue(LedgerContext.REQUEST_IDS_MAX_LIMIT <= IdIndex.CAPACITY_MAX * 0.7);
        for (final int bad : new int[] {0, -1, (1 << 28) + 1, Integer.MAX_VALUE})
        {
            assertThrows(IllegalArgumentException.class, () -> new LedgerContext().membersMax(bad).conclude(),
                "membersMax " + bad);
        }
        for (final int bad : new int[] {0, -1, (1 << 26) + 1, Integer.MAX_VALUE})
        {
            assertThrows(IllegalArgumentException.class, () -> new LedgerContext().requestIdsMax(bad).conclude(),
                "requestIdsMax " + bad);
        }
        for (final int bad : new int[] {0, -1, (1 << 30) + 1, Integer.MAX_VALUE})
        {
            assertThrows(IllegalArgumentException.class, () -> new LedgerContext().lotsMax(bad).conclude(),
                "lotsMax " + bad);
        }
        assertThrows(IllegalArgumentException.class,
            () -> new Ledger(PROGRAM, new LedgerContext().requestIdsMax((1 << 26) + 1)));
    }
}
