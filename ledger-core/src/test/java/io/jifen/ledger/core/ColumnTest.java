package io.jifen.ledger.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Columns kept in chunks keep every entry through growth, and write exactly the bytes an array of the same entries
 * and capacity writes (the snapshot format does not change with the layout), read back entry for entry across chunk
 * boundaries.
 */
class ColumnTest
{
    /** Three chunks and a part: every boundary crossed. */
    private static final int SLOTS = 3 * LongColumn.CHUNK + 123;

    @TempDir
    Path dir;

    @Test
    void growthKeepsEveryEntryAndCapacityIsWholeChunks()
    {
        final LongColumn longs = new LongColumn(10);
        final IntColumn ints = new IntColumn(10);
        assertEquals(LongColumn.CHUNK, longs.capacity());
        for (int i = 0; i < SLOTS; i++)
        {
            if (i == longs.capacity())
            {
                longs.ensure(i + 1);
                ints.ensure(i + 1);
            }
            longs.set(i, 7L * i - 3);
            ints.set(i, -i);
            longs.add(i, 1);
            ints.add(i, 2);
        }
        assertEquals(4 * LongColumn.CHUNK, longs.capacity());
        assertEquals(4 * IntColumn.CHUNK, ints.capacity());
        for (int i = 0; i < SLOTS; i++)
        {
            assertEquals(7L * i - 2, longs.get(i), "long slot " + i);
            assertEquals(2 - i, ints.get(i), "int slot " + i);
        }
    }

    @Test
    void aColumnWritesTheBytesOfAnArrayAndReadsBackAcrossChunks()
    {
        final Random random = new Random(5);
        final long[] longArray = new long[4 * LongColumn.CHUNK];
        final int[] intArray = new int[4 * IntColumn.CHUNK];
        final LongColumn longs = new LongColumn(SLOTS);
        final IntColumn ints = new IntColumn(SLOTS);
        for (int i = 0; i < SLOTS; i++)
        {
            longArray[i] = i % 3 == 0 ? random.nextLong() : 1_796_605_812_585L + i;
            intArray[i] = random.nextInt();
            longs.set(i, longArray[i]);
            ints.set(i, intArray[i]);
        }
        final ByteArrayOutputStream fromArrays = new ByteArrayOutputStream();
        final SnapshotOutput arrays = new SnapshotOutput(Channels.newChannel(fromArrays));
        arrays.writeLongs(longArray, SLOTS);
        arrays.writeInts(intArray, SLOTS);
        arrays.finish();
        final ByteArrayOutputStream fromColumns = new ByteArrayOutputStream();
        final SnapshotOutput columns = new SnapshotOutput(Channels.newChannel(fromColumns));
        longs.writeTo(columns, SLOTS);
        ints.writeTo(columns, SLOTS);
        columns.finish();
        assertArrayEquals(fromArrays.toByteArray(), fromColumns.toByteArray());

        final SnapshotInput in = input(fromColumns.toByteArray());
        final LongColumn longsRead = LongColumn.readFrom(in, 0);
        assertEquals(SLOTS, in.used());
        final IntColumn intsRead = IntColumn.readFrom(in, 5 * IntColumn.CHUNK);
        assertEquals(SLOTS, in.used());
        assertEquals(4 * LongColumn.CHUNK, longsRead.capacity());
        assertEquals(5 * IntColumn.CHUNK, intsRead.capacity(), "room for what the reader expects, if more");
        for (int i = 0; i < SLOTS; i++)
        {
            assertEquals(longArray[i], longsRead.get(i), "long slot " + i);
            assertEquals(intArray[i], intsRead.get(i), "int slot " + i);
        }
    }

    @Test
    void anArrayClaimingMoreEntriesThanItsCapacityIsRefused()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SnapshotOutput out = new SnapshotOutput(Channels.newChannel(bytes));
        out.writeInt(4);
        out.writeInt(5); // 5 entries in room for 4
        out.finish();
        final SnapshotFormatException ex = assertThrows(SnapshotFormatException.class,
            () -> LongColumn.readFrom(input(bytes.toByteArray()), 0));
        assertTrue(ex.getMessage().contains("5 of 4"), ex.getMessage());
    }

    private SnapshotInput input(final byte[] body)
    {
        try
        {
            final Path file = Files.write(dir.resolve("body"), body);
            return new SnapshotInput(FileChannel.open(file, StandardOpenOption.READ), body.length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void chunksOfZerosAreNeverAllocatedNorReadBack()
    {
        final LongColumn held = new LongColumn(SLOTS);
        assertEquals(0, held.chunksAllocated(), "a new column holds no chunk");
        held.set(5, 0);
        held.add(6, 0);
        assertEquals(0, held.chunksAllocated(), "zeros allocate nothing");
        final int inThird = 2 * LongColumn.CHUNK + 7;
        held.add(inThird, 40);
        held.add(inThird, -15);
        assertEquals(1, held.chunksAllocated());
        assertEquals(25, held.get(inThird));
        assertEquals(0, held.get(inThird + 1));
        assertEquals(0, held.get(5));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> held.get(held.capacity()),
            "a slot past the capacity fails as in an array");

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SnapshotOutput out = new SnapshotOutput(Channels.newChannel(bytes));
        held.writeTo(out, SLOTS);
        out.finish();
        final LongColumn read = LongColumn.readFrom(input(bytes.toByteArray()), 0);
        assertEquals(1, read.chunksAllocated(), "the chunks of zeros stay unallocated when read");
        for (int i = 0; i < SLOTS; i++)
        {
            assertEquals(i == inThird ? 25 : 0, read.get(i), "slot " + i);
        }
    }
}
