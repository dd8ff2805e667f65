package io.jifen.ledger.core;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds at checkout: Hold reserves, CaptureHold redeems all or part and releases the rest, ReleaseHold gives all
 * back, and the sweep releases a hold at its timeout. Two lots to take from: 100 points earned in January 2024 and 50
 * in March 2024, so the January lot expires first.
 */
class HoldTest
{
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final long SECOND_MS = 1_000L;
    private static final Program PROGRAM = Program.parse("limits.requestRetentionDays = 3650\n");

    private final Command c = new Command();
    private final List<Command> journal = new ArrayList<>();
    private Ledger ledger = new Ledger(PROGRAM);
    private long now = at(2024, 1, 15, 10);
    private long january;
    private long march;
    private long januaryExpiry;
    private long marchExpiry;

    @BeforeEach
    void twoLots()
    {
        send(CommandType.ENROLL, "enroll-1", "m1");
        send(CommandType.ENROLL, "enroll-2", "m2");
        begin(CommandType.EARN, "e1", "m1").points = 100;
        send();
        january = c.lotId;
        januaryExpiry = c.expiresAt;
        now = at(2024, 3, 10, 10);
        begin(CommandType.EARN, "e2", "m1").points = 50;
        send();
        march = c.lotId;
        marchExpiry = c.expiresAt;
        assertTrue(januaryExpiry < marchExpiry);
    }

    @AfterEach
    void invariantsHoldAndTheJournalReplaysToTheSameState()
    {
        ledger.checkInvariants();
        final Ledger other = new Ledger(PROGRAM);
        final Command command = new Command();
        for (final Command record : journal)
        {
            command.clear();
            command.copyInputsFrom(record);
            other.apply(command);
            assertTrue(command.isJournaled(), "replay refused " + command);
        }
        assertEquals(ledger.stateHash(), other.stateHash());
    }

    @Test
    void holdTakesSoonestExpiringPointsAndMakesThemUnavailable()
    {
        hold("h1", "m1", 120, 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(120, c.resultPoints);
        assertEquals(30, c.balance);
        assertEquals(120, c.held);
        assertEquals(now + CommandValidator.HOLD_TIMEOUT_DEFAULT_SECONDS * SECOND_MS, c.expiresAt);
        assertEffects(EffectLog.HOLD, january, 100, EffectLog.HOLD, march, 20);

        balance("m1");
        assertEquals(30, c.balance);
        assertEquals(120, c.held);

        begin(CommandType.REDEEM, "r1", "m1").points = 31;
        send();
        assertRejected(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(30, c.resultDetail);
        assertEquals(120, ledger.held());
    }

    @Test
    void captureOfAllRedeemsAndClosesTheHold()
    {
        hold("h1", "m1", 120, 0);
        capture("c1", "m1", "h1", 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(120, c.resultPoints);
        assertEquals(0, c.released);
        assertEquals(0, c.held);
        assertEquals(30, c.balance);
        assertEffects(EffectLog.CAPTURE, january, 100, EffectLog.CAPTURE, march, 20);
        assertEquals(0, ledger.held());
        assertEquals(120, ledger.totalDebited());

        capture("c2", "m1", "h1", 0);
        assertRejected(ResultCode.HOLD_CLOSED);
        release("x1", "m1", "h1");
        assertRejected(ResultCode.HOLD_CLOSED);
    }

    @Test
    void partialCaptureReleasesTheRestLatestExpiringFirst()
    {
        hold("h1", "m1", 120, 0);
        capture("c1", "m1", "h1", 90);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(90, c.resultPoints);
        assertEquals(30, c.released);
        assertEquals(0, c.held);
        assertEquals(60, c.balance);
        // captured soonest-expiring first; the rest goes back latest-expiring first
        assertEffects(EffectLog.CAPTURE, january, 90, EffectLog.RELEASE, march, 20, EffectLog.RELEASE, january, 10);
        assertEquals(60, ledger.totalCredited() - ledger.totalDebited(), "held points count as debited until " +
            "released: 120 debited at the hold, 30 credited back");
    }

    @Test
    void releaseGivesEverythingBackToItsLots()
    {
        hold("h1", "m1", 120, 0);
        release("x1", "m1", "h1");
        assertEquals(ResultCode.OK, c.result);
        assertEquals(120, c.resultPoints);
        assertEquals(120, c.released);
        assertEquals(150, c.balance);
        assertEquals(0, c.held);
        assertEffects(EffectLog.RELEASE, march, 20, EffectLog.RELEASE, january, 100);

        begin(CommandType.LIST_LOTS, null, "m1").limit = 10;
        send();
        assertEquals(2, c.lots.size());
        assertEquals(100, c.lots.remaining(0));
        assertEquals(50, c.lots.remaining(1));
        assertEquals(150, ledger.totalCredited() - ledger.totalDebited(), "nothing redeemed for good");
        assertEquals(0, ledger.held());
    }

    @Test
    void theSweepReleasesAtTheTimeoutAndACaptureAfterItIsRefused()
    {
        hold("h1", "m1", 120, 60);
        final long timeoutAt = c.expiresAt;
        assertEquals(now + 60 * SECOND_MS, timeoutAt);

        now = timeoutAt - 1;
        begin(CommandType.EXPIRE_TICK, null, null).limit = 100;
        send();
        assertEquals(0, c.effects.size(), "not due yet");
        assertTrue(!ledger.hasDueLots(now));

        now = timeoutAt;
        assertTrue(ledger.hasDueLots(now));
        capture("c1", "m1", "h1", 0);
        assertRejected(ResultCode.HOLD_TIMED_OUT);
        assertEquals(timeoutAt, c.resultDetail);

        begin(CommandType.EXPIRE_TICK, null, null).limit = 100;
        send();
        assertEquals(120, c.released);
        assertEffects(EffectLog.RELEASE, march, 20, EffectLog.RELEASE, january, 100);
        assertTrue(c.isJournaled());
        assertFalse(ledger.hasDueLots(now));
        balance("m1");
        assertEquals(150, c.balance);
        assertEquals(0, c.held);

        release("x1", "m1", "h1");
        assertRejected(ResultCode.HOLD_CLOSED);
    }

    @Test
    void aCaptureOneMillisecondBeforeTheTimeoutWinsAndTheSweepSkipsTheHold()
    {
        hold("h1", "m1", 120, 60);
        now = c.expiresAt - 1;
        capture("c1", "m1", "h1", 0);
        assertEquals(ResultCode.OK, c.result);
        now += 1;
        begin(CommandType.EXPIRE_TICK, null, null).limit = 100;
        send();
        assertEquals(0, c.effects.size());
        assertEquals(0, c.released);
        assertEquals(120, ledger.totalDebited());
    }

    @Test
    void retriesReplayTheOriginalOutcome()
    {
        hold("h1", "m1", 120, 0);
        final long timeoutAt = c.expiresAt;
        now += SECOND_MS;
        hold("h1", "m1", 120, 0);
        assertTrue(c.replay);
        assertEquals(timeoutAt, c.expiresAt);
        assertEquals(120, c.held);
        assertEquals(120, c.resultPoints);

        capture("c1", "m1", "h1", 90);
        final long sequence = c.sequence;
        now += SECOND_MS;
        capture("c1", "m1", "h1", 90);
        assertTrue(c.replay);
        assertEquals(sequence, c.sequence);
        assertEquals(90, c.resultPoints);
        assertEquals(30, c.released);
        assertEquals(0, c.held);

        capture("c1", "m1", "h1", 80);
        assertRejected(ResultCode.REQUEST_ID_CONFLICT);
        hold("h1", "m1", 120, 30);
        assertRejected(ResultCode.REQUEST_ID_CONFLICT, "another timeout is another request");
    }

    @Test
    void aCaptureIsReversedLikeARedemption()
    {
        hold("h1", "m1", 120, 0);
        capture("c1", "m1", "h1", 90);
        begin(CommandType.REVERSE, "v1", "m1").originalRequestId = "c1";
        send();
        assertEquals(ResultCode.OK, c.result);
        assertEquals(90, c.resultPoints);
        assertEquals(150, c.balance);
        assertEffects(EffectLog.RESTORE, january, 90);

        begin(CommandType.REVERSE, "v2", "m1").originalRequestId = "h1";
        send();
        assertRejected(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE);
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing()
    {
        hold("h1", "m1", 120, 0);
        final long hash = ledger.stateHash();

        capture("c1", "m1", "nope", 0);
        assertRejected(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        capture("c1", "m1", "e1", 0);
        assertRejected(ResultCode.NOT_A_HOLD);
        capture("c1", "m2", "h1", 0);
        assertRejected(ResultCode.REVERSE_MEMBER_MISMATCH);
        capture("c1", "m1", "h1", 121);
        assertRejected(ResultCode.CAPTURE_EXCEEDS_HOLD);
        assertEquals(120, c.resultDetail);
        capture("c1", "m1", "h1", -1);
        assertRejected(ResultCode.POINTS_INVALID);
        hold("h2", "m1", 0, 0);
        assertRejected(ResultCode.POINTS_INVALID);
        hold("h2", "m1", 10, -1);
        assertRejected(ResultCode.HOLD_TIMEOUT_INVALID);
        hold("h2", "m1", 10, CommandValidator.HOLD_TIMEOUT_MAX_SECONDS + 1);
        assertRejected(ResultCode.HOLD_TIMEOUT_INVALID);
        hold("h2", "m1", 31, 0);
        assertRejected(ResultCode.INSUFFICIENT_POINTS);
        hold("h2", "ghost", 1, 0);
        assertRejected(ResultCode.MEMBER_NOT_FOUND);
        assertEquals(hash, ledger.stateHash());
    }

    @Test
    void aTimeoutAsLongAsTheRetentionWindowIsRefused()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1\n"));
        journal.clear();
        send(CommandType.ENROLL, "enroll-1", "m1");
        begin(CommandType.EARN, "e1", "m1").points = 100;
        send();
        hold("h1", "m1", 10, 86_400);
        assertRejected(ResultCode.HOLD_TIMEOUT_INVALID);
        hold("h1", "m1", 10, 86_399);
        assertEquals(ResultCode.OK, c.result);
        ledger = new Ledger(PROGRAM); // the replay check after each test runs the default scenario
        journal.clear();
    }

    @Test
    void heldPointsOfALotThatExpiredMeanwhileLapseOnRelease()
    {
        hold("h1", "m1", 120, CommandValidator.HOLD_TIMEOUT_MAX_SECONDS);
        now = januaryExpiry + 1;
        release("x1", "m1", "h1");
        assertEquals(ResultCode.OK, c.result);
        assertEquals(100, c.expired, "January's held points lapse: that lot expired while they were held");
        assertEffects(EffectLog.RELEASE, march, 20, EffectLog.RELEASE, january, 100, EffectLog.EXPIRE, january, 100);
        assertEquals(50, c.balance);
        assertEquals(100, ledger.totalExpired());
    }

    @Test
    void aReversedEarnWhosePointsAreHeldIsPaidWhenTheHoldIsReleased()
    {
        begin(CommandType.ENROLL, "enroll-3", "m3");
        send();
        begin(CommandType.EARN, "e3", "m3").points = 100;
        send();
        hold("h3", "m3", 60, 0);
        begin(CommandType.REVERSE, "v3", "m3").originalRequestId = "e3";
        send();
        assertEquals(ResultCode.OK, c.result);
        assertEquals(40, c.resultPoints, "only what is left in the lot is clawed back now");
        assertEquals(60, c.shortfall);
        assertEquals(60, c.owed);

        release("x3", "m3", "h3");
        assertEquals(ResultCode.OK, c.result);
        assertEquals(0, c.balance);
        assertEquals(0, c.owed, "the released points pay what the reversal could not take");
    }

    @Test
    void aFrozenMemberCanStillCaptureOrRelease()
    {
        hold("h1", "m1", 50, 0);
        hold("h2", "m1", 50, 0);
        begin(CommandType.SET_STATUS, "s1", "m1").status = MemberStatus.FROZEN.code();
        send();
        hold("h3", "m1", 10, 0);
        assertRejected(ResultCode.MEMBER_FROZEN);
        capture("c1", "m1", "h1", 0);
        assertEquals(ResultCode.OK, c.result);
        release("x2", "m1", "h2");
        assertEquals(ResultCode.OK, c.result);
        assertEquals(100, c.balance);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static long at(final int year, final int month, final int day, final int hour)
    {
        return ZonedDateTime.of(year, month, day, hour, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }

    private Command begin(final CommandType type, final String requestId, final String memberId)
    {
        c.clear();
        c.type = type;
        c.requestId = requestId;
        c.memberId = memberId;
        return c;
    }

    private void send(final CommandType type, final String requestId, final String memberId)
    {
        begin(type, requestId, memberId);
        send();
    }

    private void send()
    {
        c.timestamp = now;
        ledger.apply(c);
        if (c.isJournaled())
        {
            journal.add(new Command().copyInputsFrom(c));
        }
    }

    private void hold(final String requestId, final String memberId, final long points, final int timeoutSeconds)
    {
        begin(CommandType.HOLD, requestId, memberId).points = points;
        c.holdTimeoutSeconds = timeoutSeconds;
        c.orderId = "order-" + requestId;
        send();
    }

    private void capture(final String requestId, final String memberId, final String hold, final long points)
    {
        begin(CommandType.CAPTURE_HOLD, requestId, memberId).originalRequestId = hold;
        c.points = points;
        send();
    }

    private void release(final String requestId, final String memberId, final String hold)
    {
        begin(CommandType.RELEASE_HOLD, requestId, memberId).originalRequestId = hold;
        send();
    }

    private void balance(final String memberId)
    {
        begin(CommandType.GET_BALANCE, null, memberId);
        send();
    }

    private void assertRejected(final ResultCode expected)
    {
        assertRejected(expected, "");
    }

    private void assertRejected(final ResultCode expected, final String message)
    {
        assertEquals(expected, c.result, () -> message + " " + c);
        assertEquals(0, c.sequence, () -> "a rejected command is not journaled: " + c);
        assertEquals(0, c.effects.size(), () -> "a rejected command has no effects: " + c);
    }

    /**
     * The command's effects, as (kind, lot id, amount) triples in order.
     */
    private void assertEffects(final Object... expected)
    {
        final StringBuilder actual = new StringBuilder();
        for (int i = 0; i < c.effects.size(); i++)
        {
            actual.append(EffectLog.kindName(c.effects.kind(i))).append(' ').append(c.effects.lotId(i)).append(' ')
                .append(c.effects.amount(i)).append("; ");
        }
        final StringBuilder wanted = new StringBuilder();
        for (int i = 0; i < expected.length; i += 3)
        {
            wanted.append(EffectLog.kindName((Byte)expected[i])).append(' ').append(expected[i + 1]).append(' ')
                .append(expected[i + 2]).append("; ");
        }
        assertEquals(wanted.toString(), actual.toString(), c.toString());
    }
}
