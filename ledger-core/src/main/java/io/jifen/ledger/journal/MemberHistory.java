package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The index behind members' statements: for every (record, member it touched), an entry with the member's key, the
 * record's queue index and the member's previous entry, so each member's entries form a chain, newest first; and the
 * newest entry of every member. A page of a statement walks the chain and renders each record ({@link Statements}).
 * <p>
 * Built by one thread that follows the journal ({@link #poll}) once records are durable, never by the writer; read by
 * any thread. Entries are 24 bytes in a memory-mapped file ({@code DATA/history/entries}, in segments of 1 Mi
 * entries), so the statements of a long history live in the page cache, not the heap; the newest entry of each member
 * is on the heap (an open-addressing map of longs). The file is rebuilt from the journal at every start: the journal
 * is the only record of what happened, and an index that cannot disagree with it needs no recovery of its own.
 * <p>
 * A member's key is a 64-bit hash of its program and id: two members whose keys collide share a chain, and a page
 * leaves out every record that does not name the member it is for.
 */
public final class MemberHistory implements AutoCloseable
{
    public static final String DIRECTORY = "history";
    static final int ENTRY_LENGTH = 3 * Long.BYTES;
    private static final int SEGMENT_SHIFT = 20;
    private static final long SEGMENT_ENTRIES = 1L << SEGMENT_SHIFT;
    private static final long SEGMENT_BYTES = SEGMENT_ENTRIES * ENTRY_LENGTH;

    private final Path file;
    private final FileChannel channel;
    private volatile MappedByteBuffer[] segments = new MappedByteBuffer[0];
    private final Long2LongHashMap newest = new Long2LongHashMap(-1);
    private final JournalFollower follower;
    private final Statements.Parsed parsed = new Statements.Parsed();
    /** Entries written; readers see entries below it (published after the entry's bytes). */
    private volatile long count;
    private volatile long indexedSequence;

    /**
     * Opens the index in {@code data/history}, empty, to be built from the first record of the journal.
     *
     * @param firstProgramNow the ledger's first program's name now (see {@link JournalFollower}).
     */
    public MemberHistory(final Journal journal, final Path data, final String firstProgramNow) throws IOException
    {
        this(journal, data, firstProgramNow, io.jifen.ledger.core.Program.defaultProgram().name());
    }

    /** The same, for a journal whose records before its first {@code set_program} are of this program. */
    public MemberHistory(final Journal journal, final Path data, final String firstProgramNow,
        final String firstProgramAtStart) throws IOException
    {
        final Path directory = data.resolve(DIRECTORY);
        Files.createDirectories(directory);
        file = directory.resolve("entries");
        Files.deleteIfExists(file);
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        // every record the folder holds: after an archive, statements start at its first record
        follower = new JournalFollower(journal, -1, firstProgramNow, firstProgramAtStart);
    }

    /**
     * Indexes up to {@code max} more records, those at most {@code durableSequence}.
     *
     * @return how many records it read.
     * @throws JournalCorruptException where the journal is damaged (the index stops there).
     */
    public int poll(final long durableSequence, final int max)
    {
        int read = 0;
        while (read < max && follower.next(durableSequence))
        {
            final UnsafeBuffer record = follower.record();
            final long queueIndex = follower.index();
            Statements.membersOf(record, follower.firstProgram(), parsed, (program, member) -> append(program,
                member, queueIndex));
            indexedSequence = follower.sequence();
            read++;
        }
        return read;
    }

    /** @return true if the last poll stopped while still passing over records (call again at once). */
    public boolean busy()
    {
        return follower.positioning();
    }

    /** @return the sequence of the last record indexed: statements show every record up to it. */
    public long indexedSequence()
    {
        return indexedSequence;
    }

    /** @return the first program's name as of the last record indexed. */
    public String firstProgram()
    {
        return follower.firstProgram();
    }

    private void append(final String program, final String member, final long queueIndex)
    {
        final long key = key(program, member);
        final long entry = count;
        final long previous;
        synchronized (newest)
        {
            previous = newest.get(key);
        }
        final MappedByteBuffer segment = segmentFor(entry);
        final int at = (int)((entry & (SEGMENT_ENTRIES - 1)) * ENTRY_LENGTH);
        segment.putLong(at, key);
        segment.putLong(at + Long.BYTES, queueIndex);
        segment.putLong(at + 2 * Long.BYTES, previous);
        count = entry + 1;
        synchronized (newest)
        {
            newest.put(key, entry);
        }
    }

    private MappedByteBuffer segmentFor(final long entry)
    {
        final int index = (int)(entry >>> SEGMENT_SHIFT);
        MappedByteBuffer[] current = segments;
        if (index >= current.length)
        {
            final MappedByteBuffer[] grown = java.util.Arrays.copyOf(current, index + 1);
            try
            {
                grown[index] = channel.map(FileChannel.MapMode.READ_WRITE, index * SEGMENT_BYTES, SEGMENT_BYTES);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot grow the history index " + file, ex);
            }
            segments = grown;
            current = grown;
        }
        return current[index];
    }

    /** @return the member's newest entry, or -1 if no record indexed names it. */
    public long newest(final String program, final String member)
    {
        synchronized (newest)
        {
            return newest.get(key(program, member));
        }
    }

    /**
     * Reads a page of a member's statement, newest first, from entry {@code from} (its newest: {@link #newest}).
     *
     * @param reader the caller's own reader of the journal (one per thread).
     * @param into receives the page's lines (appended): at most {@code limit}.
     * @param fromSequence the sequence of the record of entry {@code from} (a page token carries it), or -1 for the
     * member's newest entry: an entry number that names another record (an index rebuilt over other files) is refused.
     * @return the entry the next page starts at, or -1 when the statement is complete; {@link #ARCHIVED} when an older
     * record is not in the journal's folder any more (archived).
     * @throws NotAnEntryException if {@code from} is not an entry of this member's chain, or not of that record.
     */
    public long page(final String program, final String member, final long from, final long fromSequence,
        final int limit, final String firstProgram, final Journal.Reader reader, final List<StatementLine> into)
    {
        final long key = key(program, member);
        final long published = count;
        if (from < 0 || from >= published || keyAt(from) != key)
        {
            throw new NotAnEntryException("not an entry of this member's statement: " + from);
        }
        final JournalRecord codec = new JournalRecord();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        final Statements.Parsed scratch = new Statements.Parsed();
        long entry = from;
        final int end = into.size() + limit;
        while (entry >= 0 && into.size() < end)
        {
            final MappedByteBuffer segment = segments[(int)(entry >>> SEGMENT_SHIFT)];
            final int at = (int)((entry & (SEGMENT_ENTRIES - 1)) * ENTRY_LENGTH);
            final long queueIndex = segment.getLong(at + Long.BYTES);
            final long previous = segment.getLong(at + 2 * Long.BYTES);
            if (segment.getLong(at) == key)
            {
                if (!reader.moveTo(queueIndex) || !reader.next())
                {
                    return ARCHIVED;
                }
                final String problem = codec.verify(reader.record(), reader.length());
                if (null != problem)
                {
                    throw new JournalCorruptException(reader.file(), reader.index(), problem);
                }
                view.wrap(reader.record(), 0, reader.length());
                if (entry == from && fromSequence >= 0 && JournalRecord.sequence(view) != fromSequence)
                {
                    throw new NotAnEntryException("entry " + from + " is of record " + JournalRecord.sequence(view) +
                        ", not " + fromSequence);
                }
                final StatementLine line = new StatementLine();
                if (Statements.render(view, program, member, firstProgram, scratch, line))
                {
                    into.add(line);
                }
            }
            entry = previous;
        }
        return entry;
    }

    /** A page asked from an entry that is not one of the member's (a token of another member, or a stale one). */
    public static final class NotAnEntryException extends IllegalArgumentException
    {
        NotAnEntryException(final String message)
        {
            super(message);
        }
    }

    /** {@link #page}'s answer when the rest of a statement is in archived journal files. */
    public static final long ARCHIVED = Long.MIN_VALUE;

    private long keyAt(final long entry)
    {
        return segments[(int)(entry >>> SEGMENT_SHIFT)].getLong((int)((entry & (SEGMENT_ENTRIES - 1)) * ENTRY_LENGTH));
    }

    /**
     * @return the sequence of the record of an entry (for a page token that starts at it), or -1 if the record is not
     * in the journal's folder.
     */
    public long sequenceOf(final long entry, final Journal.Reader reader)
    {
        final MappedByteBuffer segment = segments[(int)(entry >>> SEGMENT_SHIFT)];
        final long queueIndex = segment.getLong((int)((entry & (SEGMENT_ENTRIES - 1)) * ENTRY_LENGTH) + Long.BYTES);
        if (!reader.moveTo(queueIndex) || !reader.next())
        {
            return -1;
        }
        return JournalRecord.sequence(new UnsafeBuffer(reader.record(), 0, reader.length()));
    }

    /** @return the number of entries. */
    public long entries()
    {
        return count;
    }

    /** A member's key: FNV-1a over its program's name, a 0 char and its id, then a 64-bit finaliser. */
    static long key(final String program, final String member)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < program.length(); i++)
        {
            h = (h ^ program.charAt(i)) * 0x100000001b3L;
        }
        h *= 0x100000001b3L;
        for (int i = 0; i < member.length(); i++)
        {
            h = (h ^ member.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    @Override
    public void close()
    {
        follower.close();
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
