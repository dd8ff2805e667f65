package io.jifen.ledger.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Where the stores write themselves for a snapshot (see docs/snapshot-format.md): primitives, strings and runs of
 * primitive arrays, little-endian, through one buffer into a channel, every byte counted into a CRC-32C. Each store
 * opens its part with {@link #section(int)}, so a reader that lost its place stops at the next section, naming it.
 * <p>
 * Written by hand rather than with a serialisation library: the stores are primitive arrays of tens of millions of
 * entries, which this moves in bulk (a whole array per call, no object per entry), and the bytes are the format, so
 * they must not change with a library's version.
 */
public final class SnapshotOutput
{
    /** The marker that opens each section, before its number. */
    static final int SECTION_MARK = 0x5345_4354; // "SECT"
    private static final int BUFFER = 1 << 20;

    private final WritableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long written;
    /** The entry the next one is written as a difference from: 0 at the start of each array or ring. */
    private long previous;

    public SnapshotOutput(final WritableByteChannel channel)
    {
        this.channel = channel;
    }

    void section(final int number)
    {
        writeInt(SECTION_MARK);
        writeInt(number);
    }

    void writeInt(final int value)
    {
        room(Integer.BYTES);
        buffer.putInt(value);
    }

    void writeLong(final long value)
    {
        room(Long.BYTES);
        buffer.putLong(value);
    }

    void writeBoolean(final boolean value)
    {
        writeInt(value ? 1 : 0);
    }

    /** A string or null: its UTF-8 length (-1 for null), then its bytes. */
    void writeString(final String value)
    {
        if (null == value)
        {
            writeInt(-1);
            return;
        }
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeInt(bytes.length);
        int done = 0;
        while (done < bytes.length)
        {
            room(1);
            final int n = Math.min(buffer.remaining(), bytes.length - done);
            buffer.put(bytes, done, n);
            done += n;
        }
    }

    /** An array's capacity, then its entries {@code [0, used)}: read back into an array of the same capacity. */
    void writeLongs(final long[] values, final int used)
    {
        previous = 0;
        writeInt(values.length);
        writeInt(used);
        putLongs(values, 0, used);
    }

    void writeInts(final int[] values, final int used)
    {
        previous = 0;
        writeInt(values.length);
        writeInt(used);
        putInts(values, 0, used);
    }

    /**
     * Opens an array of {@code capacity} entries, {@code used} of them written next, piece by piece, by
     * {@link #appendLongs} or {@link #appendInts}: the same bytes as {@link #writeLongs} or {@link #writeInts} of one
     * array, from a column kept in chunks.
     */
    void beginArray(final int capacity, final int used)
    {
        previous = 0;
        writeInt(capacity);
        writeInt(used);
    }

    void appendInts(final int[] values, final int from, final int count)
    {
        putInts(values, from, count);
    }

    /**
     * Opens a run of {@code count} longs that {@link #appendLongs} then writes piece by piece, each entry a difference
     * from the one before as in an array: the entries of many small arrays (each member's pending earns) in one run,
     * with no array of them all.
     */
    void beginLongs(final long count)
    {
        previous = 0;
        writeLong(count);
    }

    void appendLongs(final long[] values, final int from, final int count)
    {
        putLongs(values, from, count);
    }

    /** A column of booleans, packed 64 to a long, as a run of longs. */
    void writeBooleans(final boolean[] values, final int count)
    {
        final long[] word = new long[1];
        beginLongs((count + 63) / 64);
        for (int i = 0; i < count; i += 64)
        {
            word[0] = 0;
            for (int k = 0; k < 64 && i + k < count; k++)
            {
                word[0] |= values[i + k] ? 1L << k : 0;
            }
            appendLongs(word, 0, 1);
        }
    }

    /**
     * A ring buffer's capacity and the entries at absolute positions {@code [head, tail)} (each {@code stride} longs,
     * at {@code (position & (capacity - 1)) * stride}): read back into a ring of the same capacity, same places.
     */
    void writeRing(final long[] ring, final int stride, final long head, final long tail)
    {
        previous = 0;
        final int capacity = ring.length / stride;
        writeInt(capacity);
        writeInt(stride);
        writeLong(head);
        writeLong(tail);
        for (long p = head; p < tail; )
        {
            final int at = (int)(p & (capacity - 1));
            final int n = (int)Math.min(tail - p, capacity - at);
            putLongs(ring, at * stride, n * stride);
            p += n;
        }
    }

    void writeRing(final int[] ring, final long head, final long tail)
    {
        previous = 0;
        writeInt(ring.length);
        writeLong(head);
        writeLong(tail);
        for (long p = head; p < tail; )
        {
            final int at = (int)(p & (ring.length - 1));
            final int n = (int)Math.min(tail - p, ring.length - at);
            putInts(ring, at, n);
            p += n;
        }
    }

    void writeRing(final String[] ring, final long head, final long tail)
    {
        writeInt(ring.length);
        writeLong(head);
        writeLong(tail);
        for (long p = head; p < tail; p++)
        {
            writeString(ring[(int)(p & (ring.length - 1))]);
        }
    }

    /**
     * Each entry as the difference from the one before it, zigzag-encoded in a base-128 varint: a lot's fields, ids
     * and times run in near sequences and most counters are zero, so a snapshot is a fraction of the arrays' size
     * (a restart reads it from disk at ~100 MB/s when it is not in the page cache).
     */
    private void putLongs(final long[] values, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            putNext(values[i]);
        }
    }

    private void putInts(final int[] values, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            putNext(values[i]);
        }
    }

    private void putNext(final long value)
    {
        room(10);
        final long delta = value - previous;
        previous = value;
        long zigzag = (delta << 1) ^ (delta >> 63);
        while ((zigzag & ~0x7FL) != 0)
        {
            buffer.put((byte)((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        buffer.put((byte)zigzag);
    }

    /** Bytes written so far, the buffered ones included. */
    public long written()
    {
        return written + buffer.position();
    }

    /** Writes out what is buffered. @return the CRC-32C of every byte written. */
    public int finish()
    {
        drain();
        return (int)crc.getValue();
    }

    private void room(final int bytes)
    {
        if (buffer.remaining() < bytes)
        {
            drain();
        }
    }

    private void drain()
    {
        buffer.flip();
        crc.update(buffer.duplicate());
        written += buffer.remaining();
        try
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the snapshot: " + ex.getMessage(), ex);
        }
        buffer.clear();
    }
}
