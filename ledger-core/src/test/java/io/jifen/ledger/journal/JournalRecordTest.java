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

    /**
     * Version 4: the API key a write came with is a string after the program ids, absent without one; it reads back,
     * prints as {@code key_id}, and a record replayed in an older version keeps that version's bytes (no key).
     */
    @Test
    void aRecordNamesTheKeyItsWriteCameWith()
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        apply(ledger, CommandType.ENROLL, "enroll", 0, null);
        final Command earn = new Command();
        earn.type = CommandType.EARN;
        earn.requestId = "earn-k";
        earn.memberId = "m1";
        earn.points = 70;
        earn.keyId = "pos-shanghai-01";
        earn.timestamp = T0 + 5;
        ledger.apply(earn);
        assertEquals(ResultCode.OK, earn.result, earn.toString());
        final int length = codec.encode(earn, buffer);
        final UnsafeBuffer record = new UnsafeBuffer(buffer.byteArray(), 0, length);
        assertEquals(JournalRecord.VERSION_KEYS, record.getShort(2, JournalRecord.ORDER));
        final Command decoded = new Command();
        JournalRecord.decodeCommand(record, decoded);
        assertEquals("pos-shanghai-01", decoded.keyId);
        assertEquals(70, decoded.points, "the inputs after the key still read right");
        final String json = JournalRecord.toJson(record);
        assertTrue(json.contains(",\"member_id\":\"m1\",\"key_id\":\"pos-shanghai-01\",\"points\":70,"), json);

        // the same write without a key: 'pos-shanghai-01' (15 bytes) shorter, no key_id printed
        final byte[] withKey = java.util.Arrays.copyOf(buffer.byteArray(), length);
        earn.keyId = null;
        final int keyless = codec.encode(earn, buffer);
        assertEquals(length - "pos-shanghai-01".length(), keyless);
        final UnsafeBuffer plain = new UnsafeBuffer(buffer.byteArray(), 0, keyless);
        assertTrue(!JournalRecord.toJson(plain).contains("key_id"), JournalRecord.toJson(plain));
        JournalRecord.decodeCommand(plain, decoded);
        assertNull(decoded.keyId);

        // a version-3 record (an earlier build's) has no key: decoding gives none, re-encoding gives version 3 again
        earn.keyId = "pos-shanghai-01";
        earn.recordVersion = JournalRecord.VERSION_MEMBERS;
        final int v3 = codec.encode(earn, buffer);
        assertEquals(keyless - Short.BYTES, v3, "version 3 has no key string at all");
        final UnsafeBuffer old = new UnsafeBuffer(buffer.byteArray(), 0, v3);
        assertEquals(JournalRecord.VERSION_MEMBERS, old.getShort(2, JournalRecord.ORDER));
        JournalRecord.decodeCommand(old, decoded);
        assertNull(decoded.keyId);
        assertEquals(70, decoded.points);
        assertEquals("pos-shanghai-01", JournalRecord.toJson(new UnsafeBuffer(withKey)).replaceFirst(
            ".*\"key_id\":\"([^\"]*)\".*", "$1"), "the version-4 bytes still say the key");
    }

    @Test
    void aRecordNamesEveryMemberItTouchedWithTheBalancesAfterIt()
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        apply(ledger, CommandType.ENROLL, "enroll", 0, null);
        final Command other = new Command();
        other.type = CommandType.ENROLL;
        other.requestId = "enroll-2";
        other.memberId = "m2";
        other.timestamp = T0;
        ledger.apply(other);
        apply(ledger, CommandType.EARN, "earn-1", 500, null);
        final Command transfer = new Command();
        transfer.type = CommandType.TRANSFER;
        transfer.requestId = "gift";
        transfer.memberId = "m1";
        transfer.toMemberId = "m2";
        transfer.points = 120;
        transfer.timestamp = T0 + 1_000;
        ledger.apply(transfer);
        assertEquals(ResultCode.OK, transfer.result, transfer.toString());

        final int length = codec.encode(transfer, buffer);
        assertNull(codec.verify(buffer.byteArray(), length));
        final UnsafeBuffer record = new UnsafeBuffer(buffer.byteArray(), 0, length);
        assertEquals(JournalRecord.VERSION_KEYS, record.getShort(2, JournalRecord.ORDER));
        final String json = JournalRecord.toJson(record);
        final String program = Program.defaultProgram().name();
        // the write's own member is the record's member of its program (none named: the first program)
        assertTrue(json.contains("\"members\":[{\"program\":null,\"member_id\":\"m1\"," +
            "\"available\":380,\"owed\":0,\"held\":0,\"pending\":0},{\"program\":\"" + program +
            "\",\"member_id\":\"m2\",\"available\":120,\"owed\":0,\"held\":0,\"pending\":0}]"), json);
        assertTrue(json.contains("\"effect_members\":[0,1]"), json);

        // the sweep names no member of its own: each expiry is on the member whose lot it was
        final Command sweep = new Command();
        sweep.type = CommandType.EXPIRE_TICK;
        sweep.limit = 100;
        sweep.timestamp = T0 + 40L * 365 * 86_400_000L;
        ledger.apply(sweep);
        assertTrue(sweep.isJournaled(), sweep.toString());
        final int sweepLength = codec.encode(sweep, buffer);
        final String swept = JournalRecord.toJson(new UnsafeBuffer(buffer.byteArray(), 0, sweepLength));
        assertTrue(swept.contains("\"member_id\":\"m1\",\"available\":0"), swept);
        assertTrue(swept.contains("\"member_id\":\"m2\",\"available\":0"), swept);
        assertTrue(swept.contains("\"effect_members\":[0,1]"), swept);
        final Command decoded = new Command();
        JournalRecord.decodeCommand(new UnsafeBuffer(buffer.byteArray(), 0, sweepLength), decoded);
        assertEquals(JournalRecord.VERSION_KEYS, decoded.recordVersion);
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
