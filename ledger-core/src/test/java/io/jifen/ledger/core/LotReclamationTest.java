package io.jifen.ledger.core;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lot slots are reused once a lot is closed and older than the request retention window; lot ids never are.
 */
class LotReclamationTest
{
    private static final long DAY = 86_400_000L;

    private final Command c = new Command();
    private Ledger ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1\nexpiry.zone = UTC"));
    private long now = ZonedDateTime.of(2026, 1, 5, 10, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();

    private Command send(final CommandType type, final String requestId, final String member, final long points)
    {
        c.clear();
        c.type = type;
        c.requestId = requestId;
        c.memberId = member;
        c.points = points;
        c.timestamp = now;
        ledger.apply(c);
        return c;
    }

    private void ok(final Command command)
    {
        assertEquals(ResultCode.OK, command.result, command.toString());
    }

    @Test
    void slotsOfClosedLotsAreReusedAfterTheRetentionWindowWhileLotIdsKeepGrowing()
    {
        ok(send(CommandType.ENROLL, "enroll", "m1", 0));
        long lastLotId = -1;
        for (int day = 0; day < 200; day++)
        {
            final Command earn = send(CommandType.EARN, "e" + day, "m1", 100);
            ok(earn);
            assertTrue(earn.lotId > lastLotId, "lot ids only grow");
            lastLotId = earn.lotId;
            ok(send(CommandType.REDEEM, "r" + day, "m1", 100));
            now += DAY / 2;
            ledger.checkInvariants();
        }
        assertEquals(200, ledger.lotCount(), "lots ever created");
        assertEquals(0, ledger.queuedLots(), "spent lots leave the expiry queue at once");
        assertTrue(ledger.lotSlotsInUse() <= 4, "slots in use: " + ledger.lotSlotsInUse());
    }

    @Test
    void aStaleExpiryEntryOfAReusedSlotNeverExpiresTheNewLotEarly()
    {
        ok(send(CommandType.ENROLL, "enroll", "m1", 0));
        final Command first = send(CommandType.EARN, "e1", "m1", 100); // expires 2027-02-01
        ok(first);
        final long firstExpiry = first.expiresAt;
        ok(send(CommandType.REDEEM, "r1", "m1", 100)); // lot closed; its expiry entry stays queued
        now += 3 * DAY;
        ok(send(CommandType.EARN, "e2", "m1", 1)); // reclaims the first lot's slot
        now += 40 * DAY; // a later month: the new lot expires a month after the first
        final Command second = send(CommandType.EARN, "e3", "m1", 50);
        ok(second);
        assertTrue(second.expiresAt > firstExpiry);
        assertEquals(0, ledger.lotSlotsInUse() - 2, "e2's lot and e3's lot (in the reused slot)");

        now = firstExpiry; // the first lot's entry comes due
        c.clear();
        c.type = CommandType.EXPIRE_TICK;
        c.limit = 100;
        c.timestamp = now;
        ledger.apply(c);
        ok(c);
        assertEquals(1, c.expired, "only e2's lot (same month as the first) expires");
        final Command balance = send(CommandType.GET_BALANCE, null, "m1", 0);
        assertEquals(50, balance.balance);
        ledger.checkInvariants();
    }

    @Test
    void aLongerRetentionWindowDoesNotBringForgottenRequestsBack()
    {
        ok(send(CommandType.ENROLL, "enroll", "m1", 0));
        ok(send(CommandType.EARN, "e1", "m1", 100));
        now += 2 * DAY;
        c.clear();
        c.type = CommandType.SET_PROGRAM;
        c.programText = "limits.requestRetentionDays = 30\nexpiry.zone = UTC";
        c.timestamp = now;
        ledger.apply(c);
        ok(c);

        final Command reverse = send(CommandType.REVERSE, "v1", "m1", 0);
        c.originalRequestId = "e1";
        reverse.resetResult();
        ledger.apply(reverse);
        assertEquals(ResultCode.ORIGINAL_REQUEST_NOT_FOUND, reverse.result, "forgotten before the window grew");

        final Command retry = send(CommandType.EARN, "e1", "m1", 100);
        ok(retry);
        assertFalse(retry.replay, "a new request, not a replay");
    }

    /**
     * A return: earn E's points were spent on redemption R; E is reversed (shortfall owed), a later earn pays the
     * debt, then R is reversed after E's lot expired. The points R gives back cancel E's shortfall, and since the
     * debt was paid already they come back to the member: the same end as reversing R first.
     */
    @Test
    void aRestoreThatCancelsAnAlreadyPaidShortfallRefundsTheMember()
    {
        for (final boolean earnFirst : new boolean[] {true, false})
        {
            ledger = new Ledger(
                Program.parse("limits.requestRetentionDays = 60\nexpiry.zone = UTC\nexpiry.months = 0"));
            now = ZonedDateTime.of(2026, 1, 10, 10, 0, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli();
            ok(send(CommandType.ENROLL, "enroll", "m1", 0));
            ok(send(CommandType.EARN, "E", "m1", 100)); // expires 2026-02-01
            ok(send(CommandType.REDEEM, "R", "m1", 100));
            now += DAY;
            if (earnFirst)
            {
                ok(reverse("v1", "E"));
                assertEquals(100, c.owed);
                now += DAY;
                ok(send(CommandType.EARN, "E2", "m1", 100)); // pays the debt
                assertEquals(0, c.balance);
                now += 30 * DAY; // E's lot has expired
                ok(reverse("v2", "R"));
                assertEquals(100, c.balance, "refunded as a new lot");
            }
            else
            {
                now += 30 * DAY;
                ok(reverse("v2", "R")); // E's lot has expired: the points lapse
                ok(reverse("v1", "E")); // forgiven: they had expired
                ok(send(CommandType.EARN, "E2", "m1", 100));
            }
            final Command balance = send(CommandType.GET_BALANCE, null, "m1", 0);
            assertEquals(100, balance.balance, "earn first: " + earnFirst);
            assertEquals(0, balance.owed, "earn first: " + earnFirst);
            ledger.checkInvariants();
        }
    }

    private Command reverse(final String requestId, final String original)
    {
        c.clear();
        c.type = CommandType.REVERSE;
        c.requestId = requestId;
        c.memberId = "m1";
        c.originalRequestId = original;
        c.timestamp = now;
        ledger.apply(c);
        return c;
    }

    @Test
    void replayingTheSameCommandsReusesTheSameSlotsAndReachesTheSameHash()
    {
        final Ledger other = new Ledger(Program.parse("limits.requestRetentionDays = 1\nexpiry.zone = UTC"));
        final Ledger original = ledger;
        final long start = now;
        for (final Ledger target : new Ledger[] {original, other})
        {
            ledger = target;
            now = start;
            ok(send(CommandType.ENROLL, "enroll", "m1", 0));
            ok(send(CommandType.ENROLL, "enroll2", "m2", 0));
            for (int day = 0; day < 60; day++)
            {
                ok(send(CommandType.EARN, "a" + day, day % 2 == 0 ? "m1" : "m2", 10 + day));
                ok(send(CommandType.REDEEM, "b" + day, day % 2 == 0 ? "m1" : "m2", 5 + day));
                now += DAY;
            }
        }
        assertEquals(original.stateHash(), other.stateHash());
        assertEquals(original.lotSlotsInUse(), other.lotSlotsInUse());
    }
}
