package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue layout {@link QueueFileMetadata} and {@link QueueTable} pin is the one Chronicle writes (a Chronicle
 * upgrade that changes it fails here first), and damaged metadata is rebuilt in any file, or refused to a reader.
 */
class QueueFileMetadataTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 20_000L * DAY_MS;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 255, 256, 257, 600})
    void whatChronicleWritesMatchesThePinnedLayout(final int records)
    {
        final long[] now = {T0};
        write(dir, now, records);
        final JournalSurvey survey = JournalSurvey.of(dir);
        assertEquals(records, survey.documents);
        assertEquals(List.of(), survey.metadataDamage);
        assertNull(QueueTable.check(dir, survey.files, true));
        assertEquals(JournalSurvey.Ending.CLEAN, survey.ending);
    }

    @Test
    void aRolledFileMatchesTheLayoutAndIsRebuiltWithItsEndMarkerWhenItsIndexIsDamaged() throws IOException
    {
        final long[] now = {T0};
        final List<Long> indexes = new ArrayList<>();
        indexes.addAll(write(dir, now, 300));
        now[0] += DAY_MS;
        indexes.addAll(write(dir, now, 5));
        final JournalSurvey survey = JournalSurvey.of(dir);
        assertEquals(2, survey.files.size());
        assertEquals(List.of(), survey.metadataDamage);

        final Path first = survey.files.get(0);
        final long entry = QueueFileMetadata.FIRST_INDEX + 32 + Long.BYTES; // the index's entry for record 256
        flipBit(first, entry * 8 + 3);
        final JournalSurvey damaged = JournalSurvey.of(dir);
        assertEquals(1, damaged.metadataDamage.size());
        assertEquals(first, damaged.metadataDamage.get(0).file());
        assertEquals(entry, damaged.metadataDamage.get(0).position());

        final JournalCorruptException refused = assertThrows(JournalCorruptException.class, () -> new Journal(dir,
            true));
        assertTrue(refused.getMessage().contains(first.toString()) && refused.getMessage().contains("byte " + entry),
            refused.getMessage());

        final JournalRecovery.Prepared prepared = JournalRecovery.prepare(dir, false);
        assertNotNull(prepared.repairedInto());
        assertTrue(Files.readString(prepared.repairedInto().resolve("README.txt")).contains(first.toString()));
        assertEquals(List.of(), prepared.current().metadataDamage);
        assertEquals(305, prepared.current().documents);
        assertEquals(indexes, readIndexes(dir), "every record keeps its queue index, across the rebuilt file's end");
    }

    @Test
    void aTableWithTheEntryARolledQueueAddsIsSoundAndItsValueIsChecked() throws IOException
    {
        final long[] now = {T0};
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        try (Journal journal = new Journal(dir, false, () -> now[0]);
            Journal.Appender appender = journal.openAppender())
        {
            for (int day = 0; day < 3; day++) // one appender rolling to a new day file: it adds the entry
            {
                final Command c = new Command();
                c.type = CommandType.ENROLL;
                c.requestId = "r-" + day;
                c.memberId = "m-" + day;
                c.timestamp = now[0];
                ledger.apply(c);
                final int length = new JournalRecord().encode(c, buffer);
                appender.append(buffer.byteArray(), length);
                appender.sync();
                now[0] += DAY_MS;
            }
        }
        try (Journal journal = new Journal(dir, false, () -> now[0]);
            Journal.Appender appender = journal.openAppender())
        {
            appender.sync(); // a writer starting days later, as a server does: its appender adds the entry
        }
        final Path table = dir.resolve(QueueTable.FILE_NAME);
        final List<Path> files = JournalSurvey.queueFiles(dir);
        assertEquals(3, files.size());
        final byte[] bytes = Files.readAllBytes(table);
        assertTrue(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).contains("normalisedEOFsTo"),
            "the table holds the entry Chronicle adds once the queue has rolled");
        assertNull(QueueTable.check(dir, files, true), "a writer accepts it");
        assertNull(QueueTable.check(dir, files, false), "so does a reader");
        assertEquals(List.of(), JournalSurvey.of(dir).metadataDamage);

        final long value = 0x1F0 + 24;
        flipBit(table, value * 8 + 20); // end markers written up to a day far past the last file
        final QueueTable.Damage damage = QueueTable.check(dir, files, false);
        assertNotNull(damage);
        assertEquals(value, damage.position(), damage.toString());
        flipBit(table, value * 8 + 20);
        flipBit(table, (0x1F0 + 8) * 8 + 1); // a letter of its key
        assertEquals(0x1F0 + 8, QueueTable.check(dir, files, true).position());
        final JournalRecovery.Prepared prepared = JournalRecovery.prepare(dir, false);
        assertTrue(Files.exists(prepared.repairedInto().resolve(QueueTable.FILE_NAME)), "the original is kept");
        assertNull(QueueTable.check(dir, JournalSurvey.queueFiles(dir), true));
    }

    @Test
    void aDamagedTableIsRefusedToAReaderAndReplacedForAWriter() throws IOException
    {
        final long[] now = {T0};
        final List<Long> indexes = write(dir, now, 10);
        final Path table = dir.resolve(QueueTable.FILE_NAME);
        flipBit(table, 0xB8 * 8); // the listing's last day
        assertThrows(JournalCorruptException.class, () -> new Journal(dir, true));
        final JournalRecovery.Prepared prepared = JournalRecovery.prepare(dir, false);
        assertTrue(Files.exists(prepared.repairedInto().resolve(QueueTable.FILE_NAME)), "the original is kept");
        assertNull(QueueTable.check(dir, JournalSurvey.queueFiles(dir), true));
        assertEquals(indexes, readIndexes(dir));
    }

    /** Appends {@code records} sound records on the day {@code now} says; returns their queue indexes. */
    private static List<Long> write(final Path dir, final long[] now, final int records)
    {
        final List<Long> indexes = new ArrayList<>();
        final Ledger ledger = new Ledger(Program.defaultProgram());
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        try (Journal journal = new Journal(dir, false, () -> now[0]);
            Journal.Appender appender = journal.openAppender())
        {
            for (int i = 0; i < records; i++)
            {
                final Command c = new Command();
                c.type = CommandType.ENROLL;
                c.requestId = "r-" + now[0] + "-" + i;
                c.memberId = "m-" + now[0] + "-" + i;
                c.timestamp = now[0] + i;
                ledger.apply(c);
                assertEquals(ResultCode.OK, c.result);
                final int length = new JournalRecord().encode(c, buffer);
                new JournalRecord().chain(buffer.byteArray(), length, chain);
                appender.append(buffer.byteArray(), length);
            }
            appender.sync();
        }
        try (Journal journal = new Journal(dir, true); Journal.Reader reader = journal.openReader())
        {
            while (reader.next())
            {
                indexes.add(reader.index());
            }
        }
        return indexes.subList(indexes.size() - records, indexes.size());
    }

    private static List<Long> readIndexes(final Path dir)
    {
        final List<Long> indexes = new ArrayList<>();
        try (Journal journal = new Journal(dir, true); Journal.Reader reader = journal.openReader())
        {
            while (reader.next())
            {
                indexes.add(reader.index());
            }
        }
        return indexes;
    }

    private static void flipBit(final Path file, final long bit) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(bit / 8);
            final int value = raf.read();
            raf.seek(bit / 8);
            raf.write(value ^ 1 << (bit % 8));
        }
    }
}
