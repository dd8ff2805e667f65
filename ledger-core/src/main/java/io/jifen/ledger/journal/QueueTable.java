package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks the queue's table ({@code metadata.cq4t}: the roll settings, the first and last day file, the write locks)
 * byte by byte before Chronicle opens the queue. Chronicle trusts it: in our fault runs a flipped bit there made
 * opening the queue wait forever on a lock, or list the wrong files.
 * <p>
 * Everything in it follows from the folder (which day files exist) or only matters while a writer runs, so a server
 * starting (it holds the data folder's lock: no other writer can be running) replaces a table that is not exactly
 * what Chronicle writes for this journal; Chronicle writes a new one from the folder's files. A reading tool refuses
 * a damaged table instead of changing the folder. The layout (Chronicle Queue 2026.4, {@link Journal#builder}) is
 * pinned here and by {@code QueueFileMetadataTest}.
 */
final class QueueTable
{
    static final String FILE_NAME = "metadata.cq4t";

    private static final byte[] TEMPLATE = HexFormat.of().parseHex(
        "94000040b906686561646572b607535453746f7265827e000000c87769726554" +
        "797065b6085769726554797065ec42494e4152595f4c49474854c86d65746164" +
        "617461b6075343514d6574618246000000c4726f6c6cb60853435153526f6c6c" +
        "8227000000c66c656e677468a6005c2605c6666f726d6174eb797979794d4d64" +
        "64274627c565706f6368a100c8736f757263654964a1008f24000000b9146c69" +
        "7374696e672e686967686573744379636c658e00000000a70000000000000000" +
        "24000000b9136c697374696e672e6c6f776573744379636c658e0100000000a7" +
        "00000000000000001c000000b9106c697374696e672e6d6f64436f756e748fa7" +
        "000000000000000024000000b9146368726f6e69636c652e77726974652e6c6f" +
        "636b8e00000000a7000000000000000024000000b9156368726f6e69636c652e" +
        "617070656e642e6c6f636b8f8f8f8fa700000000000000002c000000b91d6368" +
        "726f6e69636c652e6c617374496e6465785265706c6963617465648f8f8f8fa7" +
        "000000000000000034000000b9296368726f6e69636c652e6c61737441636b6e" +
        "6f776c6564676564496e6465785265706c696361746564a70000000000000000" +
        "2c000000b91a6368726f6e69636c652e6c617374496e6465784d53796e636564" +
        "8e020000000000a70000000000000000");
    /**
     * The entry an appender adds after the template once the queue has rolled to a second day file: the cycle up to
     * which it has written end-of-file markers into older day files (Chronicle's {@code normalisedEOFsTo}), its value
     * at {@link #NORMALISED_VALUE}.
     */
    private static final byte[] NORMALISED_ENTRY = HexFormat.of().parseHex(
        "1c000000b9106e6f726d616c69736564454f4673546f8fa7");
    private static final int NORMALISED_VALUE = 0x1F0 + 24;
    /** The table's values, each an 8-byte little-endian long at this offset. */
    private static final int HIGHEST_CYCLE = 0xB8;
    private static final int LOWEST_CYCLE = 0xE0;
    private static final int MOD_COUNT = 0x100;
    private static final int WRITE_LOCK = 0x128;
    private static final int APPEND_LOCK = 0x150;
    private static final int[] UNUSED = {0x180, 0x1B8, 0x1E8};
    private static final int[] VALUES = {HIGHEST_CYCLE, LOWEST_CYCLE, MOD_COUNT, WRITE_LOCK, APPEND_LOCK, 0x180,
        0x1B8, 0x1E8};
    private static final long UNLOCKED = Long.MIN_VALUE;

    private QueueTable()
    {
    }

    /**
     * What is wrong with the table in {@code directory}; null if it is sound or absent (Chronicle writes one).
     *
     * @param files the queue's day files.
     * @param writer the caller is about to write and no one else is: locks must be free and the listing exact; a
     * reader accepts locks a running writer holds and a listing that a running writer may have moved on.
     */
    static Damage check(final Path directory, final List<Path> files, final boolean writer)
    {
        final Path table = directory.resolve(FILE_NAME);
        if (!Files.exists(table))
        {
            return null;
        }
        final ByteBuffer map = JournalSurvey.map(table);
        if (map.limit() < TEMPLATE.length)
        {
            return new Damage(table, map.limit(), "it is " + map.limit() + " bytes long, shorter than its layout");
        }
        for (int i = 0; i < TEMPLATE.length; i++)
        {
            if (map.get(i) != TEMPLATE[i] && !isValue(i))
            {
                return new Damage(table, i, "it differs from Chronicle's layout");
            }
        }
        final boolean normalised = map.limit() >= TEMPLATE.length + Integer.BYTES && map.getInt(TEMPLATE.length) != 0;
        final int end = normalised ? NORMALISED_VALUE + Long.BYTES : TEMPLATE.length;
        if (map.limit() < end)
        {
            return new Damage(table, map.limit(), "it ends inside its last entry");
        }
        for (int i = TEMPLATE.length; normalised && i < NORMALISED_VALUE; i++)
        {
            if (map.get(i) != NORMALISED_ENTRY[i - TEMPLATE.length])
            {
                return new Damage(table, i, "a non-zero byte follows its last entry, and it is not the entry " +
                    "Chronicle adds once the queue rolls");
            }
        }
        for (int i = end; i < map.limit(); i++)
        {
            if (map.get(i) != 0)
            {
                return new Damage(table, i, "a non-zero byte follows its last entry");
            }
        }
        if (!files.isEmpty())
        {
            // a reader may list the folder a moment before a running writer opens the next day's file
            final long highest = JournalSurvey.cycle(files.get(files.size() - 1));
            final long listed = map.getLong(HIGHEST_CYCLE);
            if (listed != highest && (writer || listed != highest - 1))
            {
                return new Damage(table, HIGHEST_CYCLE, "its last day file is " + listed + " where the folder's is " +
                    highest);
            }
            // older day files hold end markers up to this cycle: a value past the last file would skip some
            if (normalised && (map.getLong(NORMALISED_VALUE) < 0 || map.getLong(NORMALISED_VALUE) > highest))
            {
                return new Damage(table, NORMALISED_VALUE, "it says end markers were written up to day file " +
                    map.getLong(NORMALISED_VALUE) + ", past the folder's last, " + highest);
            }
            final long lowest = JournalSurvey.cycle(files.get(0));
            if (map.getLong(LOWEST_CYCLE) != lowest)
            {
                return new Damage(table, LOWEST_CYCLE, "its first day file is " + map.getLong(LOWEST_CYCLE) +
                    " where the folder's is " + lowest);
            }
        }
        if (map.getLong(MOD_COUNT) < 0)
        {
            return new Damage(table, MOD_COUNT, "its listing count is negative");
        }
        return writer ? writerState(table, map) : null;
    }

    private static Damage writerState(final Path table, final ByteBuffer map)
    {
        if (map.getLong(WRITE_LOCK) != UNLOCKED || map.getLong(APPEND_LOCK) != UNLOCKED)
        {
            return new Damage(table, map.getLong(WRITE_LOCK) != UNLOCKED ? WRITE_LOCK : APPEND_LOCK,
                "it holds a write lock no running writer can hold (a killed writer's, or a damaged value)");
        }
        for (final int offset : UNUSED)
        {
            if (map.getLong(offset) != -1)
            {
                return new Damage(table, offset, "a replication or sync field this journal never sets is " +
                    map.getLong(offset));
            }
        }
        return null;
    }

    private static boolean isValue(final int i)
    {
        for (final int offset : VALUES)
        {
            if (i >= offset && i < offset + Long.BYTES)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Moves a table the writer must not use into {@code kept}; Chronicle writes a new one when the queue opens.
     */
    static void replace(final Path directory, final Path kept)
    {
        final Path table = directory.resolve(FILE_NAME);
        try
        {
            Files.move(table, kept.resolve(FILE_NAME));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot move the damaged queue table " + table + " to " + kept, ex);
        }
    }

    /** A table Chronicle must not read: where and why. */
    record Damage(Path file, long position, String what)
    {
        @Override
        public String toString()
        {
            return file + ", byte " + position + ": " + what;
        }
    }
}
