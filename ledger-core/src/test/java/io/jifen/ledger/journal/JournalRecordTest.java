package io.jifen.ledger.journal;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalRecordTest
{
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

    private final JournalRecord codec = new JournalRecord();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);

    private static Command apply(final Ledger ledger, final CommandType type, final String requestId, final long points,
        final String reason)
    {
        final Command c = new Command();
        c.type = type;
        c.requestId = requestId;
        c.memberId = "m1";
        c.points = points;
        c.reason = reason;
        c.timestamp = T0 + points;
        ledger.apply(c);
        assertEquals(ResultCode.OK, c.result, c.toString());
        return c;
    }

    @Test
    void aRecordDecodesToTheCommandThatMadeItWithItsRecordedExpiry()
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        apply(ledger, CommandType.ENROLL, "enroll", 0, null);
        final Command earn = apply(ledger, CommandType.EARN, "earn-1", 1280, "双11 order 0001");
        final int length = codec.encode(earn, buffer);
        assertNull(codec.verify(buffer.byteArray(), length));

        final Command decoded = new Command();
        final long sequence = JournalRecord.decodeCommand(new UnsafeBuffer(buffer.byteArray(), 0, length), decoded);
        assertEquals(earn.sequence, sequence);
        assertEquals(CommandType.EARN, decoded.type);
        assertEquals("earn-1", decoded.requestId);
        assertEquals("m1", decoded.memberId);
        assertEquals(1280, decoded.points);
        assertEquals("双11 order 0001", decoded.reason);
        assertEquals(earn.timestamp, decoded.timestamp);
        assertEquals(earn.expiresAt, decoded.firstRecordedExpiry());

        final String json = JournalRecord.toJson(new UnsafeBuffer(buffer.byteArray(), 0, length));
        assertTrue(json.contains("\"reason\":\"\\u53cc11 order 0001\""), json);
        assertTrue(json.contains("\"kind\":\"credit\""), json);
    }

    @Test
    void aFlippedBitFailsTheChecksum()
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        apply(ledger, CommandType.ENROLL, "enroll", 0, null);
        final Command earn = apply(ledger, CommandType.EARN, "earn-1", 5, null);
        final int length = codec.encode(earn, buffer);
        buffer.byteArray()[40] ^= 0x04;
        assertTrue(codec.verify(buffer.byteArray(), length).startsWith("checksum mismatch"));
    }

    @Test
    void aReplayKeepsTheRecordedExpiryWhenTodaysRuleDiffersAndCountsIt()
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        apply(ledger, CommandType.ENROLL, "enroll", 0, null);
        final Command replayed = new Command();
        replayed.type = CommandType.EARN;
        replayed.requestId = "earn-1";
        replayed.memberId = "m1";
        replayed.points = 10;
        replayed.timestamp = T0 + 10;
        final long recorded = T0 + 400L * 86_400_000L + 3_600_000L; // as if the zone's offset had been an hour off
        replayed.addRecordedExpiry(recorded);
        ledger.apply(replayed);
        assertEquals(ResultCode.OK, replayed.result);
        assertEquals(recorded, replayed.expiresAt);
        assertEquals(recorded, replayed.effects.expiresAt(0));
        assertEquals(1, ledger.expiryRuleDrift());
    }
}
