package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lot store's own rules: lot ids are never reused, a slot only once its lot has been closed longer than the
 * retention window and holds nothing; a member's open lots are kept by (expiry, id); the expiry queue holds exactly
 * the open lots.
 */
class LotStoreTest
{
    private final LotStore lots = new LotStore(16);
    private final Member alice = new Member("alice", 0, 0, -1, 0, 0);

    /** Opens a lot as a credit would, keeping the member's balance in step. */
    private int open(final long points, final long expiresAt)
    {
        final int lot = lots.open(alice, points, 0, expiresAt);
        alice.addPoints(expiresAt, points);
        alice.available += points;
        return lot;
    }

    /** Empties a lot at {@code now} as a debit would. */
    private void empty(final int lot, final long now)
    {
        alice.addPoints(lots.expiresAt[lot], -lots.remaining[lot]);
        alice.available -= lots.remaining[lot];
        lots.remaining[lot] = 0;
        LotStore.removeOpen(alice, lot);
        lots.close(lot, now);
    }

    @Test
    void keepsAMembersOpenLotsByExpiryThenId()
    {
        final int late = open(10, 300);
        final int early = open(20, 100);
        final int alsoEarly = open(30, 100);
        assertEquals(early, alice.lots[0]);
        assertEquals(alsoEarly, alice.lots[1], "same expiry: the older id first");
        assertEquals(late, alice.lots[2]);
        assertEquals(2, lots.dueCount(alice, 100), "due at the expiry instant");
        assertEquals(50, lots.dueSum(alice, 100));
        assertEquals(0, lots.dueCount(alice, 99));
        assertTrue(lots.memberConsistent(alice));
        assertTrue(lots.anyDue(100));
        assertFalse(lots.anyDue(99));
        assertEquals(early, lots.firstToExpire());
        lots.checkInvariants(3);
    }

    @Test
    void aClosedLotLeavesTheQueueAndItsSlotIsReusedOnlyAfterTheWindowWithANewId()
    {
        final int first = open(10, 1_000);
        open(5, 2_000);
        empty(first, 50);
        assertEquals(1, lots.queued(), "the queue holds exactly the open lots");
        assertEquals(2, lots.slotsInUse(), "closed within the window: the slot stays");

        lots.reclaim(50, 8);
        assertEquals(2, lots.slotsInUse(), "closed at the cutoff is not before it");
        lots.reclaim(51, 8);
        assertEquals(1, lots.slotsInUse());
        assertEquals(-1, lots.ids[first], "a freed slot has no lot");

        final int reused = open(7, 3_000);
        assertEquals(first, reused, "the freed slot is reused");
        assertEquals(2, lots.ids[reused], "with a new id: ids are never reused");
        assertEquals(3, lots.created());
        lots.checkInvariants(2);
    }

    @Test
    void aSlotWithPointsInAnOpenHoldIsNotReused()
    {
        final int lot = open(10, 1_000);
        lots.held[lot] = 10;
        empty(lot, 50);
        lots.reclaim(Long.MAX_VALUE, 8);
        assertEquals(1, lots.slotsInUse(), "the hold gives its points back to this lot");
        lots.held[lot] = 0;
        lots.markClosed(lot, 60);
        lots.reclaim(61, 8);
        assertEquals(0, lots.slotsInUse());
    }

    @Test
    void aReopenedLotIsOpenAgainAndItsOldClosingDoesNotFreeIt()
    {
        final int lot = open(10, 1_000);
        empty(lot, 50);
        lots.reopen(alice, lot);
        lots.remaining[lot] = 4;
        alice.addPoints(1_000, 4);
        alice.available = 4;
        lots.reclaim(Long.MAX_VALUE, 8);
        assertEquals(1, lots.slotsInUse(), "open again: its earlier closing no longer counts");
        assertEquals(1, lots.queued());
        assertTrue(lots.memberConsistent(alice));
    }

    @Test
    void theHashCoversEverySlotFieldAndTheChecksFindAQueueOutOfStep()
    {
        final int lot = open(10, 1_000);
        final long hash = lots.hashSlots(lots.hashCounts(17));
        lots.forgiven[lot]++;
        assertNotEquals(hash, lots.hashSlots(lots.hashCounts(17)));
        lots.forgiven[lot]--;
        assertEquals(hash, lots.hashSlots(lots.hashCounts(17)));
        assertThrows(IllegalStateException.class, () -> lots.checkInvariants(2));
        lots.remaining[lot] = 11;
        assertFalse(lots.memberConsistent(alice), "more left than credited");
    }
}
