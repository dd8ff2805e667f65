package io.jifen.ledger.core;

import java.math.BigInteger;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine, one behaviour at a time. Time is data: every command is stamped with {@link #now}, which only
 * moves forward; nothing reads a clock. The default program expires points at the start of the month 13 months after
 * the earning month in Asia/Shanghai. Scenarios run under it with a ten-year request retention so that a reversal can
 * reach back across expiry months; the default 35-day window has tests of its own.
 */
class LedgerTest
{
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 86_400_000L;
    private static final Program PROGRAM = Program.parse("limits.requestRetentionDays = 3650\n");

    private final Command c = new Command();
    /** Every command that the ledger under test journaled, as submitted. */
    private final List<Command> journal = new ArrayList<>();
    private Ledger ledger = new Ledger(PROGRAM);
    private long now = at(2024, 1, 15, 10);

    @AfterEach
    void invariantsHoldAfterEveryScenario()
    {
        ledger.checkInvariants();
    }

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
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.CREDIT, 0, 250, at(2025, 2, 1, 0));

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
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.CREDIT, 1, 10, at(2026, 3, 1, 0));
        assertEquals(100, ledger.totalExpired());
    }

    // ------------------------------------------------------------------------------------------------ redeem

    @Test
    void redeemConsumesLotsSoonestExpiringFirst()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, expires 2025-02-01
        now = at(2024, 3, 10, 12);
        earn("e2", "m1", 200);                 // lot 1, expires 2025-04-01
        now = at(2024, 5, 2, 9);
        earn("e3", "m1", 300);                 // lot 2, expires 2025-06-01

        redeem("r1", "m1", 150);
        assertOk();
        assertEquals(150, c.resultPoints);
        assertEquals(450, c.balance);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.DEBIT, 0, 100, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.DEBIT, 1, 50, at(2025, 4, 1, 0));

        listLots("m1", 10);
        assertEquals(2, c.lots.size());
        assertEquals(1, c.lots.lotId(0));
        assertEquals(150, c.lots.remaining(0));
        assertEquals(2, c.lots.lotId(1));
        assertEquals(300, c.lots.remaining(1));
    }

    @Test
    void redeemFollowsExpiryOrderNotCreationOrder()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, expires 2025-02-01
        setProgram("expiry.months = 1\n");
        now = at(2024, 3, 10, 12);
        earn("e2", "m1", 100);                 // lot 1, expires 2024-05-01: sooner
        assertEquals(at(2024, 5, 1, 0), c.expiresAt);

        redeem("r1", "m1", 120);
        assertOk();
        assertEffect(0, EffectLog.DEBIT, 1, 100, at(2024, 5, 1, 0));
        assertEffect(1, EffectLog.DEBIT, 0, 20, at(2025, 2, 1, 0));
    }

    @Test
    void redeemOfMoreThanUsableIsInsufficientPointsNamingTheUsableBalance()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();

        redeem("r1", "m1", 101);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(100, c.resultDetail);
        assertEquals(0, c.sequence);
        assertEquals(0, c.effects.size());
        assertEquals(hash, ledger.stateHash());

        redeem("r2", "m1", 100);
        assertOk();
        assertEquals(0, c.balance);
        balance("m1");
        assertEquals(0, c.openLots);
    }

    @Test
    void redeemRejectedWhenOnlyExpiredLotsRemain()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // expires 2025-02-01
        now = at(2024, 3, 1, 8);
        earn("e2", "m1", 50);                  // expires 2025-04-01

        now = at(2025, 2, 1, 0);
        redeem("r1", "m1", 120);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(50, c.resultDetail, "the due lot is not usable even before it is swept");

        now = at(2025, 4, 1, 0);
        final long hash = ledger.stateHash();
        redeem("r2", "m1", 1);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(0, c.resultDetail);
        assertEquals(hash, ledger.stateHash(), "a rejected redeem does not expire anything");
        assertTrue(ledger.hasDueLots(now));
    }

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

        now = at(2025, 3, 1, 0);
        balance("m1");
        assertEquals(7, c.balance);
        assertEquals(1, c.openLots);
        assertEquals(at(2025, 7, 1, 0), c.nextExpiryAt);
        assertEquals(7, c.nextExpiryPoints);
        assertEquals(127, c.lifetimeEarned, "expiry does not touch lifetime points");
        assertEquals(0, ledger.totalExpired(), "a read expires nothing");
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
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 0, 70, at(2025, 2, 1, 0));
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
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 1, 20, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.EXPIRE, 4, 50, at(2025, 4, 1, 0));
        assertTrue(ledger.hasDueLots(now));
        balance("m3");
        assertEquals(0, c.balance, "m3's lot is due though the sweep has not reached it");

        expireTick(1);
        assertEquals(30, c.expired);
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 2, 30, at(2025, 3, 1, 0));

        final long sequence = ledger.lastSequence();
        expireTick(5);
        assertEquals(40, c.expired);
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 3, 40, at(2025, 4, 1, 0));
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
        assertEquals(3, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 0, 10, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.EXPIRE, 2, 30, at(2025, 4, 1, 0));
        assertEffect(2, EffectLog.EXPIRE, 3, 40, at(2025, 4, 1, 0));
        assertEquals(80, ledger.totalExpired(), "m2's lot 1, due before lots 2 and 3, waits: the limit is used up");
        balance("m1");
        assertEquals(50, c.balance);
        assertEquals(1, c.openLots);

        expireTick(1);
        assertEquals(20, c.expired);
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 1, 20, at(2025, 3, 1, 0));
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

    // ------------------------------------------------------------------------------------------------ reverse earn

    @Test
    void reverseOfEarnClawsBackAllItsPointsAndItsLifetimePoints()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 300);
        earn("e2", "m1", 50);
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(300, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(50, c.balance);
        assertEquals(50, c.lifetimeEarned);
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.CLAWBACK, 0, 300, at(2025, 2, 1, 0));
        assertEquals(300, ledger.totalDebited());
    }

    @Test
    void partialReversesOfEarnFollowOneAnotherUntilNothingIsLeftToReverse()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 300);
        reverse("v1", "m1", "e1", 100);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(200, c.balance);
        assertEquals(200, c.lifetimeEarned);
        reverse("v2", "m1", "e1", 100);
        assertOk();

        reverse("v3", "m1", "e1", 150);
        assertResult(ResultCode.REVERSE_POINTS_EXCEED);
        assertEquals(100, c.resultDetail);

        reverse("v4", "m1", "e1", 0);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(0, c.lifetimeEarned);

        reverse("v5", "m1", "e1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
        reverse("v6", "m1", "e1", 1);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
    }

    @Test
    void reverseOfSpentEarnClawsBackWhatIsLeftAndReportsTheShortfall()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 50);                  // lot 1
        redeem("r1", "m1", 120);               // lot 0 empty, lot 1 has 30

        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(30, c.resultPoints);
        assertEquals(70, c.shortfall);
        assertEquals(0, c.alreadyExpired, "the lot was spent, not expired");
        assertEquals(70, c.owed);
        assertEquals(0, c.balance);
        assertEquals(50, c.lifetimeEarned);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.CLAWBACK, 1, 30, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.SHORTFALL, 0, 70, at(2025, 2, 1, 0));
        assertEquals(150, ledger.totalDebited(), "the shortfall is owed, not debited");

        reverse("v2", "m1", "e1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE, "a shortfall still counts as reversed");
        assertEquals(0, c.owed);
        balance("m1");
        assertEquals(70, c.owed);
    }

    @Test
    void reverseOfEarnTakesFromItsOwnLotFirstThenSoonestExpiring()
    {
        enroll("req-1", "m1");
        for (int month = 1; month <= 4; month++)
        {
            now = at(2024, month * 2 - 1, 15, 10);
            earn("e" + month, "m1", 100);      // lots 0..3 expiring 2025-02, -04, -06, -08
        }
        redeem("r1", "m1", 150);               // lot 0 empty, lot 1 has 50

        reverse("v1", "m1", "e2", 0);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(150, c.balance);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.CLAWBACK, 1, 50, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.CLAWBACK, 2, 50, at(2025, 6, 1, 0));
    }

    @Test
    void reverseOfEarnWhoseLotExpiredClawsBackNothingForTheExpiredPoints()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 80);                  // lot 1, 2025-07-01

        now = at(2025, 2, 1, 0);
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(100, c.expired);
        assertEquals(0, c.resultPoints, "the member already lost those points: nothing is taken from lot 1");
        assertEquals(100, c.alreadyExpired);
        assertEquals(0, c.shortfall);
        assertEquals(0, c.owed);
        assertEquals(80, c.balance);
        assertEquals(80, c.lifetimeEarned, "the earn's tier points go in full");
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0));
        assertEquals(0, ledger.totalDebited());

        reverse("v2", "m1", "e1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
    }

    @Test
    void partialReversesOfASweptEarnForgiveItsExpiredPointsOnlyOnce()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 80);                  // lot 1, 2025-07-01
        redeem("r1", "m1", 60);                // lot 0 keeps 40
        now = at(2025, 2, 1, 0);
        expireTick(10);
        assertEquals(40, c.expired);

        reverse("v1", "m1", "e1", 30);
        assertOk();
        assertEquals(0, c.expired, "expired by the sweep, not by the reversal");
        assertEquals(30, c.alreadyExpired);
        assertEquals(0, c.resultPoints);
        assertEquals(0, c.effects.size());
        assertEquals(80, c.balance);

        reverse("v2", "m1", "e1", 30);
        assertOk();
        assertEquals(10, c.alreadyExpired, "only 40 expired, 30 of them forgiven already");
        assertEquals(20, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEffect(0, EffectLog.CLAWBACK, 1, 20, at(2025, 7, 1, 0));

        reverse("v3", "m1", "e1", 0);
        assertOk();
        assertEquals(0, c.alreadyExpired);
        assertEquals(40, c.resultPoints, "the 60 spent points are clawed back in full");
        assertEquals(20, c.balance);
        assertEquals(80, c.lifetimeEarned);
        assertEquals(0, c.owed);
    }

    @Test
    void reverseOfAnEarnWhoseLotExpiredPartlyAfterPartWasSpent()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 50);                  // lot 1, 2025-07-01
        redeem("r1", "m1", 60);                // from lot 0, which keeps 40

        now = at(2025, 2, 1, 0) + HOUR_MS;     // lot 0 is due, not yet swept
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(40, c.expired);
        assertEquals(40, c.alreadyExpired, "the 40 that expired are not clawed again");
        assertEquals(50, c.resultPoints, "of the 60 spent, what the member has");
        assertEquals(10, c.shortfall);
        assertEquals(10, c.owed);
        assertEquals(0, c.balance);
        assertEquals(50, c.lifetimeEarned);
        assertEquals(3, c.effects.size());
        assertEffect(0, EffectLog.EXPIRE, 0, 40, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.CLAWBACK, 1, 50, at(2025, 7, 1, 0));
        assertEffect(2, EffectLog.SHORTFALL, 0, 10, at(2025, 2, 1, 0));

        earn("e3", "m1", 25);                  // lot 2, 2026-03-01
        assertOk();
        assertEquals(15, c.balance);
        assertEquals(0, c.owed);
        assertEquals(75, c.lifetimeEarned);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.CREDIT, 2, 25, at(2026, 3, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 2, 10, at(2026, 3, 1, 0));
        assertEquals(60 + 50 + 10, ledger.totalDebited());
        assertEquals(40, ledger.totalExpired());
    }

    @Test
    void reverseOfEarnLowersLifetimePointsButDoesNotDowngradeTier()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 1000);
        assertEquals(Tier.SILVER.code(), c.tier);
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertEquals(0, c.lifetimeEarned);
        assertEquals(Tier.SILVER.code(), c.tier);
        checkTier("m1", Tier.SILVER);
        assertTrue(c.meets);

        earn("e2", "m1", 999);
        assertEquals(999, c.lifetimeEarned);
        assertEquals(Tier.SILVER.code(), c.tier);
    }

    @Test
    void reverseNeedsAnEarlierEarnOrRedeemOfTheSameMember()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 100);
        adjust("a1", "m1", 5, "goodwill");
        redeem("r-rejected", "m1", 1_000);
        final long hash = ledger.stateHash();

        reverse("v1", "m1", "never-seen", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        reverse("v2", "m1", "r-rejected", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND, "a rejected write is not remembered");
        reverse("v3", "m2", "e1", 0);
        assertResult(ResultCode.REVERSE_MEMBER_MISMATCH);
        reverse("v4", "m1", "a1", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
        reverse("v5", "m1", "req-1", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
        reverse("v6", "m1", "e1", 101);
        assertResult(ResultCode.REVERSE_POINTS_EXCEED);
        assertEquals(100, c.resultDetail);
        reverse("v7", "m1", "v7", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        assertEquals(hash, ledger.stateHash());

        reverse("v8", "m1", "e1", 0);
        assertOk();
        reverse("v9", "m1", "v8", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE, "a reversal is not itself reversible");
    }

    // ------------------------------------------------------------------------------------------------ reverse redeem

    @Test
    void reverseOfRedeemReturnsThePointsToTheLotsTheyCameFrom()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-04-01
        now = at(2024, 5, 1, 10);
        earn("e3", "m1", 100);                 // lot 2, 2025-06-01
        redeem("r1", "m1", 150);               // lot 0: 100, lot 1: 50
        final long lifetime = c.lifetimeEarned;

        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(150, c.resultPoints);
        assertEquals(300, c.balance);
        assertEquals(0, c.expired);
        assertEquals(lifetime, c.lifetimeEarned);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.RESTORE, 1, 50, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0));

        listLots("m1", 10);
        assertEquals(3, c.lots.size());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i, c.lots.lotId(i), "lot 0 reopened in its place");
            assertEquals(100, c.lots.remaining(i));
        }
        redeem("r2", "m1", 100);
        assertEffect(0, EffectLog.DEBIT, 0, 100, at(2025, 2, 1, 0));
    }

    @Test
    void partialReversesOfRedeemRestoreLatestExpiringLotFirst()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);                 // lot 1
        redeem("r1", "m1", 150);

        reverse("v1", "m1", "r1", 60);
        assertOk();
        assertEquals(60, c.resultPoints);
        assertEquals(110, c.balance);
        assertEffect(0, EffectLog.RESTORE, 1, 50, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.RESTORE, 0, 10, at(2025, 2, 1, 0));

        reverse("v2", "m1", "r1", 91);
        assertResult(ResultCode.REVERSE_POINTS_EXCEED);
        assertEquals(90, c.resultDetail);

        reverse("v3", "m1", "r1", 0);
        assertOk();
        assertEquals(90, c.resultPoints);
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.RESTORE, 0, 90, at(2025, 2, 1, 0));
        assertEquals(200, c.balance);

        reverse("v4", "m1", "r1", 0);
        assertResult(ResultCode.NOTHING_TO_REVERSE);
    }

    @Test
    void reverseOfRedeemExpiresAtOncePointsWhoseLotExpiredMeanwhile()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-07-01
        now = at(2024, 12, 1, 10);
        redeem("r1", "m1", 150);               // lot 0: 100, lot 1: 50

        now = at(2025, 3, 1, 0);
        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(150, c.resultPoints);
        assertEquals(100, c.expired);
        assertEquals(100, c.balance);
        assertEquals(3, c.effects.size());
        assertEffect(0, EffectLog.RESTORE, 1, 50, at(2025, 7, 1, 0));
        assertEffect(1, EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0));
        assertEffect(2, EffectLog.EXPIRE, 0, 100, at(2025, 2, 1, 0));
        assertEquals(100, ledger.totalExpired());

        balance("m1");
        assertEquals(100, c.balance);
        assertEquals(1, c.openLots);
        expireTick(10);
        assertEquals(0, c.expired, "nothing left for the sweep");
    }

    @Test
    void reverseOfRedeemAlsoExpiresOtherDueLotsOfTheMember()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-07-01
        redeem("r1", "m1", 150);               // lot 0: 100, lot 1: 50

        now = at(2025, 7, 1, 0);               // lot 1 (50 left) is due too
        reverse("v1", "m1", "r1", 0);
        assertOk();
        assertEquals(200, c.expired);
        assertEquals(0, c.balance);
        assertEquals(EffectLog.EXPIRE, c.effects.kind(0));
        assertEquals(50, c.effects.amount(0));
        assertEquals(150, c.effects.total(EffectLog.RESTORE));
        assertEquals(200, c.effects.total(EffectLog.EXPIRE));
    }

    // ------------------------------------------------------------------------------------------------ owed

    @Test
    void reversingBothHalvesOfAReturnInEitherOrderLeavesNothing()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");

        earn("e1", "m1", 100);                 // lot 0
        redeem("r1", "m1", 100);
        reverse("v1", "m1", "e1", 0);          // the earn first: nothing to claw, all owed
        assertOk();
        assertEquals(0, c.resultPoints);
        assertEquals(100, c.shortfall);
        assertEquals(0, c.alreadyExpired);
        assertEquals(100, c.owed);
        assertEquals(0, c.balance);
        assertEquals(1, c.effects.size());
        assertEffect(0, EffectLog.SHORTFALL, 0, 100, at(2025, 2, 1, 0));
        reverse("v2", "m1", "r1", 0);          // then the redeem: the restored points pay the debt
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(0, c.owed);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 0, 100, at(2025, 2, 1, 0));

        earn("e2", "m2", 100);                 // lot 1
        redeem("r2", "m2", 100);
        reverse("v3", "m2", "r2", 0);          // the redeem first
        assertOk();
        assertEquals(100, c.balance);
        assertEffect(0, EffectLog.RESTORE, 1, 100, at(2025, 2, 1, 0));
        reverse("v4", "m2", "e2", 0);          // then the earn, from its own lot
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.shortfall);
        assertEquals(0, c.owed);
        assertEquals(0, c.balance);
        assertEffect(0, EffectLog.CLAWBACK, 1, 100, at(2025, 2, 1, 0));

        for (final String member : new String[] {"m1", "m2"})
        {
            balance(member);
            assertEquals(0, c.balance, member);
            assertEquals(0, c.owed, member);
            assertEquals(0, c.lifetimeEarned, member);
            assertEquals(0, c.openLots, member);
        }
        assertEquals(400, ledger.totalCredited());
        assertEquals(400, ledger.totalDebited());
        assertEquals(0, ledger.totalExpired());
    }

    @Test
    void owedIsTakenFromTheNextCreditsAsSettlements()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0
        redeem("r1", "m1", 100);
        reverse("v1", "m1", "e1", 0);
        assertEquals(100, c.owed);
        balance("m1");
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(100, c.owed);
        final long debited = ledger.totalDebited();

        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 30);                  // lot 1, all of it taken
        assertOk();
        assertEquals(30, c.resultPoints);
        assertEquals(0, c.balance);
        assertEquals(70, c.owed);
        assertEquals(30, c.lifetimeEarned, "an earn's tier points count even when its points pay a debt");
        assertEquals(1, c.lotId);
        assertEquals(2, c.effects.size());
        assertEffect(0, EffectLog.CREDIT, 1, 30, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 1, 30, at(2025, 4, 1, 0));

        adjust("a1", "m1", 100, "goodwill");   // lot 2, 70 of it taken
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(30, c.balance);
        assertEquals(0, c.owed);
        assertEffect(0, EffectLog.CREDIT, 2, 100, at(2025, 4, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 2, 70, at(2025, 4, 1, 0));
        assertEquals(debited + 100, ledger.totalDebited(), "settled points are debited");

        earn("e3", "m1", 5);
        assertEquals(1, c.effects.size(), "nothing owed any more");
        assertEquals(35, c.balance);
        balance("m1");
        assertEquals(0, c.owed);
        assertEquals(35, c.balance);
    }

    @Test
    void owedIsSettledSoonestExpiringFirstAfterTheRestoresOfAReversedRedeem()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);                 // lot 1, 2025-04-01
        now = at(2024, 5, 1, 10);
        earn("e3", "m1", 50);                  // lot 2, 2025-06-01
        redeem("r1", "m1", 250);               // all three lots
        reverse("v1", "m1", "e3", 0);
        assertEquals(50, c.owed);

        reverse("v2", "m1", "r1", 120);        // restores lot 2: 50, lot 1: 70; then pays 50 from lot 1
        assertOk();
        assertEquals(120, c.resultPoints);
        assertEquals(70, c.balance);
        assertEquals(0, c.owed);
        assertEquals(3, c.effects.size());
        assertEffect(0, EffectLog.RESTORE, 2, 50, at(2025, 6, 1, 0));
        assertEffect(1, EffectLog.RESTORE, 1, 70, at(2025, 4, 1, 0));
        assertEffect(2, EffectLog.SETTLE, 1, 50, at(2025, 4, 1, 0));

        listLots("m1", 10);
        assertEquals(2, c.lots.size());
        assertEquals(1, c.lots.lotId(0));
        assertEquals(20, c.lots.remaining(0));
        assertEquals(2, c.lots.lotId(1));
        assertEquals(50, c.lots.remaining(1));
    }

    @Test
    void pointsRestoredIntoAnExpiredLotPayWhatIsOwedThenExpire()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        redeem("r1", "m1", 100);
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 40);                  // lot 1, 2025-07-01
        redeem("r2", "m1", 40);
        reverse("v1", "m1", "e2", 0);
        assertEquals(40, c.owed);

        now = at(2025, 3, 1, 0);
        reverse("v2", "m1", "r1", 0);
        assertOk();
        assertEquals(100, c.resultPoints);
        assertEquals(60, c.expired);
        assertEquals(0, c.balance);
        assertEquals(0, c.owed, "restored points pay the debt before they lapse");
        assertEquals(3, c.effects.size());
        assertEffect(0, EffectLog.RESTORE, 0, 100, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 0, 40, at(2025, 2, 1, 0));
        assertEffect(2, EffectLog.EXPIRE, 0, 60, at(2025, 2, 1, 0));

        reverse("v3", "m1", "e1", 0);          // 60 of lot 0's points came back only to expire: forgiven
        assertOk();
        assertEquals(60, c.alreadyExpired);
        assertEquals(0, c.resultPoints);
        assertEquals(40, c.shortfall, "the 40 that paid e2's debt were spent, in effect");
        assertEquals(40, c.owed);

        reverse("v4", "m1", "r2", 0);          // live points pay too
        assertOk();
        assertEquals(0, c.balance);
        assertEquals(0, c.owed);
        assertEffect(0, EffectLog.RESTORE, 1, 40, at(2025, 7, 1, 0));
        assertEffect(1, EffectLog.SETTLE, 1, 40, at(2025, 7, 1, 0));
    }

    @Test
    void reversingBothHalvesOfAReturnEndsTheSameInEitherOrderEvenAfterTheLotExpired()
    {
        for (final boolean earnFirst : new boolean[] {true, false})
        {
            ledger = new Ledger(PROGRAM);
            now = at(2024, 1, 1, 10);
            enroll("req-1", "m1");
            earn("e1", "m1", 100);             // lot 0, expires 2025-02-01
            redeem("r1", "m1", 100);
            now = at(2025, 3, 1, 0);           // lot 0 has expired (empty)
            reverse("v1", "m1", earnFirst ? "e1" : "r1", 0);
            assertOk();
            reverse("v2", "m1", earnFirst ? "r1" : "e1", 0);
            assertOk();
            assertEquals(0, c.balance, "earn first: " + earnFirst);
            assertEquals(0, c.owed, "earn first: " + earnFirst);
            ledger.checkInvariants();
        }
    }

    @Test
    void retryOfAReversalReplaysTheRememberedAlreadyExpiredAndOwed()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 6, 1, 10);
        earn("e2", "m1", 50);                  // lot 1, 2025-07-01
        redeem("r1", "m1", 60);
        now = at(2025, 2, 1, 0);
        reverse("v1", "m1", "e1", 0);
        assertEquals(40, c.alreadyExpired);
        assertEquals(10, c.owed);
        final long sequence = c.sequence;
        earn("e3", "m1", 25);
        assertEquals(0, c.owed);
        final long hash = ledger.stateHash();

        now += HOUR_MS;
        reverse("v1", "m1", "e1", 0);
        assertOk();
        assertTrue(c.replay);
        assertEquals(sequence, c.sequence);
        assertEquals(40, c.alreadyExpired);
        assertEquals(10, c.shortfall);
        assertEquals(10, c.owed, "what the member owed right after the reversal, not now");
        assertEquals(50, c.resultPoints);
        assertEquals(hash, ledger.stateHash());
        balance("m1");
        assertEquals(0, c.owed);
        assertEquals(15, c.balance);
    }

    // ------------------------------------------------------------------------------------------------ adjust

    @Test
    void positiveAdjustCreatesALotWithoutLifetimePointsOrTier()
    {
        enroll("req-1", "m1");
        adjust("a1", "m1", 5_000, "migration from the old system");
        assertOk();
        assertEquals(5_000, c.resultPoints);
        assertEquals(5_000, c.balance);
        assertEquals(0, c.lifetimeEarned);
        assertEquals(Tier.MEMBER.code(), c.tier);
        assertEquals(0, c.lotId);
        assertEquals(at(2025, 2, 1, 0), c.expiresAt);
        assertEffect(0, EffectLog.CREDIT, 0, 5_000, at(2025, 2, 1, 0));

        reverse("v1", "m1", "a1", 0);
        assertResult(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
    }

    @Test
    void negativeAdjustDebitsSoonestExpiringFirst()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        now = at(2024, 3, 1, 10);
        earn("e2", "m1", 100);
        adjust("a1", "m1", -150, "duplicate order");
        assertOk();
        assertEquals(-150, c.resultPoints);
        assertEquals(50, c.balance);
        assertEquals(200, c.lifetimeEarned, "a correction does not touch lifetime points");
        assertEffect(0, EffectLog.DEBIT, 0, 100, at(2025, 2, 1, 0));
        assertEffect(1, EffectLog.DEBIT, 1, 50, at(2025, 4, 1, 0));
    }

    @Test
    void negativeAdjustBeyondTheBalanceIsInsufficientPoints()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 50);
        adjust("a1", "m1", -51, "too much");
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(50, c.resultDetail);
        adjust("a2", "m1", -50, "exactly all");
        assertOk();
        assertEquals(0, c.balance);
    }

    @Test
    void adjustWithoutReasonIsReasonRequired()
    {
        enroll("req-1", "m1");
        for (final String reason : new String[] {null, "", "   "})
        {
            adjust("a1", "m1", 10, reason);
            assertResult(ResultCode.REASON_REQUIRED);
        }
        adjust("a1", "m1", 10, "x".repeat(CommandValidator.REASON_LENGTH_MAX + 1));
        assertResult(ResultCode.REASON_INVALID);
        adjust("a1", "m1", 10, "x".repeat(CommandValidator.REASON_LENGTH_MAX));
        assertOk();
    }

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

    // ------------------------------------------------------------------------------------------------ validation

    @Test
    void idOf64CharactersIsValidAnd65IsNot()
    {
        final String id64 = "i".repeat(CommandValidator.ID_LENGTH_MAX);
        final String id65 = id64 + "i";
        enroll(id64, id64);
        assertOk();
        enroll(id65, "m2");
        assertResult(ResultCode.REQUEST_ID_INVALID);
        enroll("req-2", id65);
        assertResult(ResultCode.MEMBER_ID_INVALID);
        begin(CommandType.ENROLL, "req-3", "m3").referrerId = id65;
        send();
        assertResult(ResultCode.REFERRER_ID_INVALID);
        begin(CommandType.ENROLL, "req-4", "m4").referrerId = id64;
        send();
        assertOk();

        earn("e1", id64, 10);
        begin(CommandType.EARN, "e2", id64).points = 10;
        c.orderId = id65;
        send();
        assertResult(ResultCode.ORDER_ID_INVALID);
        begin(CommandType.EARN, "e2", id64).points = 10;
        c.orderId = id64;
        send();
        assertOk();
        reverse("v1", id64, id65, 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_ID_INVALID);
        reverse("v1", id64, "e1", 0);
        assertOk();
        balance(id65);
        assertResult(ResultCode.MEMBER_ID_INVALID);
    }

    @Test
    void idsWithNonPrintableOrNonAsciiCharactersOrSpacesAreInvalid()
    {
        for (final String bad : new String[] {"a b", "a\tb", "a\nb", "a\u0000b", "a\u007Fb", "\u79EF\u5206", "", null})
        {
            enroll(bad, "m1");
            assertResult(ResultCode.REQUEST_ID_INVALID, "request id '" + bad + "'");
            enroll("req-1", bad);
            assertResult(ResultCode.MEMBER_ID_INVALID, "member id '" + bad + "'");
        }
        enroll("!~#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "m1");
        assertOk();
        assertEquals(1, ledger.memberCount());
    }

    @Test
    void pointsOutsideOneToPointsMaxAreInvalid()
    {
        enroll("req-1", "m1");
        for (final CommandType type : new CommandType[] {CommandType.EARN, CommandType.REDEEM})
        {
            for (final long points : new long[] {0, -1, Ledger.POINTS_MAX + 1, Long.MIN_VALUE, Long.MAX_VALUE})
            {
                begin(type, "p1", "m1").points = points;
                send();
                assertResult(ResultCode.POINTS_INVALID, type + " of " + points);
            }
        }
        for (final long points : new long[] {0, -Ledger.POINTS_MAX - 1, Ledger.POINTS_MAX + 1, Long.MIN_VALUE})
        {
            adjust("p1", "m1", points, "why");
            assertResult(ResultCode.POINTS_INVALID, "adjust of " + points);
        }
        reverse("p1", "m1", "e1", -1);
        assertResult(ResultCode.POINTS_INVALID);
        reverse("p1", "m1", "e1", Ledger.POINTS_MAX + 1);
        assertResult(ResultCode.POINTS_INVALID);

        earn("e1", "m1", Ledger.POINTS_MAX);
        assertOk();
        redeem("r1", "m1", Ledger.POINTS_MAX);
        assertOk();
        adjust("a1", "m1", Ledger.POINTS_MAX, "max");
        assertOk();
        adjust("a2", "m1", -Ledger.POINTS_MAX, "min");
        assertOk();
        assertEquals(0, c.balance);
    }

    @Test
    void reasonOf256CharactersIsValidAnd257IsNot()
    {
        enroll("req-1", "m1");
        final String reason256 = "r".repeat(CommandValidator.REASON_LENGTH_MAX);
        final String reason257 = reason256 + "r";
        final CommandType[] types = {CommandType.EARN, CommandType.REDEEM, CommandType.REVERSE, CommandType.ADJUST,
            CommandType.SET_STATUS};
        for (final CommandType type : types)
        {
            begin(type, "x1", "m1").points = 1;
            c.originalRequestId = "e0";
            c.status = MemberStatus.ACTIVE.code();
            c.reason = reason257;
            send();
            assertResult(ResultCode.REASON_INVALID, type.toString());
        }
        begin(CommandType.EARN, "e0", "m1").points = 1;
        c.reason = reason256;
        send();
        assertOk();
        assertEquals(2, ledger.lastSequence());
    }

    @Test
    void birthdayMustBeADayThatExistsInALeapYear()
    {
        assertEquals(-1, CommandValidator.parseBirthday("02-30"));
        assertEquals(229, CommandValidator.parseBirthday("02-29"));
        assertEquals(1231, CommandValidator.parseBirthday("12-31"));
        assertEquals(0, CommandValidator.parseBirthday(""));
        assertEquals(-1, CommandValidator.parseBirthday("13-01"));
        assertEquals(-1, CommandValidator.parseBirthday("04-31"));
        assertEquals(-1, CommandValidator.parseBirthday("2-3"));
        assertEquals(-1, CommandValidator.parseBirthday("ab-cd"));
        assertEquals("02-29", CommandValidator.formatBirthday(229));

        for (final int bad : new int[] {230, 431, 1301, 100, 1232, -1, 5})
        {
            begin(CommandType.ENROLL, "req-1", "m1").birthday = bad;
            send();
            assertResult(ResultCode.BIRTHDAY_INVALID, "birthday " + bad);
        }
        begin(CommandType.ENROLL, "req-1", "m1").birthday = 229;
        send();
        assertOk();
    }

    @Test
    void listLotsLimitMustBeOneToOneThousand()
    {
        enroll("req-1", "m1");
        for (final int limit : new int[] {0, -1, CommandValidator.LIST_LOTS_LIMIT_MAX + 1})
        {
            listLots("m1", limit);
            assertResult(ResultCode.LIMIT_INVALID, "limit " + limit);
        }
        listLots("m1", 1);
        assertOk();
        listLots("m1", CommandValidator.LIST_LOTS_LIMIT_MAX);
        assertOk();
    }

    @Test
    void expireTickLimitMustBeOneToOneMillion()
    {
        for (final int limit : new int[] {0, -1, CommandValidator.EXPIRE_TICK_LIMIT_MAX + 1})
        {
            expireTick(limit);
            assertResult(ResultCode.LIMIT_INVALID, "limit " + limit);
        }
        expireTick(CommandValidator.EXPIRE_TICK_LIMIT_MAX);
        assertOk();
    }

    @Test
    void statusMinTierAndTypeMustBeKnown()
    {
        enroll("req-1", "m1");
        for (final int status : new int[] {0, 4, -1})
        {
            begin(CommandType.SET_STATUS, "s1", "m1").status = status;
            send();
            assertResult(ResultCode.STATUS_INVALID, "status " + status);
        }
        for (final int minTier : new int[] {0, 5})
        {
            begin(CommandType.CHECK_TIER, null, "m1").minTier = minTier;
            send();
            assertResult(ResultCode.MIN_TIER_INVALID, "min tier " + minTier);
        }
        begin(null, "x", "m1");
        send();
        assertResult(ResultCode.COMMAND_INVALID);
        begin(CommandType.SET_PROGRAM, null, null);
        send();
        assertResult(ResultCode.COMMAND_INVALID);
        begin(CommandType.SET_PROGRAM, null, null).programText =
            "x".repeat(CommandValidator.PROGRAM_TEXT_LENGTH_MAX + 1);
        send();
        assertResult(ResultCode.COMMAND_INVALID);
    }

    @Test
    void invalidCommandsChangeNothing()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();
        final long sequence = ledger.lastSequence();

        earn("e2", "m1", 0);
        redeem("r1 ", "m1", 10);
        adjust("a1", "m1", 10, null);
        setProgram("tier.silver = 5000\ntier.gold = 10\n");
        assertResult(ResultCode.COMMAND_INVALID, "thresholds must not decrease");
        setProgram("no.such.key = 1\n");
        assertResult(ResultCode.COMMAND_INVALID);
        assertEquals(0, c.sequence);

        assertEquals(hash, ledger.stateHash());
        assertEquals(sequence, ledger.lastSequence());
        assertEquals(PROGRAM, ledger.program());
    }

    @Test
    void timeGoingBackwardsIsRefused()
    {
        enroll("req-1", "m1");
        now -= 1;
        assertThrows(IllegalStateException.class, () -> balance("m1"));
        now += 1;
        balance("m1");
        assertOk();
    }

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

    // ------------------------------------------------------------------------------------------------ totals

    @Test
    void totalsAreExactAndOutstandingAtLeavesOutDuePoints()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 3, 1, 10);
        earn("e2", "m2", 50);                  // lot 1, 2025-04-01
        redeem("r1", "m1", 30);
        assertEquals(BigInteger.valueOf(150), ledger.credited());
        assertEquals(BigInteger.valueOf(30), ledger.debited());
        assertEquals(BigInteger.ZERO, ledger.expired());
        assertEquals(BigInteger.valueOf(120), ledger.outstandingAt(now));

        final long hash = ledger.stateHash();
        assertEquals(BigInteger.valueOf(120), ledger.outstandingAt(at(2025, 2, 1, 0) - 1));
        assertEquals(BigInteger.valueOf(50), ledger.outstandingAt(at(2025, 2, 1, 0)), "m1's 70 are dead");
        assertEquals(BigInteger.ZERO, ledger.outstandingAt(at(2025, 4, 1, 0)));
        assertEquals(hash, ledger.stateHash(), "a report changes nothing");

        now = at(2025, 3, 1, 0);
        assertEquals(BigInteger.valueOf(50), ledger.outstandingAt(now), "due before the sweep has run");
        expireTick(10);
        assertEquals(BigInteger.valueOf(70), ledger.expired());
        assertEquals(BigInteger.valueOf(50), ledger.outstandingAt(now));
        assertEquals(ledger.credited().subtract(ledger.debited()).subtract(ledger.expired()),
            ledger.outstandingAt(now));
        assertEquals(70, ledger.totalExpired());
    }

    @Test
    void wideCounterCarriesIntoTheHighWordInsteadOfWrapping()
    {
        final WideCounter counter = new WideCounter();
        final long zeroHash = counter.hash(7);
        counter.add(Long.MAX_VALUE);
        assertEquals(BigInteger.valueOf(Long.MAX_VALUE), counter.value());
        counter.add(Long.MAX_VALUE);
        counter.add(1);
        assertEquals(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), counter.value());
        counter.add(1);
        assertEquals(BigInteger.ONE.shiftLeft(64), counter.value(), "carried: low word 0, high word 1");
        assertNotEquals(zeroHash, counter.hash(7), "the high word is hashed");
        counter.add(Long.MAX_VALUE);
        assertEquals(BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(Long.MAX_VALUE)), counter.value());
    }

    @Test
    void totalsBeyondALongAreExactAndTheirLongViewsRefuseToWrap()
    {
        final Ledger big = new Ledger(PROGRAM);
        final WideCounter credited = big.stores().totals.credited;
        credited.add(Long.MAX_VALUE);
        credited.add(Long.MAX_VALUE);
        credited.add(2);
        assertEquals(BigInteger.ONE.shiftLeft(64), big.credited());
        assertThrows(ArithmeticException.class, big::totalCredited);
        assertEquals(0, big.totalDebited());
        final IllegalStateException broken = assertThrows(IllegalStateException.class, big::checkInvariants);
        assertEquals("credited 18446744073709551616 - debited 0 - expired 0 != balances 0", broken.getMessage());
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
        assertEquals(1 << 29, LedgerContext.MEMBERS_MAX_LIMIT);
        assertEquals(1 << 26, LedgerContext.REQUEST_IDS_MAX_LIMIT);
        assertEquals(1 << 30, LedgerContext.LOTS_MAX_LIMIT);
        assertEquals(LedgerContext.LOTS_MAX_LIMIT, new LedgerContext().conclude().lotsMax());
        new LedgerContext().membersMax(1 << 29).lotsMax(1 << 30).requestIdsMax(1 << 26).conclude();
        new LedgerContext().membersMax(1).lotsMax(1).requestIdsMax(1).conclude();

        for (final int bad : new int[] {0, -1, (1 << 29) + 1, Integer.MAX_VALUE})
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

    // ------------------------------------------------------------------------------------------------ state hash

    @Test
    void stateHashCoversWhatEachMemberOwesAndWhatExpiredFromEachLot()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();

        final long[] lotExpired = ledger.stores().lots.expired;
        lotExpired[0]++;
        assertNotEquals(hash, ledger.stateHash(), "lotExpired");
        lotExpired[0]--;
        assertEquals(hash, ledger.stateHash());

        final Member member = ledger.stores().members.get(0);
        member.owed = 1;
        assertNotEquals(hash, ledger.stateHash(), "owed");
        member.owed = 0;
        assertEquals(hash, ledger.stateHash());
    }

    @Test
    void stateHashCoversEveryFieldOfARememberedRequest()
    {
        final Map<String, Consumer<Command>> outcomes = new LinkedHashMap<>();
        outcomes.put("requestId", x -> x.requestId = "other");
        outcomes.put("type", x -> x.type = CommandType.REDEEM);
        outcomes.put("timestamp", x -> x.timestamp++);
        outcomes.put("sequence", x -> x.sequence++);
        outcomes.put("resultPoints", x -> x.resultPoints++);
        outcomes.put("balance", x -> x.balance++);
        outcomes.put("lifetimeEarned", x -> x.lifetimeEarned++);
        outcomes.put("tier", x -> x.tier++);
        outcomes.put("memberStatus", x -> x.memberStatus++);
        outcomes.put("lotId", x -> x.lotId++);
        outcomes.put("expiresAt", x -> x.expiresAt++);
        outcomes.put("expired", x -> x.expired++);
        // an earn keeps the bonuses it paid in the slots where a reversal keeps its shortfall and points already
        // expired: changing these covers those slots
        outcomes.put("bonusPoints", x -> x.bonusPoints++);
        outcomes.put("referrerBonusPoints", x -> x.referrerBonusPoints++);
        outcomes.put("owed", x -> x.owed++);
        final Consumer<Command> same = x -> { };
        final Consumer<RequestLog> unchanged = log -> { };

        final long hash = rememberedRequestHash(same, 5, 1, 0, 1, unchanged);
        assertEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, unchanged));
        for (final Map.Entry<String, Consumer<Command>> outcome : outcomes.entrySet())
        {
            assertNotEquals(hash, rememberedRequestHash(outcome.getValue(), 5, 1, 0, 1, unchanged), outcome.getKey());
        }
        assertNotEquals(hash, rememberedRequestHash(same, 6, 1, 0, 1, unchanged), "fingerprint");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 2, 0, 1, unchanged), "member");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 1, 1, unchanged), "first allocation");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 2, unchanged), "allocation count");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, log -> log.addReversed(0, 1)), "reversed");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, log -> log.addForgiven(0, 1)), "forgiven");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, log -> log.addAllocRestored(1, 1)), "restored");
    }

    /**
     * @return the hash of a request log that remembers one write, changed as asked; the allocation ring holds two
     * identical allocations, of which the write owns {@code owned} from the {@code before}-th on.
     */
    private static long rememberedRequestHash(
        final Consumer<Command> outcome,
        final long fingerprint,
        final int member,
        final int before,
        final int owned,
        final Consumer<RequestLog> change)
    {
        final Command write = new Command();
        write.type = CommandType.EARN;
        write.requestId = "w1";
        write.memberId = "m1";
        write.points = 100;
        write.timestamp = 1_000;
        write.sequence = 2;
        write.resultPoints = 100;
        write.balance = 100;
        write.lifetimeEarned = 100;
        write.tier = Tier.MEMBER.code();
        write.memberStatus = MemberStatus.ACTIVE.code();
        write.lotId = 4;
        write.expiresAt = 2_000;
        outcome.accept(write);
        final RequestLog log = new RequestLog(16);
        for (int i = 0; i < before; i++)
        {
            log.addAllocation(3, 1);
        }
        final long allocStart = log.allocTail();
        for (int i = 0; i < owned; i++)
        {
            log.addAllocation(3, 1);
        }
        log.append(write, fingerprint, member, allocStart, 4);
        for (int i = before + owned; i < 2; i++)
        {
            log.addAllocation(3, 1);
        }
        change.accept(log);
        return log.hash(17);
    }

    // ------------------------------------------------------------------------------------------------ determinism

    @Test
    void sameCommandsGiveTheSameStateHash()
    {
        final long first = runScript(100);
        final long firstSequence = ledger.lastSequence();
        ledger.checkInvariants();

        ledger = new Ledger(PROGRAM);
        now = at(2024, 1, 15, 10);
        assertEquals(first, runScript(100));
        assertEquals(firstSequence, ledger.lastSequence());
    }

    @Test
    void aDifferentCommandGivesADifferentStateHash()
    {
        final long first = runScript(100);
        ledger.checkInvariants();

        ledger = new Ledger(PROGRAM);
        now = at(2024, 1, 15, 10);
        assertNotEquals(first, runScript(101));
    }

    @Test
    void rejectedCommandsAndReadsLeaveTheStateHashUnchanged()
    {
        runScript(100);
        final long hash = ledger.stateHash();
        final long sequence = ledger.lastSequence();

        now += HOUR_MS;
        redeem("rx", "m1", 1_000_000);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        earn("ex", "ghost", 1);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        reverse("v2", "m1", "e2", 999);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        enroll("req-x", "m1");
        assertResult(ResultCode.MEMBER_EXISTS);
        reverse("vx", "m1", "nothing", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        expireTick(10);
        assertEquals(0, c.sequence);
        balance("m1");
        listLots("m1", 10);
        checkTier("m1", Tier.GOLD);
        reverse("v2", "m1", "e2", 1_000);
        assertTrue(c.replay);

        assertEquals(hash, ledger.stateHash());
        assertEquals(sequence, ledger.lastSequence());
    }

    @Test
    void rejectedOrReplayedWritesLeaveTheStateHashUnchangedWhenOldRequestsAwaitEviction()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"));
        enroll("req-1", "m1");
        for (int i = 0; i < 3 * Ledger.EVICTIONS_PER_WRITE; i++)
        {
            earn("e" + i, "m1", 1);
        }
        now += 12 * HOUR_MS;
        earn("late", "m1", 1);
        now += 12 * HOUR_MS + 1;               // everything before "late" is out of the window
        final long hash = ledger.stateHash();

        redeem("rx", "m1", 1_000_000);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(hash, ledger.stateHash(), "a rejected write changes nothing");
        earn("late", "m1", 2);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        assertEquals(hash, ledger.stateHash(), "a conflicting write changes nothing");
        earn("late", "m1", 1);
        assertTrue(c.replay);
        assertEquals(hash, ledger.stateHash(), "a replayed write changes nothing");
    }

    /**
     * A fixed history touching every write type, with one point count that tests vary.
     *
     * @return the state hash after it.
     */
    private long runScript(final long firstEarn)
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        begin(CommandType.ENROLL, "req-3", "m3").referrerId = "m1";
        c.birthday = 1224;
        send();
        earn("e1", "m1", firstEarn);
        now = at(2024, 4, 2, 10);
        earn("e2", "m1", 6_000);
        earn("e3", "m2", 40);
        redeem("r1", "m1", 150);
        reverse("v1", "m1", "r1", 40);
        adjust("a1", "m2", -15, "fix");
        adjust("a2", "m3", 25, "welcome");
        setStatus("s1", "m2", MemberStatus.FROZEN);
        now = at(2025, 2, 1, 0);
        expireTick(10);
        reverse("v2", "m1", "e2", 1_000);
        setProgram("limits.requestRetentionDays = 3650\ntier.gold = 4000\n");
        assertOk();
        ledger.checkInvariants();
        return ledger.stateHash();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static long at(final int year, final int month, final int day, final int hour)
    {
        return ZonedDateTime.of(year, month, day, hour, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }

    private void advance(final long ms)
    {
        now += ms;
    }

    private Command begin(final CommandType type, final String requestId, final String memberId)
    {
        c.clear();
        c.type = type;
        c.requestId = requestId;
        c.memberId = memberId;
        return c;
    }

    private Command send()
    {
        c.timestamp = now;
        ledger.apply(c);
        if (c.isJournaled())
        {
            journal.add(new Command().copyInputsFrom(c));
        }
        return c;
    }

    /**
     * Applies what {@link #ledger} journaled so far to another ledger, as a journal replay does.
     *
     * @return OK, or the result of the first command the other ledger did not journal.
     */
    private ResultCode replay(final Ledger other)
    {
        final Command command = new Command();
        for (final Command record : journal)
        {
            command.clear();
            command.copyInputsFrom(record);
            other.apply(command);
            if (!command.isJournaled())
            {
                return command.result;
            }
        }
        return ResultCode.OK;
    }

    private Command enroll(final String requestId, final String memberId)
    {
        begin(CommandType.ENROLL, requestId, memberId);
        return send();
    }

    private Command earn(final String requestId, final String memberId, final long points)
    {
        begin(CommandType.EARN, requestId, memberId).points = points;
        return send();
    }

    private Command redeem(final String requestId, final String memberId, final long points)
    {
        begin(CommandType.REDEEM, requestId, memberId).points = points;
        return send();
    }

    private Command reverse(
        final String requestId, final String memberId, final String originalRequestId, final long points)
    {
        begin(CommandType.REVERSE, requestId, memberId).points = points;
        c.originalRequestId = originalRequestId;
        return send();
    }

    private Command adjust(final String requestId, final String memberId, final long points, final String reason)
    {
        begin(CommandType.ADJUST, requestId, memberId).points = points;
        c.reason = reason;
        return send();
    }

    private Command setStatus(final String requestId, final String memberId, final MemberStatus status)
    {
        begin(CommandType.SET_STATUS, requestId, memberId).status = status.code();
        return send();
    }

    private Command balance(final String memberId)
    {
        begin(CommandType.GET_BALANCE, null, memberId);
        return send();
    }

    private Command checkTier(final String memberId, final Tier minTier)
    {
        begin(CommandType.CHECK_TIER, null, memberId).minTier = minTier.code();
        return send();
    }

    private Command listLots(final String memberId, final int limit)
    {
        begin(CommandType.LIST_LOTS, null, memberId).limit = limit;
        return send();
    }

    private Command expireTick(final int limit)
    {
        begin(CommandType.EXPIRE_TICK, null, null).limit = limit;
        return send();
    }

    private Command setProgram(final String text)
    {
        begin(CommandType.SET_PROGRAM, null, null).programText = text;
        return send();
    }

    private void assertOk()
    {
        assertResult(ResultCode.OK);
    }

    private void assertResult(final ResultCode expected)
    {
        assertResult(expected, "");
    }

    private void assertResult(final ResultCode expected, final String message)
    {
        assertEquals(expected, c.result, () -> message + " " + c);
        if (expected != ResultCode.OK)
        {
            assertEquals(0, c.sequence, () -> "a rejected command is not journaled: " + c);
            assertEquals(0, c.effects.size(), () -> "a rejected command has no effects: " + c);
        }
    }

    private void assertEffect(
        final int index, final byte kind, final long lotId, final long amount, final long expiresAt)
    {
        final String what = "effect " + index + " of " + c;
        assertTrue(index < c.effects.size(), what);
        assertEquals(EffectLog.kindName(kind), EffectLog.kindName(c.effects.kind(index)), what);
        assertEquals(lotId, c.effects.lotId(index), what);
        assertEquals(amount, c.effects.amount(index), what);
        assertEquals(expiresAt, c.effects.expiresAt(index), what);
    }

    /**
     * Remembers the outcome of the write just applied, sends the retry an hour later, and checks that the retry
     * returns that outcome, marked as a replay, without effects or any change of state.
     */
    private void assertReplayed(final Runnable retry)
    {
        assertOk();
        final long sequence = c.sequence;
        final long timestamp = c.timestamp;
        final long resultPoints = c.resultPoints;
        final long balance = c.balance;
        final long lifetimeEarned = c.lifetimeEarned;
        final int tier = c.tier;
        final int memberStatus = c.memberStatus;
        final long lotId = c.lotId;
        final long expiresAt = c.expiresAt;
        final long expired = c.expired;
        final long shortfall = c.shortfall;
        final long alreadyExpired = c.alreadyExpired;
        final long owed = c.owed;
        final CommandType type = c.type;
        final long hash = ledger.stateHash();
        final long lastSequence = ledger.lastSequence();

        advance(HOUR_MS);
        retry.run();
        assertOk();
        final String what = type + " retry";
        assertTrue(c.replay, what);
        assertFalse(c.isJournaled(), what);
        assertEquals(0, c.effects.size(), what);
        assertEquals(sequence, c.sequence, what);
        assertEquals(timestamp, c.timestamp, what);
        assertEquals(resultPoints, c.resultPoints, what);
        assertEquals(balance, c.balance, what);
        assertEquals(lifetimeEarned, c.lifetimeEarned, what);
        assertEquals(tier, c.tier, what);
        assertEquals(memberStatus, c.memberStatus, what);
        assertEquals(lotId, c.lotId, what);
        assertEquals(expiresAt, c.expiresAt, what);
        assertEquals(expired, c.expired, what);
        assertEquals(shortfall, c.shortfall, what);
        assertEquals(alreadyExpired, c.alreadyExpired, what);
        assertEquals(owed, c.owed, what);
        assertEquals(hash, ledger.stateHash(), what);
        assertEquals(lastSequence, ledger.lastSequence(), what);
    }
}
