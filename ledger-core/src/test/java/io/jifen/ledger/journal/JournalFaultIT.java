package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Storage faults on real Chronicle Queue files, met the way a server meets them at start: recovery
 * ({@link JournalRecovery#prepare}) then a full replay. For every case the outcome must be one of two: start-up
 * refused with the file and position named, or a state equal to the replay of a prefix of the written journal, as
 * long as the fault allows (the whole journal when sound records follow the damage), after which a new write lands
 * and is read back by the next start. {@code -Djifen.faults=long} runs every bit and every byte; the default runs a
 * sample of each kind.
 */
class JournalFaultIT
{
    private static final long T0 = 1_767_225_600_000L;
    private static final int RECORDS = 40;
    private static final boolean LONG = "long".equals(System.getProperty("jifen.faults"));

    @TempDir
    static Path dir;

    private static Path pristine;
    private static Path pristineFile;
    /** The state hash after each prefix of the journal: index k is the hash after k records. */
    private static long[] prefixHashes;
    /** Byte position of each record's document header in the queue file; the last entry is the end. */
    private static long[] positions;
    private static long fileLength;
    private static byte[] data;
    private static final Map<String, Integer> OUTCOMES = new TreeMap<>();

    @BeforeAll
    static void writeJournal() throws IOException
    {
        pristine = dir.resolve("pristine");
        final Ledger ledger = new Ledger(Program.defaultProgram());
        prefixHashes = new long[RECORDS + 1];
        prefixHashes[0] = ledger.stateHash();
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        try (Journal journal = new Journal(pristine); Journal.Appender appender = journal.openAppender())
        {
            for (int i = 0; i < RECORDS; i++)
            {
                append(ledger, command(i), chain, appender);
                prefixHashes[i + 1] = ledger.stateHash();
            }
        }
        pristineFile = JournalSurvey.queueFiles(pristine).get(0);
        fileLength = Files.size(pristineFile);
        final JournalSurvey survey = JournalSurvey.of(pristine);
        assertEquals(RECORDS, survey.documents);
        data = readPrefix(pristineFile, (int)survey.endPosition);
        positions = new long[RECORDS + 1];
        final ByteBuffer bytes = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int p = 0;
        int n = 0;
        while (n < RECORDS)
        {
            final int header = bytes.getInt(p);
            if ((header & JournalSurvey.META_DATA) == 0)
            {
                positions[n++] = p;
            }
            p = JournalSurvey.nextDocument(p, header & JournalSurvey.LENGTH_MASK);
        }
        positions[RECORDS] = p;
    }

    private static Command command(final int i)
    {
        final Command c = new Command();
        c.type = i % 4 == 0 ? CommandType.ENROLL : CommandType.EARN;
        c.requestId = "req-" + i;
        c.memberId = "m-" + i / 4;
        c.points = i % 4 == 0 ? 0 : 10 + i;
        c.timestamp = T0 + i * 1000L;
        return c;
    }

    private static void append(final Ledger ledger, final Command c, final byte[] chain,
        final Journal.Appender appender)
    {
        ledger.apply(c);
        assertEquals(ResultCode.OK, c.result, c::toString);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final int length = new JournalRecord().encode(c, buffer);
        new JournalRecord().chain(buffer.byteArray(), length, chain);
        appender.append(buffer.byteArray(), length);
        appender.sync();
    }

    private static byte[] readPrefix(final Path file, final int length) throws IOException
    {
        final byte[] out = new byte[length];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"))
        {
            raf.readFully(out);
        }
        return out;
    }

    /** A copy of the pristine journal with {@code fault} applied to the queue file's written bytes. */
    private static Path copyWith(final String name, final Consumer<RandomAccessFile> fault) throws IOException
    {
        final Path copy = dir.resolve(name);
        deleteTree(copy);
        deleteTree(dir.resolve(name + "-repairs")); // where recovery keeps the originals of files it rebuilt
        Files.createDirectories(copy);
        Files.copy(pristine.resolve("metadata.cq4t"), copy.resolve("metadata.cq4t"));
        try (RandomAccessFile raf = new RandomAccessFile(copy.resolve(pristineFile.getFileName()).toFile(), "rw"))
        {
            raf.write(data);
            raf.setLength(fileLength);
            fault.accept(raf);
        }
        return copy;
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }

    /** What one start made of a journal: refused (and why), or the ledger it rebuilt. */
    private record Start(String refusal, Ledger ledger, JournalReplay.Result result, byte[] chainHead)
    {
    }

    private static Start start(final Path journalDir, final boolean discard)
    {
        try
        {
            final Ledger ledger = new Ledger(Program.defaultProgram());
            final JournalRecovery.Recovered recovered = JournalRecovery.recover(journalDir, discard, ledger, 0, null);
            recovered.journal().close();
            return new Start(null, ledger, recovered.replay(), recovered.chainHead());
        }
        catch (final JournalCorruptException ex)
        {
            return new Start(ex.getMessage(), null, null, null);
        }
    }

    /**
     * Runs one case: the journal starts refused naming the file and a position, or starts with the first k records
     * for k at least {@code mustKeep}; then a write appended after recovery is read back by the next start.
     */
    private static void check(final String name, final Path journalDir, final boolean discard, final int mustKeep)
    {
        final Start first = start(journalDir, discard);
        if (null != first.refusal)
        {
            assertNamesFileAndPosition(name, first.refusal);
            OUTCOMES.merge("refused", 1, Integer::sum);
            return;
        }
        final int k = (int)first.result.lastSequence;
        assertTrue(k >= mustKeep, name + ": started with " + k + " records, must keep " + mustKeep);
        assertEquals(prefixHashes[k], first.ledger.stateHash(), name + ": the state is the first " + k + " records'");
        OUTCOMES.merge(k == RECORDS ? "started whole" : "started with a prefix", 1, Integer::sum);

        final byte[] chain = first.chainHead.clone();
        try (Journal journal = new Journal(journalDir); Journal.Appender appender = journal.openAppender())
        {
            final Command after = command(4 * 1000); // the enrolment of a member no earlier record names
            after.timestamp = T0 + RECORDS * 1000L + 5000;
            append(first.ledger, after, chain, appender);
        }
        final Start second = start(journalDir, false);
        assertEquals(null, second.refusal, name + ": the start after a write after recovery");
        assertEquals(k + 1, second.result.lastSequence, name + ": the write after recovery is read back");
        assertEquals(first.ledger.stateHash(), second.ledger.stateHash(), name);
    }

    private static void assertNamesFileAndPosition(final String name, final String refusal)
    {
        assertTrue(null != refusal, name + ": refused");
        assertTrue(refusal.contains(".cq4") && (refusal.contains("byte ") || refusal.contains("queue index")),
            name + ": the refusal names the file and position: " + refusal);
    }

    @Test
    void truncatedAtEveryRecordBoundaryAndInsideTheLastRecords() throws IOException
    {
        for (int r = RECORDS - 6; r <= RECORDS; r++)
        {
            final long cut = positions[r];
            final Path copy = copyWith("cut-" + cut, raf -> setLength(raf, cut));
            check("cut at the boundary before record " + r, copy, false, r);
        }
        final int step = LONG ? 1 : 7;
        for (long cut = positions[RECORDS - 2] + 1; cut < positions[RECORDS]; cut += step)
        {
            final long at = cut;
            final int whole = wholeRecordsBefore(at);
            final Path copy = copyWith("cut-" + at, raf -> setLength(raf, at));
            check("cut at byte " + at, copy, true, whole);
            final Path zeroed = copyWith("zero-" + at, raf -> zero(raf, at, positions[RECORDS]));
            check("zeroed from byte " + at, zeroed, true, whole);
        }
        report("truncation");
    }

    @Test
    void everyBitOfRecordHeadersAndSampledBitsOfTheirBodies() throws IOException
    {
        final List<long[]> ranges = new ArrayList<>();
        for (final int r : new int[] {0, RECORDS / 2, RECORDS - 1})
        {
            ranges.add(new long[] {positions[r], positions[r] + 4});                   // the document header
            ranges.add(new long[] {positions[r] + 4, positions[r + 1]});               // the record
        }
        for (final long[] range : ranges)
        {
            final int bitStep = LONG || range[1] - range[0] <= 4 ? 1 : 41;
            for (long bit = range[0] * 8; bit < range[1] * 8; bit += bitStep)
            {
                final long b = bit;
                final Path copy = copyWith("flip-" + b, raf -> flip(raf, b));
                final boolean inLastRecord = b / 8 >= positions[RECORDS - 1];
                // discarding is allowed: it must never drop a record that sound records follow
                check("bit " + b + " flipped", copy, true, inLastRecord ? RECORDS - 1 : RECORDS);
            }
        }
        report("bit flips");
    }

    @Test
    void everyBitOfTheQueueHeaderAndTheIndexPrefixesAndSampledBitsOfTheIndexes() throws IOException
    {
        // the queue's own metadata follows from its documents: every flip must leave all records readable, or be
        // refused by name; Chronicle must never read damaged metadata (a flip there once crashed the JVM)
        final long[][] ranges = {
            {0, QueueFileMetadata.HEADER_SIZE, LONG ? 1 : 11},
            {QueueFileMetadata.FIRST_INDEX2INDEX, QueueFileMetadata.FIRST_INDEX2INDEX + 48, LONG ? 1 : 7},
            {QueueFileMetadata.FIRST_INDEX2INDEX + 48, QueueFileMetadata.FIRST_INDEX, LONG ? 61 : 8191},
            {QueueFileMetadata.FIRST_INDEX, QueueFileMetadata.FIRST_INDEX + 40, LONG ? 1 : 7},
            {QueueFileMetadata.FIRST_INDEX + 40, QueueFileMetadata.FIRST_DATA, LONG ? 61 : 8191},
        };
        for (final long[] range : ranges)
        {
            for (long bit = range[0] * 8; bit < range[1] * 8; bit += range[2])
            {
                final long b = bit;
                final Path copy = copyWith("meta-" + b, raf -> flip(raf, b));
                assertEquals(1, JournalSurvey.of(copy).metadataDamage.size(), "bit " + b + " is found");
                check("queue metadata bit " + b + " flipped", copy, false, RECORDS);
            }
        }
        report("queue metadata bit flips");
    }

    @Test
    void everyBitOfTheQueueTable() throws IOException
    {
        // the table (the listing of day files, the write locks) follows from the folder: a flip there must never
        // hang the start on a lock or hide a file
        final long length = tableLength();
        for (long bit = 0; bit < length * 8; bit += LONG ? 1 : 13)
        {
            final long b = bit;
            final Path copy = copyWith("table-" + b, raf -> { });
            try (RandomAccessFile raf = new RandomAccessFile(copy.resolve("metadata.cq4t").toFile(), "rw"))
            {
                flip(raf, b);
            }
            // the listing's change count (bytes 0x100-0x107) may hold any value but a negative one
            final boolean listingCount = b / 8 >= 0x100 && b / 8 < 0x108 && b != 0x108 * 8 - 1;
            assertEquals(!listingCount, null != QueueTable.check(copy, JournalSurvey.queueFiles(copy), true),
                "bit " + b + " of the table is found");
            check("queue table bit " + b + " flipped", copy, false, RECORDS);
        }
        report("queue table bit flips");
    }

    /** The written part of the pristine metadata.cq4t: up to its last non-zero byte, rounded up to 8. */
    private static long tableLength() throws IOException
    {
        final byte[] table = Files.readAllBytes(pristine.resolve("metadata.cq4t"));
        int end = table.length;
        while (end > 0 && table[end - 1] == 0)
        {
            end--;
        }
        return (end + 7) & ~7;
    }

    @Test
    void aRemovedOrReorderedRecordIsRefused() throws IOException
    {
        final int r = RECORDS / 2;
        final byte[] first = slice(positions[r], positions[r + 1]);
        final byte[] second = slice(positions[r + 1], positions[r + 2]);
        final Path removed = copyWith("removed", raf -> rewrite(raf, positions[r],
            concat(slice(positions[r + 1], positions[RECORDS]), new byte[first.length])));
        assertNamesFileAndPosition("a removed record", start(removed, true).refusal);
        final Path swapped = copyWith("swapped", raf -> rewrite(raf, positions[r], concat(second, first)));
        assertNamesFileAndPosition("two records swapped", start(swapped, true).refusal);
    }

    private static int wholeRecordsBefore(final long cut)
    {
        int n = 0;
        while (n < RECORDS && positions[n + 1] <= cut)
        {
            n++;
        }
        return n;
    }

    private static byte[] slice(final long from, final long to)
    {
        final byte[] out = new byte[(int)(to - from)];
        System.arraycopy(data, (int)from, out, 0, out.length);
        return out;
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void setLength(final RandomAccessFile raf, final long length)
    {
        try
        {
            raf.setLength(length);
        }
        catch (final IOException ex)
        {
            fail(ex);
        }
    }

    private static void zero(final RandomAccessFile raf, final long from, final long to)
    {
        rewrite(raf, from, new byte[(int)(to - from)]);
    }

    private static void rewrite(final RandomAccessFile raf, final long at, final byte[] bytes)
    {
        try
        {
            raf.seek(at);
            raf.write(bytes);
        }
        catch (final IOException ex)
        {
            fail(ex);
        }
    }

    private static void flip(final RandomAccessFile raf, final long bit)
    {
        try
        {
            raf.seek(bit / 8);
            final int value = raf.read();
            raf.seek(bit / 8);
            raf.write(value ^ (1 << (bit % 8)));
        }
        catch (final IOException ex)
        {
            fail(ex);
        }
    }

    private static void report(final String what)
    {
        System.out.println("journal faults, " + what + ": " + OUTCOMES);
        OUTCOMES.clear();
    }
}
