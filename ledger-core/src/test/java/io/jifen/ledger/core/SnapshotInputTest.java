package io.jifen.ledger.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arrays read back exactly as written, whichever way the reader decodes their varints (from its buffer's array, or
 * one byte at a time across a refill), and a number longer than ten bytes or an int entry out of range is refused
 * with the byte it starts at.
 */
class SnapshotInputTest
{
    @TempDir
    Path dir;
    private int files;

    @Test
    void arraysLargerThanTheReadBufferComeBackExactly()
    {
        final Random random = new Random(11);
        final long[] longs = new long[400_000]; // several megabytes: many refills, entries straddling them
        for (int i = 0; i < longs.length; i++)
        {
            longs[i] = switch (i % 4)
            {
                case 0 -> random.nextLong();
                case 1 -> i % 8 == 1 ? Long.MIN_VALUE : Long.MAX_VALUE;
                case 2 -> random.nextInt(300) - 150;
                default -> 1_796_605_812_585L + i;
            };
        }
        final int[] ints = new int[100_000];
        for (int i = 0; i < ints.length; i++)
        {
            ints[i] = i % 3 == 0 ? Integer.MIN_VALUE : i % 3 == 1 ? Integer.MAX_VALUE : random.nextInt();
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SnapshotOutput out = new SnapshotOutput(Channels.newChannel(bytes));
        out.writeInt(7);
        out.writeLongs(longs, longs.length);
        out.writeInts(ints, ints.length);
        out.writeLongs(longs, 3);
        final int crc = out.finish();

        final SnapshotInput in = input(bytes.toByteArray());
        assertEquals(7, in.readInt());
        assertArrayEquals(longs, in.readLongs());
        assertArrayEquals(ints, in.readInts());
        final long[] three = in.readLongs();
        assertEquals(3, in.used());
        assertArrayEquals(Arrays.copyOf(longs, 3), Arrays.copyOf(three, 3));
        assertEquals(crc, in.finish());
    }

    @Test
    void aNumberLongerThanTenBytesIsRefusedWhereItStarts()
    {
        // an array of capacity 2 holding 2 longs: one sound varint, then eleven continuation bytes
        final byte[] body = new byte[8 + 1 + 11 + 16];
        body[0] = 2;
        body[4] = 2;
        body[8] = 4; // zigzag 2
        Arrays.fill(body, 9, 20, (byte)0x80);
        final SnapshotFormatException inBuffer = assertThrows(SnapshotFormatException.class,
            () -> input(body).readLongs());
        assertTrue(inBuffer.getMessage().contains("byte 9") && inBuffer.getMessage().contains("ten bytes"),
            inBuffer.getMessage());

        // the same across the reader's 1 MiB buffer refill, where it decodes one byte at a time
        final int zeros = (1 << 20) - 8 - 5;
        final byte[] straddling = new byte[(1 << 20) + 16];
        putInt(straddling, 0, zeros + 2);
        putInt(straddling, 4, zeros + 2);
        Arrays.fill(straddling, 8 + zeros, 8 + zeros + 11, (byte)0x80);
        final SnapshotFormatException refill = assertThrows(SnapshotFormatException.class,
            () -> input(straddling).readLongs());
        assertTrue(refill.getMessage().contains("byte " + (8 + zeros)) && refill.getMessage().contains("ten bytes"),
            refill.getMessage());
    }

    private static void putInt(final byte[] bytes, final int at, final int value)
    {
        for (int i = 0; i < Integer.BYTES; i++)
        {
            bytes[at + i] = (byte)(value >>> (8 * i));
        }
    }

    @Test
    void anIntEntryOutOfRangeIsRefused()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SnapshotOutput out = new SnapshotOutput(Channels.newChannel(bytes));
        out.writeLongs(new long[] {1, 2, 1L << 40}, 3);
        out.finish();
        final SnapshotFormatException refused = assertThrows(SnapshotFormatException.class,
            () -> input(bytes.toByteArray()).readInts());
        assertTrue(refused.getMessage().contains("out of range: " + (1L << 40)), refused.getMessage());
    }

    /** A reader on a file, as a server reads one: each read fills as much of its buffer as the file has. */
    private SnapshotInput input(final byte[] body)
    {
        try
        {
            final Path file = Files.write(dir.resolve("body-" + files++), body);
            return new SnapshotInput(FileChannel.open(file, StandardOpenOption.READ), body.length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
