package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Earning explicit points: the lot, its expiry month in the program's zone.
 */
class EarningTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ earn

    @Test
    void earnCreditsLotExpiringAtStartOfMonthThirteenMonthsAfterEarnMonthInShanghai()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 250);
        assertOk();
        assertEquals(250, c.resultPoints);
        assertEquals(250, c.balance);
        assertEquals(250, c.lifetimeEarned);
        assertEquals(0, c.lotId);
        assertEquals(at(2025, 2, 1, 0), c.expiresAt);
        assertEquals(2, c.sequence);
        assertEffects(effect(EffectLog.CREDIT, 0, 250, at(2025, 2, 1, 0)));

        listLots("m1", 10);
        assertEquals(1, c.lots.size());
        assertEquals(0, c.lots.lotId(0));
        assertEquals(250, c.lots.amount(0));
        assertEquals(250, c.lots.remaining(0));
        assertEquals(now, c.lots.earnedAt(0));
        assertEquals(at(2025, 2, 1, 0), c.lots.expiresAt(0));
    }

    @Test
    void earnJustAfterMidnightInShanghaiCountsInShanghaiMonthNotUtcMonth()
    {
        enroll("req-1", "m1");
        now = at(2024, 2, 1, 0) + 1; // still January 31st in UTC
        earn("e1", "m1", 10);
        assertEquals(at(2025, 3, 1, 0), c.expiresAt);

        now = at(2024, 2, 29, 23) + 59 * 60_000L; // leap day, last minute of February in Shanghai
        earn("e2", "m1", 10);
        assertEquals(at(2025, 3, 1, 0), c.expiresAt);

        now = at(2024, 3, 1, 0);
        earn("e3", "m1", 10);
        assertEquals(at(2025, 4, 1, 0), c.expiresAt);
    }

    @Test
    void earnForUnknownMemberIsMemberNotFound()
    {
        earn("e1", "ghost", 10);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        assertEquals(0, ledger.lotCount());
        for (final CommandType type : new CommandType[] {CommandType.GET_BALANCE, CommandType.CHECK_TIER})
        {
            begin(type, null, "ghost").minTier = Tier.MEMBER.code();
            send();
            assertResult(ResultCode.MEMBER_NOT_FOUND);
        }
        listLots("ghost", 10);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        redeem("r1", "ghost", 1);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        adjust("a1", "ghost", 1, "why");
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        reverse("v1", "ghost", "e1", 0);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        setStatus("s1", "ghost", MemberStatus.FROZEN);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        assertEquals(0, ledger.lastSequence());
    }

    @Test
    void writeExpiresTheMembersDueLotsFirstAndReportsThem()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        now = at(2025, 2, 1, 0) + HOUR_MS;
        earn("e2", "m1", 10);
        assertOk();
        assertEquals(100, c.expired);
        assertEquals(10, c.balance);
        assertEffects(
            effect(EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0)),
            effect(EffectLog.CREDIT, 1, 10, at(2026, 3, 1, 0)));
        assertEquals(100, ledger.totalExpired());
    }
}
