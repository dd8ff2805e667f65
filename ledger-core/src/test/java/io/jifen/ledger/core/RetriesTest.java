package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotent writes: a retry gets the remembered answer and changes nothing; other content under the same id is a
 * conflict.
 */
class RetriesTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ idempotency

    @Test
    void retryOfEveryWriteTypeReplaysTheOriginalResultAndChangesNothing()
    {
        enroll("req-1", "m1");
        assertReplayed(() -> enroll("req-1", "m1"));

        earn("e1", "m1", 100);
        assertReplayed(() -> earn("e1", "m1", 100));
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);

        redeem("r1", "m1", 150);
        assertReplayed(() -> redeem("r1", "m1", 150));

        reverse("v1", "m1", "r1", 20);
        assertReplayed(() -> reverse("v1", "m1", "r1", 20));

        reverse("v2", "m1", "e1", 0);
        assertEquals(30, c.owed);
        assertReplayed(() -> reverse("v2", "m1", "e1", 0));

        adjust("a1", "m1", 40, "goodwill");    // settles the 30 owed
        assertEquals(0, c.owed);
        assertEquals(10, c.balance);
        assertReplayed(() -> adjust("a1", "m1", 40, "goodwill"));

        adjust("a2", "m1", -10, "fix");
        assertReplayed(() -> adjust("a2", "m1", -10, "fix"));

        setStatus("s1", "m1", MemberStatus.FROZEN);
        assertReplayed(() -> setStatus("s1", "m1", MemberStatus.FROZEN));

        setStatus("s2", "m1", MemberStatus.CLOSED);
        assertReplayed(() -> setStatus("s2", "m1", MemberStatus.CLOSED));
    }

    @Test
    void replayReportsTheOriginalOutcomeEvenAfterTheMemberChanged()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        earn("e2", "m1", 900);
        assertEquals(Tier.SILVER.code(), c.tier);
        redeem("r1", "m1", 1000);

        earn("e1", "m1", 100);
        assertTrue(c.replay);
        assertEquals(100, c.balance);
        assertEquals(100, c.lifetimeEarned);
        assertEquals(Tier.MEMBER.code(), c.tier);
        assertEquals(0, c.lotId);
    }

    @Test
    void reuseOfARequestIdWithOtherContentIsRequestIdConflict()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();

        earn("e1", "m1", 101);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        earn("e1", "m2", 100);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        redeem("e1", "m1", 100);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        begin(CommandType.EARN, "e1", "m1").points = 100;
        c.orderId = "order-9";
        send();
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        enroll("e1", "m3");
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        begin(CommandType.ENROLL, "req-1", "m1").birthday = 229;
        send();
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        assertFalse(c.replay);
        assertEquals(0, c.sequence);
        assertEquals(hash, ledger.stateHash());

        begin(CommandType.EARN, "e1", "m1").points = 100;
        c.orderId = "";
        c.reason = "";
        send();
        assertOk();
        assertTrue(c.replay, "an empty optional field is the same request as an absent one");
    }

    @Test
    void retryOfARejectedWriteIsEvaluatedAnew()
    {
        enroll("req-1", "m1");
        redeem("r1", "m1", 100);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        earn("e1", "m1", 100);
        redeem("r1", "m1", 100);
        assertOk();
        assertFalse(c.replay);
        assertEquals(0, c.balance);
    }
}
