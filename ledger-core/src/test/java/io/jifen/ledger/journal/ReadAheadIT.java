package io.jifen.ledger.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replay that reads the journal on a second thread ends exactly where, and as, one reading it on the replaying
 * thread does: same records applied, state hash, chain values and resume point, on an intact journal, when stopped
 * part-way through a batch, and with damage in the middle or at the tail (the same error, raised only after the
 * records before the damage). The journals are real Chronicle files of several batches each.
 */
class ReadAheadIT
{
    private static final long T0 = 1_767_225_600_000L;
    private static final long THREADED = 0;
    private static final long INLINE = Long.MAX_VALUE;
    /** Several batches and a part batch. */
    private static final int RECORDS = 5 * ReadAhead.BATCH + 77;

    @TempDir
    Path dir;

    @AfterEach
    void noReaderIsLeftRunning()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            assertFalse(thread.getName().equals("journal-read-ahead") && thread.isAlive(),
                "a read-ahead thread outlived its replay");
        }
    }

    /** Enrolls members, then earns and redeems at random, one second apart; returns the records, chained. */
    private static List<byte[]> records(final int count, final long seed)
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final JournalRecord codec = new JournalRecord();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        final List<byte[]> out = new ArrayList<>();
        final Command c = new Command();
        final Random random = new Random(seed);
        long t = T0;
        while (out.size() < count)
        {
            final int n = out.size();
            c.clear();
            c.requestId = "req-" + n;
            c.timestamp = t += 1000;
            c.memberId = "m-" + (n < 40 ? n : random.nextInt(40));
            c.type = n < 40 ? CommandType.ENROLL : random.nextInt(4) == 0 ? CommandType.REDEEM : CommandType.EARN;
            c.points = CommandType.ENROLL == c.type ? 0 : 1 + random.nextInt(CommandType.EARN == c.type ? 500 : 100);
            ledger.apply(c);
            if (ResultCode.OK != c.result)
            {
                continue; // a redemption the balance does not cover is not journaled
            }
            final int length = codec.encode(c, buffer);
            codec.chain(buffer.byteArray(), length, chain);
            out.add(Arrays.copyOf(buffer.byteArray(), length));
        }
        return out;
    }

    private static JournalReplay.Result replay(final Path directory, final Ledger ledger, final ResumePoint from,
        final long untilSequence, final boolean discard, final long readAheadFrom)
    {
        try (Journal journal = new Journal(directory))
        {
            return JournalReplay.replay(journal, ledger, from, Long.MAX_VALUE, untilSequence, discard, 0, null, null,
                readAheadFrom);
        }
    }

    private static void assertSameEnd(final JournalReplay.Result inline, final JournalReplay.Result threaded)
    {
        assertEquals(inline.records, threaded.records, "records applied");
        assertEquals(inline.lastSequence, threaded.lastSequence, "last sequence");
        assertEquals(inline.stateHash, threaded.stateHash, "state hash");
        assertArrayEquals(inline.chainHead, threaded.chainHead, "chain head");
        assertArrayEquals(inline.recordChain, threaded.recordChain, "record chain");
        assertEquals(inline.lastIndex, threaded.lastIndex, "last queue index");
        assertEquals(inline.damagedTailIndex, threaded.damagedTailIndex, "damaged tail index");
        assertEquals(inline.damagedTailCount, threaded.damagedTailCount, "damaged tail count");
    }

    @Test
    void anIntactJournalReplaysTheSameReadAheadAsReadInline()
    {
        final List<byte[]> records = records(RECORDS, 1);
        JournalReplayIT.write(dir, records);
        final JournalReplay.Result inline = replay(dir, new Ledger(Program.defaultProgram()), null, Long.MAX_VALUE,
            false, INLINE);
        final JournalReplay.Result threaded = replay(dir, new Ledger(Program.defaultProgram()), null, Long.MAX_VALUE,
            false, THREADED);
        assertEquals(RECORDS, threaded.records);
        final byte[] last = records.get(RECORDS - 1);
        assertArrayEquals(Arrays.copyOfRange(last, last.length - 36, last.length - 4), threaded.chainHead);
        assertSameEnd(inline, threaded);
    }

    @Test
    void aReplayStoppedWithinABatchEndsAtItsLastRecordAndResumesFromThere()
    {
        JournalReplayIT.write(dir, records(RECORDS, 2));
        final long stop = 2 * ReadAhead.BATCH + 13;
        final Ledger inlineLedger = new Ledger(Program.defaultProgram());
        final Ledger threadedLedger = new Ledger(Program.defaultProgram());
        final JournalReplay.Result inline = replay(dir, inlineLedger, null, stop, false, INLINE);
        final JournalReplay.Result threaded = replay(dir, threadedLedger, null, stop, false, THREADED);
        assertEquals(stop, threaded.lastSequence);
        assertSameEnd(inline, threaded);
        assertEquals(inline.resumePoint(), threaded.resumePoint());

        // the rest, read ahead from the resume point, ends where a full replay does
        final JournalReplay.Result rest = replay(dir, threadedLedger, threaded.resumePoint(), Long.MAX_VALUE, false,
            THREADED);
        final JournalReplay.Result full = replay(dir, new Ledger(Program.defaultProgram()), null, Long.MAX_VALUE,
            false, INLINE);
        assertEquals(RECORDS - stop, rest.records);
        assertEquals(full.stateHash, rest.stateHash);
        assertArrayEquals(full.chainHead, rest.chainHead);
    }

    @Test
    void aRecordRemovedInALaterBatchIsReportedTheSameAfterTheRecordsBeforeIt()
    {
        final List<byte[]> records = new ArrayList<>(records(RECORDS, 3));
        final int removed = 4 * ReadAhead.BATCH + 5;
        records.remove(removed);
        JournalReplayIT.write(dir, records);
        final Ledger inlineLedger = new Ledger(Program.defaultProgram());
        final Ledger threadedLedger = new Ledger(Program.defaultProgram());
        final JournalCorruptException inline = assertThrows(JournalCorruptException.class,
            () -> replay(dir, inlineLedger, null, Long.MAX_VALUE, false, INLINE));
        final JournalCorruptException threaded = assertThrows(JournalCorruptException.class,
            () -> replay(dir, threadedLedger, null, Long.MAX_VALUE, false, THREADED));
        assertTrue(threaded.getMessage().contains("hash chain broken"), threaded.getMessage());
        assertEquals(inline.getMessage(), threaded.getMessage());
        assertEquals(removed, threadedLedger.lastSequence(), "every record before the gap was applied");
        assertEquals(inlineLedger.stateHash(), threadedLedger.stateHash());
    }

    @Test
    void aReplayStoppedBeforeDamageInItsBatchEndsThereWithoutAnError()
    {
        final List<byte[]> records = new ArrayList<>(records(RECORDS, 5));
        final int removed = 4 * ReadAhead.BATCH + 40;
        records.remove(removed);
        JournalReplayIT.write(dir, records);
        final long stop = removed - 10; // read in the same batch as the gap, in either mode
        for (final long readAheadFrom : new long[] {INLINE, THREADED})
        {
            final JournalReplay.Result result = replay(dir, new Ledger(Program.defaultProgram()), null, stop, false,
                readAheadFrom);
            assertEquals(stop, result.lastSequence, "read ahead from " + readAheadFrom);
        }
    }

    @Test
    void aTornTailIsRefusedAndDiscardedTheSameReadAhead()
    {
        final List<byte[]> records = new ArrayList<>(records(RECORDS, 4));
        final byte[] last = records.remove(RECORDS - 1);
        records.add(Arrays.copyOf(last, 40)); // the last write, torn by a power loss
        records.add(new byte[64]);            // and a page of zeros after it
        JournalReplayIT.write(dir, records);
        final JournalCorruptException inline = assertThrows(JournalCorruptException.class,
            () -> replay(dir, new Ledger(Program.defaultProgram()), null, Long.MAX_VALUE, false, INLINE));
        final JournalCorruptException threaded = assertThrows(JournalCorruptException.class,
            () -> replay(dir, new Ledger(Program.defaultProgram()), null, Long.MAX_VALUE, false, THREADED));
        assertEquals(inline.getMessage(), threaded.getMessage());

        final JournalReplay.Result inlineDiscard = replay(dir, new Ledger(Program.defaultProgram()), null,
            Long.MAX_VALUE, true, INLINE);
        final JournalReplay.Result threadedDiscard = replay(dir, new Ledger(Program.defaultProgram()), null,
            Long.MAX_VALUE, true, THREADED);
        assertEquals(RECORDS - 1, threadedDiscard.records);
        assertEquals(2, threadedDiscard.damagedTailCount);
        assertSameEnd(inlineDiscard, threadedDiscard);
    }
}
