package io.jifen.ledger.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.journal.ResumePoint;
import io.jifen.ledger.journal.ResumePointException;

/**
 * Takes a snapshot from the journal, never from a running ledger: it reads the newest sound snapshot, replays the
 * journal after it read-only on the calling thread, and writes the state it reaches. A server runs it in a child
 * process ({@code ledger snapshot --written N}) while it serves, so its writer never stops for it and its heap never
 * holds the snapshot's state; {@code ledger snapshot} runs it offline. Every snapshot it writes is of state the
 * journal replay checked record by record.
 */
public final class Snapshotter
{
    /** What a snapshot run did. */
    public record Taken(Path file, ResumePoint at, String from, long records, long replayNanos, long writeNanos,
        long bytes, int members, long lots)
    {
    }

    /** Thrown out of a replay told to stop. */
    static final class Stopped extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Stopped()
        {
            super("stopped", null, false, false);
        }
    }

    private Snapshotter()
    {
    }

    /** A ledger rebuilt from the newest snapshot the journal confirms and the records after it. */
    public record Rebuilt(JournalRecovery.Start start, Ledger ledger, JournalReplay.Result replay)
    {
    }

    /**
     * Rebuilds the journaled state on the calling thread: the newest snapshot the journal confirms (or an empty
     * ledger) and the records after it, each checked as in any replay.
     *
     * @param empty a new empty ledger, for a journal no snapshot covers.
     * @param progress told every {@code progressEvery} records; may throw to stop the replay.
     */
    public static Rebuilt rebuild(final Journal journal, final SnapshotStore store, final LedgerContext context,
        final Supplier<Ledger> empty, final long progressEvery, final JournalReplay.Progress progress)
    {
        final JournalRecovery.Starts starts = store.starts(context, empty);
        while (true)
        {
            final JournalRecovery.Start start = starts.next();
            final Ledger ledger = (Ledger)start.ledger();
            ledger.capacityLimitsEnforced(false);
            try
            {
                return new Rebuilt(start, ledger, JournalReplay.replay(journal, ledger, start.from(), Long.MAX_VALUE,
                    Long.MAX_VALUE, false, progressEvery, progress, null));
            }
            catch (final ResumePointException ex)
            {
                if (null == start.from())
                {
                    throw ex;
                }
                starts.rejected(start, ex);
            }
        }
    }

    /**
     * @param written documents a server in this process has finished writing to the journal (see
     * {@link Journal#live}), or -1 for a journal no one in this process writes.
     * @param empty a new empty ledger, for a journal no snapshot covers.
     * @param stop polled while replaying: true stops the run (a server closing), nothing written.
     * @return what was written, or null if the newest snapshot is already at the journal's end (or the journal is
     * empty, or it was stopped).
     */
    public static Taken take(final Path journalDirectory, final long written, final SnapshotStore store,
        final LedgerContext context, final Supplier<Ledger> empty, final BooleanSupplier stop) throws IOException
    {
        final long replayStart = System.nanoTime();
        final Rebuilt rebuilt;
        try (Journal journal = written < 0 ? new Journal(journalDirectory, true) :
            Journal.live(journalDirectory, written))
        {
            rebuilt = rebuild(journal, store, context, empty, 4096, (records, sequence) ->
            {
                if (stop.getAsBoolean())
                {
                    throw new Stopped();
                }
            });
        }
        catch (final Stopped ex)
        {
            return null;
        }
        final long replayNanos = System.nanoTime() - replayStart;
        final ResumePoint at = rebuilt.replay().resumePoint();
        if (null == at || at.equals(rebuilt.start().from()) || stop.getAsBoolean())
        {
            return null;
        }
        final long writeStart = System.nanoTime();
        final Path file = SnapshotFile.write(store.folder(), rebuilt.ledger(), at, System.currentTimeMillis());
        return new Taken(file, at, rebuilt.start().source(), rebuilt.replay().records, replayNanos,
            System.nanoTime() - writeStart, java.nio.file.Files.size(file), rebuilt.ledger().memberCount(),
            rebuilt.ledger().lotCount());
    }
}
