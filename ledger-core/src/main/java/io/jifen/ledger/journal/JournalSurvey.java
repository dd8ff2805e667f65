package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.ExpandableArrayBuffer;

import static io.jifen.ledger.journal.JournalLayout.LENGTH_OFFSET;
import static io.jifen.ledger.journal.JournalLayout.MIN_LENGTH;
import static io.jifen.ledger.journal.JournalLayout.ORDER;
import static io.jifen.ledger.journal.JournalLayout.VERSION_OFFSET;

/**
 * Where the journal ends, read from the queue's files byte by byte, without Chronicle: so one damaged document
 * header or a damaged queue header cannot make recovery take "the reader stopped" for "the journal ends".
 * <p>
 * A queue file is a run of documents, each behind a 4-byte little-endian header at a 4-byte aligned position: the
 * low 30 bits are the length, bit 30 marks Chronicle's own metadata (the file header, its indexes), bit 31 a document
 * still being written; after the last one the file holds zeros, or an end-of-data header when the queue rolled to the
 * next file. The survey walks those headers through every file, counts the data documents (the journal's records)
 * and checks each one's checksum. Wherever the walk meets anything else, or damaged records that only damage
 * follows, it searches every aligned position from there to the end of the journal for a sound record by the
 * record's own framing (its length field, version and CRC-32C, independent of any header). A sound record after
 * the damage makes the journal unreadable (damage in the middle, never a torn tail); otherwise the journal's end
 * is classified as {@link Ending}. See docs/journal-format.md, "Recovery rules".
 * <p>
 * Written by hand because it must not depend on the structures it checks; it reads each file through a read-only
 * memory map, so a journal of one file per day costs one pass over the bytes written.
 */
public final class JournalSurvey
{
    /** What follows the last sound record. */
    public enum Ending
    {
        /** Nothing: zeros, or an end-of-data header. */
        CLEAN,
        /** One document a writer began and never finished (a killed process): it was never acknowledged. */
        UNFINISHED_WRITE,
        /** Damaged records or stray bytes, with no sound record after them: a torn tail, for the operator. */
        DAMAGED_TAIL
    }

    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    static final String FILE_SUFFIX = ".cq4";
    private static final DateTimeFormatter CYCLE_NAME = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final int CYCLE_SHIFT = 32;
    private static final String REPAIRED_AT_START = "it follows from the records, which are intact, and the " +
        "server rebuilds it when it next starts (keeping the original in journal-repairs/)";

    /** The queue files in cycle order. */
    public final List<Path> files;
    /** Data documents before the tail, sound or damaged: exactly what Chronicle's reader must deliver. */
    public final long documents;
    /** The queue index of the last of them; -1 if there is none. */
    public final long lastIndex;
    /** The byte position of its document header in the last file that holds one; -1 if there is none. */
    public final long lastPosition;
    public final Ending ending;
    /** The file, byte position and queue index where the tail begins (the next record's place when clean). */
    public final Path endFile;
    public final long endPosition;
    public final long endIndex;
    /** Documents in the tail, complete or not (0 when clean). */
    public final int tailDocuments;
    /** What the tail holds, in words. */
    public final String tail;
    /** Files whose own metadata (header, indexes) disagrees with their sound documents: to be rebuilt. */
    public final List<MetadataDamage> metadataDamage;
    /** Data documents counted in each of {@link #files}, in the same order. */
    private final long[] fileDocuments;
    /** True for a journal a server is writing: readers stop at {@link #documents}, what the server has finished. */
    public final boolean live;

    private JournalSurvey(final List<Path> files, final long documents, final long lastIndex, final long lastPosition,
        final Ending ending, final Path endFile, final long endPosition, final long endIndex, final int tailDocuments,
        final String tail, final List<MetadataDamage> metadataDamage, final long[] fileDocuments)
    {
        this(files, documents, lastIndex, lastPosition, ending, endFile, endPosition, endIndex, tailDocuments, tail,
            metadataDamage, fileDocuments, false);
    }

    private JournalSurvey(final List<Path> files, final long documents, final long lastIndex, final long lastPosition,
        final Ending ending, final Path endFile, final long endPosition, final long endIndex, final int tailDocuments,
        final String tail, final List<MetadataDamage> metadataDamage, final long[] fileDocuments, final boolean live)
    {
        this.live = live;
        this.fileDocuments = fileDocuments;
        this.files = files;
        this.documents = documents;
        this.lastIndex = lastIndex;
        this.lastPosition = lastPosition;
        this.ending = ending;
        this.endFile = endFile;
        this.endPosition = endPosition;
        this.endIndex = endIndex;
        this.tailDocuments = tailDocuments;
        this.tail = tail;
        this.metadataDamage = List.copyOf(metadataDamage);
    }

    /**
     * A queue file whose header or indexes disagree with its documents, where, and how.
     *
     * @param documentsEnd where the file's documents end (its end-of-data marker or its zeros).
     */
    public record MetadataDamage(Path file, long position, String what, long documentsEnd)
    {
        @Override
        public String toString()
        {
            return file + ", byte " + position + ": " + what;
        }
    }

    /**
     * Surveys the queue in {@code directory}.
     *
     * @throws JournalCorruptException if a sound record follows damage, or damage is in a file other than the last.
     */
    public static JournalSurvey of(final Path directory)
    {
        final List<Path> files = queueFiles(directory);
        final JournalRecord codec = new JournalRecord();
        long documents = 0;
        long lastIndex = -1;
        long lastPosition = -1;
        final List<MetadataDamage> metadataDamage = new ArrayList<>();
        final long[] fileDocuments = new long[files.size()];
        for (int f = 0; f < files.size(); f++)
        {
            final Path file = files.get(f);
            final Walk walk = new Walk(cycle(file), map(file), codec);
            walk.run();
            if (null != walk.metadata.damage())
            {
                metadataDamage.add(new MetadataDamage(file, walk.metadata.damageAt(), walk.metadata.damage(),
                    walk.stop));
            }
            final boolean zerosAfter = null == walk.problem && (walk.endOfData || isZero(walk.map, walk.stop));
            if (f < files.size() - 1)
            {
                // damaged records with more files after them are the scanner's to judge: a tail-discarded marker of
                // an older build may excuse them from the next file
                documents += walk.documents;
                fileDocuments[f] = walk.documents;
                lastIndex = walk.documents > 0 ? walk.cycle << CYCLE_SHIFT | walk.documents - 1 : lastIndex;
                lastPosition = walk.documents > 0 ? walk.lastData : lastPosition;
                if (zerosAfter)
                {
                    continue;
                }
                final SoundRecord after = findSoundRecord(files, f, walk.map, walk.stop, codec);
                throw JournalCorruptException.atPosition(file.toString(), walk.stop, walk.describe() +
                    " in a file that is not the journal's last" +
                    (null == after ? "" : ", and a sound record follows at " + after));
            }
            final int kept = walk.damagedFrom < 0 ? walk.documents : walk.damagedNumber;
            documents += kept;
            fileDocuments[f] = kept;
            lastIndex = kept > 0 ? walk.cycle << CYCLE_SHIFT | kept - 1 : lastIndex;
            lastPosition = kept > 0 ? walk.keptPosition : lastPosition;
            final long endPosition = walk.damagedFrom < 0 ? walk.stop : walk.damagedFrom;
            final long endIndex = walk.cycle << CYCLE_SHIFT | kept;
            if (walk.damagedFrom < 0 && zerosAfter)
            {
                return new JournalSurvey(files, documents, lastIndex, lastPosition, Ending.CLEAN, file, endPosition,
                    endIndex, 0, "nothing", metadataDamage, fileDocuments);
            }
            final SoundRecord after = findSoundRecord(files, f, walk.map, walk.searchFrom(endPosition), codec);
            if (null != after)
            {
                throw JournalCorruptException.atPosition(file.toString(), endPosition, walk.describe() +
                    ", and a sound record follows at " + after + ": damage in the middle of the journal, not a " +
                    "torn tail (nothing is discarded while sound records follow)");
            }
            final int tailDocuments = walk.documents - kept + (walk.problem == null ? 0 : 1);
            final Ending ending = walk.damagedFrom < 0 && walk.unfinished ? Ending.UNFINISHED_WRITE :
                Ending.DAMAGED_TAIL;
            return new JournalSurvey(files, documents, lastIndex, lastPosition, ending, file, endPosition, endIndex,
                tailDocuments, walk.describe(), metadataDamage, fileDocuments);
        }
        return new JournalSurvey(files, documents, lastIndex, lastPosition, Ending.CLEAN, null, 0, -1, 0,
            "nothing", metadataDamage, fileDocuments);
    }

    /**
     * @return how many data documents the files hold up to and including the one at {@code queueIndex} (indexes are
     * dense within a day file: its n-th document has index {@code cycle << 32 | n}).
     */
    public long documentsThrough(final long queueIndex)
    {
        final long cycle = queueIndex >>> CYCLE_SHIFT;
        long through = (queueIndex & 0xFFFF_FFFFL) + 1;
        for (int f = 0; f < files.size() && cycle(files.get(f)) < cycle; f++)
        {
            through += fileDocuments[f];
        }
        return through;
    }

    /**
     * Surveys a journal a server in this process is writing, up to the {@code documents} it has finished writing:
     * every one must be there and sound; what follows is the writer's and is not looked at, nor are the indexes it
     * keeps filling in (it checked or rebuilt them when it started).
     *
     * @throws JournalCorruptException if the files do not hold that many sound documents.
     */
    public static JournalSurvey live(final Path directory, final long documents)
    {
        final List<Path> files = queueFiles(directory);
        final long[] fileDocuments = new long[files.size()];
        final JournalRecord codec = new JournalRecord();
        long left = documents;
        long lastIndex = -1;
        long lastPosition = -1;
        for (int f = 0; f < files.size() && left > 0; f++)
        {
            final Path file = files.get(f);
            final Walk walk = new Walk(cycle(file), map(file), codec, left, false);
            walk.run();
            if (null != walk.problem || walk.damagedFrom >= 0)
            {
                throw JournalCorruptException.atPosition(file.toString(), walk.stop, walk.describe() + ", within " +
                    "the " + documents + " documents the server has written");
            }
            fileDocuments[f] = walk.documents;
            left -= walk.documents;
            if (walk.documents > 0)
            {
                lastIndex = walk.cycle << CYCLE_SHIFT | walk.documents - 1;
                lastPosition = walk.lastData;
            }
            if (left == 0)
            {
                return new JournalSurvey(files, documents, lastIndex, lastPosition, Ending.CLEAN, file, walk.stop,
                    walk.cycle << CYCLE_SHIFT | walk.documents, 0, "the writer's", List.of(), fileDocuments, true);
            }
        }
        if (left > 0)
        {
            throw JournalCorruptException.atPosition(String.valueOf(directory), 0, "the files hold " +
                (documents - left) + " of the " + documents + " documents the server has written");
        }
        return new JournalSurvey(files, 0, -1, -1, Ending.CLEAN, null, 0, -1, 0, "nothing", List.of(),
            fileDocuments, true);
    }

    /**
     * Surveys the queue for a reader, which must not change it: damaged queue metadata or table, which Chronicle
     * must not read, is refused (a server's start rebuilds both from the records).
     */
    static JournalSurvey forReading(final Path directory)
    {
        final JournalSurvey survey = of(directory);
        final QueueTable.Damage table = QueueTable.check(directory, survey.files, false);
        if (null != table)
        {
            throw JournalCorruptException.atPosition(table.file().toString(), table.position(), "the queue's table " +
                "is damaged: " + table.what() + "; " + REPAIRED_AT_START);
        }
        if (!survey.metadataDamage.isEmpty())
        {
            final MetadataDamage damage = survey.metadataDamage.get(0);
            throw JournalCorruptException.atPosition(damage.file().toString(), damage.position(), "the queue " +
                "file's own metadata is damaged: " + damage.what() + "; " + REPAIRED_AT_START);
        }
        return survey;
    }

    /** The cycle (days since the epoch) a queue file holds, from its name ({@code yyyyMMdd} then {@code F}). */
    static long cycle(final Path file)
    {
        final String name = file.getFileName().toString();
        return LocalDate.parse(name.substring(0, 8), CYCLE_NAME).toEpochDay();
    }

    /** @return the queue's day files in the folder, oldest first (none if there is no folder). */
    public static List<Path> queueFiles(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(directory))
        {
            return listing.filter(p -> p.getFileName().toString().endsWith(FILE_SUFFIX)).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list the journal folder " + directory, ex);
        }
    }

    static ByteBuffer map(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (channel.size() > Integer.MAX_VALUE)
            {
                throw JournalCorruptException.atPosition(file.toString(), 0, "a queue file over 2 GiB (" +
                    channel.size() + " bytes) is more than this build reads");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ORDER);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read journal file " + file, ex);
        }
    }

    static boolean isZero(final ByteBuffer map, final long from)
    {
        int p = (int)from;
        final int limit = map.limit();
        for (; p + Long.BYTES <= limit; p += Long.BYTES)
        {
            if (map.getLong(p) != 0)
            {
                return false;
            }
        }
        for (; p < limit; p++)
        {
            if (map.get(p) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** A record found by its own framing: where, and its sequence. */
    record SoundRecord(Path file, long position, long sequence)
    {
        @Override
        public String toString()
        {
            return file + ", byte " + position + " (sequence " + sequence + ")";
        }
    }

    /** The first sound record from {@code from} in file {@code f} to the end of the journal, or null. */
    private static SoundRecord findSoundRecord(final List<Path> files, final int f, final ByteBuffer first,
        final long from, final JournalRecord codec)
    {
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(512);
        for (int i = f; i < files.size(); i++)
        {
            final ByteBuffer map = i == f ? first : map(files.get(i));
            for (int p = i == f ? (int)((from + 3) & ~3L) : 0; p + MIN_LENGTH <= map.limit(); p += 4)
            {
                if (soundLength(map, p, codec, scratch) > 0)
                {
                    return new SoundRecord(files.get(i), p, map.getLong(p + JournalLayout.SEQUENCE_OFFSET));
                }
            }
        }
        return null;
    }

    /**
     * By the record's own framing (length field, version, CRC-32C), whatever header is or is not before it.
     *
     * @param scratch a reusable buffer, grown as needed.
     * @return the length of the sound record at {@code p}, or 0 if there is none.
     */
    private static int soundLength(final ByteBuffer map, final int p, final JournalRecord codec,
        final ExpandableArrayBuffer scratch)
    {
        if (p + MIN_LENGTH > map.limit())
        {
            return 0;
        }
        final int length = map.getInt(p + LENGTH_OFFSET);
        if (length < MIN_LENGTH || length > map.limit() - p)
        {
            return 0;
        }
        final short version = map.getShort(p + VERSION_OFFSET);
        if (!JournalRecord.isKnownVersion(version))
        {
            return 0;
        }
        scratch.checkLimit(length);
        map.get(p, scratch.byteArray(), 0, length);
        return codec.isDamaged(scratch.byteArray(), length) ? 0 : length;
    }

    /** The position of the document after the one at {@code position} with a body of {@code length} bytes. */
    static int nextDocument(final int position, final int length)
    {
        return (position + Integer.BYTES + length + 3) & ~3;
    }

    /** One pass over one file's document headers. */
    private static final class Walk
    {
        final ByteBuffer map;
        final JournalRecord codec;
        final long cycle;
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(512);
        final QueueFileMetadata metadata;
        /** Data documents walked; where the walk stopped and why (null: a zero header or the file's end). */
        int documents;
        long stop;
        String problem;
        boolean unfinished;
        boolean endOfData;
        /** Where the final run of damaged data documents begins, and how many data documents precede it. */
        long damagedFrom = -1;
        int damagedNumber;
        /** Positions of the last data document, and of the last sound one before the final damaged run. */
        long lastData = -1;
        long keptPosition = -1;

        /** Data documents to walk at most (a journal being written: what its writer has finished). */
        final long budget;
        /** False for a journal being written, whose indexes its writer may be filling in. */
        final boolean checkMetadata;

        Walk(final long cycle, final ByteBuffer map, final JournalRecord codec)
        {
            this(cycle, map, codec, Long.MAX_VALUE, true);
        }

        Walk(final long cycle, final ByteBuffer map, final JournalRecord codec, final long budget,
            final boolean checkMetadata)
        {
            this.cycle = cycle;
            this.map = map;
            this.codec = codec;
            this.metadata = new QueueFileMetadata(map);
            this.budget = budget;
            this.checkMetadata = checkMetadata;
        }

        void run()
        {
            final int limit = map.limit();
            int p = 0;
            while (p + Integer.BYTES <= limit && documents < budget)
            {
                if (p == 0 && map.getInt(0) == 0)
                {
                    break; // a file created and never written
                }
                if (p == 0 || p == QueueFileMetadata.FIRST_INDEX2INDEX || p == QueueFileMetadata.FIRST_INDEX)
                {
                    final int next = metadata.fixed(p);
                    if (next < 0)
                    {
                        problem = "a file too short to hold the queue's own metadata (" + limit + " bytes)";
                        break;
                    }
                    p = next;
                    continue;
                }
                final int header = map.getInt(p);
                if (header == 0 || header == END_OF_DATA)
                {
                    endOfData = header == END_OF_DATA;
                    break;
                }
                final int length = header & LENGTH_MASK;
                if (header == NOT_COMPLETE)
                {
                    // how Chronicle marks a document while it is written: the length comes when it is complete
                    unfinished = true;
                    problem = "a document a writer began and never finished";
                    break;
                }
                if ((header & NOT_COMPLETE) != 0)
                {
                    problem = "a damaged document header (0x" + Integer.toHexString(header) + ": marked unfinished " +
                        "but with a length)";
                    break;
                }
                if (length == 0 || length > limit - p - Integer.BYTES)
                {
                    problem = "a document header of " + length + " bytes that runs past the file's end (0x" +
                        Integer.toHexString(header) + ")";
                    break;
                }
                if ((header & META_DATA) == 0)
                {
                    if (checkMetadata)
                    {
                        metadata.data(p, documents);
                    }
                    checkRecord(p, length);
                }
                else if (!metadata.metadata(p, length))
                {
                    problem = "a metadata document that is not one of the queue's indexes";
                    break;
                }
                p = nextDocument(p, length);
            }
            stop = p;
            if (null == problem && damagedFrom < 0 && checkMetadata)
            {
                metadata.finish(documents, (int)lastData);
            }
        }

        private void checkRecord(final int p, final int length)
        {
            scratch.checkLimit(length);
            map.get(p + Integer.BYTES, scratch.byteArray(), 0, length);
            if (codec.isDamaged(scratch.byteArray(), length))
            {
                if (damagedFrom < 0)
                {
                    damagedFrom = p;
                    damagedNumber = documents;
                    keptPosition = lastData;
                }
            }
            else
            {
                damagedFrom = -1;
                keptPosition = p;
            }
            lastData = p;
            documents++;
        }

        /**
         * Where the search for sound records after the end starts: the end itself, or, after an unfinished document,
         * past the one record it may hold in full (written, but its header not yet marked complete).
         */
        long searchFrom(final long endPosition)
        {
            if (damagedFrom >= 0 || !unfinished)
            {
                return endPosition;
            }
            final int body = (int)stop + Integer.BYTES;
            return body + soundLength(map, body, codec, scratch);
        }

        String describe()
        {
            final List<String> parts = new ArrayList<>();
            if (damagedFrom >= 0)
            {
                parts.add((documents - damagedNumber) + " damaged record(s) (checksum mismatch or torn) from byte " +
                    damagedFrom);
            }
            if (null != problem)
            {
                parts.add(problem + " at byte " + stop);
            }
            else if (!endOfData && !isZero(map, stop))
            {
                parts.add("non-zero bytes after the last document, which ends at byte " + stop);
            }
            return parts.isEmpty() ? "the end of the file at byte " + stop : String.join(", then ", parts);
        }
    }
}
