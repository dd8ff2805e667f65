package io.jifen.ledger.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.SnapshotFormatException;
import io.jifen.ledger.core.SnapshotInput;
import io.jifen.ledger.core.SnapshotOutput;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.ResumePoint;

/**
 * One snapshot file: a fixed header naming the journal position the state is as of, then the ledger's state as its
 * stores write it (docs/snapshot-format.md). The header is written last, over a placeholder, so a file whose header
 * checks out was written to the end; the file is written under a temporary name, forced to the device, then renamed,
 * so a crash at any moment leaves either the whole file or none under the final name.
 */
public final class SnapshotFile
{
    static final byte[] MAGIC = "JIFENSNP".getBytes(StandardCharsets.US_ASCII);
    /** The format this build writes and reads. */
    /**
     * 2: the layout of 1, but the state of a build whose reversal of a first purchase remembers its bonus taken back in
     * full; a format-1 snapshot holds the earlier answer, which a replay no longer reproduces, so it is not used.
     */
    public static final int FORMAT_VERSION = 3;
    static final int HEADER_LENGTH = 128;
    static final int VERSION_OFFSET = 8;
    static final int HEADER_LENGTH_OFFSET = 12;
    static final int SEQUENCE_OFFSET = 16;
    static final int TIMESTAMP_OFFSET = 24;
    static final int QUEUE_INDEX_OFFSET = 32;
    static final int CREATED_OFFSET = 40;
    static final int CHAIN_OFFSET = 48;
    static final int STATE_HASH_OFFSET = CHAIN_OFFSET + JournalRecord.CHAIN_LENGTH;
    static final int BODY_LENGTH_OFFSET = STATE_HASH_OFFSET + Long.BYTES;
    static final int BODY_CRC_OFFSET = BODY_LENGTH_OFFSET + Long.BYTES;
    static final int HEADER_CRC_OFFSET = HEADER_LENGTH - Integer.BYTES;
    static final String PREFIX = "snapshot-";
    static final String SUFFIX = ".jsnap";
    static final String TEMPORARY_PREFIX = ".writing-";

    /**
     * What a snapshot's header says.
     *
     * @param at the journal position the state is as of.
     * @param timestamp the ledger time of the last command applied.
     * @param createdAtMs wall-clock time the file was written (for operators; never read by the ledger).
     */
    public record Header(ResumePoint at, long timestamp, long createdAtMs, long stateHash, long bodyLength,
        int bodyCrc)
    {
    }

    /** A snapshot read back: the ledger, and where in the journal it is. */
    public record Loaded(Path file, Header header, Ledger ledger)
    {
    }

    private SnapshotFile()
    {
    }

    /** @return the file name of the snapshot at a ledger sequence (sorts by sequence). */
    public static String fileName(final long sequence)
    {
        return String.format("%s%019d%s", PREFIX, sequence, SUFFIX);
    }

    /**
     * Writes the ledger, which is at {@code at}, into {@code folder}; only the ledger's owning thread may call this.
     *
     * @return the file written.
     */
    public static Path write(final Path folder, final Ledger ledger, final ResumePoint at, final long createdAtMs)
        throws IOException
    {
        if (ledger.lastSequence() != at.sequence())
        {
            throw new IllegalArgumentException("the ledger is at sequence " + ledger.lastSequence() + ", not " + at);
        }
        Files.createDirectories(folder);
        final Path target = folder.resolve(fileName(at.sequence()));
        final Path temporary = folder.resolve(TEMPORARY_PREFIX + target.getFileName());
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            channel.position(HEADER_LENGTH);
            final SnapshotOutput out = new SnapshotOutput(channel);
            final long stateHash = ledger.writeTo(out);
            final int crc = out.finish();
            final Header header = new Header(at, ledger.lastTimestamp(), createdAtMs, stateHash, out.written(), crc);
            final ByteBuffer bytes = encode(header);
            while (bytes.hasRemaining())
            {
                channel.write(bytes, bytes.position());
            }
            channel.force(true);
        }
        catch (final IOException | RuntimeException ex)
        {
            Files.deleteIfExists(temporary);
            throw ex;
        }
        try
        {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.deleteIfExists(temporary);
            throw ex;
        }
        forceFolder(folder);
        return target;
    }

    /**
     * Reads a snapshot and checks everything the file can check on its own: header checksum and format, body
     * checksum and length, the state read back hashing to the state written, the ledger's invariants.
     *
     * @throws SnapshotFormatException naming what is wrong, with the file.
     */
    public static Loaded read(final Path file, final LedgerContext context) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final Header header = readHeader(file, channel);
            if (channel.size() != HEADER_LENGTH + header.bodyLength())
            {
                throw damaged(file, "the file holds " + channel.size() + " bytes, its header says " +
                    (HEADER_LENGTH + header.bodyLength()));
            }
            channel.position(HEADER_LENGTH);
            final SnapshotInput in = new SnapshotInput(channel, header.bodyLength());
            final Ledger ledger;
            try
            {
                ledger = Ledger.readFrom(in, context, header.stateHash());
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                // whatever damaged bytes make the reader do (a null where a name belongs, an impossible array size:
                // one allocation refused, nothing else held) is damage, never a reason to stop the start
                // a damaged body fails its checksum, but the checksum is known only at the end: say which it is
                throw damaged(file, bodyCrcMismatch(channel, header) ? "the body's checksum does not match (the " +
                    "file is damaged): " + ex.getMessage() : ex.getMessage());
            }
            final int crc = in.finish();
            if (crc != header.bodyCrc())
            {
                throw damaged(file, "the body's checksum does not match: the file is damaged");
            }
            if (ledger.lastSequence() != header.at().sequence())
            {
                throw damaged(file, "the state read back is as of sequence " + ledger.lastSequence() + ", the " +
                    "header says " + header.at().sequence());
            }
            return new Loaded(file, header, ledger);
        }
    }

    /** @return the header of a snapshot file, checked. */
    public static Header readHeader(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return readHeader(file, channel);
        }
    }

    private static Header readHeader(final Path file, final FileChannel channel) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0)
        {
            // a positional read moves the buffer on by what it read
        }
        if (bytes.hasRemaining())
        {
            throw damaged(file, "the file is shorter (" + channel.size() + " bytes) than a snapshot's header");
        }
        final byte[] magic = new byte[MAGIC.length];
        bytes.get(0, magic);
        if (!java.util.Arrays.equals(magic, MAGIC))
        {
            throw damaged(file, "not a snapshot file (no JIFENSNP at its start)");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, HEADER_CRC_OFFSET);
        if ((int)crc.getValue() != bytes.getInt(HEADER_CRC_OFFSET))
        {
            throw damaged(file, "the header's checksum does not match: the file is damaged");
        }
        final int version = bytes.getInt(VERSION_OFFSET);
        if (version == 1 && bytes.getInt(HEADER_LENGTH_OFFSET) == HEADER_LENGTH)
        {
            throw damaged(file, "snapshot format 1, written by an earlier build: the answers it remembers for " +
                "reversals of first purchases differ from what a replay computes now, so the journal is replayed " +
                "instead (a new snapshot follows)");
        }
        if (version == 2 && bytes.getInt(HEADER_LENGTH_OFFSET) == HEADER_LENGTH)
        {
            throw damaged(file, "snapshot format 2, written by an earlier build: this build reads format " +
                FORMAT_VERSION + ", which writes the members' state column by column, so the journal is replayed " +
                "instead (a new snapshot follows)");
        }
        if (version != FORMAT_VERSION || bytes.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH)
        {
            throw damaged(file, "snapshot format " + version + " (header of " + bytes.getInt(HEADER_LENGTH_OFFSET) +
                " bytes); this build reads format " + FORMAT_VERSION);
        }
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        bytes.get(CHAIN_OFFSET, chain);
        final long sequence = bytes.getLong(SEQUENCE_OFFSET);
        final long queueIndex = bytes.getLong(QUEUE_INDEX_OFFSET);
        final long bodyLength = bytes.getLong(BODY_LENGTH_OFFSET);
        if (sequence < 0 || queueIndex < 0 || bodyLength < 0)
        {
            throw damaged(file, "the header holds sequence " + sequence + ", queue index " + queueIndex +
                ", body of " + bodyLength + " bytes");
        }
        return new Header(new ResumePoint(sequence, queueIndex, chain), bytes.getLong(TIMESTAMP_OFFSET),
            bytes.getLong(CREATED_OFFSET), bytes.getLong(STATE_HASH_OFFSET), bodyLength,
            bytes.getInt(BODY_CRC_OFFSET));
    }

    static ByteBuffer encode(final Header header)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(0, MAGIC);
        bytes.putInt(VERSION_OFFSET, FORMAT_VERSION);
        bytes.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        bytes.putLong(SEQUENCE_OFFSET, header.at().sequence());
        bytes.putLong(TIMESTAMP_OFFSET, header.timestamp());
        bytes.putLong(QUEUE_INDEX_OFFSET, header.at().queueIndex());
        bytes.putLong(CREATED_OFFSET, header.createdAtMs());
        bytes.put(CHAIN_OFFSET, header.at().chain());
        bytes.putLong(STATE_HASH_OFFSET, header.stateHash());
        bytes.putLong(BODY_LENGTH_OFFSET, header.bodyLength());
        bytes.putInt(BODY_CRC_OFFSET, header.bodyCrc());
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, HEADER_CRC_OFFSET);
        bytes.putInt(HEADER_CRC_OFFSET, (int)crc.getValue());
        return bytes;
    }

    private static boolean bodyCrcMismatch(final FileChannel channel, final Header header)
    {
        try
        {
            final CRC32C crc = new CRC32C();
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            long position = HEADER_LENGTH;
            final long end = HEADER_LENGTH + header.bodyLength();
            while (position < end)
            {
                buffer.clear().limit((int)Math.min(buffer.capacity(), end - position));
                final int n = channel.read(buffer, position);
                if (n <= 0)
                {
                    return true;
                }
                buffer.flip();
                crc.update(buffer);
                position += n;
            }
            return (int)crc.getValue() != header.bodyCrc();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static SnapshotFormatException damaged(final Path file, final String what)
    {
        return new SnapshotFormatException(file + ": " + what);
    }

    static void forceFolder(final Path folder) throws IOException
    {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
