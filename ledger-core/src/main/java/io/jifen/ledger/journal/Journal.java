package io.jifen.ledger.journal;

import java.io.File;
import java.nio.file.Path;

import net.openhft.chronicle.bytes.Bytes;
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

    public Journal(final Path directory)
    {
        this.directory = directory;
        this.queue = SingleChronicleQueueBuilder.binary(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY)
            .timeoutMS(5_000)
            .build();
    }

    public Path directory()
    {
        return directory;
    }

    public Appender openAppender()
    {
        return new Appender(queue.createAppender());
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

        Appender(final ExcerptAppender appender)
        {
            this.appender = appender;
        }

        public void append(final byte[] record, final int length)
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(record, 0, length);
            }
        }

        /** Forces appended records to the storage device. */
        public void sync()
        {
            appender.sync();
        }

        public long lastIndex()
        {
            return appender.lastIndexAppended();
        }

        @Override
        public void close()
        {
            appender.close();
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

        @Override
        public void close()
        {
            tailer.close();
        }
    }
}
