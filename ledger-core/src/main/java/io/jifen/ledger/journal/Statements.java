package io.jifen.ledger.journal;

import java.util.function.BiConsumer;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import io.jifen.ledger.core.TouchedMembers;
import org.agrona.DirectBuffer;

import static io.jifen.ledger.journal.JournalLayout.BODY_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_AMOUNT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_COUNT_SIZE;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_EXPIRES_AT_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_KIND_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.EFFECT_LOT_ID_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.INPUTS_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.LENGTH_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.ORDER;
import static io.jifen.ledger.journal.JournalLayout.RESULT_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.SEQUENCE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TIMESTAMP_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.TRAILER_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.TYPE_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.VERSION_OFFSET;

/**
 * Members' statements from journal records: which members a record touched, and what it did to one of them, from the
 * record alone (no ledger state). A record of version 3 or later names every member it touched with its balances
 * after it (docs/journal-format.md, the member table); an older record names its own member and a transfer's or
 * exchange's receiver only, without their balances, and the members of a sweep not at all: those lines are not on
 * statements.
 * <p>
 * A record's program id absent means the ledger's first program: the caller says what that is called.
 */
public final class Statements
{
    private Statements()
    {
    }

    /** The parts of a record a statement reads: reusable by one thread (an indexer parses every record). */
    public static final class Parsed
    {
        CommandType type;
        int version;
        String requestId;
        String memberId;
        String orderId;
        String reason;
        String originalRequestId;
        String counterparty;
        String program;
        String toProgram;
        int effectsStart;
        int effectCount;
        final TouchedMembers touched = new TouchedMembers();
        int purchaseStart;

        public Parsed()
        {
        }

        Parsed(final DirectBuffer record, final String firstProgram)
        {
            parse(record, firstProgram, true);
        }

        /**
         * @param lines whether the strings only a statement line shows (request, order and original request ids,
         * reason) are wanted: the indexer, which parses every record for its members, leaves them undecoded.
         */
        void parse(final DirectBuffer record, final String firstProgram, final boolean lines)
        {
            program = null;
            toProgram = null;
            type = CommandType.fromCode(record.getShort(TYPE_OFFSET, ORDER));
            version = record.getShort(VERSION_OFFSET, ORDER);
            final JournalRecord.StringCursor cursor = new JournalRecord.StringCursor(record, BODY_OFFSET);
            requestId = lines ? cursor.next() : skip(cursor);
            memberId = cursor.next();
            orderId = lines ? cursor.next() : skip(cursor);
            reason = lines ? cursor.next() : skip(cursor);
            originalRequestId = lines ? cursor.next() : skip(cursor);
            counterparty = cursor.next();
            cursor.skip(); // the program's text
            if (version >= JournalRecord.VERSION_PROGRAMS)
            {
                program = cursor.next();
                toProgram = cursor.next();
            }
            if (version >= JournalRecord.VERSION_KEYS)
            {
                cursor.skip(); // the API key's id: not on a member's statement
            }
            program = null == program ? firstProgram : program;
            toProgram = null == toProgram ? program : toProgram;
            final int effectsOffset = cursor.offset + INPUTS_LENGTH + RESULT_LENGTH;
            effectCount = record.getInt(effectsOffset, ORDER);
            effectsStart = effectsOffset + EFFECT_COUNT_SIZE;
            purchaseStart = effectsStart + effectCount * EFFECT_LENGTH;
            if (version >= JournalRecord.VERSION_MEMBERS)
            {
                purchaseStart = JournalRecord.getMembers(record, purchaseStart, effectCount, touched);
            }
        }

        private static String skip(final JournalRecord.StringCursor cursor)
        {
            cursor.skip();
            return null;
        }

        boolean hasPurchase(final DirectBuffer record)
        {
            return purchaseStart < record.getInt(LENGTH_OFFSET, ORDER) - TRAILER_LENGTH;
        }

        /** @return the program of member table entry {@code i}: the first program's name where it names none. */
        String programOf(final int i, final String firstProgram)
        {
            return null == touched.program(i) ? firstProgram : touched.program(i);
        }
    }

    /**
     * Calls {@code member} with the program and id of every member the record touched, each once.
     *
     * @param p scratch space, reused from record to record.
     */
    public static void membersOf(final DirectBuffer record, final String firstProgram, final Parsed p,
        final BiConsumer<String, String> member)
    {
        if (record.getShort(TYPE_OFFSET, ORDER) == JournalRecord.TAIL_DISCARDED_TYPE)
        {
            return;
        }
        p.parse(record, firstProgram, false);
        if (p.version >= JournalRecord.VERSION_MEMBERS)
        {
            for (int i = 0; i < p.touched.size(); i++)
            {
                member.accept(p.programOf(i, firstProgram), p.touched.memberId(i));
            }
            return;
        }
        if (p.type.isIdempotentWrite() && null != p.memberId)
        {
            member.accept(p.program, p.memberId);
            if (JournalRecord.hasReceiver(p.type) && null != p.counterparty)
            {
                member.accept(p.toProgram, p.counterparty);
            }
        }
    }

    /** An effect of a record with the member it is of (program and id; both null where the record does not say). */
    public interface EffectVisitor
    {
        void effect(String program, String memberId, byte kind, long lotId, long points, long expiresAt);
    }

    /**
     * Calls {@code visitor} with every effect of a record and the member it is of: from the member table (version 3);
     * before, the record's own member, or a transfer's or exchange's receiver for its receiving lot, and no member for
     * a sweep's effects.
     */
    public static void effects(final DirectBuffer record, final String firstProgram, final EffectVisitor visitor)
    {
        if (record.getShort(TYPE_OFFSET, ORDER) == JournalRecord.TAIL_DISCARDED_TYPE)
        {
            return;
        }
        final Parsed p = new Parsed(record, firstProgram);
        for (int i = 0, e = p.effectsStart; i < p.effectCount; i++, e += EFFECT_LENGTH)
        {
            final byte kind = record.getByte(e + EFFECT_KIND_OFFSET);
            String program = null;
            String member = null;
            if (p.version >= JournalRecord.VERSION_MEMBERS)
            {
                program = p.programOf(p.touched.effectEntry(i), firstProgram);
                member = p.touched.memberId(p.touched.effectEntry(i));
            }
            else if (p.type.isIdempotentWrite())
            {
                final boolean receiving = kind == EffectLog.TRANSFER_IN || kind == EffectLog.EXCHANGE_IN;
                program = receiving ? p.toProgram : p.program;
                member = receiving ? p.counterparty : ownersEffect(kind) ? p.memberId : null;
            }
            visitor.effect(program, member, kind, record.getLong(e + EFFECT_LOT_ID_OFFSET, ORDER),
                record.getLong(e + EFFECT_AMOUNT_OFFSET, ORDER), record.getLong(e + EFFECT_EXPIRES_AT_OFFSET, ORDER));
        }
    }

    /**
     * Renders what the record did to one member.
     *
     * @param p scratch space, reused from record to record by one thread (a page of a statement renders fifty
     * records, and a parse's member table was most of what a page allocated).
     * @return false if the record does not name that member.
     */
    public static boolean render(final DirectBuffer record, final String program, final String memberId,
        final String firstProgram, final Parsed p, final StatementLine into)
    {
        if (record.getShort(TYPE_OFFSET, ORDER) == JournalRecord.TAIL_DISCARDED_TYPE)
        {
            return false;
        }
        into.clear();
        p.parse(record, firstProgram, true);
        final boolean own = p.type.isIdempotentWrite() && memberId.equals(p.memberId) && program.equals(p.program);
        int entry = -1;
        if (p.version >= JournalRecord.VERSION_MEMBERS)
        {
            for (int i = 0; i < p.touched.size() && entry < 0; i++)
            {
                if (memberId.equals(p.touched.memberId(i)) && program.equals(p.programOf(i, firstProgram)))
                {
                    entry = i;
                }
            }
            if (entry < 0)
            {
                return false;
            }
            into.balancesKnown = true;
            into.balanceAfter = p.touched.available(entry);
            into.owedAfter = p.touched.owed(entry);
            into.heldAfter = p.touched.held(entry);
            into.pendingAfter = p.touched.pending(entry);
        }
        else if (!own && !(JournalRecord.hasReceiver(p.type) && memberId.equals(p.counterparty) &&
            program.equals(p.toProgram)))
        {
            return false;
        }
        into.sequence = record.getLong(SEQUENCE_OFFSET, ORDER);
        into.timestamp = record.getLong(TIMESTAMP_OFFSET, ORDER);
        into.type = p.type;
        into.requestId = p.requestId;
        into.orderId = p.orderId;
        into.reason = p.reason;
        into.originalRequestId = p.originalRequestId;
        lots(record, p, own, entry, into);
        if (own && p.type == CommandType.EARN && p.hasPurchase(record))
        {
            into.purchase = new Command();
            JournalRecord.getPurchase(record, p.purchaseStart, into.purchase);
        }
        if (p.type == CommandType.IMPORT)
        {
            into.earnedAt = JournalRecord.importEarnedAt(record, p.purchaseStart);
        }
        into.kind = kind(p.type, own, into);
        counterparty(p, own, firstProgram, into);
        return true;
    }

    /** The member's effects, and the changes of its available and pending points they make. */
    private static void lots(
        final DirectBuffer record, final Parsed p, final boolean own, final int entry, final StatementLine into)
    {
        for (int i = 0, e = p.effectsStart; i < p.effectCount; i++, e += EFFECT_LENGTH)
        {
            final byte kind = record.getByte(e + EFFECT_KIND_OFFSET);
            final boolean mine = entry >= 0 ? p.touched.effectEntry(i) == entry : own == ownersEffect(kind);
            if (!mine)
            {
                continue;
            }
            final long amount = record.getLong(e + EFFECT_AMOUNT_OFFSET, ORDER);
            into.lots.add(new StatementLine.Lot(EffectLog.kindName(kind), record.getLong(e + EFFECT_LOT_ID_OFFSET,
                ORDER), amount, record.getLong(e + EFFECT_EXPIRES_AT_OFFSET, ORDER)));
            into.points += amount * availableSign(kind);
            into.pendingPoints += amount * pendingSign(kind);
        }
    }

    /** Before version 3: an effect is the record's own member's unless it is a receiver's or a referrer's lot. */
    private static boolean ownersEffect(final byte kind)
    {
        return kind != EffectLog.TRANSFER_IN && kind != EffectLog.EXCHANGE_IN && kind != EffectLog.REFERRER_BONUS &&
            kind != EffectLog.REFERRER_CLAWBACK;
    }

    /**
     * @return how an effect of this kind changes its member's available points (the points in its lots): +1 for
     * points into a lot, -1 for points out of one, 0 for effects that move none (a capture takes held points; pending
     * points are not in a lot yet; a shortfall is owed, a forgiven one nothing; a reclaim is points that never came
     * back).
     */
    public static int availableSign(final byte kind)
    {
        switch (kind)
        {
            case EffectLog.CREDIT:
            case EffectLog.RESTORE:
            case EffectLog.RELEASE:
            case EffectLog.MATURE:
            case EffectLog.BONUS:
            case EffectLog.REFERRER_BONUS:
            case EffectLog.TRANSFER_IN:
            case EffectLog.GRACE:
            case EffectLog.RESTORE_LOT:
            case EffectLog.RELEASE_LOT:
            case EffectLog.EXCHANGE_IN:
                return 1;
            case EffectLog.DEBIT:
            case EffectLog.EXPIRE:
            case EffectLog.CLAWBACK:
            case EffectLog.HOLD:
            case EffectLog.REFERRER_CLAWBACK:
            case EffectLog.TRANSFER_OUT:
            case EffectLog.SETTLE:
            case EffectLog.EXCHANGE_OUT:
                return -1;
            default:
                return 0;
        }
    }

    /** @return how an effect of this kind changes its member's pending points. */
    public static int pendingSign(final byte kind)
    {
        return kind == EffectLog.PENDING ? 1 : kind == EffectLog.MATURE || kind == EffectLog.PENDING_CANCEL ? -1 : 0;
    }

    private static StatementLine.Kind kind(final CommandType type, final boolean own, final StatementLine line)
    {
        return switch (type)
        {
            case ENROLL -> StatementLine.Kind.ENROLL;
            case EARN -> !own ? StatementLine.Kind.BONUS :
                null != line.purchase ? StatementLine.Kind.PURCHASE_EARN : StatementLine.Kind.EARN;
            case REDEEM -> StatementLine.Kind.REDEEM;
            case REVERSE -> StatementLine.Kind.REVERSE;
            case ADJUST -> StatementLine.Kind.ADJUST;
            case SET_STATUS -> StatementLine.Kind.STATUS;
            case SET_TIER -> StatementLine.Kind.TIER;
            case HOLD -> StatementLine.Kind.HOLD;
            case CAPTURE_HOLD -> StatementLine.Kind.CAPTURE;
            case RELEASE_HOLD -> StatementLine.Kind.RELEASE;
            case TRANSFER -> own ? StatementLine.Kind.TRANSFER_OUT : StatementLine.Kind.TRANSFER_IN;
            case EXCHANGE -> own ? StatementLine.Kind.EXCHANGE_OUT : StatementLine.Kind.EXCHANGE_IN;
            case IMPORT -> StatementLine.Kind.IMPORT;
            case EXPIRE_TICK -> sweepKind(line);
            case SET_PROGRAM, GET_BALANCE, CHECK_TIER, LIST_LOTS, GET_MEMBER, LIST_EXPIRING ->
                throw new IllegalStateException("no member's line: " + type);
        };
    }

    /** A sweep's line is named by the first of what it did to the member: expiry, maturity, a hold's timeout, ... */
    private static StatementLine.Kind sweepKind(final StatementLine line)
    {
        final String[] order = {"expire", "mature", "release", "release_lot", "bonus", "tier"};
        final StatementLine.Kind[] kinds = {StatementLine.Kind.EXPIRY, StatementLine.Kind.MATURITY,
            StatementLine.Kind.HOLD_TIMEOUT, StatementLine.Kind.HOLD_TIMEOUT, StatementLine.Kind.BONUS,
            StatementLine.Kind.TIER};
        for (int k = 0; k < order.length; k++)
        {
            for (final StatementLine.Lot lot : line.lots)
            {
                if (order[k].equals(lot.kind()))
                {
                    return kinds[k];
                }
            }
        }
        return StatementLine.Kind.EXPIRY;
    }

    private static void counterparty(final Parsed p, final boolean own, final String firstProgram,
        final StatementLine into)
    {
        final String first = firstProgram;
        if (JournalRecord.hasReceiver(p.type))
        {
            into.counterpartyMemberId = own ? p.counterparty : p.memberId;
            final String program = own ? p.toProgram : p.program;
            into.counterpartyProgram = first.equals(program) ? null : program;
        }
        else if (p.type == CommandType.ENROLL && own)
        {
            into.counterpartyMemberId = p.counterparty; // the referrer
        }
        else if (!own)
        {
            into.counterpartyMemberId = p.memberId; // a referrer's line: the member it referred
            into.counterpartyProgram = first.equals(p.program) ? null : p.program;
        }
    }
}
