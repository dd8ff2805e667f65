package io.jifen.ledger.journal;

import io.jifen.ledger.core.Channel;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import io.jifen.ledger.core.MemberStatus;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.Tier;
import io.jifen.ledger.core.TouchedMembers;
import org.agrona.DirectBuffer;

import static io.jifen.ledger.journal.JournalLayout.ALREADY_EXPIRED_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BALANCE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BIRTHDAY_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.BODY_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.CHAIN_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.DISCARDED_BODY_END;
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
import static io.jifen.ledger.journal.JournalLayout.ORDER;
import static io.jifen.ledger.journal.JournalLayout.OWED_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.POINTS_SLOT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.RESULT_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.RESULT_POINTS_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.SEQUENCE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.SHORTFALL_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.STATUS_SLOT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TIER_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TIMESTAMP_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TRAILER_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.TYPE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.VERSION_OFFSET;
import static io.jifen.ledger.journal.JournalRecord.TAIL_DISCARDED_TYPE;
import static io.jifen.ledger.journal.JournalRecord.VERSION_PROGRAMS;

/**
 * A journal record as one line of JSON: the format of {@code ledger journal dump}, read by finance tools (field names
 * are API: never rename one). Not on the writer's path: it allocates freely.
 */
public final class JournalJson
{
    private JournalJson()
    {
    }

    /** Renders a whole record (a command's, or a tail-discarded marker). */
    public static String toJson(final DirectBuffer buffer)
    {
        final int type = buffer.getShort(TYPE_OFFSET, ORDER);
        if (type == TAIL_DISCARDED_TYPE)
        {
            return tailDiscarded(buffer);
        }
        final StringBuilder sb = new StringBuilder(256);
        final CommandType commandType = CommandType.fromCode(type);
        final String typeName = commandType.name().toLowerCase(java.util.Locale.ROOT);
        sb.append("{\"type\":\"").append(typeName).append('"');
        sb.append(",\"version\":").append(buffer.getShort(VERSION_OFFSET, ORDER));
        sb.append(",\"sequence\":").append(buffer.getLong(SEQUENCE_OFFSET, ORDER));
        sb.append(",\"timestamp_ms\":").append(buffer.getLong(TIMESTAMP_OFFSET, ORDER));
        int offset = strings(buffer, commandType, sb);
        offset = inputs(buffer, commandType, offset, sb);
        offset = result(buffer, offset, sb);
        final int effects = buffer.getInt(offset, ORDER);
        offset = effects(buffer, offset, sb);
        if (buffer.getShort(VERSION_OFFSET, ORDER) >= JournalRecord.VERSION_MEMBERS)
        {
            final TouchedMembers touched = new TouchedMembers();
            offset = JournalRecord.getMembers(buffer, offset, effects, touched);
            appendMembers(sb, touched);
        }
        if (commandType == CommandType.IMPORT)
        {
            final Command row = new Command();
            offset = JournalRecord.getImport(buffer, offset, row);
            sb.append(",\"import\":{\"earned_at_ms\":").append(row.earnedAt)
                .append(",\"expires_at_ms\":").append(row.lotExpiresAt)
                .append(",\"tier_points\":").append(row.importTierPoints).append('}');
        }
        else if (offset < buffer.getInt(LENGTH_OFFSET, ORDER) - TRAILER_LENGTH)
        {
            final Command purchase = new Command();
            offset = JournalRecord.getPurchase(buffer, offset, purchase);
            appendPurchase(sb, purchase);
        }
        sb.append(",\"chain\":");
        appendHex(sb, buffer, offset);
        return sb.append('}').toString();
    }

    private static String tailDiscarded(final DirectBuffer buffer)
    {
        final StringBuilder marker = new StringBuilder(160);
        marker.append("{\"type\":\"tail_discarded\",\"version\":").append(buffer.getShort(VERSION_OFFSET, ORDER))
            .append(",\"after_sequence\":").append(buffer.getLong(SEQUENCE_OFFSET, ORDER))
            .append(",\"first_index\":").append(JournalRecord.discardedFirstIndex(buffer))
            .append(",\"count\":").append(JournalRecord.discardedCount(buffer)).append(",\"chain\":");
        appendHex(marker, buffer, DISCARDED_BODY_END);
        return marker.append('}').toString();
    }

    /** The record's strings, by their names in its version: @return the offset after them. */
    private static int strings(final DirectBuffer buffer, final CommandType type, final StringBuilder sb)
    {
        final JournalRecord.StringCursor cursor = new JournalRecord.StringCursor(buffer, BODY_OFFSET);
        final int version = buffer.getShort(VERSION_OFFSET, ORDER);
        final String receiver = JournalRecord.hasReceiver(type) ? "to_member_id" : "referrer_id";
        final String[] names = version >= JournalRecord.VERSION_KEYS ?
            new String[] {"request_id", "member_id", "order_id", "reason", "original_request_id", receiver, "program",
                "program_id", "to_program_id", "key_id"} :
            version >= VERSION_PROGRAMS ?
            new String[] {"request_id", "member_id", "order_id", "reason", "original_request_id", receiver, "program",
                "program_id", "to_program_id"} :
            new String[] {"request_id", "member_id", "order_id", "reason", "original_request_id", receiver, "program"};
        for (final String name : names)
        {
            final String value = cursor.next();
            if (null != value)
            {
                sb.append(",\"").append(name).append("\":");
                appendJsonString(sb, value);
            }
        }
        return cursor.offset;
    }

    /** The numeric inputs, named for the command (SetTier's slots hold its floor and tier). */
    private static int inputs(
        final DirectBuffer buffer, final CommandType type, final int offset, final StringBuilder sb)
    {
        final boolean setTier = type == CommandType.SET_TIER;
        sb.append(setTier ? ",\"floor_until_ms\":" : ",\"points\":");
        sb.append(buffer.getLong(offset + POINTS_SLOT_OFFSET, ORDER));
        appendIfNonZero(sb, "birthday", buffer.getInt(offset + BIRTHDAY_OFFSET, ORDER));
        final int status = buffer.getInt(offset + STATUS_SLOT_OFFSET, ORDER);
        if (status != 0)
        {
            sb.append(setTier ? ",\"tier\":" : ",\"status\":").append(setTier ? tierName(status) : statusName(status));
        }
        appendIfNonZero(sb, "limit", buffer.getInt(offset + LIMIT_SLOT_OFFSET, ORDER));
        return offset + INPUTS_LENGTH;
    }

    private static int result(final DirectBuffer buffer, final int offset, final StringBuilder sb)
    {
        sb.append(",\"result\":{\"points\":").append(buffer.getLong(offset + RESULT_POINTS_OFFSET, ORDER));
        sb.append(",\"balance\":").append(buffer.getLong(offset + BALANCE_OFFSET, ORDER));
        sb.append(",\"lifetime_earned\":").append(buffer.getLong(offset + LIFETIME_EARNED_OFFSET, ORDER));
        sb.append(",\"tier\":").append(tierName(buffer.getByte(offset + TIER_OFFSET)));
        sb.append(",\"member_status\":").append(statusName(buffer.getByte(offset + MEMBER_STATUS_OFFSET)));
        sb.append(",\"lot_id\":").append(buffer.getLong(offset + LOT_ID_OFFSET, ORDER));
        sb.append(",\"expires_at_ms\":").append(buffer.getLong(offset + EXPIRES_AT_OFFSET, ORDER));
        sb.append(",\"expired\":").append(buffer.getLong(offset + EXPIRED_OFFSET, ORDER));
        sb.append(",\"shortfall\":").append(buffer.getLong(offset + SHORTFALL_OFFSET, ORDER));
        sb.append(",\"already_expired\":").append(buffer.getLong(offset + ALREADY_EXPIRED_OFFSET, ORDER));
        sb.append(",\"owed\":").append(buffer.getLong(offset + OWED_OFFSET, ORDER)).append('}');
        return offset + RESULT_LENGTH;
    }

    private static int effects(final DirectBuffer buffer, final int start, final StringBuilder sb)
    {
        final int count = buffer.getInt(start, ORDER);
        int offset = start + EFFECT_COUNT_SIZE;
        sb.append(",\"effects\":[");
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            final byte kind = buffer.getByte(offset + EFFECT_KIND_OFFSET);
            sb.append("{\"kind\":\"").append(EffectLog.kindName(kind)).append('"');
            sb.append(",\"lot_id\":").append(buffer.getLong(offset + EFFECT_LOT_ID_OFFSET, ORDER));
            sb.append(",\"points\":").append(buffer.getLong(offset + EFFECT_AMOUNT_OFFSET, ORDER));
            sb.append(",\"expires_at_ms\":").append(buffer.getLong(offset + EFFECT_EXPIRES_AT_OFFSET, ORDER));
            sb.append('}');
            offset += EFFECT_LENGTH;
        }
        sb.append(']');
        return offset;
    }

    /**
     * The member table of a record of version 3 or later: {@code members} (program: its name, except entry 0 of a
     * write, which is the record's own member and has the record's program id: null for the ledger's first program;
     * id; balances after the record) and {@code effect_members}, the index in it of each effect's member.
     */
    private static void appendMembers(final StringBuilder sb, final TouchedMembers touched)
    {
        sb.append(",\"members\":[");
        for (int i = 0; i < touched.size(); i++)
        {
            sb.append(i == 0 ? "{" : ",{").append("\"program\":");
            if (null == touched.program(i))
            {
                sb.append("null"); // the record's own member of the ledger's first program
            }
            else
            {
                appendJsonString(sb, touched.program(i));
            }
            sb.append(",\"member_id\":");
            appendJsonString(sb, touched.memberId(i));
            sb.append(",\"available\":").append(touched.available(i));
            sb.append(",\"owed\":").append(touched.owed(i));
            sb.append(",\"held\":").append(touched.held(i));
            sb.append(",\"pending\":").append(touched.pending(i)).append('}');
        }
        sb.append("],\"effect_members\":[");
        for (int i = 0; i < touched.effectCount(); i++)
        {
            sb.append(i == 0 ? "" : ",").append(touched.effectEntry(i));
        }
        sb.append(']');
    }

    private static void appendPurchase(final StringBuilder sb, final Command p)
    {
        final Command.Earning e = p.earning;
        sb.append(",\"purchase\":{\"amount_minor\":").append(p.purchaseMinor);
        sb.append(",\"currency\":");
        appendJsonString(sb, p.currency);
        sb.append(",\"channel\":\"").append(Channel.fromCode(p.channel).text()).append('"');
        sb.append(",\"categories\":[");
        if (null != p.categories)
        {
            for (int i = 0; i < p.categories.length; i++)
            {
                appendJsonString(sb.append(i == 0 ? "" : ","), p.categories[i]);
            }
        }
        sb.append("],\"base_points\":").append(e.basePoints);
        sb.append(",\"tier_multiplier\":\"").append(Program.multiplierText(e.tierMultiplierBp)).append('"');
        sb.append(",\"tier_points\":").append(e.tierPoints);
        sb.append(",\"campaigns\":[");
        for (int i = 0; i < e.campaignCount(); i++)
        {
            sb.append(i == 0 ? "{" : ",{").append("\"id\":");
            appendJsonString(sb, e.campaignId(i));
            sb.append(",\"multiplier\":\"").append(Program.multiplierText(e.multiplierBp(i))).append('"');
            sb.append(",\"points\":").append(e.points(i));
            sb.append(",\"budget_cut\":").append(e.budgetCut(i)).append('}');
        }
        sb.append("],\"cap_cut\":").append(e.capCut).append('}');
    }

    /** The chain value at {@code offset}, as a quoted hex string. */
    private static void appendHex(final StringBuilder sb, final DirectBuffer buffer, final int offset)
    {
        sb.append('"');
        for (int i = 0; i < CHAIN_LENGTH; i++)
        {
            sb.append(String.format("%02x", buffer.getByte(offset + i) & 0xFF));
        }
        sb.append('"');
    }

    /** A tier by its name ("gold"); null for none (0), and the bare code for one this build does not know. */
    static String tierName(final int code)
    {
        return code == 0 ? "null" : Tier.isValidCode(code) ?
            '"' + Tier.fromCode(code).name().toLowerCase(java.util.Locale.ROOT) + '"' : Integer.toString(code);
    }

    /** A member status by its name ("frozen"); null for none (0), and the bare code for an unknown one. */
    static String statusName(final int code)
    {
        return code >= 1 && code <= MemberStatus.values().length ?
            '"' + MemberStatus.fromCode(code).name().toLowerCase(java.util.Locale.ROOT) + '"' :
            code == 0 ? "null" : Integer.toString(code);
    }

    private static void appendIfNonZero(final StringBuilder sb, final String name, final int value)
    {
        if (value != 0)
        {
            sb.append(",\"").append(name).append("\":").append(value);
        }
    }

    private static void appendJsonString(final StringBuilder sb, final String value)
    {
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char ch = value.charAt(i);
            switch (ch)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(ch < 0x20 || ch > 0x7E ? String.format("\\u%04x", (int)ch) : String.valueOf(ch));
            }
        }
        sb.append('"');
    }
}
