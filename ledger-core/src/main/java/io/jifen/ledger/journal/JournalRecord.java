package io.jifen.ledger.journal;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import io.jifen.ledger.core.TouchedMembers;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.jifen.ledger.journal.JournalLayout.ABSENT_STRING;
import static io.jifen.ledger.journal.JournalLayout.ALREADY_EXPIRED_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BALANCE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BASE_POINTS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BIRTHDAY_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BODY_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CAMPAIGN_BUDGET_CUT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CAMPAIGN_COUNT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CAMPAIGN_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.CAMPAIGN_MULTIPLIER_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CAMPAIGN_POINTS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CAP_CUT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CHANNEL_SIZE;
import static io.jifen.ledger.journal.JournalLayout.CHECKSUM_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.DISCARDED_BODY_END;
import static io.jifen.ledger.journal.JournalLayout.DISCARDED_COUNT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.DISCARDED_FIRST_INDEX_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EARNING_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_AMOUNT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_COUNT_SIZE;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_EXPIRES_AT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_KIND_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_LOT_ID_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EXPIRED_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EXPIRES_AT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.INPUTS_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.LENGTH_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.LIFETIME_EARNED_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.LIMIT_SLOT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.LOT_ID_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.MEMBER_STATUS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.MIN_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.OWED_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.POINTS_SLOT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.PURCHASE_AMOUNT_SIZE;
import static io.jifen.ledger.journal.JournalLayout.RESULT_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.RESULT_POINTS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.SEQUENCE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.SHORTFALL_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.STATUS_SLOT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.STRING_LENGTH_SIZE;
import static io.jifen.ledger.journal.JournalLayout.TIER_MULTIPLIER_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TIER_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.IMPORT_EARNED_AT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.IMPORT_EXPIRES_AT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.IMPORT_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.IMPORT_TIER_POINTS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TIER_POINTS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TIMESTAMP_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TRAILER_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.TYPE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.VERSION_OFFSET;

/**
 * The journal record codec, versions 1 to 4 (2: version 1 with the program ids of several programs; 3: version 2
 * with the member table; 4: version 3 with the id of the API key the write came with): one record per journaled
 * write, self-contained facts (the request, the outcome, every lot-level effect, the members touched, who sent it)
 * that finance can read without the ledger's code. Layout in
 * {@link JournalLayout} and docs/journal-format.md; all integers little-endian; a CRC-32C of everything before it
 * closes every record.
 */
public final class JournalRecord
{
    /** The version of a record that names no program: the ledger's first. */
    public static final int VERSION = 1;
    /** Version 1 with two more strings: the record's program id and an exchange's receiving program id. */
    public static final int VERSION_PROGRAMS = 2;
    /**
     * Version 2 (its program strings always present) with a member table after the effects: every member the record
     * touched with its balances after it, and the member of each effect.
     */
    public static final int VERSION_MEMBERS = 3;
    /**
     * Version 3 with one more string after the program ids: the id of the API key the write came with (absent where
     * there was none). What new writes are journaled in.
     */
    public static final int VERSION_KEYS = 4;
    /** The newest version this build reads, and the one it writes. */
    public static final int VERSION_LATEST = VERSION_KEYS;
    /** Bytes of a member table entry after its two strings: available, owed, held, pending. */
    static final int MEMBER_BALANCES_LENGTH = 4 * Long.BYTES;
    public static final ByteOrder ORDER = JournalLayout.ORDER;
    /** SHA-256 of the previous record's chain value and this record's bytes before the chain field. */
    public static final int CHAIN_LENGTH = JournalLayout.CHAIN_LENGTH;
    /** Strings are at most 0xFFFE bytes of UTF-8: every string the validator admits fits (16 Ki chars of program). */
    static final int STRING_BYTES_MAX = ABSENT_STRING;

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
        return trailer(buffer, encodeBody(c, buffer));
    }

    /**
     * Encodes a command's record up to its trailer, the record's length field included: what a replay compares with
     * the recorded bytes (equal bytes before the trailer mean an equal trailer, which the reader has checked).
     *
     * @return the offset of the trailer: the record's length less {@link JournalLayout#TRAILER_LENGTH}.
     */
    int encodeBody(final Command c, final ExpandableArrayBuffer buffer)
    {
        assert c.isJournaled() : "only journaled commands have records: " + c;
        buffer.putShort(TYPE_OFFSET, (short)c.type.code(), ORDER);
        // a new write is journaled in the current version; a replayed record re-encodes in its own
        final int version = c.recordVersion == 0 ? VERSION_LATEST : c.recordVersion;
        final boolean members = version >= VERSION_MEMBERS;
        final boolean programs = members || !isEmpty(c.programId) || !isEmpty(c.toProgramId);
        buffer.putShort(VERSION_OFFSET, (short)(members ? version : programs ? VERSION_PROGRAMS : VERSION), ORDER);
        buffer.putLong(SEQUENCE_OFFSET, c.sequence, ORDER);
        buffer.putLong(TIMESTAMP_OFFSET, c.timestamp, ORDER);
        int offset = BODY_OFFSET;
        offset = putString(buffer, offset, c.requestId);
        offset = putString(buffer, offset, c.memberId);
        offset = putString(buffer, offset, c.orderId);
        offset = putString(buffer, offset, c.reason);
        offset = putString(buffer, offset, c.originalRequestId);
        offset = putString(buffer, offset, hasReceiver(c.type) ? c.toMemberId : c.referrerId);
        offset = putString(buffer, offset, c.programText);
        if (programs)
        {
            offset = putString(buffer, offset, isEmpty(c.programId) ? null : c.programId);
            offset = putString(buffer, offset, isEmpty(c.toProgramId) ? null : c.toProgramId);
        }
        if (version >= VERSION_KEYS)
        {
            offset = putString(buffer, offset, c.keyId);
        }
        return encodeAfterStrings(c, buffer, offset);
    }

    /**
     * Encodes what follows a record's strings, at {@code stringsEnd} in the buffer: the fixed inputs and all the ledger
     * computed (result, effects, members touched, a purchase's earning), and the record's length field. A replay
     * compares this part only, from where the recorded record's strings end ({@link #decode}): its strings are
     * the recorded bytes decoded, which re-encode to themselves (the checksum has proved them as written, and the
     * codec's round trip is proved by its tests), while re-encoding them was a tenth of a replay's work.
     *
     * @return the offset of the trailer.
     */
    int encodeAfterStrings(final Command c, final ExpandableArrayBuffer buffer, final int stringsEnd)
    {
        final int version = c.recordVersion == 0 ? VERSION_LATEST : c.recordVersion;
        final boolean members = version >= VERSION_MEMBERS;
        int offset = putInputs(c, buffer, stringsEnd);
        offset = putResult(c, buffer, offset);
        offset = putEffects(c.effects, buffer, offset);
        if (members)
        {
            offset = putMembers(c.touched, c.effects.size(), c.type.isIdempotentWrite(), buffer, offset);
        }
        if (c.type == CommandType.IMPORT)
        {
            buffer.putLong(offset + IMPORT_EARNED_AT_OFFSET, c.earnedAt, ORDER);
            buffer.putLong(offset + IMPORT_EXPIRES_AT_OFFSET, c.lotExpiresAt, ORDER);
            buffer.putLong(offset + IMPORT_TIER_POINTS_OFFSET, c.importTierPoints, ORDER);
            offset += IMPORT_LENGTH;
        }
        else if (c.purchaseMinor > 0)
        {
            offset = putPurchase(c, buffer, offset);
        }
        buffer.putInt(LENGTH_OFFSET, offset + TRAILER_LENGTH, ORDER);
        return offset;
    }

    private static int putInputs(final Command c, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + POINTS_SLOT_OFFSET, c.pointsSlot(), ORDER);
        buffer.putInt(offset + BIRTHDAY_OFFSET, c.birthday, ORDER);
        buffer.putInt(offset + STATUS_SLOT_OFFSET, c.statusSlot(), ORDER);
        buffer.putInt(offset + LIMIT_SLOT_OFFSET, c.limitSlot(), ORDER);
        return offset + INPUTS_LENGTH;
    }

    private static int putResult(final Command c, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + RESULT_POINTS_OFFSET, c.resultPoints, ORDER);
        buffer.putLong(offset + BALANCE_OFFSET, c.balance, ORDER);
        buffer.putLong(offset + LIFETIME_EARNED_OFFSET, c.lifetimeEarned, ORDER);
        buffer.putByte(offset + TIER_OFFSET, (byte)c.tier);
        buffer.putByte(offset + MEMBER_STATUS_OFFSET, (byte)c.memberStatus);
        buffer.putLong(offset + LOT_ID_OFFSET, c.lotId, ORDER);
        buffer.putLong(offset + EXPIRES_AT_OFFSET, c.expiresAt, ORDER);
        buffer.putLong(offset + EXPIRED_OFFSET, c.expired, ORDER);
        buffer.putLong(offset + SHORTFALL_OFFSET, c.shortfall, ORDER);
        buffer.putLong(offset + ALREADY_EXPIRED_OFFSET, c.alreadyExpired, ORDER);
        buffer.putLong(offset + OWED_OFFSET, c.owed, ORDER);
        return offset + RESULT_LENGTH;
    }

    private static int putEffects(final EffectLog effects, final MutableDirectBuffer buffer, final int start)
    {
        final int count = effects.size();
        buffer.putInt(start, count, ORDER);
        int offset = start + EFFECT_COUNT_SIZE;
        for (int i = 0; i < count; i++)
        {
            buffer.putByte(offset + EFFECT_KIND_OFFSET, effects.kind(i));
            buffer.putLong(offset + EFFECT_LOT_ID_OFFSET, effects.lotId(i), ORDER);
            buffer.putLong(offset + EFFECT_AMOUNT_OFFSET, effects.amount(i), ORDER);
            buffer.putLong(offset + EFFECT_EXPIRES_AT_OFFSET, effects.expiresAt(i), ORDER);
            offset += EFFECT_LENGTH;
        }
        return offset;
    }

    /**
     * The member table. A write's own member (entry 0) is the record's {@code member_id} of its {@code program_id}:
     * its two strings are written absent rather than again (about 40 bytes and a fifth of the encoding time of a
     * purchase earn's record).
     */
    private static int putMembers(final TouchedMembers touched, final int effects, final boolean ownFirst,
        final ExpandableArrayBuffer buffer, final int start)
    {
        if (touched.effectCount() != effects)
        {
            // a table not filled for this command's effects would make a record readers cannot decode: stop here
            throw new IllegalStateException("the member table names the members of " + touched.effectCount() +
                " effects, the command has " + effects);
        }
        final int count = touched.size();
        buffer.putInt(start, count, ORDER);
        int offset = start + Integer.BYTES;
        for (int i = 0; i < count; i++)
        {
            final boolean own = i == 0 && ownFirst;
            offset = putString(buffer, offset, own ? null : touched.program(i));
            offset = putString(buffer, offset, own ? null : touched.memberId(i));
            buffer.putLong(offset, touched.available(i), ORDER);
            buffer.putLong(offset + Long.BYTES, touched.owed(i), ORDER);
            buffer.putLong(offset + 2 * Long.BYTES, touched.held(i), ORDER);
            buffer.putLong(offset + 3 * Long.BYTES, touched.pending(i), ORDER);
            offset += MEMBER_BALANCES_LENGTH;
        }
        for (int i = 0, n = touched.effectCount(); i < n; i++)
        {
            buffer.putInt(offset, touched.effectEntry(i), ORDER);
            offset += Integer.BYTES;
        }
        return offset;
    }

    /**
     * Reads the member table of a record of version 3 or later (at {@code start}, after the effects) into
     * {@code into}; the writer's keys of its entries are their indexes. An entry without a member id is the record's
     * own member: it takes the record's {@code member_id} and {@code program_id} (null: the ledger's first program).
     *
     * @return the offset after it.
     */
    public static int getMembers(final DirectBuffer buffer, final int start, final int effects,
        final TouchedMembers into)
    {
        into.reset();
        final int count = buffer.getInt(start, ORDER);
        final StringCursor cursor = new StringCursor(buffer, start + Integer.BYTES);
        for (int i = 0; i < count; i++)
        {
            String program = cursor.next();
            String id = cursor.next();
            if (null == id)
            {
                final StringCursor own = new StringCursor(buffer, BODY_OFFSET);
                own.next();
                id = own.next();
                for (int skip = 0; skip < 5; skip++)
                {
                    own.next(); // order_id, reason, original_request_id, counterparty, program
                }
                program = own.next();
            }
            final int at = cursor.offset;
            into.add(i, program, id, buffer.getLong(at, ORDER), buffer.getLong(at + Long.BYTES, ORDER),
                buffer.getLong(at + 2 * Long.BYTES, ORDER), buffer.getLong(at + 3 * Long.BYTES, ORDER));
            cursor.offset = at + MEMBER_BALANCES_LENGTH;
        }
        int offset = cursor.offset;
        for (int i = 0; i < effects; i++)
        {
            into.addEffectEntry(buffer.getInt(offset, ORDER));
            offset += Integer.BYTES;
        }
        return offset;
    }

    /** @return the offset after the member table of a record of version 3 or later starting at {@code start}. */
    static int skipMembers(final DirectBuffer buffer, final int start, final int effects)
    {
        final int count = buffer.getInt(start, ORDER);
        int offset = start + Integer.BYTES;
        for (int i = 0; i < count; i++)
        {
            offset = skipString(buffer, offset);
            offset = skipString(buffer, offset) + MEMBER_BALANCES_LENGTH;
        }
        return offset + effects * Integer.BYTES;
    }

    private static int skipString(final DirectBuffer buffer, final int offset)
    {
        final int length = buffer.getShort(offset, ORDER) & 0xFFFF;
        return offset + STRING_LENGTH_SIZE + (length == ABSENT_STRING ? 0 : length);
    }

    private static boolean isEmpty(final String s)
    {
        return null == s || s.isEmpty();
    }

    /**
     * Transfers and exchanges name their receiving member where an enroll names its referrer (every type says which,
     * so a new command type does not compile until it is decided).
     */
    static boolean hasReceiver(final CommandType type)
    {
        return switch (type)
        {
            case TRANSFER, EXCHANGE -> true;
            case ENROLL, EARN, REDEEM, REVERSE, ADJUST, SET_STATUS, EXPIRE_TICK, SET_PROGRAM, HOLD, CAPTURE_HOLD,
                RELEASE_HOLD, SET_TIER, IMPORT, GET_BALANCE, CHECK_TIER, LIST_LOTS, GET_MEMBER, LIST_EXPIRING -> false;
        };
    }

    /**
     * An earn from a purchase ends its body with the purchase (the inputs a replay recomputes the points from) and
     * how the program computed the points, for readers of the journal.
     */
    private static int putPurchase(final Command c, final ExpandableArrayBuffer buffer, final int start)
    {
        int offset = start;
        buffer.putLong(offset, c.purchaseMinor, ORDER);
        offset = putString(buffer, offset + PURCHASE_AMOUNT_SIZE, c.currency);
        buffer.putByte(offset, (byte)c.channel);
        offset += CHANNEL_SIZE;
        final boolean noCategories = null == c.categories || c.categories.length == 0;
        offset = noCategories ? putString(buffer, offset, null) : putJoined(buffer, offset, c.categories);
        final Command.Earning e = c.earning;
        buffer.putLong(offset + BASE_POINTS_OFFSET, e.basePoints, ORDER);
        buffer.putLong(offset + TIER_MULTIPLIER_OFFSET, e.tierMultiplierBp, ORDER);
        buffer.putLong(offset + TIER_POINTS_OFFSET, e.tierPoints, ORDER);
        buffer.putLong(offset + CAP_CUT_OFFSET, e.capCut, ORDER);
        buffer.putByte(offset + CAMPAIGN_COUNT_OFFSET, (byte)e.campaignCount());
        offset += EARNING_LENGTH;
        for (int i = 0; i < e.campaignCount(); i++)
        {
            offset = putString(buffer, offset, e.campaignId(i));
            buffer.putLong(offset + CAMPAIGN_MULTIPLIER_OFFSET, e.multiplierBp(i), ORDER);
            buffer.putLong(offset + CAMPAIGN_POINTS_OFFSET, e.points(i), ORDER);
            buffer.putLong(offset + CAMPAIGN_BUDGET_CUT_OFFSET, e.budgetCut(i), ORDER);
            offset += CAMPAIGN_LENGTH;
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
        final StringCursor cursor = new StringCursor(buffer, start + PURCHASE_AMOUNT_SIZE);
        into.currency = cursor.next();
        into.channel = buffer.getByte(cursor.offset);
        cursor.offset += CHANNEL_SIZE;
        final String categories = cursor.next();
        into.categories = null == categories ? null : categories.split(",", -1);
        final int offset = cursor.offset;
        final Command.Earning e = into.earning;
        e.basePoints = buffer.getLong(offset + BASE_POINTS_OFFSET, ORDER);
        e.tierMultiplierBp = buffer.getLong(offset + TIER_MULTIPLIER_OFFSET, ORDER);
        e.tierPoints = buffer.getLong(offset + TIER_POINTS_OFFSET, ORDER);
        e.capCut = buffer.getLong(offset + CAP_CUT_OFFSET, ORDER);
        final int count = buffer.getByte(offset + CAMPAIGN_COUNT_OFFSET);
        cursor.offset = offset + EARNING_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final String id = cursor.next();
            final int at = cursor.offset;
            final long multiplier = buffer.getLong(at + CAMPAIGN_MULTIPLIER_OFFSET, ORDER);
            final long points = buffer.getLong(at + CAMPAIGN_POINTS_OFFSET, ORDER);
            e.add(id, multiplier, points, buffer.getLong(at + CAMPAIGN_BUDGET_CUT_OFFSET, ORDER));
            cursor.offset = at + CAMPAIGN_LENGTH;
        }
        return cursor.offset;
    }

    /**
     * Reads an import record's own section (at {@code start}, after the member table) into a command.
     *
     * @return the offset after it.
     */
    public static int getImport(final DirectBuffer buffer, final int start, final Command into)
    {
        into.earnedAt = buffer.getLong(start + IMPORT_EARNED_AT_OFFSET, ORDER);
        into.lotExpiresAt = buffer.getLong(start + IMPORT_EXPIRES_AT_OFFSET, ORDER);
        into.importTierPoints = buffer.getLong(start + IMPORT_TIER_POINTS_OFFSET, ORDER);
        return start + IMPORT_LENGTH;
    }

    /** @return the earned-at instant of an import record whose own section starts at {@code start}. */
    public static long importEarnedAt(final DirectBuffer buffer, final int start)
    {
        return buffer.getLong(start + IMPORT_EARNED_AT_OFFSET, ORDER);
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
        buffer.putLong(DISCARDED_FIRST_INDEX_OFFSET, firstIndex, ORDER);
        buffer.putInt(DISCARDED_COUNT_OFFSET, count, ORDER);
        buffer.putInt(LENGTH_OFFSET, DISCARDED_BODY_END + TRAILER_LENGTH, ORDER);
        return trailer(buffer, DISCARDED_BODY_END);
    }

    public static int type(final DirectBuffer buffer)
    {
        return buffer.getShort(TYPE_OFFSET, ORDER);
    }

    public static long discardedFirstIndex(final DirectBuffer buffer)
    {
        return buffer.getLong(DISCARDED_FIRST_INDEX_OFFSET, ORDER);
    }

    public static int discardedCount(final DirectBuffer buffer)
    {
        return buffer.getInt(DISCARDED_COUNT_OFFSET, ORDER);
    }

    /**
     * Closes a record whose body, length field included, ends at {@code offset}: an unlinked (zero) chain value and
     * the checksum.
     *
     * @return the record's length.
     */
    private int trailer(final ExpandableArrayBuffer buffer, final int offset)
    {
        final int length = offset + TRAILER_LENGTH;
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
        view.wrap(record, 0, length);
        view.putInt(length - CHECKSUM_LENGTH, crc, ORDER);
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
     * @return true if the document is physically damaged (too short for a record, or its checksum fails): what a
     * write torn by a power loss looks like. A sound checksum over an unknown version or a wrong length field is not
     * damage but a journal this build must not read.
     */
    public boolean isDamaged(final byte[] bytes, final int length)
    {
        if (length < MIN_LENGTH)
        {
            return true;
        }
        view.wrap(bytes, 0, length);
        return view.getInt(length - CHECKSUM_LENGTH, ORDER) != checksum(bytes, 0, length - CHECKSUM_LENGTH);
    }

    /**
     * Checks a record's framing and checksum.
     *
     * @return null if sound, or what is wrong.
     */
    public String verify(final byte[] bytes, final int length)
    {
        if (length < MIN_LENGTH)
        {
            return "record of " + length + " bytes is shorter than a header";
        }
        view.wrap(bytes, 0, length);
        final int version = view.getShort(VERSION_OFFSET, ORDER);
        if (!isKnownVersion(version))
        {
            return "unsupported record version " + version + " (this build reads versions " + VERSION + " to " +
                VERSION_LATEST + ")";
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

    /** @return true for a record version this build reads. */
    public static boolean isKnownVersion(final int version)
    {
        return version >= VERSION && version <= VERSION_LATEST;
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

    public static long timestamp(final DirectBuffer buffer)
    {
        return buffer.getLong(TIMESTAMP_OFFSET, ORDER);
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
        decode(buffer, into);
        return buffer.getLong(SEQUENCE_OFFSET, ORDER);
    }

    /**
     * As {@link #decodeCommand}, for a replay.
     *
     * @return where the record's strings end: the offset from which {@link #encodeAfterStrings} encodes.
     */
    static int decode(final DirectBuffer buffer, final Command into)
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
        if (hasReceiver(into.type))
        {
            into.toMemberId = counterparty;
        }
        else
        {
            into.referrerId = counterparty;
        }
        into.programText = cursor.next();
        final int version = buffer.getShort(VERSION_OFFSET, ORDER);
        into.recordVersion = version;
        if (version >= VERSION_PROGRAMS)
        {
            into.programId = cursor.next();
            into.toProgramId = cursor.next();
        }
        if (version >= VERSION_KEYS)
        {
            into.keyId = cursor.next();
        }
        final int offset = cursor.offset;
        into.birthday = buffer.getInt(offset + BIRTHDAY_OFFSET, ORDER);
        into.fromSlots(buffer.getLong(offset + POINTS_SLOT_OFFSET, ORDER),
            buffer.getInt(offset + STATUS_SLOT_OFFSET, ORDER), buffer.getInt(offset + LIMIT_SLOT_OFFSET, ORDER));
        final int effectsOffset = offset + INPUTS_LENGTH + RESULT_LENGTH;
        final int count = buffer.getInt(effectsOffset, ORDER);
        final int effectsStart = effectsOffset + EFFECT_COUNT_SIZE;
        for (int i = 0, e = effectsStart; i < count; i++, e += EFFECT_LENGTH)
        {
            if (EffectLog.createsLot(buffer.getByte(e + EFFECT_KIND_OFFSET)))
            {
                into.addRecordedExpiry(buffer.getLong(e + EFFECT_EXPIRES_AT_OFFSET, ORDER));
            }
        }
        int effectsEnd = effectsStart + count * EFFECT_LENGTH;
        if (version >= VERSION_MEMBERS)
        {
            effectsEnd = skipMembers(buffer, effectsEnd, count);
        }
        if (into.type == CommandType.IMPORT)
        {
            getImport(buffer, effectsEnd, into);
        }
        else if (effectsEnd < buffer.getInt(LENGTH_OFFSET, ORDER) - TRAILER_LENGTH)
        {
            getPurchase(buffer, effectsEnd, into);
            into.earning.reset(); // the outcome is recomputed by the replay
        }
        return offset;
    }

    /**
     * Renders a whole record as one line of JSON: the format of {@code ledger journal dump} (see {@link JournalJson}).
     */
    public static String toJson(final DirectBuffer buffer)
    {
        return JournalJson.toJson(buffer);
    }

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
        int at = offset + STRING_LENGTH_SIZE;
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

    /**
     * Strings are a u16 byte length then UTF-8; 0xFFFF marks null (absent), 0 empty.
     */
    private static int putString(final MutableDirectBuffer buffer, final int offset, final String value)
    {
        if (null == value)
        {
            buffer.putShort(offset, (short)ABSENT_STRING, ORDER);
            return offset + STRING_LENGTH_SIZE;
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
            buffer.putStringWithoutLengthAscii(offset + STRING_LENGTH_SIZE, value);
            return offset + STRING_LENGTH_SIZE + length;
        }
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        checkLength(utf8.length);
        buffer.putShort(offset, (short)utf8.length, ORDER);
        buffer.putBytes(offset + STRING_LENGTH_SIZE, utf8);
        return offset + STRING_LENGTH_SIZE + utf8.length;
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

        /** Steps over a string without decoding it. */
        void skip()
        {
            final int length = buffer.getShort(offset, ORDER) & 0xFFFF;
            offset += STRING_LENGTH_SIZE + (length == ABSENT_STRING ? 0 : length);
        }

        String next()
        {
            final int length = buffer.getShort(offset, ORDER) & 0xFFFF;
            offset += STRING_LENGTH_SIZE;
            if (length == ABSENT_STRING)
            {
                return null;
            }
            if (offset + length > buffer.capacity())
            {
                throw new IndexOutOfBoundsException("a string of " + length + " bytes at " + offset +
                    " in a record of " + buffer.capacity());
            }
            final byte[] array = buffer.byteArray();
            final String value;
            if (null != array)
            {
                // straight from the record's bytes: a replay decodes millions, and a copy first was a tenth of decoding
                value = new String(array, (int)buffer.wrapAdjustment() + offset, length, StandardCharsets.UTF_8);
            }
            else
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                value = new String(bytes, StandardCharsets.UTF_8);
            }
            offset += length;
            return value;
        }
    }
}
