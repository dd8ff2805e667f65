package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The server's hold on its data folder. One server per folder: a second one appending to the same journal would
 * interleave sequences and leave a journal neither could replay, so the folder's LOCK file is locked until the
 * process exits or {@link #close()}.
 */
final class DataFolder implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(DataFolder.class.getName());

    private final FileChannel channel;
    private final FileLock lock;

    private DataFolder(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    static DataFolder lock(final Path data) throws IOException
    {
        final Path lockFile = data.resolve("LOCK");
        final FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        if (null == lock)
        {
            channel.close();
            throw new CannotStart("another ledger server is using " + data.toAbsolutePath() +
                " (" + lockFile + " is locked); stop it first or choose another --data folder", null);
        }
        return new DataFolder(channel, lock);
    }

    /**
     * A journal write that meets a full disk faults inside Chronicle's memory-mapped file, so start-up checks there is
     * room first and says where there is not (a full disk never costs an acknowledged write: the journal is intact).
     */
    static void requireFreeSpace(final Path data, final long minFreeBytes) throws IOException
    {
        final long free = Files.getFileStore(data).getUsableSpace();
        if (free < minFreeBytes)
        {
            throw new CannotStart("the disk holding " + data.toAbsolutePath() + " has " + free +
                " bytes free, less than the " + minFreeBytes + " the server needs to start (--min-free-mb); " +
                "free space and start again: the journal is intact", null);
        }
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not release the data folder lock", ex);
        }
    }
}
