package io.jifen.ledger.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.SnapshotFormatException;
import io.jifen.ledger.journal.GoldenRuns;
import io.jifen.ledger.journal.GoldenRuns.Run;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.journal.ResumePoint;
import io.jifen.ledger.journal.ResumePointException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots of journals on real Chronicle files: the randomized model workload's journals (the golden fixture of
 * {@code JournalCompatibilityTest}: every command type, two programs, program changes, the sweep), snapshotted at many
 * places and restored with the tail replayed, must reach the state hash of a full replay; damaged snapshots, and
 * snapshots the journal does not confirm, are passed over for older ones; a snapshot killed mid-write is never read.
 */
class SnapshotIT
{
    private static List<Run> runs;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixture()
    {
        runs = GoldenRuns.runs();
        assertTrue(runs.size() >= 6, "six seeds at least");
    }

    private static Path journal(final Path directory, final List<byte[]> records)
    {
        return GoldenRuns.journal(directory, records);
    }

    private static JournalReplay.Result replay(final Path journalDirectory, final Ledger ledger,
        final ResumePoint from, final long untilSequence)
    {
        try (Journal journal = new Journal(journalDirectory, true))
        {
            return JournalReplay.replay(journal, ledger, from, Long.MAX_VALUE, untilSequence, false, 0, null, null);
        }
    }

    @Test
    void snapshotPlusTailReachesTheStateOfAFullReplayForEverySeedAndPlace() throws IOException
    {
        int restored = 0;
        for (final Run run : runs)
        {
            final Path journal = journal(dir.resolve("journal-" + run.seed()), run.records());
            final int n = run.records().size();
            assertEquals(run.stateHash(), replay(journal, run.empty(), null, Long.MAX_VALUE).stateHash,
                "seed " + run.seed() + ": a full replay");
            for (final long cut : new long[] {1, 2, n / 7, n / 3, n / 2, n - 1, n})
            {
                final String where = "seed " + run.seed() + ", snapshot at record " + cut + " of " + n;
                final Ledger prefix = run.empty();
                final ResumePoint at = replay(journal, prefix, null, cut).resumePoint();
                assertEquals(cut, at.sequence(), where);
                final Path folder = dir.resolve("snapshots-" + run.seed() + "-" + cut);
                final Path file = SnapshotFile.write(folder, prefix, at, 0);
                final SnapshotFile.Loaded loaded = SnapshotFile.read(file, new LedgerContext());
                assertEquals(prefix.stateHash(), loaded.ledger().stateHash(), where + ": read back");
                final JournalReplay.Result tail = replay(journal, loaded.ledger(), loaded.header().at(),
                    Long.MAX_VALUE);
                assertEquals(n - cut, tail.records, where + ": tail records");
                assertEquals(run.lastSequence(), tail.lastSequence, where);
                assertEquals(run.stateHash(), tail.stateHash, where + ": snapshot + tail = full replay");
                loaded.ledger().checkInvariants();
                restored++;
            }
        }
        assertEquals(runs.size() * 7, restored);
    }

    @Test
    void aServerStartUsesTheNewestSnapshotTheJournalConfirms() throws IOException
    {
        final Run run = runs.get(0);
        final Path journal = journal(dir.resolve("journal"), run.records());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final int n = run.records().size();
        final Path older = snapshotAt(journal, store, run, n / 3);
        final Path newer = snapshotAt(journal, store, run, n / 2);

        JournalRecovery.Recovered recovered = recover(journal, store, run);
        assertEquals("snapshot " + newer, recovered.start().source());
        assertEquals(n - n / 2, recovered.replay().records);
        assertEquals(run.stateHash(), recovered.replay().stateHash);

        // one bit of the newer one's body flipped: its checksum fails, the older one is used
        flip(newer, 4096);
        recovered = recover(journal, store, run);
        assertEquals("snapshot " + older, recovered.start().source());
        assertEquals(run.stateHash(), recovered.replay().stateHash);

        // the older one's header damaged too: the whole journal is replayed
        flip(older, 20);
        recovered = recover(journal, store, run);
        assertNull(recovered.start().from());
        assertEquals(n, recovered.replay().records);
        assertEquals(run.stateHash(), recovered.replay().stateHash);
    }

    @Test
    void aSnapshotOfAnEarlierFormatIsPassedOverWithItsReasonAndTheJournalReplayed() throws IOException
    {
        final Run run = runs.get(1);
        final Path journal = journal(dir.resolve("journal"), run.records());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final Path file = snapshotAt(journal, store, run, run.records().size() / 2);
        // the header of a format-2 file, checksum and all: sound, but of a format this build no longer reads
        final ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(SnapshotFile.VERSION_OFFSET, 2);
        final CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, SnapshotFile.HEADER_CRC_OFFSET);
        header.putInt(SnapshotFile.HEADER_CRC_OFFSET, (int)crc.getValue());
        Files.write(file, header.array());

        final SnapshotFormatException refused =
            assertThrows(SnapshotFormatException.class, () -> SnapshotFile.read(file, new LedgerContext()));
        assertTrue(refused.getMessage().contains("snapshot format 2, written by an earlier build"),
            refused.getMessage());
        final JournalRecovery.Recovered recovered = recover(journal, store, run);
        assertNull(recovered.start().from(), "no snapshot used");
        assertEquals(run.records().size(), recovered.replay().records);
        assertEquals(run.stateHash(), recovered.replay().stateHash);
    }

    @Test
    void theTailAfterASnapshotReplaysWhateverTodaysCapacityLimitsAre() throws IOException
    {
        // limits protect a running server's heap; what the journal holds was admitted when it ran
        final Run run = runs.get(4);
        final Path journal = journal(dir.resolve("journal"), run.records());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final Path file = snapshotAt(journal, store, run, run.records().size() / 2);
        final LedgerContext tiny = new LedgerContext().membersMax(1).lotsMax(1).requestIdsMax(1);
        final JournalRecovery.Recovered recovered = JournalRecovery.recover(journal, false,
            store.starts(tiny, run::empty), 0, null);
        recovered.journal().close();
        assertEquals("snapshot " + file, recovered.start().source());
        assertEquals(run.stateHash(), recovered.replay().stateHash);
    }

    @Test
    void aSnapshotOfAnotherJournalIsNotConfirmedAndPassedOver() throws IOException
    {
        final Run run = runs.get(0);
        final Run other = runs.get(1);
        final Path journal = journal(dir.resolve("journal"), run.records());
        final Path otherJournal = journal(dir.resolve("other"), other.records());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final Path mine = snapshotAt(journal, store, run, 100);
        final Path foreign = snapshotAt(otherJournal, store, other, 200);
        final SnapshotFile.Loaded loaded = SnapshotFile.read(foreign, new LedgerContext());
        final ResumePointException ex = assertThrows(ResumePointException.class,
            () -> replay(journal, loaded.ledger(), loaded.header().at(), Long.MAX_VALUE));
        assertTrue(ex.getMessage().contains("another document at queue index") ||
            ex.getMessage().contains("different chain"), ex.getMessage());

        final JournalRecovery.Recovered recovered = recover(journal, store, run);
        assertEquals("snapshot " + mine, recovered.start().source());
        assertEquals(run.stateHash(), recovered.replay().stateHash);
    }

    @Test
    void aSnapshotAheadOfTheJournalIsPassedOver() throws IOException
    {
        // the journal lost its tail (a power cut under --sync=none) after the snapshot was taken
        final Run run = runs.get(0);
        final int n = run.records().size();
        final Path full = journal(dir.resolve("full"), run.records());
        final Path cut = journal(dir.resolve("cut"), run.records().subList(0, n - 10));
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        snapshotAt(full, store, run, n - 5);
        final Path behind = snapshotAt(full, store, run, n - 20);
        final JournalRecovery.Recovered recovered = recover(cut, store, run);
        assertEquals("snapshot " + behind, recovered.start().source());
        assertEquals(n - 10, recovered.replay().lastSequence);
    }

    @Test
    void everyDamagedByteOfASnapshotIsCaught() throws IOException
    {
        final Run run = runs.get(2);
        final Path journal = journal(dir.resolve("journal"), run.records());
        final Path file = snapshotAt(journal, new SnapshotStore(dir.resolve("snapshots")), run, 1000);
        final byte[] original = Files.readAllBytes(file);
        int caught = 0;
        // every byte of the header, and a spread of body bytes: each flipped bit must be refused, never read as a state
        for (int position = 0; position < original.length; position += position < 256 ? 1 : 97)
        {
            final byte[] damaged = original.clone();
            damaged[position] ^= (byte)(1 << (position % 8));
            Files.write(file, damaged);
            assertThrows(SnapshotFormatException.class, () -> SnapshotFile.read(file, new LedgerContext()),
                "a bit flipped at byte " + position);
            caught++;
        }
        // the high bits of every int in the first 4 KiB of the body (counts, capacities, lengths): each is refused as
        // damage, never an exception of another kind or an attempt to allocate what the file cannot hold
        for (int position = 128; position < Math.min(original.length, 128 + 4096); position += 4)
        {
            for (final int bit : new int[] {2 * 8 + 6, 3 * 8 + 7})
            {
                final byte[] damaged = original.clone();
                damaged[position + bit / 8] ^= (byte)(1 << (bit % 8));
                Files.write(file, damaged);
                assertThrows(SnapshotFormatException.class, () -> SnapshotFile.read(file, new LedgerContext()),
                    "bit " + bit + " of the int at byte " + position);
                caught++;
            }
        }
        for (final int length : new int[] {0, 100, 128, 129, original.length / 2, original.length - 1})
        {
            Files.write(file, java.util.Arrays.copyOf(original, length));
            assertThrows(SnapshotFormatException.class, () -> SnapshotFile.read(file, new LedgerContext()),
                "cut to " + length + " bytes");
            caught++;
        }
        Files.write(file, original);
        assertEquals(run.stateHash(), replay(journal, SnapshotFile.read(file, new LedgerContext()).ledger(),
            SnapshotFile.readHeader(file).at(), Long.MAX_VALUE).stateHash);
        assertTrue(caught > 300, caught + " damaged snapshots");
    }

    @Test
    void aSnapshotKilledMidWriteIsNeverReadAndIsCleanedUp() throws IOException
    {
        final Run run = runs.get(0);
        final Path journal = journal(dir.resolve("journal"), run.records());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final Path good = snapshotAt(journal, store, run, 500);
        // what a writer killed mid-write leaves: a partial file under the temporary name, header not yet written
        final Path partial = store.folder().resolve(SnapshotFile.TEMPORARY_PREFIX + SnapshotFile.fileName(900));
        Files.write(partial, java.util.Arrays.copyOf(Files.readAllBytes(good), 5000));
        assertEquals(List.of(good), store.files());
        assertEquals("snapshot " + good, recover(journal, store, run).start().source());
        assertEquals(List.of(partial), store.prune(3));
        assertEquals(List.of(good), store.files());
    }

    @Test
    void theSnapshotterTakesTheJournalsEndFromTheNewestSnapshotAndPrunes() throws IOException
    {
        final Run run = runs.get(3);
        final int n = run.records().size();
        final Path journal = journal(dir.resolve("journal"), run.records());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final Supplier<Ledger> empty = run::empty;
        final Snapshotter.Taken first = Snapshotter.take(journal, -1, store, new LedgerContext(), empty, () -> false);
        assertNotNull(first);
        assertEquals(n, first.records());
        assertEquals(n, first.at().sequence());
        assertEquals(run.stateHash(), SnapshotFile.readHeader(first.file()).stateHash());
        assertNull(Snapshotter.take(journal, -1, store, new LedgerContext(), empty, () -> false),
            "nothing new: nothing written");
        // a journal cut short gives an older snapshot; the newest covers it
        final Path older = snapshotAt(journal, store, run, n / 2);
        assertEquals(List.of(first.file(), older), store.files());
        assertEquals(List.of(older), store.prune(1));
        assertEquals(List.of(first.file()), store.files());
    }

    private static Path snapshotAt(final Path journal, final SnapshotStore store, final Run run, final long sequence)
        throws IOException
    {
        final Ledger ledger = run.empty();
        final ResumePoint at = replay(journal, ledger, null, sequence).resumePoint();
        return SnapshotFile.write(store.folder(), ledger, at, 0);
    }

    private static JournalRecovery.Recovered recover(final Path journal, final SnapshotStore store, final Run run)
    {
        final JournalRecovery.Recovered recovered = JournalRecovery.recover(journal, false,
            store.starts(new LedgerContext(), run::empty), 0, null);
        recovered.journal().close();
        return recovered;
    }

    private static void flip(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ 0x10)).rewind();
            channel.write(one, position);
        }
    }
}
