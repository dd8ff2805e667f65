package io.jifen.ledger.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.SnapshotFormatException;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.JournalScanner;
import io.jifen.ledger.journal.ResumePointException;

/**
 * Moves the journal's old day files out of the data folder once a snapshot covers them: every file wholly before the
 * one holding the newest snapshot the journal confirms. The files keep their names in the archive folder, with the
 * queue table that listed them, and {@code ARCHIVE.txt} says, per run, which files left and the snapshot (sequence,
 * queue index, chain value) that replaces them. A start, or {@code journal verify}, then begins at a snapshot; the
 * chain still proves the records after it follow from it.
 */
public final class JournalArchive
{
    /** The archive's default place in a data folder. */
    public static final String FOLDER = "journal-archive";

    /** What an archive run did: the files moved and the snapshot that covers them. */
    public record Archived(List<Path> files, Path snapshot, SnapshotFile.Header covering)
    {
    }

    private JournalArchive()
    {
    }

    /**
     * No server may be writing the journal.
     *
     * @return what was moved (no files when no snapshot covers a whole day file).
     * @throws IllegalStateException if no snapshot is sound and confirmed by the journal.
     */
    public static Archived archive(final Path journalDirectory, final SnapshotStore snapshots, final Path target,
        final LedgerContext context) throws IOException
    {
        Path covering = null;
        SnapshotFile.Header header = null;
        try (Journal journal = new Journal(journalDirectory, true))
        {
            for (final Path file : snapshots.files())
            {
                try
                {
                    final SnapshotFile.Loaded loaded = SnapshotFile.read(file, context);
                    // the journal must confirm it: the document at its place, with its sequence and chain value
                    new JournalScanner(journal, null, null, loaded.header().at()).close();
                    covering = file;
                    header = loaded.header();
                    break;
                }
                catch (final SnapshotFormatException | ResumePointException ex)
                {
                    // an older one may do; the newest sound one decides what can go
                }
            }
        }
        if (null == covering)
        {
            throw new IllegalStateException("no snapshot in " + snapshots.folder() + " is sound and confirmed by " +
                "the journal: nothing can be archived (take one with 'ledger snapshot')");
        }
        final List<Path> moved = JournalRecovery.archiveBefore(journalDirectory, header.at().queueIndex(), target);
        if (!moved.isEmpty())
        {
            final StringBuilder note = new StringBuilder();
            note.append(Instant.now()).append(": moved ").append(moved.size()).append(" file(s) out of ")
                .append(journalDirectory.toAbsolutePath()).append(", covered by ").append(covering.getFileName())
                .append(" (").append(header.at()).append(", chain ").append(header.at().chainHex())
                .append(", state hash ").append(Long.toHexString(header.stateHash())).append("):\n");
            for (final Path file : moved)
            {
                note.append("  ").append(file.getFileName()).append('\n');
            }
            Files.writeString(target.resolve("ARCHIVE.txt"), note, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        }
        return new Archived(moved, covering, header);
    }
}
