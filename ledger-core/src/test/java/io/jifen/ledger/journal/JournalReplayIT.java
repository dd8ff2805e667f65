package io.jifen.ledger.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journals written to real Chronicle Queue files, replayed: the hash chain catches a record altered with a valid
 * checksum, and a record removed.
 */
class JournalReplayIT
{
    private static final long T0 = 1_767_225_600_000L;

    @TempDir
    Path dir;

    /** Applies a script to a fresh ledger and returns its records, chained, in order. */
    private static List<byte[]> records(final long forgedPoints)
    {
        return records(forgedPoints, 0);
    }

    /**
     * @param balanceSkew added to the balance the second earn answered before its record is encoded: a record whose
     * outcome its command does not give, with a valid checksum and chain (a build that computed differently).
     */
    private static List<byte[]> records(final long forgedPoints, final long balanceSkew)
    {
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final JournalRecord codec = new JournalRecord();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        final List<byte[]> out = new ArrayList<>();
        final Command c = new Command();
        final String[][] script = {{"ENROLL", "enroll-1", "0"}, {"EARN", "e-1", "100"}, {"EARN", "e-2", "250"},
            {"REDEEM", "r-1", "120"}};
        long t = T0;
        for (final String[] step : script)
        {
            c.clear();
            c.type = CommandType.valueOf(step[0]);
            c.requestId = step[1];
            c.memberId = "m-1";
            c.points = step[1].equals("e-2") && forgedPoints > 0 ? forgedPoints : Long.parseLong(step[2]);
            c.timestamp = t += 1000;
            ledger.apply(c);
            assertEquals(ResultCode.OK, c.result);
            if (step[1].equals("e-2"))
            {
                c.balance += balanceSkew;
            }
            final int length = codec.encode(c, buffer);
            codec.chain(buffer.byteArray(), length, chain);
            out.add(Arrays.copyOf(buffer.byteArray(), length));
        }
        return out;
    }

    static void write(final Path directory, final List<byte[]> records)
    {
        try (Journal journal = new Journal(directory); Journal.Appender appender = journal.openAppender())
        {
            for (final byte[] record : records)
            {
                appender.append(record, record.length);
            }
        }
    }

    private static JournalReplay.Result replay(final Path directory)
    {
        try (Journal journal = new Journal(directory, true))
        {
            return JournalReplay.replay(journal, new Ledger(Program.defaultProgram()), 0, null);
        }
    }

    @Test
    void anIntactJournalReplaysToItsChainHead()
    {
        final List<byte[]> records = records(0);
        write(dir.resolve("intact"), records);
        final JournalReplay.Result result = replay(dir.resolve("intact"));
        assertEquals(4, result.records);
        final byte[] last = records.get(3);
        assertArrayEquals(Arrays.copyOfRange(last, last.length - 36, last.length - 4), result.chainHead);
    }

    @Test
    void aWholeRecordForgedWithAValidChecksumBreaksTheChain()
    {
        // the forger re-runs the ledger with 2,500 points instead of 250 and re-encodes that record, checksum and
        // all, but keeps the chain values of the original history: every record is internally consistent
        final List<byte[]> genuine = records(0);
        final List<byte[]> forged = records(2_500);
        final List<byte[]> tampered = new ArrayList<>(genuine);
        tampered.set(2, forged.get(2));
        final JournalRecord codec = new JournalRecord();
        assertEquals(null, codec.verify(tampered.get(2), tampered.get(2).length), "its checksum is valid");
        write(dir.resolve("tampered"), tampered);
        final JournalCorruptException ex = assertThrows(JournalCorruptException.class,
            () -> replay(dir.resolve("tampered")));
        assertTrue(ex.getMessage().contains("hash chain broken"), ex.getMessage());
    }

    private static JournalReplay.Result replay(final Path directory, final boolean discardDamagedTail)
    {
        try (Journal journal = new Journal(directory))
        {
            return JournalReplay.replay(journal, new Ledger(Program.defaultProgram()), Long.MAX_VALUE, Long.MAX_VALUE,
                discardDamagedTail, 0, null, null);
        }
    }

    @Test
    void aDamagedTailStopsStartUnlessDiscardedThenTheMarkerExcusesItForGood()
    {
        final List<byte[]> records = records(0);
        final Path journalDir = dir.resolve("torn");
        final List<byte[]> withTornTail = new ArrayList<>(records.subList(0, 3));
        withTornTail.add(Arrays.copyOf(records.get(3), 40)); // the last write, torn by a power loss
        withTornTail.add(new byte[64]);                      // and a page of zeros after it
        write(journalDir, withTornTail);

        final JournalCorruptException refused =
            assertThrows(JournalCorruptException.class, () -> replay(journalDir, false));
        assertTrue(refused.getMessage().contains("--discard-damaged-tail"), refused.getMessage());

        final JournalReplay.Result accepted = replay(journalDir, true);
        assertEquals(3, accepted.records);
        assertEquals(2, accepted.damagedTailCount);
        final byte[] head;
        try (Journal journal = new Journal(journalDir))
        {
            head = JournalReplay.appendTailDiscarded(journal, accepted);
        }

        // from now on the journal replays without the flag, and new records chain on from the marker
        final JournalReplay.Result again = replay(journalDir, false);
        assertEquals(3, again.records);
        assertArrayEquals(head, again.chainHead);
        final byte[] redo = records.get(3).clone();
        final byte[] chain = head.clone();
        new JournalRecord().chain(redo, redo.length, chain);
        write(journalDir, List.of(redo));
        assertEquals(4, replay(journalDir, false).records, "the lost write, retried, follows the marker");
    }

    @Test
    void aSoundRecordOfAnUnknownVersionIsNeverTakenForDamage()
    {
        final List<byte[]> records = new ArrayList<>(records(0));
        final byte[] newer = records.get(3).clone();
        newer[2] = 7; // version 7, from some later build
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(newer, 0, newer.length - 4);
        final int value = (int)crc.getValue();
        for (int i = 0; i < 4; i++)
        {
            newer[newer.length - 4 + i] = (byte)(value >>> (8 * i));
        }
        records.set(3, newer);
        write(dir.resolve("newer"), records);
        final JournalCorruptException ex =
            assertThrows(JournalCorruptException.class, () -> replay(dir.resolve("newer"), true));
        assertTrue(ex.getMessage().contains("unsupported record version 7"), ex.getMessage());
    }

    @Test
    void damageFollowedByGoodRecordsIsNeverDiscarded()
    {
        final List<byte[]> records = new ArrayList<>(records(0));
        records.add(2, new byte[64]);
        write(dir.resolve("middle"), records);
        final JournalCorruptException ex =
            assertThrows(JournalCorruptException.class, () -> replay(dir.resolve("middle"), true));
        assertTrue(ex.getMessage().contains("not a torn tail"), ex.getMessage());
    }

    @Test
    void aRecordWhoseOutcomeTheLedgerDoesNotComputeAgainIsRefusedNamingIt()
    {
        // checksum and chain are sound: only applying the recorded command again shows its recorded balance is wrong
        write(dir.resolve("outcome"), records(0, 1));
        final JournalCorruptException ex =
            assertThrows(JournalCorruptException.class, () -> replay(dir.resolve("outcome")));
        assertTrue(ex.getMessage().contains("record 3 replayed to different effects"), ex.getMessage());
    }

    @Test
    void aRemovedRecordBreaksTheChain()
    {
        final List<byte[]> records = new ArrayList<>(records(0));
        records.remove(2);
        write(dir.resolve("gap"), records);
        final JournalCorruptException ex =
            assertThrows(JournalCorruptException.class, () -> replay(dir.resolve("gap")));
        assertTrue(ex.getMessage().contains("hash chain broken"), ex.getMessage());
    }
}
