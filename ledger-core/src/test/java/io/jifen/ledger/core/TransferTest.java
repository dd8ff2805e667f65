package io.jifen.ledger.core;

import io.jifen.ledger.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers between two members (family pooling): soonest-expiring first from the sender, every point keeping its
 * expiry at the receiver, in one record; refused with nothing changed when either side cannot take part. The sender
 * has 100 points earned in January 2026 and 50 in March, so January's expire first.
 */
class TransferTest extends LedgerTestSupport
{
    private static final String PROGRAM = "limits: {requestRetentionDays: 3650}\n";

    private long januaryExpiry;
    private long marchExpiry;

    TransferTest()
    {
        super(PROGRAM, at(2026, 1, 15));
    }

    @BeforeEach
    void twoLots()
    {
        enroll("mum");
        enroll("kid");
        earn("e1", "mum", 100);
        januaryExpiry = c.expiresAt;
        now = at(2026, 3, 10);
        earn("e2", "mum", 50);
        marchExpiry = c.expiresAt;
        earn("e3", "kid", 7);
    }

    @Test
    void pointsMoveSoonestExpiringFirstAndKeepTheirExpiry()
    {
        transfer("t1", "mum", "kid", 120);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(120, c.resultPoints);
        assertEquals(30, c.balance);
        assertMoves("transfer_out 0 100 " + januaryExpiry + "; transfer_out 1 20 " + marchExpiry +
            "; transfer_in 3 100 " + januaryExpiry + "; transfer_in 4 20 " + marchExpiry);
        lots("kid");
        assertEquals(3, c.lots.size());
        assertEquals(januaryExpiry, c.lots.expiresAt(0));
        assertEquals(100, c.lots.remaining(0));
        balance("kid");
        assertEquals(127, c.balance);
        assertEquals(7, c.lifetimeEarned, "tier points do not move");
        assertEquals(100, c.nextExpiryPoints);
        assertEquals(januaryExpiry, c.nextExpiryAt);

        final String json = JournalRecord.toJson(new UnsafeBuffer(journal.get(journal.size() - 1)));
        assertTrue(json.contains("\"type\":\"transfer\"") && json.contains("\"to_member_id\":\"kid\""), json);
    }

    @Test
    void slicesOfOneExpiryInstantBecomeOneLot()
    {
        now = at(2026, 3, 20);
        earn("e4", "mum", 30); // March again: same expiry as e2
        transfer("t1", "mum", "kid", 170);
        assertMoves("transfer_out 0 100 " + januaryExpiry + "; transfer_out 1 50 " + marchExpiry +
            "; transfer_out 3 20 " + marchExpiry + "; transfer_in 4 100 " + januaryExpiry + "; transfer_in 5 70 " +
            marchExpiry);
    }

    @Test
    void aRetryReplaysAndAnotherReceiverUnderTheSameIdConflicts()
    {
        transfer("t1", "mum", "kid", 10);
        transfer("t1", "mum", "kid", 10);
        assertTrue(c.replay);
        assertEquals(140, c.balance);
        enroll("dad");
        transfer("t1", "mum", "dad", 10);
        assertRejected(ResultCode.REQUEST_ID_CONFLICT);
    }

    @Test
    void aTransferEitherSideCannotTakePartInIsRefusedAndChangesNothing()
    {
        final long before = ledger.stateHash();
        transfer("t1", "mum", "kid", 151);
        assertRejected(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(150, c.resultDetail);
        transfer("t2", "mum", "nobody", 1);
        assertRejected(ResultCode.RECEIVER_NOT_FOUND);
        transfer("t3", "mum", "mum", 1);
        assertRejected(ResultCode.TRANSFER_TO_SELF);
        transfer("t4", "mum", "kid", 0);
        assertRejected(ResultCode.POINTS_INVALID);
        begin(CommandType.TRANSFER, "t5", "mum");
        c.points = 1;
        send();
        assertRejected(ResultCode.TO_MEMBER_ID_INVALID);
        assertEquals(before, ledger.stateHash());

        begin(CommandType.HOLD, "h1", "mum");
        c.points = 140;
        send();
        transfer("t6", "mum", "kid", 11);
        assertRejected(ResultCode.INSUFFICIENT_POINTS, "held points do not move");

        begin(CommandType.SET_STATUS, "s1", "kid");
        c.status = MemberStatus.FROZEN.code();
        send();
        transfer("t7", "mum", "kid", 1);
        assertRejected(ResultCode.RECEIVER_NOT_ACTIVE);
    }

    @Test
    void aReceiverThatOwesPointsIsRefused()
    {
        redeem("r1", "kid", 7);
        begin(CommandType.REVERSE, "x1", "kid");
        c.originalRequestId = "e3";
        send();
        assertEquals(7, c.owed);
        transfer("t1", "mum", "kid", 10);
        assertRejected(ResultCode.RECEIVER_OWES);
        assertEquals(7, c.resultDetail);
    }

    @Test
    void aReceiverAtItsLotLimitIsRefused()
    {
        final Ledger small = new Ledger(Program.parse("limits: {lotsPerMemberMax: 2}\n"));
        final Command x = new Command();
        final String[][] script = {{"ENROLL", "a", "enroll-a"}, {"ENROLL", "b", "enroll-b"}, {"EARN", "a", "a1"},
            {"EARN", "b", "b1"}};
        for (final String[] step : script)
        {
            x.clear();
            x.type = CommandType.valueOf(step[0]);
            x.memberId = step[1];
            x.requestId = step[2];
            x.points = 10;
            x.timestamp = at(2026, 1, 1);
            small.apply(x);
        }
        x.clear();
        x.type = CommandType.EARN;
        x.memberId = "a";
        x.requestId = "a2";
        x.points = 10;
        x.timestamp = at(2026, 2, 1);
        small.apply(x);
        x.clear();
        x.type = CommandType.TRANSFER;
        x.memberId = "a";
        x.toMemberId = "b";
        x.requestId = "t";
        x.points = 20; // two expiry instants: two lots, b holds one
        x.timestamp = at(2026, 2, 1);
        small.apply(x);
        assertEquals(ResultCode.RECEIVER_LOTS_MAX, x.result);
        x.points = 10;
        x.requestId = "t2";
        small.apply(x);
        assertEquals(ResultCode.OK, x.result);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static long at(final int year, final int month, final int day)
    {
        return at(year, month, day, 10);
    }

    private void transfer(final String requestId, final String from, final String to, final long points)
    {
        begin(CommandType.TRANSFER, requestId, from);
        c.toMemberId = to;
        c.points = points;
        send();
    }

    private void lots(final String memberId)
    {
        begin(CommandType.LIST_LOTS, null, memberId);
        c.limit = 100;
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

    /** The command's effects as "kind lot amount expiry" entries joined by "; ". */
    private void assertMoves(final String expected)
    {
        final StringBuilder actual = new StringBuilder();
        for (int i = 0; i < c.effects.size(); i++)
        {
            actual.append(i == 0 ? "" : "; ").append(EffectLog.kindName(c.effects.kind(i))).append(' ')
                .append(c.effects.lotId(i)).append(' ').append(c.effects.amount(i)).append(' ')
                .append(c.effects.expiresAt(i));
        }
        assertEquals(expected, actual.toString(), c::toString);
    }

    @Test
    void aTransferIsRefusedWhenTheLedgerHasNoRoomForTheReceiversLots()
    {
        final Ledger small = new Ledger(Program.parse(PROGRAM), new LedgerContext().lotsMax(4));
        final Command w = new Command();
        final String[][] setup = {{"ENROLL", "mum", "0"}, {"ENROLL", "kid", "0"}, {"EARN", "mum", "100"},
            {"EARN", "kid", "7"}};
        long t = at(2026, 1, 15);
        int n = 0;
        for (final String[] step : setup)
        {
            w.clear();
            w.type = CommandType.valueOf(step[0]);
            w.requestId = "r" + n++;
            w.memberId = step[1];
            w.points = Long.parseLong(step[2]);
            w.timestamp = t;
            small.apply(w);
            assertEquals(ResultCode.OK, w.result, w::toString);
        }
        t = at(2026, 3, 10);
        w.clear();
        w.type = CommandType.EARN;
        w.requestId = "r-march";
        w.memberId = "mum";
        w.points = 50;
        w.timestamp = t;
        small.apply(w);
        assertEquals(ResultCode.OK, w.result); // three lots of four

        final long before = small.stateHash();
        w.clear();
        w.type = CommandType.TRANSFER;
        w.requestId = "t-two-lots";
        w.memberId = "mum";
        w.toMemberId = "kid";
        w.points = 120; // January's 100 and 20 of March's: two new lots for the kid, five in all
        w.timestamp = t;
        small.apply(w);
        assertEquals(ResultCode.LOTS_MAX, w.result, "the ledger's lot capacity is checked for the receiver's lots");
        assertEquals(before, small.stateHash());
        w.clear();
        w.type = CommandType.TRANSFER;
        w.requestId = "t-one-lot";
        w.memberId = "mum";
        w.toMemberId = "kid";
        w.points = 100; // January's only: one new lot, four in all
        w.timestamp = t;
        small.apply(w);
        assertEquals(ResultCode.OK, w.result, w::toString);
        small.checkInvariants();
    }
}
