package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Member status and tiers, and a program change's effect on them.
 */
class MemberChangesTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ status

    @Test
    void frozenMemberCannotEarnOrRedeemButReversalsAndCorrectionsApply()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        redeem("r1", "m1", 30);
        setStatus("s1", "m1", MemberStatus.FROZEN);
        assertOk();
        assertEquals(MemberStatus.FROZEN.code(), c.memberStatus);
        assertEquals(70, c.balance);

        earn("e2", "m1", 10);
        assertResult(ResultCode.MEMBER_FROZEN);
        redeem("r2", "m1", 10);
        assertResult(ResultCode.MEMBER_FROZEN);
        checkTier("m1", Tier.MEMBER);
        assertOk();
        assertFalse(c.meets, "a frozen member does not meet any tier");
        balance("m1");
        assertEquals(70, c.balance, "a frozen member keeps its points");
        assertEquals(MemberStatus.FROZEN.code(), c.memberStatus);

        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(100, c.balance);
        adjust("a1", "m1", 5, "goodwill");
        assertOk();
        adjust("a2", "m1", -50, "fraud");      // from lot 0: 50 left there, 5 in the adjustment's lot
        assertOk();
        reverse("v2", "m1", "e1", 0);
        assertOk();
        assertEquals(55, c.resultPoints);
        assertEquals(45, c.shortfall);
        assertEquals(45, c.owed);
        assertEquals(0, c.balance);
        adjust("a3", "m1", 5, "goodwill");
        assertOk();
        assertEquals(40, c.owed, "a frozen member's debt is settled from corrections too");
        assertEquals(0, c.balance);

        setStatus("s2", "m1", MemberStatus.ACTIVE);
        assertOk();
        assertEquals(40, c.owed);
        earn("e2", "m1", 10);
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(30, c.owed);
    }

    @Test
    void closedMemberCannotBeChangedAgain()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        redeem("r1", "m1", 10);
        setStatus("s1", "m1", MemberStatus.CLOSED);
        assertOk();
        final long hash = ledger.stateHash();

        earn("e2", "m1", 10);
        assertResult(ResultCode.MEMBER_CLOSED);
        redeem("r2", "m1", 10);
        assertResult(ResultCode.MEMBER_CLOSED);
        reverse("v1", "m1", "e1", 0);
        assertResult(ResultCode.MEMBER_CLOSED);
        reverse("v2", "m1", "r1", 0);
        assertResult(ResultCode.MEMBER_CLOSED);
        adjust("a1", "m1", 10, "why");
        assertResult(ResultCode.MEMBER_CLOSED);
        for (final MemberStatus status : MemberStatus.values())
        {
            setStatus("s2", "m1", status);
            assertResult(ResultCode.MEMBER_CLOSED, "to " + status);
        }
        assertEquals(hash, ledger.stateHash());

        balance("m1");
        assertOk();
        assertEquals(MemberStatus.CLOSED.code(), c.memberStatus);
        assertEquals(90, c.balance);
        now = at(2025, 2, 1, 0);
        expireTick(10);
        assertEquals(90, c.expired, "a closed member's points still expire");
    }

    @Test
    void setStatusExpiresDuePointsBeforeReportingTheBalance()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 5);
        now = at(2025, 2, 1, 0);
        setStatus("s1", "m1", MemberStatus.FROZEN);
        assertOk();
        assertEquals(5, c.balance, "points past their expiry are never reported as available");
        assertEquals(100, c.expired);
        assertEffect(0, EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0));
    }

    @Test
    void checkTierMeetsWhenActiveAndAtOrAboveTheMinimum()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 5_000);
        for (final Tier minTier : Tier.values())
        {
            checkTier("m1", minTier);
            assertOk();
            assertEquals(Tier.GOLD.code(), c.tier);
            assertEquals(minTier.compareTo(Tier.GOLD) <= 0, c.meets, "min " + minTier);
            assertEquals(MemberStatus.ACTIVE.code(), c.memberStatus);
        }
    }

    // ------------------------------------------------------------------------------------------------ tiers, program

    @Test
    void tierFollowsLifetimeEarnedThresholds()
    {
        final long[] lifetimes = {999, 1_000, 4_999, 5_000, 19_999, 20_000};
        final Tier[] tiers = {Tier.MEMBER, Tier.SILVER, Tier.SILVER, Tier.GOLD, Tier.GOLD, Tier.PLATINUM};
        for (int i = 0; i < lifetimes.length; i++)
        {
            final String member = "m" + i;
            enroll("req-" + i, member);
            earn("e" + i, member, lifetimes[i]);
            assertEquals(tiers[i].code(), c.tier, "lifetime " + lifetimes[i]);
        }

        enroll("req-x", "mx");
        earn("ex1", "mx", 999);
        assertEquals(Tier.MEMBER.code(), c.tier);
        earn("ex2", "mx", 1);
        assertEquals(Tier.SILVER.code(), c.tier);
        assertEquals(1_000, c.lifetimeEarned);
        redeem("rx", "mx", 1_000);
        assertEquals(Tier.SILVER.code(), c.tier, "spending points does not lower the tier");
        balance("mx");
        assertEquals(Tier.SILVER.code(), c.tier);
        assertEquals(1_000, c.lifetimeEarned);
    }

    @Test
    void setProgramChangesTierThresholdsForLaterEarns()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 500);
        final long sequence = ledger.lastSequence();

        setProgram("name = spring\ntier.silver = 100\ntier.gold = 600\ntier.platinum = 700\n");
        assertOk();
        assertEquals(sequence + 1, c.sequence);
        assertEquals("spring", ledger.program().name());
        checkTier("m1", Tier.SILVER);
        assertFalse(c.meets, "tiers are reached by earning, not recomputed when the program changes");

        earn("e2", "m1", 1);
        assertEquals(Tier.SILVER.code(), c.tier);
        earn("e3", "m1", 100);
        assertEquals(Tier.GOLD.code(), c.tier);
        earn("e4", "m1", 100);
        assertEquals(Tier.PLATINUM.code(), c.tier);

        setProgram("tier.silver = 0\n");
        enroll("req-2", "m2");
        assertEquals(Tier.SILVER.code(), c.tier, "a new member starts at the tier that 0 points reach");
    }
}
