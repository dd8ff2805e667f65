package io.jifen.ledger.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

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
    private final MemberStore members = new MemberStore(16);
    private final LotStore lots = new LotStore(16, members);
    private final int alice = members.add(0, "alice", 0, -1, 0);

    /** Opens a lot as a credit would, keeping the member's balance in step. */
    private int open(final long points, final long expiresAt)
    {
        final int lot = lots.open(alice, points, 0, expiresAt);
        members.addPoints(alice, expiresAt, points);
        members.addAvailable(alice, points);
        return lot;
    }

    /** Empties a lot at {@code now} as a debit would. */
    private void empty(final int lot, final long now)
    {
        members.addPoints(alice, lots.expiresAt.get(lot), -lots.remaining.get(lot));
        members.addAvailable(alice, -(lots.remaining.get(lot)));
        lots.remaining.set(lot, 0);
        lots.removeOpen(alice, lot);
        lots.close(lot, now);
    }

    @Test
    void keepsAMembersOpenLotsByExpiryThenId()
    {
        final int late = open(10, 300);
        final int early = open(20, 100);
        final int alsoEarly = open(30, 100);
        assertEquals(early, lots.firstOpen(alice));
        assertEquals(alsoEarly, lots.nextOpen.get(early), "same expiry: the older id first");
        assertEquals(late, lots.nextOpen.get(alsoEarly));
        assertEquals(-1, lots.nextOpen.get(late));
        assertEquals(late, members.lastLot(alice));
        assertEquals(alsoEarly, lots.prevOpen.get(late));
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
        assertEquals(-1, lots.ids.get(first), "a freed slot has no lot");

        final int reused = open(7, 3_000);
        assertEquals(first, reused, "the freed slot is reused");
        assertEquals(2, lots.ids.get(reused), "with a new id: ids are never reused");
        assertEquals(3, lots.created());
        lots.checkInvariants(2);
    }

    @Test
    void aSlotWithPointsInAnOpenHoldIsNotReused()
    {
        final int lot = open(10, 1_000);
        lots.held.set(lot, 10);
        empty(lot, 50);
        lots.reclaim(Long.MAX_VALUE, 8);
        assertEquals(1, lots.slotsInUse(), "the hold gives its points back to this lot");
        lots.held.set(lot, 0);
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
        lots.remaining.set(lot, 4);
        members.addPoints(alice, 1_000, 4);
        members.available(alice, 4);
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
        lots.forgiven.add(lot, 1);
        assertNotEquals(hash, lots.hashSlots(lots.hashCounts(17)));
        lots.forgiven.add(lot, -1);
        assertEquals(hash, lots.hashSlots(lots.hashCounts(17)));
        assertThrows(IllegalStateException.class, () -> lots.checkInvariants(2));
        lots.remaining.set(lot, 11);
        assertFalse(lots.memberConsistent(alice), "more left than credited");
    }

    @Test
    void aMembersListStaysInExpiryThenIdOrderThroughOpeningsAndRemovalsAnywhere()
    {
        final Random random = new Random(7);
        final List<Integer> expected = new ArrayList<>(); // lot slots, kept sorted by the rule
        final Comparator<Integer> byExpiryThenId =
            Comparator.comparingLong((Integer l) -> lots.expiresAt.get(l)).thenComparingLong(l -> lots.ids.get(l));
        long now = 0;
        for (int step = 0; step < 3_000; step++)
        {
            final int action = random.nextInt(10);
            if (action < 5 || expected.isEmpty())
            {
                expected.add(open(1 + random.nextInt(100), 1_000 + random.nextInt(20) * 100L));
                expected.sort(byExpiryThenId);
            }
            else if (action < 8)
            {
                final int lot = expected.remove(random.nextInt(expected.size()));
                empty(lot, ++now);
            }
            else
            {
                final int n = 1 + random.nextInt(Math.min(3, expected.size()));
                for (int i = 0; i < n; i++)
                {
                    final int lot = expected.remove(0);
                    members.addPoints(alice, lots.expiresAt.get(lot), -lots.remaining.get(lot));
                    members.addAvailable(alice, -(lots.remaining.get(lot)));
                    lots.remaining.set(lot, 0);
                    lots.close(lot, ++now);
                }
                lots.removeFirstOpen(alice, n);
            }
            final List<Integer> listed = new ArrayList<>();
            for (int lot = lots.firstOpen(alice); lot >= 0; lot = lots.nextOpen.get(lot))
            {
                listed.add(lot);
            }
            assertEquals(expected, listed, "step " + step);
            assertEquals(expected.size(), members.lotCount(alice));
            assertEquals(expected.isEmpty() ? -1 : expected.get(expected.size() - 1), members.lastLot(alice));
            assertTrue(lots.memberConsistent(alice), "step " + step);
            lots.reclaim(now - 10, 4);
        }
        final int someLot = lots.firstOpen(alice) >= 0 ? lots.firstOpen(alice) : open(1, 1_000);
        empty(someLot, ++now);
        assertThrows(IllegalStateException.class, () -> lots.removeOpen(alice, someLot), "already out of the list");
    }
}
