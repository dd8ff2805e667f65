package io.jifen.ledger.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Reads back what {@link SnapshotOutput} wrote, counting every byte into a CRC-32C and never more than the body's
 * length. Anything that cannot be what a writer wrote (a missing section mark, a length out of range, the end of the
 * body too early) is a {@link SnapshotFormatException} naming the byte; the caller checks the CRC at the end.
 */
public final class SnapshotInput
{
    private static final int BUFFER = 1 << 20;
    /** No array or string in a snapshot is longer: a length above it is damage, not a reason to allocate. */
    private static final int LENGTH_MAX = Integer.MAX_VALUE - 16;

    private final ReadableByteChannel channel;
    /** Ten bytes hold any varint: with that many buffered, arrays decode straight from {@link #bytes}. */
    private static final int VARINT_MAX = 10;

    /** On the heap, so that the varint loops read its array with no buffer calls per byte. */
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] bytes = buffer.array();
    private final long[] intChunk = new long[1024];
    private final CRC32C crc = new CRC32C();
    private final long length;
    private long consumed;
    private int used;
    /** The entry the next one is read as a difference from: 0 at the start of each array or ring. */
    private long previous;

    /**
     * @param length the body's length: no byte past it is read.
     */
    public SnapshotInput(final ReadableByteChannel channel, final long length)
    {
        this.channel = channel;
        this.length = length;
        buffer.limit(0);
    }

    void section(final int number)
    {
        final long at = position();
        final int mark = readInt();
        final int found = readInt();
        if (mark != SnapshotOutput.SECTION_MARK || found != number)
        {
            throw new SnapshotFormatException(at, "section " + number + " expected, found mark 0x" +
                Integer.toHexString(mark) + " number " + found);
        }
    }

    int readInt()
    {
        need(Integer.BYTES);
        return buffer.getInt();
    }

    long readLong()
    {
        need(Long.BYTES);
        return buffer.getLong();
    }

    boolean readBoolean()
    {
        final long at = position();
        final int value = readInt();
        if (value != 0 && value != 1)
        {
            throw new SnapshotFormatException(at, "a boolean holds " + value);
        }
        return value == 1;
    }

    String readString()
    {
        final long at = position();
        final int n = readInt();
        if (n == -1)
        {
            return null;
        }
        check(at, n >= 0 && n <= remaining(), "a string of " + n + " bytes");
        final byte[] bytes = new byte[n];
        int done = 0;
        while (done < n)
        {
            need(1);
            final int chunk = Math.min(buffer.remaining(), n - done);
            buffer.get(bytes, done, chunk);
            done += chunk;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** @return an array of the written capacity holding the written entries. */
    long[] readLongs()
    {
        return readLongs(0);
    }

    /** @return an array of the written capacity, or {@code minCapacity} if larger, holding the written entries. */
    long[] readLongs(final int minCapacity)
    {
        final int capacity = openArray("longs");
        final long[] values = new long[Math.max(capacity, minCapacity)];
        getLongs(values, 0, used);
        return values;
    }

    /**
     * Opens an array written by {@link SnapshotOutput#writeLongs}, {@link SnapshotOutput#writeInts} or
     * {@link SnapshotOutput#beginArray}, to be read piece by piece by {@link #readLongs(long[], int, int)} or
     * {@link #readInts(int[], int, int)} (into a column kept in chunks); {@link #used()} then tells how many entries it
     * holds.
     *
     * @return its written capacity.
     */
    int beginArray()
    {
        return openArray("entries");
    }

    /** Reads an array's capacity and used count, checks them, and sets {@link #used()}; entries follow. */
    private int openArray(final String kind)
    {
        previous = 0;
        final long at = position();
        final int capacity = readInt();
        final int used = readInt();
        check(at, capacity >= 0 && capacity <= LENGTH_MAX && used >= 0 && used <= capacity &&
            used <= remaining(), "an array of " + used + " of " + capacity + " " + kind);
        this.used = used;
        return capacity;
    }

    /** Reads the next {@code count} entries of an array opened by {@link #beginArray} into {@code values}. */
    void readInts(final int[] values, final int from, final int count)
    {
        getInts(values, from, count);
    }

    int[] readInts()
    {
        return readInts(0);
    }

    int[] readInts(final int minCapacity)
    {
        final int capacity = openArray("ints");
        final int[] values = new int[Math.max(capacity, minCapacity)];
        getInts(values, 0, used);
        return values;
    }

    /**
     * @return the count of a run of longs (see {@link SnapshotOutput#beginLongs}), each of which takes a byte at
     * least; {@link #readLongs(long[], int, int)} then reads its entries piece by piece.
     */
    long beginLongs()
    {
        final long at = position();
        final long count = readLong();
        check(at, count >= 0 && count <= remaining(), "a run of " + count + " longs");
        previous = 0;
        return count;
    }

    /** Reads the next {@code count} entries of a run into {@code values} from {@code from}. */
    void readLongs(final long[] values, final int from, final int count)
    {
        getLongs(values, from, count);
    }

    /** @return a column of {@code count} booleans (see {@link SnapshotOutput#writeBooleans}). */
    boolean[] readBooleans(final int count, final int capacity)
    {
        final long at = position();
        final long words = beginLongs();
        check(at, words == (count + 63) / 64 && capacity >= count, "a column of " + count + " booleans in " +
            words + " words");
        final boolean[] values = new boolean[capacity];
        final long[] word = new long[1];
        for (int i = 0; i < count; i += 64)
        {
            getLongs(word, 0, 1);
            for (int k = 0; k < 64 && i + k < count; k++)
            {
                values[i + k] = (word[0] & 1L << k) != 0;
            }
            if (!(i + 64 <= count || word[0] >>> (count - i) == 0))
            {
                throw impossible(at, "bits past the end of a column of " + count + " booleans");
            }
        }
        return values;
    }

    /**
     * @return a ring of the written capacity with the entries at the written positions; {@code [head, tail)} is
     * stored in {@code bounds}.
     */
    long[] readRing(final int stride, final long[] bounds)
    {
        return readRing(stride, bounds, 0);
    }

    /** The same, in a ring of at least {@code minCapacity} entries (a power of two): entries keep their positions. */
    long[] readRing(final int stride, final long[] bounds, final int minCapacity)
    {
        previous = 0;
        final long at = position();
        final int written = readInt();
        final int capacity = Math.max(written, minCapacity);
        final int writtenStride = readInt();
        final long head = readLong();
        final long tail = readLong();
        check(at, writtenStride == stride && written > 0 && Integer.bitCount(capacity) == 1 &&
            (long)capacity * stride <= LENGTH_MAX && head >= 0 && tail >= head && tail - head <= capacity &&
            (tail - head) * stride <= remaining(), "a ring of " + (tail - head) + " of " + capacity +
            " entries of " + writtenStride + " longs");
        final long[] ring = new long[capacity * stride];
        for (long p = head; p < tail; )
        {
            final int slot = (int)(p & (capacity - 1));
            final int n = (int)Math.min(tail - p, capacity - slot);
            getLongs(ring, slot * stride, n * stride);
            p += n;
        }
        bounds[0] = head;
        bounds[1] = tail;
        return ring;
    }

    int[] readIntRing(final long[] bounds)
    {
        previous = 0;
        final long at = position();
        final int capacity = readInt();
        final long head = readLong();
        final long tail = readLong();
        check(at, capacity > 0 && capacity <= LENGTH_MAX && Integer.bitCount(capacity) == 1 && head >= 0 &&
            tail >= head && tail - head <= capacity && tail - head <= remaining(), "a ring of " +
            (tail - head) + " of " + capacity + " ints");
        final int[] ring = new int[capacity];
        for (long p = head; p < tail; )
        {
            final int slot = (int)(p & (capacity - 1));
            final int n = (int)Math.min(tail - p, capacity - slot);
            getInts(ring, slot, n);
            p += n;
        }
        bounds[0] = head;
        bounds[1] = tail;
        return ring;
    }

    String[] readStringRing(final long[] bounds)
    {
        return readStringRing(bounds, 0);
    }

    String[] readStringRing(final long[] bounds, final int minCapacity)
    {
        final long at = position();
        final int capacity = Math.max(readInt(), minCapacity);
        final long head = readLong();
        final long tail = readLong();
        check(at, capacity > 0 && capacity <= LENGTH_MAX && Integer.bitCount(capacity) == 1 && head >= 0 &&
            tail >= head && tail - head <= capacity && (tail - head) * Integer.BYTES <= remaining(), "a ring of " +
            (tail - head) + " of " + capacity + " strings");
        final String[] ring = new String[capacity];
        for (long p = head; p < tail; p++)
        {
            ring[(int)(p & (capacity - 1))] = readString();
        }
        bounds[0] = head;
        bounds[1] = tail;
        return ring;
    }

    /**
     * Decodes {@code count} zigzag-delta varints (what {@link SnapshotOutput} wrote) into {@code values}. This loop is
     * most of a snapshot's read time: it decodes from the buffer's array with a local index wherever ten bytes are
     * buffered, and only near the end of the buffer goes through {@link #readZigzag}, which refills it.
     */
    private void getLongs(final long[] values, final int from, final int count)
    {
        final byte[] a = bytes;
        int p = buffer.position();
        int limit = buffer.limit();
        long entry = previous;
        for (int i = from, end = from + count; i < end; i++)
        {
            long zigzag;
            if (limit - p >= VARINT_MAX)
            {
                final int start = p;
                zigzag = 0;
                int shift = 0;
                byte b;
                do
                {
                    b = a[p++];
                    zigzag |= (long)(b & 0x7F) << shift;
                    shift += 7;
                }
                while (b < 0 && shift < 7 * VARINT_MAX);
                if (b < 0)
                {
                    buffer.position(start);
                    throw new SnapshotFormatException(position(), "a number longer than ten bytes");
                }
            }
            else
            {
                buffer.position(p);
                zigzag = readZigzag();
                p = buffer.position();
                limit = buffer.limit();
            }
            entry += (zigzag >>> 1) ^ -(zigzag & 1);
            values[i] = entry;
        }
        buffer.position(p);
        previous = entry;
    }

    /** One varint, reading more of the body as needed. */
    private long readZigzag()
    {
        final long at = position();
        long zigzag = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 63)
            {
                throw new SnapshotFormatException(at, "a number longer than ten bytes");
            }
            need(1);
            final byte b = buffer.get();
            zigzag |= (long)(b & 0x7F) << shift;
            if (b >= 0)
            {
                return zigzag;
            }
        }
    }

    /** Int entries: decoded as longs a chunk at a time, each checked to fit. */
    private void getInts(final int[] values, final int from, final int count)
    {
        final long[] chunk = intChunk;
        for (int done = 0; done < count; )
        {
            final long at = position();
            final int n = Math.min(chunk.length, count - done);
            getLongs(chunk, 0, n);
            for (int k = 0; k < n; k++)
            {
                if (chunk[k] != (int)chunk[k])
                {
                    throw new SnapshotFormatException(at, "an int entry out of range: " + chunk[k] + " (entry " +
                        (done + k) + " of those from here)");
                }
                values[from + done + k] = (int)chunk[k];
            }
            done += n;
        }
    }

    String[] readStrings()
    {
        final long at = position();
        final int capacity = readInt();
        final int used = readInt();
        check(at, capacity >= 0 && capacity <= LENGTH_MAX && used >= 0 && used <= capacity &&
            (long)used * Integer.BYTES <= remaining(), "an array of " + used + " of " + capacity + " strings");
        final String[] values = new String[capacity];
        for (int i = 0; i < used; i++)
        {
            values[i] = readString();
        }
        this.used = used;
        return values;
    }

    /** @return how many entries the last array read holds (its used length, not its capacity). */
    int used()
    {
        return used;
    }

    /**
     * @return the exception for something impossible read at {@code at}; for checks made per entry, whose message
     * must not be built when the check passes.
     */
    SnapshotFormatException impossible(final long at, final String what)
    {
        return new SnapshotFormatException(at, "impossible: " + what);
    }

    /** Checks a count read from the snapshot. */
    void check(final long at, final boolean sound, final String what)
    {
        if (!sound)
        {
            throw new SnapshotFormatException(at, "impossible: " + what);
        }
    }

    /** @return the body position of the next byte to read. */
    public long position()
    {
        return consumed - buffer.remaining();
    }

    private long remaining()
    {
        return length - position();
    }

    /** @return the CRC-32C of the whole body, once every byte of it has been read. */
    public int finish()
    {
        if (position() != length)
        {
            throw new SnapshotFormatException(position(), (length - position()) + " bytes of the body are left " +
                "unread");
        }
        return (int)crc.getValue();
    }

    private void need(final int bytes)
    {
        if (buffer.remaining() >= bytes)
        {
            return;
        }
        if (remaining() < bytes)
        {
            throw new SnapshotFormatException(position(), "the body ends " + remaining() + " bytes on, " + bytes +
                " needed");
        }
        buffer.compact();
        try
        {
            while (buffer.position() < bytes)
            {
                final long left = length - consumed;
                if (left < buffer.remaining())
                {
                    buffer.limit(buffer.position() + (int)left);
                }
                final int start = buffer.position();
                final int n = channel.read(buffer);
                if (n < 0)
                {
                    throw new SnapshotFormatException(consumed, "the file ends before its body does");
                }
                crc.update(buffer.duplicate().position(start).limit(start + n));
                consumed += n;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the snapshot: " + ex.getMessage(), ex);
        }
        buffer.flip();
    }
}
