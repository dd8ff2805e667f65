package io.jifen.ledger.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.SnapshotFormatException;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.ResumePointException;

/**
 * The snapshot folder of a data folder ({@code DATA/snapshots}): its complete snapshots newest first, the states a
 * start may replay from, and pruning. A snapshot that cannot be read, fails a check or is not confirmed by the journal
 * is passed over for the next older one, and finally for an empty ledger (a full replay); the log says which
 * snapshot and why. A snapshot is never deleted for being bad (an operator may want it); only pruning removes old
 * ones.
 */
public final class SnapshotStore
{
    /** The folder's name in a data folder. */
    public static final String FOLDER = "snapshots";
    private static final System.Logger LOG = System.getLogger(SnapshotStore.class.getName());

    private final Path folder;

    public SnapshotStore(final Path folder)
    {
        this.folder = folder;
    }

    public Path folder()
    {
        return folder;
    }

    /** @return the complete snapshot files, highest sequence first (a file being written is never listed). */
    public List<Path> files()
    {
        if (!Files.isDirectory(folder))
        {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(folder))
        {
            return listing.filter(p -> isSnapshotName(p.getFileName().toString()))
                .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list the snapshot folder " + folder, ex);
        }
    }

    private static boolean isSnapshotName(final String name)
    {
        return name.startsWith(SnapshotFile.PREFIX) && name.endsWith(SnapshotFile.SUFFIX) &&
            name.length() == SnapshotFile.fileName(0).length();
    }

    /**
     * The states a start tries in turn: each snapshot that reads back sound, newest first, then {@code empty}.
     */
    public JournalRecovery.Starts starts(final LedgerContext context, final Supplier<Ledger> empty)
    {
        final Iterator<Path> candidates = files().iterator();
        return new JournalRecovery.Starts()
        {
            @Override
            public JournalRecovery.Start next()
            {
                while (candidates.hasNext())
                {
                    final Path file = candidates.next();
                    try
                    {
                        final long start = System.nanoTime();
                        final SnapshotFile.Loaded loaded = SnapshotFile.read(file, context);
                        // the records after it were admitted when they ran: today's limits must not refuse them
                        loaded.ledger().capacityLimitsEnforced(false);
                        LOG.log(System.Logger.Level.INFO, String.format("read snapshot %s in %.1f ms: %s, %d " +
                            "members, %d lots", file, (System.nanoTime() - start) / 1e6, loaded.header().at(),
                            loaded.ledger().memberCount(), loaded.ledger().lotCount()));
                        return new JournalRecovery.Start(loaded.ledger(), loaded.header().at(), "snapshot " + file);
                    }
                    catch (final SnapshotFormatException | IOException | UncheckedIOException ex)
                    {
                        LOG.log(System.Logger.Level.WARNING, "skipping snapshot " + file + ": " + ex.getMessage() +
                            (candidates.hasNext() ? "; trying an older one" : "; replaying the whole journal"));
                    }
                }
                return new JournalRecovery.Start(empty.get(), null, "an empty ledger (the whole journal)");
            }

            @Override
            public void rejected(final JournalRecovery.Start start, final ResumePointException why)
            {
                LOG.log(System.Logger.Level.WARNING, "skipping " + start.source() + ": the journal does not confirm " +
                    "it (" + why.getMessage() + ")" + (candidates.hasNext() ? "; trying an older one" :
                    "; replaying the whole journal"));
            }
        };
    }

    /**
     * Deletes all but the newest {@code kept} snapshots, and what a writer killed mid-write left behind.
     *
     * @return the files deleted.
     */
    public List<Path> prune(final int kept)
    {
        final List<Path> deleted = new ArrayList<>();
        final List<Path> files = files();
        try
        {
            for (int i = Math.max(1, kept); i < files.size(); i++)
            {
                Files.deleteIfExists(files.get(i));
                deleted.add(files.get(i));
            }
            deleted.addAll(deleteUnfinished());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prune the snapshot folder " + folder, ex);
        }
        return deleted;
    }

    /** Deletes files a writer was killed while writing (never under a snapshot's name). */
    List<Path> deleteUnfinished() throws IOException
    {
        if (!Files.isDirectory(folder))
        {
            return List.of();
        }
        final List<Path> unfinished;
        try (Stream<Path> listing = Files.list(folder))
        {
            unfinished = listing.filter(p -> p.getFileName().toString().startsWith(SnapshotFile.TEMPORARY_PREFIX))
                .toList();
        }
        for (final Path file : unfinished)
        {
            Files.deleteIfExists(file);
        }
        return unfinished;
    }
}
