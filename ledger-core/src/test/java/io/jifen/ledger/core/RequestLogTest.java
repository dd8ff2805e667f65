package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request log's own rules: a write is remembered with its answer for the retention window, a retry gets that
 * answer back, eviction is bounded and in arrival order, an open hold is not forgotten, and the capacity limit counts
 * only what is still remembered.
 */
class RequestLogTest
{
    private static final long NONE = -1;

    private final RequestLog log = new RequestLog(4, 16);
    private final Command c = new Command();
    /** Members 0..7 of the first program, 8 and 9 of the second: an entry's program is its member's. */
    private final MemberStore members = new MemberStore(16);

    RequestLogTest()
    {
        for (int i = 0; i < 10; i++)
        {
            members.add(i < 8 ? 0 : 1, "m" + i, 0, -1, 0);
        }
        log.scopeBy(members);
    }

    private long append(final CommandType type, final String requestId, final long timestamp, final long points)
    {
        c.clear();
        c.resetResult();
        c.type = type;
        c.requestId = requestId;
        c.timestamp = timestamp;
        c.sequence = timestamp;
        c.resultPoints = points;
        c.balance = 10 * points;
        c.lotId = points + 1;
        final long position = log.nextPosition();
        log.append(c, 31 * points, 7, log.allocTail(), 0);
        return position;
    }

    @Test
    void aRetryWithinTheWindowGetsTheRememberedAnswer()
    {
        final long position = append(CommandType.EARN, "req-1", 1_000, 42);
        assertEquals(position, log.find("req-1", 0, 1_000), "found at its own instant");
        assertEquals(NONE, log.find("req-1", 0, 1_001), "forgotten once the cutoff passes it");
        assertEquals(NONE, log.find("req-2", 0, 0));
        assertEquals(31 * 42, log.fingerprint(position));
        assertEquals(7, log.member(position));

        final Command retry = new Command();
        retry.type = CommandType.EARN;
        retry.requestId = "req-1";
        log.fillResult(position, retry);
        assertEquals(42, retry.resultPoints);
        assertEquals(420, retry.balance);
        assertEquals(43, retry.lotId);
        assertEquals(1_000, retry.sequence);
    }

    @Test
    void evictionIsBoundedInArrivalOrderAndStopsAtTheWindow()
    {
        for (int i = 0; i < 10; i++)
        {
            append(CommandType.REDEEM, "req-" + i, 100 * i, i + 1);
        }
        log.evictOlderThan(500, 3);
        assertEquals(7, log.size(), "at most the bound per call");
        log.evictOlderThan(500, 100);
        assertEquals(5, log.size(), "nothing stamped at or after the cutoff goes");
        assertEquals(NONE, log.find("req-4", 0, 0), "an evicted id is gone whatever the cutoff");
        assertTrue(log.find("req-5", 0, 0) >= 0);
    }

    @Test
    void anOpenHoldIsNotForgottenUntilItIsClosed()
    {
        final long hold = append(CommandType.HOLD, "hold-1", 100, 50);
        append(CommandType.REDEEM, "req-1", 200, 5);
        log.evictOlderThan(1_000, 100);
        assertEquals(2, log.size(), "the open hold stops the eviction, and what came after it stays too");
        log.addReversed(hold, 50);
        log.evictOlderThan(1_000, 100);
        assertEquals(0, log.size(), "closed: both go");
    }

    @Test
    void capacityCountsOnlyWhatIsStillRememberedAndTheLogGrowsPastItsExpectedSize()
    {
        for (int i = 0; i < 4; i++)
        {
            append(CommandType.REDEEM, "req-" + i, 100 * i, i + 1);
        }
        assertFalse(log.hasCapacity(0), "four of four remembered");
        assertTrue(log.hasCapacity(100), "one is forgotten by the cutoff, even before it is evicted");
        for (int i = 4; i < 40; i++)
        {
            append(CommandType.REDEEM, "req-" + i, 100 * i, i + 1); // a replay appends past the limit
        }
        assertEquals(40, log.size());
        for (int i = 0; i < 40; i++)
        {
            assertEquals(i + 1, log.points(log.find("req-" + i, 0, 0)), "req-" + i + " after the log grew");
        }
    }

    @Test
    void anIdIsScopedByTheProgramOfItsMember()
    {
        c.clear();
        c.resetResult();
        c.type = CommandType.EARN;
        c.requestId = "order-1";
        c.timestamp = 1_000;
        final long first = log.nextPosition();
        log.append(c, 11, 7, log.allocTail(), 0); // member 7: the first program
        assertEquals(NONE, log.find("order-1", 1, 0), "another program's clients do not see it");
        final long second = log.nextPosition();
        log.append(c, 12, 8, log.allocTail(), 0); // member 8: the second program, the same id
        assertEquals(first, log.find("order-1", 0, 0));
        assertEquals(second, log.find("order-1", 1, 0));
        assertEquals(11, log.fingerprint(log.find("order-1", 0, 0)));
        assertEquals(12, log.fingerprint(log.find("order-1", 1, 0)));
    }
}
