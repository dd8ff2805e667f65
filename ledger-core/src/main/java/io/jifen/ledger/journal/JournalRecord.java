package io.jifen.ledger.journal;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The journal record codec, versions 1 and 2 (version 1 with the program ids of several programs): one record per
 * journaled write, self-contained facts (the request, the outcome, every lot-level effect) that finance can read
 * without the ledger's code. Layout in docs/journal-format.md; all integers little-endian; a CRC-32C of everything
 * before it closes every record.
 */
public final class JournalRecord
{
    /** The version of a record that names no program: the ledger's first. */
    public static final int VERSION = 1;
    /** Version 1 with two more strings: the record's program id and an exchange's receiving program id. */
    public static final int VERSION_PROGRAMS = 2;
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int TYPE_OFFSET = 0;
    static final int VERSION_OFFSET = 2;
    static final int LENGTH_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int BODY_OFFSET = 24;
    static final int CHECKSUM_LENGTH = 4;
    /** SHA-256 of the previous record's chain value and this record's bytes before the chain field. */
    public static final int CHAIN_LENGTH = 32;
    static final int TRAILER_LENGTH = CHAIN_LENGTH + CHECKSUM_LENGTH;
    static final int EFFECT_LENGTH = 25;
    static final int RESULT_LENGTH = 74;
    /** Strings are at most 0xFFFE bytes of UTF-8: every string the validator admits fits (16 Ki chars of program). */
    static final int STRING_BYTES_MAX = 0xFFFF;

    private final CRC32C crc = new CRC32C();
    private final java.security.MessageDigest sha256 = newSha256();
    private final byte[] digest = new byte[CHAIN_LENGTH];
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);

    /**
     * Encodes a journaled command (inputs, stamp, outcome, effects) into the buffer at offset 0.
     *
     * @return the record length in bytes.
     */
    public int encode(final Command c, final ExpandableArrayBuffer buffer)
    {
        assert c.isJournaled() : "only journaled commands have records: " + c;
        buffer.putShort(TYPE_OFFSET, (short)c.type.code(), ORDER);
        final boolean programs = !isEmpty(c.programId) || !isEmpty(c.toProgramId);
        buffer.putShort(VERSION_OFFSET, (short)(programs ? VERSION_PROGRAMS : VERSION), ORDER);
        buffer.putLong(SEQUENCE_OFFSET, c.sequence, ORDER);
        buffer.putLong(TIMESTAMP_OFFSET, c.timestamp, ORDER);
        int offset = BODY_OFFSET;
        offset = putString(buffer, offset, c.requestId);
        offset = putString(buffer, offset, c.memberId);
        offset = putString(buffer, offset, c.orderId);
        offset = putString(buffer, offset, c.reason);
        offset = putString(buffer, offset, c.originalRequestId);
        offset = putString(buffer, offset, hasReceiver(c.type.code()) ? c.toMemberId : c.referrerId);
        offset = putString(buffer, offset, c.programText);
        if (programs)
        {
            offset = putString(buffer, offset, isEmpty(c.programId) ? null : c.programId);
            offset = putString(buffer, offset, isEmpty(c.toProgramId) ? null : c.toProgramId);
        }
        buffer.putLong(offset, c.pointsSlot(), ORDER);
        buffer.putInt(offset + 8, c.birthday, ORDER);
        buffer.putInt(offset + 12, c.statusSlot(), ORDER);
        buffer.putInt(offset + 16, c.limitSlot(), ORDER);
        offset += 20;

        buffer.putLong(offset, c.resultPoints, ORDER);
        buffer.putLong(offset + 8, c.balance, ORDER);
        buffer.putLong(offset + 16, c.lifetimeEarned, ORDER);
        buffer.putByte(offset + 24, (byte)c.tier);
        buffer.putByte(offset + 25, (byte)c.memberStatus);
        buffer.putLong(offset + 26, c.lotId, ORDER);
        buffer.putLong(offset + 34, c.expiresAt, ORDER);
        buffer.putLong(offset + 42, c.expired, ORDER);
        buffer.putLong(offset + 50, c.shortfall, ORDER);
        buffer.putLong(offset + 58, c.alreadyExpired, ORDER);
        buffer.putLong(offset + 66, c.owed, ORDER);
        offset += RESULT_LENGTH;

        final EffectLog effects = c.effects;
        final int count = effects.size();
        buffer.putInt(offset, count, ORDER);
        offset += 4;
        for (int i = 0; i < count; i++)
        {
            buffer.putByte(offset, effects.kind(i));
            buffer.putLong(offset + 1, effects.lotId(i), ORDER);
            buffer.putLong(offset + 9, effects.amount(i), ORDER);
            buffer.putLong(offset + 17, effects.expiresAt(i), ORDER);
            offset += EFFECT_LENGTH;
        }
        if (c.purchaseMinor > 0)
        {
            offset = putPurchase(c, buffer, offset);
        }
        return trailer(buffer, offset);
    }

    private static boolean isEmpty(final String s)
    {
        return null == s || s.isEmpty();
    }

    /** Transfers and exchanges name their receiving member where an enroll names its referrer. */
    static boolean hasReceiver(final int type)
    {
        return type == CommandType.TRANSFER.code() || type == CommandType.EXCHANGE.code();
    }

    /**
     * An earn from a purchase ends its body with the purchase (the inputs a replay recomputes the points from) and
     * how the program computed the points, for readers of the journal.
     */
    private static int putPurchase(final Command c, final ExpandableArrayBuffer buffer, final int start)
    {
        int offset = start;
        buffer.putLong(offset, c.purchaseMinor, ORDER);
        offset = putString(buffer, offset + 8, c.currency);
        buffer.putByte(offset, (byte)c.channel);
        final boolean noCategories = null == c.categories || c.categories.length == 0;
        offset = noCategories ? putString(buffer, offset + 1, null) : putJoined(buffer, offset + 1, c.categories);
        final Command.Earning e = c.earning;
        buffer.putLong(offset, e.basePoints, ORDER);
        buffer.putLong(offset + 8, e.tierMultiplierBp, ORDER);
        buffer.putLong(offset + 16, e.tierPoints, ORDER);
        buffer.putLong(offset + 24, e.capCut, ORDER);
        buffer.putByte(offset + 32, (byte)e.campaignCount());
        offset += 33;
        for (int i = 0; i < e.campaignCount(); i++)
        {
            offset = putString(buffer, offset, e.campaignId(i));
            buffer.putLong(offset, e.multiplierBp(i), ORDER);
            buffer.putLong(offset + 8, e.points(i), ORDER);
            buffer.putLong(offset + 16, e.budgetCut(i), ORDER);
            offset += 24;
        }
        return offset;
    }

    /**
     * Reads the purchase section of an earn record into a command: its inputs and how the points were computed.
     *
     * @return the offset after the section.
     */
    static int getPurchase(final DirectBuffer buffer, final int start, final Command into)
    {
        into.purchaseMinor = buffer.getLong(start, ORDER);
        final StringCursor cursor = new StringCursor(buffer, start + 8);
        into.currency = cursor.next();
        into.channel = buffer.getByte(cursor.offset);
        cursor.offset++;
        final String categories = cursor.next();
        into.categories = null == categories ? null : categories.split(",", -1);
        int offset = cursor.offset;
        final Command.Earning e = into.earning;
        e.basePoints = buffer.getLong(offset, ORDER);
        e.tierMultiplierBp = buffer.getLong(offset + 8, ORDER);
        e.tierPoints = buffer.getLong(offset + 16, ORDER);
        e.capCut = buffer.getLong(offset + 24, ORDER);
        final int count = buffer.getByte(offset + 32);
        cursor.offset = offset + 33;
        for (int i = 0; i < count; i++)
        {
            final String id = cursor.next();
            offset = cursor.offset;
            final long multiplier = buffer.getLong(offset, ORDER);
            e.add(id, multiplier, buffer.getLong(offset + 8, ORDER), buffer.getLong(offset + 16, ORDER));
            cursor.offset = offset + 24;
        }
        return cursor.offset;
    }

    /** Record type of the marker that discards a damaged, never-acknowledged tail (not a ledger command). */
    public static final int TAIL_DISCARDED_TYPE = 9;

    /**
     * Encodes the marker a server writes after a damaged journal tail it was told to discard: which documents (the
     * queue index of the first, and how many) are to be skipped. Its chain links to the last good record.
     *
     * @return the marker's length.
     */
    public int encodeTailDiscarded(
        final ExpandableArrayBuffer buffer, final long lastSequence, final long firstIndex, final int count)
    {
        buffer.putShort(TYPE_OFFSET, (short)TAIL_DISCARDED_TYPE, ORDER);
        buffer.putShort(VERSION_OFFSET, (short)VERSION, ORDER);
        buffer.putLong(SEQUENCE_OFFSET, lastSequence, ORDER);
        buffer.putLong(TIMESTAMP_OFFSET, 0, ORDER);
        buffer.putLong(BODY_OFFSET, firstIndex, ORDER);
        buffer.putInt(BODY_OFFSET + 8, count, ORDER);
        final int offset = BODY_OFFSET + 12;
        return trailer(buffer, offset);
    }

    public static int type(final DirectBuffer buffer)
    {
        return buffer.getShort(TYPE_OFFSET, ORDER);
    }

    public static long discardedFirstIndex(final DirectBuffer buffer)
    {
        return buffer.getLong(BODY_OFFSET, ORDER);
    }

    public static int discardedCount(final DirectBuffer buffer)
    {
        return buffer.getInt(BODY_OFFSET + 8, ORDER);
    }

    /**
     * Closes a record whose body ends at {@code offset}: the length field, an unlinked (zero) chain value and the
     * checksum.
     *
     * @return the record's length.
     */
    private int trailer(final ExpandableArrayBuffer buffer, final int offset)
    {
        final int length = offset + TRAILER_LENGTH;
        buffer.putInt(LENGTH_OFFSET, length, ORDER);
        buffer.setMemory(offset, CHAIN_LENGTH, (byte)0);
        buffer.putInt(offset + CHAIN_LENGTH, checksum(buffer.byteArray(), 0, offset + CHAIN_LENGTH), ORDER);
        return length;
    }

    /**
     * Links a record into the hash chain: its chain field becomes SHA-256(previous chain value, the record's bytes
     * before the field), its checksum is recomputed, and {@code chain} is updated to the new value for the next
     * record. Any change to a journaled record, or any record removed or inserted, changes every chain value after it.
     */
    public void chain(final byte[] record, final int length, final byte[] chain)
    {
        final int chainOffset = length - TRAILER_LENGTH;
        sha256.update(chain, 0, CHAIN_LENGTH);
        sha256.update(record, 0, chainOffset);
        try
        {
            sha256.digest(record, chainOffset, CHAIN_LENGTH);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        System.arraycopy(record, chainOffset, chain, 0, CHAIN_LENGTH);
        final int crc = checksum(record, 0, length - CHECKSUM_LENGTH);
        record[length - 4] = (byte)crc;
        record[length - 3] = (byte)(crc >>> 8);
        record[length - 2] = (byte)(crc >>> 16);
        record[length - 1] = (byte)(crc >>> 24);
    }

    /**
     * @return true if the record's chain field is SHA-256(previous chain value, the record's bytes before it).
     */
    public boolean chainFollows(final byte[] record, final int length, final byte[] previousChain)
    {
        final int chainOffset = length - TRAILER_LENGTH;
        sha256.update(previousChain, 0, CHAIN_LENGTH);
        sha256.update(record, 0, chainOffset);
        try
        {
            sha256.digest(digest, 0, CHAIN_LENGTH);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        return java.util.Arrays.equals(digest, 0, CHAIN_LENGTH, record, chainOffset, chainOffset + CHAIN_LENGTH);
    }

    /**
     * Checks a record's framing and checksum.
     *
     * @return null if sound, or what is wrong.
     */
    /**
     * @return true if the document is physically damaged (too short for a record, or its checksum fails): what a
     * write torn by a power loss looks like. A sound checksum over an unknown version or a wrong length field is not
     * damage but a journal this build must not read.
     */
    public boolean isDamaged(final byte[] bytes, final int length)
    {
        if (length < BODY_OFFSET + TRAILER_LENGTH)
        {
            return true;
        }
        view.wrap(bytes, 0, length);
        return view.getInt(length - CHECKSUM_LENGTH, ORDER) != checksum(bytes, 0, length - CHECKSUM_LENGTH);
    }

    public String verify(final byte[] bytes, final int length)
    {
        if (length < BODY_OFFSET + TRAILER_LENGTH)
        {
            return "record of " + length + " bytes is shorter than a header";
        }
        view.wrap(bytes, 0, length);
        final int version = view.getShort(VERSION_OFFSET, ORDER);
        if (version != VERSION && version != VERSION_PROGRAMS)
        {
            return "unsupported record version " + version + " (this build reads versions " + VERSION + " and " +
                VERSION_PROGRAMS + ")";
        }
        final int declared = view.getInt(LENGTH_OFFSET, ORDER);
        if (declared != length)
        {
            return "record length field says " + declared + " bytes but the record has " + length;
        }
        final int expected = view.getInt(length - CHECKSUM_LENGTH, ORDER);
        final int actual = checksum(bytes, 0, length - CHECKSUM_LENGTH);
        if (expected != actual)
        {
            return String.format("checksum mismatch: stored %08x, computed %08x", expected, actual);
        }
        return null;
    }

    private static java.security.MessageDigest newSha256()
    {
        try
        {
            return java.security.MessageDigest.getInstance("SHA-256");
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required by the journal's hash chain", ex);
        }
    }

    private int checksum(final byte[] bytes, final int offset, final int length)
    {
        crc.reset();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }

    public static long sequence(final DirectBuffer buffer)
    {
        return buffer.getLong(SEQUENCE_OFFSET, ORDER);
    }

    /**
     * Decodes a record's command inputs and timestamp into a command, ready to be applied again.
     *
     * @return the record's sequence.
     */
    public static long decodeCommand(final DirectBuffer buffer, final Command into)
    {
        into.clear();
        into.type = CommandType.fromCode(buffer.getShort(TYPE_OFFSET, ORDER));
        into.timestamp = buffer.getLong(TIMESTAMP_OFFSET, ORDER);
        final StringCursor cursor = new StringCursor(buffer, BODY_OFFSET);
        into.requestId = cursor.next();
        into.memberId = cursor.next();
        into.orderId = cursor.next();
        into.reason = cursor.next();
        into.originalRequestId = cursor.next();
        final String counterparty = cursor.next();
        if (hasReceiver(into.type.code()))
        {
            into.toMemberId = counterparty;
        }
        else
        {
            into.referrerId = counterparty;
        }
        into.programText = cursor.next();
        if (buffer.getShort(VERSION_OFFSET, ORDER) == VERSION_PROGRAMS)
        {
            into.programId = cursor.next();
            into.toProgramId = cursor.next();
        }
        final int offset = cursor.offset;
        final long pointsSlot = buffer.getLong(offset, ORDER);
        into.birthday = buffer.getInt(offset + 8, ORDER);
        into.fromSlots(pointsSlot, buffer.getInt(offset + 12, ORDER), buffer.getInt(offset + 16, ORDER));
        final int effectsOffset = offset + 20 + RESULT_LENGTH;
        final int count = buffer.getInt(effectsOffset, ORDER);
        for (int i = 0, e = effectsOffset + 4; i < count; i++, e += EFFECT_LENGTH)
        {
            if (EffectLog.createsLot(buffer.getByte(e)))
            {
                into.addRecordedExpiry(buffer.getLong(e + 17, ORDER));
            }
        }
        final int effectsEnd = effectsOffset + 4 + count * EFFECT_LENGTH;
        if (effectsEnd < buffer.getInt(LENGTH_OFFSET, ORDER) - TRAILER_LENGTH)
        {
            getPurchase(buffer, effectsEnd, into);
            into.earning.reset(); // the outcome is recomputed by the replay
        }
        return buffer.getLong(SEQUENCE_OFFSET, ORDER);
    }

    /**
     * Renders a whole record as one line of JSON: the format of {@code ledger journal dump} (see {@link JournalJson}).
     */
    public static String toJson(final DirectBuffer buffer)
    {
        return JournalJson.toJson(buffer);
    }

    /**
     * Strings are a u16 byte length then UTF-8; 0xFFFF marks null (absent), 0 empty.
     */
    /**
     * Puts the values joined with ',' exactly as {@link #putString} puts {@code String.join(",", values)}, without
     * building that string when they are ASCII (a purchase earn's categories, on the writer's path).
     */
    private static int putJoined(final MutableDirectBuffer buffer, final int offset, final String[] values)
    {
        int length = values.length - 1;
        for (final String value : values)
        {
            for (int i = 0; i < value.length(); i++)
            {
                if (value.charAt(i) >= 0x80)
                {
                    return putString(buffer, offset, String.join(",", values));
                }
            }
            length += value.length();
        }
        checkLength(length);
        buffer.putShort(offset, (short)length, ORDER);
        int at = offset + 2;
        for (int i = 0; i < values.length; i++)
        {
            if (i > 0)
            {
                buffer.putByte(at++, (byte)',');
            }
            at += buffer.putStringWithoutLengthAscii(at, values[i]);
        }
        return at;
    }

    private static int putString(final MutableDirectBuffer buffer, final int offset, final String value)
    {
        if (null == value)
        {
            buffer.putShort(offset, (short)0xFFFF, ORDER);
            return offset + 2;
        }
        final int length = value.length();
        boolean ascii = true;
        for (int i = 0; i < length && ascii; i++)
        {
            ascii = value.charAt(i) < 0x80;
        }
        if (ascii)
        {
            checkLength(length);
            buffer.putShort(offset, (short)length, ORDER);
            buffer.putStringWithoutLengthAscii(offset + 2, value);
            return offset + 2 + length;
        }
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        checkLength(utf8.length);
        buffer.putShort(offset, (short)utf8.length, ORDER);
        buffer.putBytes(offset + 2, utf8);
        return offset + 2 + utf8.length;
    }

    private static void checkLength(final int length)
    {
        if (length >= STRING_BYTES_MAX)
        {
            throw new IllegalArgumentException("string of " + length + " bytes does not fit a journal record");
        }
    }

    static final class StringCursor
    {
        private final DirectBuffer buffer;
        int offset;

        StringCursor(final DirectBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.offset = offset;
        }

        String next()
        {
            final int length = buffer.getShort(offset, ORDER) & 0xFFFF;
            offset += 2;
            if (length == 0xFFFF)
            {
                return null;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            offset += length;
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
