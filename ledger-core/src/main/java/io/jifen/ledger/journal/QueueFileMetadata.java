package io.jifen.ledger.journal;

import java.nio.ByteBuffer;
import java.util.HexFormat;

import org.agrona.collections.IntArrayList;

/**
 * Checks a queue file's own metadata (its header and its indexes) against the documents the file holds, byte by
 * byte and without Chronicle, before Chronicle reads any of it: Chronicle trusts these structures, and a flipped bit
 * in them can make it see an empty queue, append after a gap no reader crosses, or fault on a wild memory access
 * that kills the process.
 * <p>
 * The layout is the one Chronicle Queue 2026.4 (BOM 2026.18) writes for this journal ({@link Journal}: binary wire,
 * {@code FAST_DAILY}), pinned here and by {@code QueueFileMetadataTest}, which fails if Chronicle starts writing
 * anything else:
 * <ul>
 * <li>bytes 0–199: the header document ({@code SCQStore}), identical in every file except four 8-byte fields:
 * the write position (the last data document), the write position and sequence packed in one long, the position of
 * the first index document ({@code index2Index}) and the next sequence to index;</li>
 * <li>at 200: the index of indexes, an array of 4,096 positions, one per index document in use;</li>
 * <li>at 33,008: the first index document, an array of 4,096 positions, one per 256th data document; later index
 * documents sit between data documents wherever the writer needed one.</li>
 * </ul>
 * All of it follows from the data documents, so metadata that disagrees with them costs nothing to rebuild: recovery
 * writes the file's documents afresh ({@link JournalRecovery}). A metadata document with the wrong length header at
 * one of the fixed positions is still recognised by its contents, so the walk over the file goes on past it.
 * <p>
 * Written by hand because it must not rely on the structures it checks.
 */
final class QueueFileMetadata
{
    static final int INDEX_COUNT = 4096;
    static final int INDEX_SPACING = 256;
    static final int HEADER_SIZE = 200;
    static final int FIRST_INDEX2INDEX = HEADER_SIZE;
    static final int FIRST_INDEX = 33_008;
    /** Where the first data document of every file begins. */
    static final int FIRST_DATA = 65_808;

    private static final byte[] HEADER = HexFormat.of().parseHex(
        "c1000040b906686561646572b60853435153746f726582aa000000cd77726974" +
        "65506f736974696f6e8e01000000008d02000000000000000200000000000000" +
        "00000000000000000000000000000000c8696e646578696e67b60c5343515349" +
        "6e646578696e67824c000000ca696e646578436f756e74a50010cc696e646578" +
        "53706163696e67a50001cb696e64657832496e6465788fa70000000000000000" +
        "c96c617374496e6465788e00000000a70000000000000000ca64617461466f72" +
        "6d6174a101000000");
    /** The header's fields the writer changes: each is an 8-byte little-endian long at this offset. */
    private static final int WRITE_POSITION = 0x40;
    private static final int WRITE_SEQUENCE = 0x48;
    private static final int INDEX2INDEX = 0x98;
    private static final int NEXT_TO_INDEX = 0xB0;
    private static final int[] MUTABLE = {WRITE_POSITION, WRITE_SEQUENCE, INDEX2INDEX, NEXT_TO_INDEX};

    /** The index of indexes and the first index up to their values: header, name, padding, capacity. */
    private static final byte[] INDEX2INDEX_PREFIX =
        HexFormat.of().parseHex("24800040b90b696e64657832696e6465788e01000000008d0010000000000000");
    private static final byte[] FIRST_INDEX_PREFIX =
        HexFormat.of().parseHex("1c800040b905696e6465788f8f8f8f8d0010000000000000");
    /** The name of an index document's field, as an index document elsewhere in the file begins after its header. */
    private static final byte[] INDEX_NAME = HexFormat.of().parseHex("b905696e646578");
    private static final int PADDING = 0x8F;
    private static final int PADDING32 = 0x8E;
    private static final int LONG_ARRAY = 0x8D;
    /** Array header: the capacity and the count used, each a long, then the values. */
    private static final int ARRAY_VALUES = 2 * Long.BYTES;

    private final ByteBuffer map;
    /** Positions of the index documents, in the order met, and of every 256th data document. */
    private final IntArrayList indexes = new IntArrayList();
    private final IntArrayList indexed = new IntArrayList();
    private String damage;
    private long damageAt = -1;

    QueueFileMetadata(final ByteBuffer map)
    {
        this.map = map;
    }

    /**
     * The document at one of the fixed metadata positions (0, 200, 33,008): wherever the bytes differ from the
     * layout, the metadata is damaged, and the walk goes on where the layout puts the next document.
     *
     * @return where the next document begins, or -1 if the file is too short to hold the layout.
     */
    int fixed(final int p)
    {
        if (map.limit() < FIRST_DATA)
        {
            return -1;
        }
        if (p == 0)
        {
            for (int i = 0; i < HEADER.length; i++)
            {
                if (map.get(i) != HEADER[i] && !isMutable(i))
                {
                    damage("the queue header differs from Chronicle's layout at byte " + i, i);
                    break;
                }
            }
            return HEADER_SIZE;
        }
        final boolean first = p == FIRST_INDEX2INDEX;
        final byte[] prefix = first ? INDEX2INDEX_PREFIX : FIRST_INDEX_PREFIX;
        for (int i = 0; i < prefix.length; i++)
        {
            if (map.get(p + i) != prefix[i])
            {
                damage("the " + (first ? "index of indexes" : "first index") + " differs from Chronicle's layout " +
                    "at byte " + (p + i), p + i);
                break;
            }
        }
        if (!first)
        {
            indexes.addInt(p);
        }
        return first ? FIRST_INDEX : FIRST_DATA;
    }

    private static boolean isMutable(final int i)
    {
        for (final int offset : MUTABLE)
        {
            if (i >= offset && i < offset + Long.BYTES)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * A metadata document elsewhere: it must be an index document of the right length.
     *
     * @return false if it is not one.
     */
    boolean metadata(final int p, final int length)
    {
        final int values = indexValues(p);
        if (values < 0 || values + INDEX_COUNT * Long.BYTES != p + Integer.BYTES + length ||
            map.getLong(values - ARRAY_VALUES) != INDEX_COUNT)
        {
            return false;
        }
        indexes.addInt(p);
        return true;
    }

    /** A data document: the {@code sequence}th of the file, at {@code p}. */
    void data(final int p, final int sequence)
    {
        if (sequence % INDEX_SPACING == 0)
        {
            indexed.addInt(p);
        }
    }

    /**
     * After the walk over the file's {@code documents} data documents, the last at {@code lastData}: checks the
     * header's fields and the indexes against them.
     */
    void finish(final int documents, final int lastData)
    {
        if (documents == 0 || null != damage)
        {
            return;
        }
        expect("write position", WRITE_POSITION, lastData);
        expect("write sequence", WRITE_SEQUENCE, (long)lastData << Integer.SIZE | documents - 1);
        expect("index of indexes position", INDEX2INDEX, FIRST_INDEX2INDEX);
        expect("next sequence to index", NEXT_TO_INDEX, (long)indexed.size() * INDEX_SPACING);
        final int indexDocuments = (indexed.size() + INDEX_COUNT - 1) / INDEX_COUNT;
        if (indexes.size() != indexDocuments)
        {
            damage("the file holds " + indexes.size() + " index document(s) where its " + documents +
                " records need " + indexDocuments, indexes.isEmpty() ? FIRST_INDEX : indexes.getInt(0));
            return;
        }
        checkArray("index of indexes", FIRST_INDEX2INDEX + INDEX2INDEX_PREFIX.length + Long.BYTES, indexes, 0,
            indexes.size());
        for (int i = 0; i < indexes.size() && null == damage; i++)
        {
            final int from = i * INDEX_COUNT;
            final int at = indexes.getInt(i);
            checkArray("index " + i, at == FIRST_INDEX ? FIRST_INDEX + FIRST_INDEX_PREFIX.length + Long.BYTES :
                indexValues(at), indexed, from, Math.min(INDEX_COUNT, indexed.size() - from));
        }
    }

    /** @return what is wrong with the metadata, naming the byte; null if it agrees with the documents. */
    String damage()
    {
        return damage;
    }

    long damageAt()
    {
        return damageAt;
    }

    private void expect(final String field, final int offset, final long expected)
    {
        final long actual = map.getLong(offset);
        if (null == damage && actual != expected)
        {
            damage("the queue header's " + field + " is " + actual + " where the documents give " + expected,
                offset);
        }
    }

    /** The array whose values begin at {@code values} must hold {@code count} values from {@code expected}. */
    private void checkArray(final String name, final int values, final IntArrayList expected, final int from,
        final int count)
    {
        final long used = map.getLong(values - Long.BYTES);
        if (used != count)
        {
            damage("the " + name + " holds " + used + " entries where " + count + " are due", values - Long.BYTES);
            return;
        }
        for (int i = 0; i < INDEX_COUNT; i++)
        {
            final long actual = map.getLong(values + i * Long.BYTES);
            final long due = i < count ? expected.getInt(from + i) : 0;
            if (actual != due)
            {
                damage("entry " + i + " of the " + name + " is " + actual + " where the documents give " + due,
                    values + (long)i * Long.BYTES);
                return;
            }
        }
    }

    /**
     * Where the values of an index document at {@code p} begin: after a 4-byte header, the field's name, padding to
     * align the array of longs, the array's code, its capacity and its count used; -1 if the bytes are not that.
     */
    private int indexValues(final int p)
    {
        final int limit = map.limit();
        int q = p + Integer.BYTES;
        if (q + INDEX_NAME.length > limit)
        {
            return -1;
        }
        for (final byte b : INDEX_NAME)
        {
            if (map.get(q++) != b)
            {
                return -1;
            }
        }
        while (q < limit && (map.get(q) & 0xFF) == PADDING)
        {
            q++;
        }
        if (q + 5 <= limit && (map.get(q) & 0xFF) == PADDING32)
        {
            q += 5 + map.getInt(q + 1);
        }
        if (q < 0 || q >= limit || (map.get(q) & 0xFF) != LONG_ARRAY || (q + 1 & 7) != 0)
        {
            return -1;
        }
        final int values = q + 1 + ARRAY_VALUES;
        return values + INDEX_COUNT * Long.BYTES <= limit ? values : -1;
    }

    private void damage(final String what, final long at)
    {
        if (null == damage)
        {
            damage = what;
            damageAt = at;
        }
    }
}
