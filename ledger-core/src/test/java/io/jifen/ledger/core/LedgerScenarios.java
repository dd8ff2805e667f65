package io.jifen.ledger.core;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine, one behaviour at a time. Time is data: every command is stamped with {@link #now}, which only
 * moves forward; nothing reads a clock. The default program expires points at the start of the month 13 months after
 * the earning month in Asia/Shanghai. Scenarios run under it with a ten-year request retention so that a reversal can
 * reach back across expiry months; the default 35-day window has tests of its own.
 * <p>
 * The scenarios are split by handler family, one class each; this base holds the ledger under test and the
 * helpers that send commands and check answers.
 */
abstract class LedgerScenarios
{
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final long HOUR_MS = 3_600_000L;
    static final long DAY_MS = 86_400_000L;
    static final Program PROGRAM = Program.parse("limits.requestRetentionDays = 3650\n");

    final Command c = new Command();
    /** Every command that the ledger under test journaled, as submitted. */
    final List<Command> journal = new ArrayList<>();
    Ledger ledger = new Ledger(PROGRAM);
    long now = at(2024, 1, 15, 10);

    @AfterEach
    void invariantsHoldAfterEveryScenario()
    {
        ledger.checkInvariants();
    }

    static long at(final int year, final int month, final int day, final int hour)
    {
        return ZonedDateTime.of(year, month, day, hour, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }

    void advance(final long ms)
    {
        now += ms;
    }

    Command begin(final CommandType type, final String requestId, final String memberId)
    {
        return LedgerTestSupport.begin(c, type, requestId, memberId);
    }

    Command send()
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
    ResultCode replay(final Ledger other)
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

    Command enroll(final String requestId, final String memberId)
    {
        begin(CommandType.ENROLL, requestId, memberId);
        return send();
    }

    Command earn(final String requestId, final String memberId, final long points)
    {
        begin(CommandType.EARN, requestId, memberId).points = points;
        return send();
    }

    Command redeem(final String requestId, final String memberId, final long points)
    {
        begin(CommandType.REDEEM, requestId, memberId).points = points;
        return send();
    }

    Command reverse(
        final String requestId, final String memberId, final String originalRequestId, final long points)
    {
        begin(CommandType.REVERSE, requestId, memberId).points = points;
        c.originalRequestId = originalRequestId;
        return send();
    }

    Command adjust(final String requestId, final String memberId, final long points, final String reason)
    {
        begin(CommandType.ADJUST, requestId, memberId).points = points;
        c.reason = reason;
        return send();
    }

    Command setStatus(final String requestId, final String memberId, final MemberStatus status)
    {
        begin(CommandType.SET_STATUS, requestId, memberId).status = status.code();
        return send();
    }

    Command balance(final String memberId)
    {
        begin(CommandType.GET_BALANCE, null, memberId);
        return send();
    }

    Command checkTier(final String memberId, final Tier minTier)
    {
        begin(CommandType.CHECK_TIER, null, memberId).minTier = minTier.code();
        return send();
    }

    Command listLots(final String memberId, final int limit)
    {
        begin(CommandType.LIST_LOTS, null, memberId).limit = limit;
        return send();
    }

    Command expireTick(final int limit)
    {
        begin(CommandType.EXPIRE_TICK, null, null).limit = limit;
        return send();
    }

    Command setProgram(final String text)
    {
        begin(CommandType.SET_PROGRAM, null, null).programText = text;
        return send();
    }

    void assertOk()
    {
        assertResult(ResultCode.OK);
    }

    void assertResult(final ResultCode expected)
    {
        assertResult(expected, "");
    }

    void assertResult(final ResultCode expected, final String message)
    {
        assertEquals(expected, c.result, () -> message + " " + c);
        if (expected != ResultCode.OK)
        {
            assertEquals(0, c.sequence, () -> "a rejected command is not journaled: " + c);
            assertEquals(0, c.effects.size(), () -> "a rejected command has no effects: " + c);
        }
    }

    /** One expected effect: its kind, lot, amount and the lot's expiry. */
    record Effect(byte kind, long lotId, long amount, long expiresAt)
    {
    }

    static Effect effect(final byte kind, final long lotId, final long amount, final long expiresAt)
    {
        return new Effect(kind, lotId, amount, expiresAt);
    }

    /** The command had exactly these effects, in this order. */
    void assertEffects(final Effect... expected)
    {
        assertEquals(expected.length, c.effects.size(), () -> "effects of " + c);
        for (int i = 0; i < expected.length; i++)
        {
            assertEffect(i, expected[i].kind(), expected[i].lotId(), expected[i].amount(), expected[i].expiresAt());
        }
    }

    void assertEffect(
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
    void assertReplayed(final Runnable retry)
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
