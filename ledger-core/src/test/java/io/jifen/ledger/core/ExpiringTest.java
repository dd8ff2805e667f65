package io.jifen.ledger.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ListExpiring: the members of a program with at least so many points expiring within a window, for reminder
 * campaigns; paged in enrollment order, a bounded scan a page, and nothing changed by reading.
 */
class ExpiringTest extends LedgerScenarios
{
    private static final long FEB = at(2025, 2, 1, 0);
    private static final long JUL = at(2025, 7, 1, 0);

    @Test
    void membersWithEnoughPointsExpiringWithinTheWindowComeInEnrollmentOrder()
    {
        enroll("q1", "a");
        earn("e1", "a", 100);                        // expires 2025-02-01
        enroll("q2", "b");
        earn("e2", "b", 5);                          // too few for min 10
        enroll("q3", "c");                           // no points
        now = at(2024, 6, 5, 10);
        enroll("q4", "d");
        earn("e4", "d", 300);                        // expires 2025-07-01
        earn("e4b", "a", 40);                        // a: 40 more, 2025-07-01
        enroll("q5", "e");
        earn("e5", "e", 70);
        setStatus("s5", "e", MemberStatus.CLOSED);   // closed: never listed
        redeem("r1", "d", 100);

        now = at(2025, 1, 10, 0);
        final long hash = ledger.stateHash();
        assertEquals(List.of("a 100 " + FEB + " 140"), all(30, 10, 100), "30 days: only February's points");
        assertEquals(List.of("a 140 " + FEB + " 140", "d 200 " + JUL + " 200"), all(200, 10, 1),
            "200 days: both batches of a, what is left of d's; a page of one member at a time");
        assertEquals(List.of("d 200 " + JUL + " 200"), all(200, 150, 100), "min 150: a's 140 are too few");
        assertEquals(hash, ledger.stateHash(), "reading changes nothing");

        now = FEB;
        assertEquals(List.of("a 40 " + JUL + " 40", "d 200 " + JUL + " 200"), all(200, 10, 100),
            "points due now have expired: they are not expiring any more");
    }

    @Test
    void aPageScansAtMostItsBudgetOfMembersAndSaysWhereToGoOn()
    {
        final int members = Limits.EXPIRING_SCAN_MAX + 10;
        for (int i = 0; i < members; i++)
        {
            enroll("q" + i, "m" + i);
        }
        earn("e", "m" + (members - 3), 500);
        page(400, 1, 10, 0, 0);
        assertOk();
        assertEquals(0, c.expiring.size(), "the first page scanned its budget and found no one");
        assertEquals(Limits.EXPIRING_SCAN_MAX, c.nextCursor);
        final long end = c.windowEnd;
        page(0, 1, 10, c.nextCursor, end);
        assertOk();
        assertEquals(1, c.expiring.size());
        assertEquals("m" + (members - 3), c.expiring.memberId(0));
        assertEquals(-1, c.nextCursor, "every member scanned");
        assertEquals(end, c.windowEnd, "the window stays the first page's");
    }

    @Test
    void badRequestsAreRefusedWithTheirField()
    {
        enroll("q1", "a");
        earn("e1", "a", 100);
        final long hash = ledger.stateHash();
        page(30, 1, 0, 0, 0);
        assertResult(ResultCode.LIMIT_INVALID);
        page(30, 1, 1001, 0, 0);
        assertResult(ResultCode.LIMIT_INVALID);
        page(30, 0, 10, 0, 0);
        assertResult(ResultCode.MIN_POINTS_INVALID);
        page(30, Limits.POINTS_MAX + 1, 10, 0, 0);
        assertResult(ResultCode.MIN_POINTS_INVALID);
        page(0, 1, 10, 0, 0);
        assertResult(ResultCode.WITHIN_DAYS_INVALID);
        page(Limits.WITHIN_DAYS_MAX + 1, 1, 10, 0, 0);
        assertResult(ResultCode.WITHIN_DAYS_INVALID);
        page(0, 1, 10, 3, 0);
        assertResult(ResultCode.PAGE_TOKEN_INVALID, "a position without a window");
        page(0, 1, 10, 2, now);
        assertResult(ResultCode.PAGE_TOKEN_INVALID, "past the last member");
        page(30, 1, 10, 0, 0).programId = "tea";
        send();
        assertResult(ResultCode.PROGRAM_NOT_FOUND);
        assertEquals(hash, ledger.stateHash());
    }

    /** Every page of a listing, as "id points first-expiry available". */
    private List<String> all(final int withinDays, final long minPoints, final int limit)
    {
        final List<String> listed = new ArrayList<>();
        int cursor = 0;
        long end = 0;
        do
        {
            page(end == 0 ? withinDays : 0, minPoints, limit, cursor, end);
            assertOk();
            for (int i = 0; i < c.expiring.size(); i++)
            {
                listed.add(c.expiring.memberId(i) + " " + c.expiring.points(i) + " " +
                    c.expiring.firstExpiresAt(i) + " " + c.expiring.balance(i));
            }
            cursor = c.nextCursor;
            end = c.windowEnd;
        }
        while (cursor >= 0);
        return listed;
    }

    private Command page(final int withinDays, final long minPoints, final int limit, final int cursor,
        final long expiringBefore)
    {
        begin(CommandType.LIST_EXPIRING, null, null);
        c.withinDays = withinDays;
        c.minPoints = minPoints;
        c.limit = limit;
        c.cursor = cursor;
        c.expiringBefore = expiringBefore;
        return send();
    }
}
