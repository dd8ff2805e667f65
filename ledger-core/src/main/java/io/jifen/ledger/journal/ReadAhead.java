package io.jifen.ledger.journal;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * Reads a journal ahead of a replay on a second thread: Chronicle's reader, each record's checksum and its SHA-256
 * chain link run there, a batch of records at a time, while the replaying thread decodes and applies the batch
 * before. Nothing here touches ledger state, so the replay stays one thread applying records in journal order.
 *
 * <p>Batches go back and forth through Agrona's single-producer single-consumer queues, and a side with nothing to do
 * backs off (spin, yield, then short parks) rather than blocking: on a machine of two cores a blocked thread costs
 * the other a wake-up system call per batch, which measured more than the reading it saved. What ends the stream (the
 * journal's end, or the damage that stops it) travels in the last batch, so the replay raises it only after applying
 * every sound record before it, as a replay on one thread would.
 *
 * <p>The scanner is the reader's once started: its fields ({@link JournalScanner#chain()},
 * {@link JournalScanner#lastIndex()}, the damaged tail) may be read only after {@link #close()}.
 */
final class ReadAhead implements AutoCloseable
{
    /** Records per batch: enough to make the hand-off cheap per record, few enough to keep the batches in cache. */
    static final int BATCH = 256;
    /** Batches in flight: one being filled, one being applied, and slack for either side's hiccups. */
    private static final int BATCHES = 4;

    /**
     * Records read ahead, in journal order, their bytes one after another in {@code bytes}; the last batch of the
     * stream has {@code end} set, and {@code failure} if what ended it must be raised once the records before it are
     * applied.
     */
    static final class Batch
    {
        byte[] bytes = new byte[BATCH * 512];
        final int[] offsets = new int[BATCH];
        final int[] lengths = new int[BATCH];
        final long[] indexes = new long[BATCH];
        final String[] files = new String[BATCH];
        int count;
        boolean end;
        Throwable failure;
    }

    private final JournalScanner scanner;
    private final OneToOneConcurrentArrayQueue<Batch> free = new OneToOneConcurrentArrayQueue<>(BATCHES);
    private final OneToOneConcurrentArrayQueue<Batch> full = new OneToOneConcurrentArrayQueue<>(BATCHES);
    private final IdleStrategy replayIdle = idle();
    private final Thread thread;
    /** Set when the replay wants no more records: the reader stops at its next batch. */
    private volatile boolean stopped;

    /**
     * Starts reading; from here on only this reader uses {@code scanner}, and closes it.
     *
     * @param threaded read on a second thread; otherwise each batch is read on the replaying thread when it asks for
     * it (a short replay, where starting a thread costs more than it saves).
     */
    ReadAhead(final JournalScanner scanner, final boolean threaded)
    {
        this.scanner = scanner;
        for (int i = 0, batches = threaded ? BATCHES : 1; i < batches; i++) // inline, one batch goes back and forth
        {
            free.add(new Batch());
        }
        if (threaded)
        {
            scanner.handOver();
            thread = new Thread(this::run, "journal-read-ahead");
            thread.setDaemon(true);
            thread.start();
        }
        else
        {
            thread = null;
        }
    }

    /**
     * Both sides back off quickly to parks of 0.2-1 ms: on two cores a side that spins or yields takes the core the
     * other needs (spinning first on the replaying side measured no faster).
     */
    private static IdleStrategy idle()
    {
        return new BackoffIdleStrategy(1, 1, 200_000, 1_000_000);
    }

    /**
     * @return the next batch, in journal order; give it back with {@link #recycle} once its records are applied.
     */
    Batch next()
    {
        if (null == thread)
        {
            return readHere();
        }
        Batch batch;
        replayIdle.reset();
        while (null == (batch = full.poll()))
        {
            replayIdle.idle();
        }
        return batch;
    }

    void recycle(final Batch batch)
    {
        free.add(batch);
    }

    private Batch readHere()
    {
        final Batch batch = free.poll();
        fillOrFail(batch);
        return batch;
    }

    /** Fills a batch; whatever stops the reading ends the stream there, and travels in the batch. */
    private void fillOrFail(final Batch batch)
    {
        batch.count = 0;
        batch.failure = null;
        try
        {
            batch.end = fill(batch);
        }
        catch (final Throwable ex)
        {
            batch.failure = ex;
            batch.end = true;
        }
    }

    private void run()
    {
        final IdleStrategy idle = idle();
        try
        {
            boolean end = false;
            while (!end)
            {
                Batch batch;
                idle.reset();
                while (null == (batch = free.poll()))
                {
                    if (stopped)
                    {
                        return;
                    }
                    idle.idle();
                }
                if (stopped)
                {
                    return;
                }
                fillOrFail(batch);
                end = batch.end;
                full.add(batch); // never full: it has room for every batch there is
            }
        }
        finally
        {
            scanner.close();
        }
    }

    /** @return true if the journal ended within this batch. */
    private boolean fill(final Batch batch)
    {
        int offset = 0;
        while (batch.count < BATCH && !stopped)
        {
            if (!scanner.next())
            {
                return true;
            }
            final int length = scanner.length();
            if (batch.bytes.length - offset < length)
            {
                batch.bytes = java.util.Arrays.copyOf(batch.bytes, Math.max(offset + length, batch.bytes.length << 1));
            }
            System.arraycopy(scanner.bytes(), 0, batch.bytes, offset, length);
            final int i = batch.count++;
            batch.offsets[i] = offset;
            batch.lengths[i] = length;
            batch.indexes[i] = scanner.index();
            batch.files[i] = scanner.file();
            offset += length;
        }
        return false;
    }

    /**
     * Stops the reader if it is still reading and waits for it: afterwards the scanner is closed and its fields are
     * safe to read on the calling thread. The reader is never interrupted: an interrupt inside Chronicle's reader
     * could close file channels the server's appender shares.
     */
    @Override
    public void close()
    {
        if (null == thread)
        {
            scanner.close();
            return;
        }
        stopped = true;
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Raises what ended a batch, as it was raised on the reader's thread. */
    static RuntimeException rethrow(final Throwable failure)
    {
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
        throw new IllegalStateException(failure);
    }
}
