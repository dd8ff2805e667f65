package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Enrollment: a new member, its referrer, the members limit.
 */
class EnrollmentTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ enroll

    @Test
    void enrollCreatesActiveMemberAtLowestTierWithNothingToSpend()
    {
        enroll("req-1", "m1");
        assertOk();
        assertFalse(c.replay);
        assertEquals(1, c.sequence);
        assertEquals(0, c.balance);
        assertEquals(Tier.MEMBER.code(), c.tier);
        assertEquals(MemberStatus.ACTIVE.code(), c.memberStatus);
        assertEquals(0, c.effects.size());

        balance("m1");
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(0, c.openLots);
        assertEquals(0, c.nextExpiryAt);
        assertEquals(0, c.nextExpiryPoints);
        assertEquals(1, ledger.memberCount());
    }

    @Test
    void enrollRetriedWithSameRequestReplaysTheOriginalResult()
    {
        final long enrolledAt = now;
        enroll("req-1", "m1");
        final long hash = ledger.stateHash();

        advance(HOUR_MS);
        enroll("req-1", "m1");
        assertOk();
        assertTrue(c.replay);
        assertEquals(1, c.sequence);
        assertEquals(enrolledAt, c.timestamp, "a replay reports the original stamp");
        assertEquals(Tier.MEMBER.code(), c.tier);
        assertFalse(c.isJournaled());
        assertEquals(hash, ledger.stateHash());
        assertEquals(1, ledger.lastSequence());
    }

    @Test
    void enrollOfExistingMemberUnderAnotherRequestIsMemberExists()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m1");
        assertResult(ResultCode.MEMBER_EXISTS);
        assertEquals(0, c.sequence);
        assertEquals(1, ledger.memberCount());
    }

    @Test
    void enrollWithUnknownReferrerIsReferrerNotFound()
    {
        begin(CommandType.ENROLL, "req-1", "m1").referrerId = "nobody";
        send();
        assertResult(ResultCode.REFERRER_NOT_FOUND);
        assertEquals(0, ledger.memberCount());

        enroll("req-2", "nobody");
        begin(CommandType.ENROLL, "req-1", "m1").referrerId = "nobody";
        send();
        assertOk();
        assertFalse(c.replay, "the rejected attempt was not remembered");
        assertEquals(2, ledger.memberCount());
    }

    @Test
    void enrollWithEmptyReferrerMeansNoReferrer()
    {
        begin(CommandType.ENROLL, "req-1", "m1").referrerId = "";
        send();
        assertOk();
    }

    @Test
    void enrollReferringItselfIsInvalid()
    {
        begin(CommandType.ENROLL, "req-1", "m1").referrerId = "m1";
        send();
        assertResult(ResultCode.REFERRER_ID_INVALID);
    }

    @Test
    void enrollBeyondMembersMaxIsRefused()
    {
        ledger = new Ledger(Program.defaultProgram(), new LedgerContext().membersMax(2));
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        assertOk();
        enroll("req-3", "m3");
        assertResult(ResultCode.MEMBERS_MAX);
        assertEquals(2, ledger.memberCount());
    }
}
