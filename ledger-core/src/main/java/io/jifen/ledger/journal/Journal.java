package io.jifen.ledger.journal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal: a Chronicle Queue in a folder, one excerpt per {@link JournalRecord}, a file per UTC day.
 * <p>
 * An appender belongs to the thread that created it: call {@link #openAppender()} on the journal thread.
 * An appended record is in the memory-mapped file (it survives a killed process); {@link Appender#sync()} forces it
 * to the device (it survives a power loss).
 */
public final class Journal implements AutoCloseable
{
    private final SingleChronicleQueue queue;
    private final Path directory;
    private final JournalSurvey survey;

    public Journal(final Path directory)
    {
        this(directory, false);
    }

    /**
     * @param readOnly for tools that only read (dump, verify): they never change the queue's files, so they can
     * read a journal a running server is writing, or one on read-only storage.
     */
    public Journal(final Path directory, final boolean readOnly)
    {
        this(directory, readOnly, SystemTimeProvider.INSTANCE);
    }

    /**
     * @param clock decides the day file a record lands in; only tests and recovery pass anything but the system clock
     * (a record's own time is in the record, never taken from here). Public for the tests of other modules that need
     * a journal of several day files (archiving).
     */
    public Journal(final Path directory, final boolean readOnly, final TimeProvider clock)
    {
        // a reader changes nothing, so it must not let Chronicle near damaged metadata: a server's start repairs it
        this(directory, readOnly ? JournalSurvey.forReading(directory) : null, readOnly, clock);
    }

    private Journal(final Path directory, final JournalSurvey survey, final boolean readOnly,
        final TimeProvider clock)
    {
        this.directory = directory;
        this.survey = survey;
        this.queue = builder(directory).readOnly(readOnly).timeProvider(clock).build();
    }

    /**
     * Opens a journal for writing whose day files follow {@code clock} instead of the system's: for tools that build
     * journals of past or simulated days (benchmarks at scale); a server always writes by the system clock.
     */
    public static Journal withClock(final Path directory, final TimeProvider clock)
    {
        return new Journal(directory, false, clock);
    }

    /**
     * Opens, read-only, a journal a server in this process is writing (to snapshot it, to serve reads from it), up to
     * the {@code documents} the server has finished writing (see {@link JournalSurvey#live}); a reader reads on past
     * them as the server writes more.
     */
    public static Journal live(final Path directory, final long documents)
    {
        return new Journal(directory, JournalSurvey.live(directory, documents), true, SystemTimeProvider.INSTANCE);
    }

    /** For a read-only journal, its files as surveyed when it opened; null for a writer's. */
    JournalSurvey survey()
    {
        return survey;
    }

    /** How every journal queue is configured; {@link QueueFileMetadata} pins the file layout this gives. */
    static SingleChronicleQueueBuilder builder(final Path directory)
    {
        return SingleChronicleQueueBuilder.binary(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY)
            .timeoutMS(5_000);
    }

    public Path directory()
    {
        return directory;
    }

    public Appender openAppender()
    {
        return new Appender(queue.createAppender(), directory);
    }

    public Reader openReader()
    {
        return new Reader(queue.createTailer());
    }

    @Override
    public void close()
    {
        queue.close();
    }

    /**
     * Appends records; single-threaded.
     */
    public static final class Appender implements AutoCloseable
    {
        private final ExcerptAppender appender;
        private final Path directory;
        private File syncedFile;
        private FileChannel syncedChannel;
        private int lastCycle = Integer.MIN_VALUE;
        private File lastFile;
        /** The file the queue rolled away from since the last sync, whose last records still need forcing. */
        private File rolledFrom;
        private final BlockReserve blocks = new BlockReserve();

        Appender(final ExcerptAppender appender, final Path directory)
        {
            this.appender = appender;
            this.directory = directory;
        }

        public void append(final byte[] record, final int length)
        {
            blocks.reserveFor(length);
            try (DocumentContext dc = appender.writingDocument())
            {
                try
                {
                    dc.wire().bytes().write(record, 0, length);
                    blocks.written(dc.wire().bytes().writePosition());
                }
                catch (final Throwable ex)
                {
                    // closing would commit a partly written record (disk full, I/O error): discard it instead
                    dc.rollbackOnClose();
                    throw ex;
                }
            }
            final int cycle = appender.cycle();
            if (cycle != lastCycle)
            {
                if (null != lastFile)
                {
                    if (null != rolledFrom)
                    {
                        force(rolledFrom); // a second roll before any sync: rare enough to force right here
                    }
                    rolledFrom = lastFile;
                }
                lastFile = appender.currentFile();
                lastCycle = cycle;
                blocks.switchTo(lastFile); // the file the next records go to: its metadata and what comes next
            }
        }

        /** @return the queue index of the last record appended. */
        public long lastIndex()
        {
            return appender.lastIndexAppended();
        }

        /**
         * Forces appended records to the storage device with an fdatasync of the current queue file: on Linux that
         * writes back every dirty page of the file, those written through the memory map included, so the records,
         * the queue's index and its header are all on the device. When the queue has rolled to a new file, the
         * previous file and the folder entry are forced too.
         * <p>
         * Not {@code ExcerptAppender.sync()}: under Chronicle's default sync mode (ASYNC) it is an msync(MS_ASYNC),
         * which waits for nothing, and in SYNC mode it covers only the range of the records, not the index pages.
         */
        public void sync()
        {
            final File current = appender.currentFile();
            if (null == current)
            {
                return;
            }
            try
            {
                if (null != rolledFrom)
                {
                    force(rolledFrom);
                    rolledFrom = null;
                }
                if (!current.equals(syncedFile))
                {
                    if (null != syncedChannel)
                    {
                        syncedChannel.force(false);
                        syncedChannel.close();
                    }
                    syncedChannel = FileChannel.open(current.toPath(), StandardOpenOption.READ);
                    syncedFile = current;
                    try (FileChannel folder = FileChannel.open(directory, StandardOpenOption.READ))
                    {
                        folder.force(true);
                    }
                }
                syncedChannel.force(false);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot sync journal file " + current, ex);
            }
        }

        private static void force(final File file)
        {
            try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
            {
                channel.force(false);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot sync journal file " + file, ex);
            }
        }

        @Override
        public void close()
        {
            try
            {
                if (null != syncedChannel)
                {
                    syncedChannel.close();
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                blocks.close();
                appender.close();
            }
        }
    }

    /**
     * Reads records in order from the start.
     */
    public static final class Reader implements AutoCloseable
    {
        private final ExcerptTailer tailer;
        private byte[] record = new byte[512];
        private int length;
        private long index;
        private String file = "";

        Reader(final ExcerptTailer tailer)
        {
            this.tailer = tailer;
        }

        /**
         * Moves to the document at a queue index: the next {@link #next()} reads it.
         *
         * @return false if the queue holds no document there.
         */
        public boolean moveTo(final long queueIndex)
        {
            return tailer.moveToIndex(queueIndex);
        }

        /**
         * @return true if a record was read into {@link #record()}.
         */
        public boolean next()
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return false;
                }
                index = dc.index();
                final File current = tailer.currentFile();
                file = null == current ? "?" : current.getPath();
                final Bytes<?> bytes = dc.wire().bytes();
                length = (int)bytes.readRemaining();
                if (record.length < length)
                {
                    record = new byte[Math.max(length, record.length << 1)];
                }
                bytes.read(record, 0, length);
                return true;
            }
        }

        public byte[] record()
        {
            return record;
        }

        public int length()
        {
            return length;
        }

        /** The Chronicle index of the last record read (cycle in the high bits, position in the file below). */
        public long index()
        {
            return index;
        }

        public String file()
        {
            return file;
        }

        /** Lets the next thread to call {@link #next()} read on (Chronicle checks that one thread uses a tailer). */
        void handOver()
        {
            tailer.singleThreadedCheckReset();
        }

        @Override
        public void close()
        {
            tailer.close();
        }
    }
}
