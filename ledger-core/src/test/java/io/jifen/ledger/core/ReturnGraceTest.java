package io.jifen.ledger.core;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The program's returns policy. A reversed redemption whose points' lot expired meanwhile: by default they expire again
 * at once; with returns.graceDays they come back as a lot usable for the grace period. The result says what was
 * restored, what expired again and what was given grace. With returns.shortfall: forgive, what a reversal cannot take
 * is recorded and not owed.
 */
class ReturnGraceTest
{
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final long DAY_MS = 86_400_000L;

    private final Command c = new Command();

    @Test
    void restoredPointsOfAnExpiredLotExpireAgainByDefault()
    {
        final Ledger ledger = scenario("limits: {requestRetentionDays: 3650}\nexpiry: {months: 1}\n");
        assertEquals(ResultCode.OK, c.result);
        assertEquals(30, c.restored, "the February lot is still open");
        assertEquals(70, c.reexpired, "the January lot expired on March 1");
        assertEquals(0, c.graced);
        assertEquals(30, c.balance);
        ledger.checkInvariants();
    }

    @Test
    void withAGracePeriodTheyComeBackForItsLength()
    {
        final Ledger ledger = scenario("limits: {requestRetentionDays: 3650}\nexpiry: {months: 1}\n" +
            "returns: {graceDays: 30}\n");
        assertEquals(ResultCode.OK, c.result);
        assertEquals(30, c.restored);
        assertEquals(0, c.reexpired);
        assertEquals(70, c.graced);
        assertEquals(100, c.balance);
        boolean grace = false;
        for (int i = 0; i < c.effects.size(); i++)
        {
            if (c.effects.kind(i) == EffectLog.GRACE)
            {
                grace = true;
                assertEquals(70, c.effects.amount(i));
                assertEquals(c.timestamp + 30 * DAY_MS, c.effects.expiresAt(i));
            }
        }
        assertEquals(true, grace);
        ledger.checkInvariants();
    }

    @Test
    void aForgivingProgramRecordsTheShortfallAndNeverHandsBackPointsOfAReversedEarn()
    {
        final Ledger ledger = new Ledger(Program.parse(
            "limits: {requestRetentionDays: 3650}\nreturns: {shortfall: forgive}\n"));
        apply(ledger, CommandType.ENROLL, "enroll", 0, at(2026, 1, 10));
        apply(ledger, CommandType.EARN, "e1", 100, at(2026, 1, 10));
        apply(ledger, CommandType.REDEEM, "r1", 100, at(2026, 1, 10));
        reverse(ledger, "x1", "e1", at(2026, 1, 20)); // the points were spent: nothing to take, nothing owed
        assertEquals(0, c.resultPoints);
        assertEquals(100, c.shortfall, "recorded");
        assertEquals(0, c.owed, "and forgiven");
        assertEquals(EffectLog.FORGIVE, c.effects.kind(0));
        reverse(ledger, "x2", "r1", at(2026, 1, 21)); // the redemption's points cancel the forgiven clawback
        assertEquals(0, c.restored);
        assertEquals(100, c.reclaimed);
        assertEquals(0, c.balance, "the member does not get the reversed earn's points back");
        ledger.checkInvariants();
    }

    private void reverse(final Ledger ledger, final String requestId, final String original, final long at)
    {
        c.clear();
        c.type = CommandType.REVERSE;
        c.requestId = requestId;
        c.memberId = "m1";
        c.originalRequestId = original;
        c.timestamp = at;
        ledger.apply(c);
        assertEquals(ResultCode.OK, c.result, c::toString);
    }

    /**
     * 70 points earned in January (expiring March 1) and 30 in February (expiring April 1) are redeemed in February;
     * the redemption is reversed in March.
     */
    private Ledger scenario(final String program)
    {
        final Ledger ledger = new Ledger(Program.parse(program));
        apply(ledger, CommandType.ENROLL, "enroll", 0, at(2026, 1, 10));
        apply(ledger, CommandType.EARN, "e1", 70, at(2026, 1, 10));
        apply(ledger, CommandType.EARN, "e2", 30, at(2026, 2, 10));
        apply(ledger, CommandType.REDEEM, "r1", 100, at(2026, 2, 10));
        c.clear();
        c.type = CommandType.REVERSE;
        c.requestId = "x1";
        c.memberId = "m1";
        c.originalRequestId = "r1";
        c.timestamp = at(2026, 3, 10);
        ledger.apply(c);
        return ledger;
    }

    private void apply(final Ledger ledger, final CommandType type, final String requestId, final long points,
        final long at)
    {
        c.clear();
        c.type = type;
        c.requestId = requestId;
        c.memberId = "m1";
        c.points = points;
        c.timestamp = at;
        ledger.apply(c);
        assertEquals(ResultCode.OK, c.result, c::toString);
    }

    private static long at(final int year, final int month, final int day)
    {
        return ZonedDateTime.of(year, month, day, 10, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }
}
