package io.jifen.ledger.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.SnapshotFormatException;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.JournalScanner;
import io.jifen.ledger.journal.ResumePointException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where a finance tool starts reading a journal: at its first record when the journal is whole, or, when its oldest
 * day files were archived, at the oldest snapshot the journal confirms (its sequence, queue index and chain value must
 * be those of the document there), so that everything after it is still replayed and chain-checked.
 */
public final class ArchivedPrefix
{
    private ArchivedPrefix()
    {
    }

    /**
     * @param untilTimestamp where the tool stops (ledger time): a start after it cannot answer.
     * @param untilSequence where the tool stops (sequence): likewise.
     * @throws IllegalStateException if the prefix is archived and no snapshot can stand in for it.
     */
    public static JournalRecovery.Start start(final Journal journal, final SnapshotStore store,
        final long untilTimestamp, final long untilSequence)
    {
        final long first = firstSequence(journal);
        if (first <= 1)
        {
            final Ledger empty = new Ledger(Program.defaultProgram());
            empty.capacityLimitsEnforced(false);
            return new JournalRecovery.Start(empty, null, "the journal's first record");
        }
        final List<Path> oldestFirst = new java.util.ArrayList<>(store.files());
        java.util.Collections.reverse(oldestFirst);
        for (final Path file : oldestFirst)
        {
            final SnapshotFile.Loaded loaded;
            try
            {
                loaded = SnapshotFile.read(file, new LedgerContext());
                new JournalScanner(journal, null, null, loaded.header().at()).close();
            }
            catch (final SnapshotFormatException | ResumePointException ex)
            {
                continue;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (loaded.header().at().sequence() > untilSequence || loaded.header().timestamp() > untilTimestamp)
            {
                break;
            }
            loaded.ledger().capacityLimitsEnforced(false);
            return new JournalRecovery.Start(loaded.ledger(), loaded.header().at(), "snapshot " + file);
        }
        throw new IllegalStateException("the journal's first record is sequence " + first + ": the records " +
            "before it were archived, and no snapshot in " + store.folder() + " that the journal confirms is at " +
            "or before where this stops; put the archived files back in the journal folder to read them");
    }

    /** @return the sequence of the journal's first record, or 0 if it holds none. */
    private static long firstSequence(final Journal journal)
    {
        final JournalRecord codec = new JournalRecord();
        try (Journal.Reader reader = journal.openReader())
        {
            while (reader.next())
            {
                if (null == codec.verify(reader.record(), reader.length()))
                {
                    return JournalRecord.sequence(new UnsafeBuffer(reader.record(), 0, reader.length()));
                }
            }
            return 0;
        }
    }
}
