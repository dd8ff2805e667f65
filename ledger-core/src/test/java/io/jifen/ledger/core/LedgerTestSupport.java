package io.jifen.ledger.core;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jifen.ledger.journal.JournalRecord;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ledger's scenario tests share: one reused command {@link #c}, ledger time {@link #now} (Shanghai), the
 * journal kept as encoded record bytes, and after every test a replay of those bytes into a fresh ledger that must
 * reach the same state hash (through the codec, so the journal format is in every scenario).
 */
abstract class LedgerTestSupport
{
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    static final long DAY_MS = 86_400_000L;

    final Command c = new Command();
    final List<byte[]> journal = new ArrayList<>();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
    private final JournalRecord codec = new JournalRecord();
    String programText;
    Ledger ledger;
    long now;

    LedgerTestSupport(final String programText, final long now)
    {
        use(programText);
        this.now = now;
    }

    @AfterEach
    void theJournalReplaysFromItsBytesToTheSameState()
    {
        ledger.checkInvariants();
        final Ledger other = new Ledger(Program.parse(programText));
        final Command command = new Command();
        for (final byte[] record : journal)
        {
            JournalRecord.decodeCommand(new UnsafeBuffer(record), command);
            other.apply(command);
            assertTrue(command.isJournaled(), "replay refused " + command);
        }
        assertEquals(ledger.stateHash(), other.stateHash());
        other.checkInvariants();
    }

    /** Starts over with a new ledger under the program. */
    void use(final String text)
    {
        programText = text;
        ledger = new Ledger(Program.parse(text));
        journal.clear();
    }

    static long at(final int year, final int month, final int day, final int hour)
    {
        return ZonedDateTime.of(year, month, day, hour, 0, 0, 0, SHANGHAI).toInstant().toEpochMilli();
    }

    Command begin(final CommandType type, final String requestId, final String memberId)
    {
        return begin(c, type, requestId, memberId);
    }

    /** Clears {@code c} and names the command, its request and its member: the start of every scenario's write. */
    static Command begin(final Command c, final CommandType type, final String requestId, final String memberId)
    {
        c.clear();
        c.type = type;
        c.requestId = requestId;
        c.memberId = memberId;
        return c;
    }

    /** Applies {@link #c} at {@link #now}; a journaled outcome joins the journal as its encoded record. */
    void send()
    {
        c.timestamp = now;
        ledger.apply(c);
        if (c.isJournaled())
        {
            final int length = codec.encode(c, buffer);
            journal.add(Arrays.copyOf(buffer.byteArray(), length));
        }
    }

    void enroll(final String memberId)
    {
        begin(CommandType.ENROLL, "enroll-" + memberId, memberId);
        send();
    }

    void earn(final String requestId, final String memberId, final long points)
    {
        begin(CommandType.EARN, requestId, memberId).points = points;
        send();
    }

    void redeem(final String requestId, final String memberId, final long points)
    {
        begin(CommandType.REDEEM, requestId, memberId).points = points;
        send();
    }

    void reverse(final String requestId, final String memberId, final String original, final long points)
    {
        begin(CommandType.REVERSE, requestId, memberId).originalRequestId = original;
        c.points = points;
        send();
    }

    void balance(final String memberId)
    {
        begin(CommandType.GET_BALANCE, null, memberId);
        send();
    }

    void sweep()
    {
        begin(CommandType.EXPIRE_TICK, null, null).limit = 1000;
        send();
    }

    /** The command's effects as "kind lot amount" entries joined by "; ". */
    void assertEffects(final String expected)
    {
        final StringBuilder actual = new StringBuilder();
        for (int i = 0; i < c.effects.size(); i++)
        {
            actual.append(i == 0 ? "" : "; ").append(EffectLog.kindName(c.effects.kind(i))).append(' ')
                .append(c.effects.lotId(i)).append(' ').append(c.effects.amount(i));
        }
        assertEquals(expected, actual.toString(), c::toString);
    }
}
