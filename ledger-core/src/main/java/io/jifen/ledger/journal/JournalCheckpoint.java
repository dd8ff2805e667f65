package io.jifen.ledger.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Where the journal is known to reach, kept outside it: the last record the server had forced to the device (and so
 * may have acknowledged under {@code --sync=batch}), by sequence, queue index and chain value. A start that finds the
 * journal ending before that record, or holding another record there, knows acknowledged writes are gone (a file
 * cut at a record boundary looks like a clean end to everything else) and refuses to start, saying what is missing.
 * <p>
 * A 68-byte file, little-endian: {@code JFNCHKPT}, format version (int, 1), reserved (int), sequence, queue index,
 * chain value (32 bytes), CRC-32C of the bytes before it (int). Written under a temporary name, forced, and renamed
 * over the previous one, so it is always one whole checkpoint or the previous one.
 */
public final class JournalCheckpoint
{
    /** The file's name in a data folder. */
    public static final String FILE = "journal.checkpoint";
    private static final byte[] MAGIC = "JFNCHKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int SEQUENCE_OFFSET = 16;
    private static final int INDEX_OFFSET = 24;
    private static final int CHAIN_OFFSET = 32;
    private static final int CRC_OFFSET = CHAIN_OFFSET + JournalRecord.CHAIN_LENGTH;
    private static final int LENGTH = CRC_OFFSET + Integer.BYTES;

    private long sequence = -1;
    private long queueIndex;
    private final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
    private long published;

    /**
     * Called by the journal's writer after records up to this one are on the device: cheap, no allocation, no I/O.
     */
    public synchronized void synced(final long sequence, final long queueIndex, final byte[] chain)
    {
        this.sequence = sequence;
        this.queueIndex = queueIndex;
        System.arraycopy(chain, 0, this.chain, 0, this.chain.length);
        published++;
    }

    /** @return the last synced place, or null if none was published. */
    synchronized ResumePoint latest()
    {
        return sequence < 0 ? null : new ResumePoint(sequence, queueIndex, chain);
    }

    /** @return how many places were published: a writer compares it to skip writing an unchanged checkpoint. */
    public synchronized long published()
    {
        return published;
    }

    /**
     * Writes the latest synced place to {@code dataFolder}/{@value #FILE}, if any.
     *
     * @return the place written, or null.
     */
    public ResumePoint writeTo(final Path dataFolder) throws IOException
    {
        final ResumePoint point = latest();
        if (null != point)
        {
            write(dataFolder, point);
        }
        return point;
    }

    static void write(final Path dataFolder, final ResumePoint point) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(0, MAGIC);
        bytes.putInt(MAGIC.length, VERSION);
        bytes.putLong(SEQUENCE_OFFSET, point.sequence());
        bytes.putLong(INDEX_OFFSET, point.queueIndex());
        bytes.put(CHAIN_OFFSET, point.chain());
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, CRC_OFFSET);
        bytes.putInt(CRC_OFFSET, (int)crc.getValue());
        final Path target = dataFolder.resolve(FILE);
        final Path temporary = dataFolder.resolve(FILE + ".writing");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes, bytes.position());
            }
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel folder = FileChannel.open(dataFolder, StandardOpenOption.READ))
        {
            folder.force(true);
        }
    }

    /**
     * @return the checkpoint in {@code dataFolder}, or null if there is none.
     * @throws JournalCorruptException if the file is there but damaged: it cannot vouch for the journal.
     */
    public static ResumePoint read(final Path dataFolder) throws IOException
    {
        final Path file = dataFolder.resolve(FILE);
        if (!Files.exists(file))
        {
            return null;
        }
        final byte[] raw = Files.readAllBytes(file);
        final ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(raw, 0, Math.min(raw.length, CRC_OFFSET));
        final byte[] magic = java.util.Arrays.copyOf(raw, MAGIC.length);
        if (raw.length != LENGTH || !java.util.Arrays.equals(magic, MAGIC) ||
            bytes.getInt(CRC_OFFSET) != (int)crc.getValue() || bytes.getInt(MAGIC.length) != VERSION ||
            bytes.getLong(SEQUENCE_OFFSET) < 0 || bytes.getLong(INDEX_OFFSET) < 0)
        {
            throw JournalCorruptException.atPosition(file.toString(), 0, "the journal checkpoint is damaged (" +
                raw.length + " bytes, checksum or format wrong): it cannot vouch that the journal holds every " +
                "acknowledged write. Delete it to start from the journal as it is");
        }
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        bytes.get(CHAIN_OFFSET, chain);
        return new ResumePoint(bytes.getLong(SEQUENCE_OFFSET), bytes.getLong(INDEX_OFFSET), chain);
    }

    /**
     * Checks the journal holds the checkpoint's record: the replay reached at least its sequence, and the document at
     * its queue index carries that sequence and chain value.
     *
     * @param replayedTo the last sequence the start's replay reached.
     * @throws JournalCorruptException naming what is missing.
     */
    public static void confirm(final Path dataFolder, final ResumePoint checkpoint, final Journal journal,
        final JournalSurvey survey, final long replayedTo)
    {
        final String file = dataFolder.resolve(FILE).toString();
        if (replayedTo < checkpoint.sequence())
        {
            throw JournalCorruptException.atPosition(String.valueOf(survey.endFile), survey.endPosition,
                "the journal ends at sequence " + replayedTo + ", but records up to " + checkpoint.sequence() +
                " were forced to the device and may have been acknowledged (" + file + "): " +
                (checkpoint.sequence() - replayedTo) + " record(s) are missing from the journal (a file cut or " +
                "replaced?). Restore the journal from a copy that holds them; deleting " + FILE + " starts " +
                "without them, losing what they acknowledged");
        }
        if (!survey.files.isEmpty() && checkpoint.queueIndex() >>> 32 < JournalSurvey.cycle(survey.files.get(0)))
        {
            // its day file was archived after a snapshot covered it: the replay from that snapshot reached past it
            return;
        }
        try (JournalScanner ignored = new JournalScanner(journal, null, survey, checkpoint))
        {
            // constructing it checks the document at the checkpoint
        }
        catch (final ResumePointException ex)
        {
            throw JournalCorruptException.atPosition(file, 0, "the journal does not hold the record the " +
                "checkpoint names (" + checkpoint + "): " + ex.getMessage() + ". It was forced to the device " +
                "and may have been acknowledged: the journal was altered or replaced");
        }
    }
}
