package io.jifen.ledger.journal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Makes the file system allocate the blocks of the current queue file ahead of where the appender writes, so a full
 * disk fails an append before it begins, as a plain {@link IOException}.
 * <p>
 * Chronicle writes records through a memory map into a sparse file. When the disk is full, the store into an
 * unallocated page raises SIGBUS, which the JVM reports as an {@link InternalError} at some later memory access; by
 * then the append may have returned, been synced and acknowledged with its bytes torn (measured: DiskFullIT counted
 * two more appended records than the journal held sound). Writing to the file with positional writes allocates
 * the blocks, or fails with "no space left on device", while nothing of the next record is written yet.
 * <p>
 * Past what the appender has written the file holds zeros, so zeros are written there, 64 KiB at a time; below it
 * (a file's metadata, whose index pages fill in later) each 4 KiB block gets back the byte it holds (read, then
 * written at the same offset: the page cache is shared with the map, so the contents never change). Done by hand:
 * a few syscalls once per {@link #STEP} of journal, and one comparison per record.
 */
final class BlockReserve implements AutoCloseable
{
    /** Kept reserved past the next record's end: room for an index document (32 KiB) and slack. */
    static final long AHEAD = 256L << 10;
    /** Reserved at a time once the margin runs low. */
    static final long STEP = 1L << 20;
    private static final int BLOCK = 4096;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final ByteBuffer one = ByteBuffer.allocate(1);
    private File file;
    private FileChannel channel;
    private long written;
    private long reservedUpTo;

    /**
     * Before an append of {@code length} bytes: reserves ahead if the margin runs low. Nothing before the appender
     * has written to a file ({@link #switchTo}).
     *
     * @throws UncheckedIOException if the blocks cannot be allocated (the disk is full): nothing was appended.
     */
    void reserveFor(final int length)
    {
        final long need = written + length + AHEAD;
        if (null != channel && need > reservedUpTo)
        {
            reserve(reservedUpTo, Math.max(need, reservedUpTo) + STEP);
        }
    }

    /** After an append: the end of what the file it went to holds (a new day's file, when it rolled). */
    void written(final long end)
    {
        written = end;
    }

    /**
     * The appender wrote its first record to {@code current} (a new day's file, or the last file after a restart):
     * reserves the file's metadata (its index pages fill in later) and the margin after what is written.
     */
    void switchTo(final File current)
    {
        close();
        try
        {
            channel = FileChannel.open(current.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open journal file " + current + " to reserve its blocks", ex);
        }
        file = current;
        reserve(0, QueueFileMetadata.FIRST_DATA);
        reservedUpTo = Math.max(QueueFileMetadata.FIRST_DATA, written & -BLOCK);
        reserveFor(0);
    }

    /**
     * Below what the appender has written, block by block, each byte written back as it is; from there on, where the
     * file holds only zeros, in chunks of zeros.
     */
    private void reserve(final long from, final long target)
    {
        try
        {
            long at = from & -BLOCK;
            final long zerosFrom = Math.max(at, (written + BLOCK - 1) & -BLOCK);
            for (; at < zerosFrom && at < target; at += BLOCK)
            {
                one.clear();
                if (channel.read(one, at) <= 0)
                {
                    one.put(0, (byte)0); // past the file's end: extends it
                }
                one.clear();
                channel.write(one, at);
                reservedUpTo = at + BLOCK;
            }
            for (; at < target; at += ZEROS.capacity())
            {
                final ByteBuffer zeros = ZEROS.duplicate();
                while (zeros.hasRemaining())
                {
                    channel.write(zeros, at + zeros.position());
                }
                reservedUpTo = at + ZEROS.capacity();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot reserve space in journal file " + file + " up to byte " + target +
                " (no space left on the device?)", ex);
        }
    }

    @Override
    public void close()
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close journal file " + file, ex);
            }
            channel = null;
            file = null;
        }
    }
}
