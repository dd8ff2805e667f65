package io.jifen.ledger.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.snapshot.ArchivedPrefix;
import io.jifen.ledger.snapshot.JournalArchive;
import io.jifen.ledger.snapshot.SnapshotFile;
import io.jifen.ledger.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal of several day files whose oldest ones are archived once a snapshot covers them: what stays replays from
 * the snapshot to the state of a full replay, the chain still checked; a start with no snapshot says what is missing;
 * archiving never moves a file the newest snapshot does not cover.
 */
class JournalArchiveIT
{
    @TempDir
    Path dir;

    private static final int DAYS = 6;

    @Test
    void dayFilesASnapshotCoversLeaveAndTheRestStillReplaysToTheSameState() throws IOException
    {
        final GoldenRuns.Run run = GoldenRuns.runs().get(1);
        final int n = run.records().size();
        final Path journal = GoldenRuns.journal(dir.resolve("journal"), run.records(), DAYS);
        assertEquals(DAYS, JournalSurvey.of(journal).files.size());
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        final Path archive = dir.resolve("archive");

        // a snapshot in the fourth day's file: the first three days are covered
        final long at = (long)n * 7 / 12;
        snapshot(journal, store, run, at);
        final JournalArchive.Archived archived = JournalArchive.archive(journal, store, archive, new LedgerContext());
        assertEquals(3, archived.files().size(), archived.files().toString());
        assertEquals(DAYS - 3, JournalSurvey.of(journal).files.size());
        assertTrue(Files.readString(archive.resolve("ARCHIVE.txt")).contains("sequence " + at));

        // the journal alone no longer reaches back to its first record, and says so
        final JournalCorruptException ex = assertThrows(JournalCorruptException.class, () ->
        {
            try (Journal reader = new Journal(journal, true))
            {
                JournalReplay.replay(reader, run.empty(), 0, null);
            }
        });
        assertTrue(ex.getMessage().contains("the records before it are not in the folder"), ex.getMessage());

        // a start from the snapshot replays the rest, chain-checked, to the full replay's state
        final JournalRecovery.Recovered recovered = JournalRecovery.recover(journal, false,
            store.starts(new LedgerContext(), run::empty), 0, null);
        recovered.journal().close();
        assertEquals(at, recovered.start().from().sequence());
        assertEquals(n - at, recovered.replay().records);
        assertEquals(run.stateHash(), recovered.replay().stateHash);

        // finance's verify starts at the oldest snapshot the journal confirms
        try (Journal reader = new Journal(journal, true))
        {
            final JournalRecovery.Start start = ArchivedPrefix.start(reader, store, Long.MAX_VALUE, Long.MAX_VALUE);
            assertEquals(at, start.from().sequence());
            assertEquals(run.stateHash(), JournalReplay.replay(reader, start.ledger(), start.from(), Long.MAX_VALUE,
                Long.MAX_VALUE, false, 0, null, null).stateHash);
            final IllegalStateException before = assertThrows(IllegalStateException.class,
                () -> ArchivedPrefix.start(reader, store, Long.MAX_VALUE, at - 1));
            assertTrue(before.getMessage().contains("were archived"), before.getMessage());
        }

        // the archived files put back: the whole journal replays from its first record again
        for (final Path file : archived.files())
        {
            Files.move(file, journal.resolve(file.getFileName()));
        }
        Files.delete(journal.resolve("metadata.cq4t")); // the table of the files that stayed
        final JournalRecovery.Recovered whole = JournalRecovery.recover(journal, false, run.empty(), 0, null);
        whole.journal().close();
        assertEquals(n, whole.replay().records);
        assertEquals(run.stateHash(), whole.replay().stateHash);
    }

    @Test
    void nothingIsArchivedWithoutASnapshotTheJournalConfirms() throws IOException
    {
        final GoldenRuns.Run run = GoldenRuns.runs().get(2);
        final Path journal = GoldenRuns.journal(dir.resolve("journal"), run.records(), DAYS);
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        assertThrows(IllegalStateException.class,
            () -> JournalArchive.archive(journal, store, dir.resolve("archive"), new LedgerContext()));

        // a snapshot of another journal does not count
        final GoldenRuns.Run other = GoldenRuns.runs().get(3);
        final Path otherJournal = GoldenRuns.journal(dir.resolve("other"), other.records(), DAYS);
        snapshot(otherJournal, store, other, other.records().size() - 1);
        assertThrows(IllegalStateException.class,
            () -> JournalArchive.archive(journal, store, dir.resolve("archive"), new LedgerContext()));
        assertEquals(DAYS, JournalSurvey.of(journal).files.size());

        // a snapshot in the first day's file covers no whole file
        snapshot(journal, store, run, 10);
        Files.delete(store.files().stream().filter(f -> !f.getFileName().toString().equals(SnapshotFile.fileName(10)))
            .findFirst().orElseThrow());
        assertEquals(List.of(), JournalArchive.archive(journal, store, dir.resolve("archive"),
            new LedgerContext()).files());
        assertEquals(DAYS, JournalSurvey.of(journal).files.size());
    }

    @Test
    void aTailDiscardedMarkerInANewDayFileIsReadAcrossTheRoll() throws IOException
    {
        // a damaged tail discarded after a day roll: the marker lands in the next day's file, linked to the last
        // sound record in the previous one, and every reader follows it there
        final GoldenRuns.Run run = GoldenRuns.runs().get(0);
        final Path journal = GoldenRuns.journal(dir.resolve("journal"), run.records(), 2);
        final JournalReplay.Result whole;
        try (Journal reader = new Journal(journal, true))
        {
            whole = JournalReplay.replay(reader, run.empty(), 0, null);
        }
        final net.openhft.chronicle.core.time.SetTimeProvider nextDay =
            new net.openhft.chronicle.core.time.SetTimeProvider((1_767_225_600_000L + 3 * 86_400_000L) * 1_000_000L);
        try (Journal writer = new Journal(journal, false, nextDay))
        {
            JournalReplay.appendTailDiscarded(writer, whole.lastSequence, whole.chainHead, whole.lastIndex + 1, 0);
        }
        assertEquals(3, JournalSurvey.of(journal).files.size());
        try (Journal reader = new Journal(journal, true))
        {
            final JournalReplay.Result after = JournalReplay.replay(reader, run.empty(), 0, null);
            assertEquals(run.records().size(), after.records);
            assertEquals(run.stateHash(), after.stateHash);
            assertTrue(after.lastIndex >>> 32 > whole.lastIndex >>> 32, "the marker is in a later day file");
        }
    }

    private static void snapshot(final Path journal, final SnapshotStore store, final GoldenRuns.Run run,
        final long sequence) throws IOException
    {
        final Ledger ledger = run.empty();
        final JournalReplay.Result prefix;
        try (Journal reader = new Journal(journal, true))
        {
            prefix = JournalReplay.replay(reader, ledger, null, Long.MAX_VALUE, sequence, false, 0, null, null);
        }
        SnapshotFile.write(store.folder(), ledger, prefix.resumePoint(), 0);
    }
}
