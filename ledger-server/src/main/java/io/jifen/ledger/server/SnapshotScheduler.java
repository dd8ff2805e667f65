package io.jifen.ledger.server;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.snapshot.SnapshotStore;
import io.jifen.ledger.snapshot.Snapshotter;

/**
 * Takes the server's periodic snapshots on a thread of its own (see {@link Snapshotter}: from the journal, never from
 * the live ledger, so the writer thread never waits for one): after every {@code everyRecords} journaled records, or
 * every {@code everyMs} with any new record, then prunes to the newest {@code kept}. A failed snapshot is logged and
 * tried again at the next trigger; it never touches the journal or the serving ledger.
 */
final class SnapshotScheduler implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(SnapshotScheduler.class.getName());
    private static final long POLL_MS = 200;

    private final Path journal;
    private final SnapshotStore store;
    private final LedgerContext context;
    private final Supplier<Ledger> empty;
    /** Documents the server has finished writing to the journal: what a snapshot may read. */
    private final LongSupplier written;
    private final long everyRecords;
    private final long everyMs;
    private final int kept;
    private final Thread thread;
    private volatile boolean stopped;
    private long recordsAtLast;
    private long lastAtNanos = System.nanoTime();
    private volatile long taken;

    /**
     * @param written documents the server has finished writing to the journal (those it found at start included).
     * @param pendingAtStart journal records no snapshot covers when the server started (the tail it replayed).
     */
    SnapshotScheduler(final Path journal, final SnapshotStore store, final LedgerContext context,
        final Supplier<Ledger> empty, final LongSupplier written, final long everyRecords,
        final long everyMinutes, final int kept, final long pendingAtStart)
    {
        this.journal = journal;
        this.store = store;
        this.context = context;
        this.empty = empty;
        this.written = written;
        this.everyRecords = everyRecords;
        this.everyMs = TimeUnit.MINUTES.toMillis(everyMinutes);
        this.kept = kept;
        // a long tail replayed at start counts: the next start should not replay it again
        this.recordsAtLast = written.getAsLong() - pendingAtStart;
        thread = new Thread(this::run, "jifen-snapshot");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    SnapshotScheduler start()
    {
        thread.start();
        return this;
    }

    /** @return snapshots written since start. */
    long taken()
    {
        return taken;
    }

    private void run()
    {
        while (!stopped)
        {
            try
            {
                Thread.sleep(POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final long records = written.getAsLong();
            final boolean byCount = everyRecords > 0 && records - recordsAtLast >= everyRecords;
            final boolean byTime = everyMs > 0 && records > recordsAtLast &&
                System.nanoTime() - lastAtNanos >= TimeUnit.MILLISECONDS.toNanos(everyMs);
            if (byCount || byTime)
            {
                recordsAtLast = records;
                lastAtNanos = System.nanoTime();
                takeOne(records);
            }
        }
    }

    private void takeOne(final long documents)
    {
        try
        {
            final Snapshotter.Taken done = Snapshotter.take(journal, documents, store, context, empty, () -> stopped);
            if (null == done)
            {
                return;
            }
            taken++;
            store.prune(kept);
            LOG.log(System.Logger.Level.INFO, String.format("snapshot %s: %s, %d members, %d lots, %d bytes; " +
                "replayed %d records from %s in %.1f ms, written in %.1f ms", done.file(), done.at(), done.members(),
                done.lots(), done.bytes(), done.records(), done.from(), done.replayNanos() / 1e6,
                done.writeNanos() / 1e6));
        }
        catch (final Exception | InternalError ex)
        {
            if (!stopped)
            {
                LOG.log(System.Logger.Level.WARNING, "snapshot failed (the journal and the serving ledger are " +
                    "untouched; tried again at the next trigger): " + ex, ex);
            }
        }
    }

    @Override
    public void close()
    {
        stopped = true;
        thread.interrupt();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
