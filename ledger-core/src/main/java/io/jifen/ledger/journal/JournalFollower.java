package io.jifen.ledger.journal;

import java.nio.file.Path;
import java.util.List;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Program;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Follows a journal that a server is writing, from after a given sequence, for a change stream: each ledger record in
 * order, decoded, and only once the writer says it is durable (a record read before then waits, unreported). It reads
 * the queue files on its own thread with its own reader, never touching the writer's.
 * <p>
 * Every record is checked as it is read: its checksum, and that its sequence follows the one before (the records of a
 * journal are numbered without gaps). Anything else stops the follower with a {@link JournalCorruptException} naming
 * the file and position, so a subscriber never receives an event the journal does not hold, nor misses one silently.
 * Positioning jumps through the queue's index: the day file, then the document, holding the start sequence are
 * found by binary search on the sequences the documents carry (records are numbered in queue order), about 32 reads
 * per file whatever the journal's length. Where a probe meets a document that is not sound, it reads from the first
 * file instead, checking each record on the way, a bounded number per call so the caller can stop between calls.
 * Records without a program id read before the first program's {@code set_program} is seen belong to the first
 * program as it is named now.
 */
public final class JournalFollower implements AutoCloseable
{
    /** FAST_DAILY: a queue index is the day file's cycle in the high 32 bits, the document's place in the low. */
    private static final int CYCLE_SHIFT = 32;
    /** Records skipped on the way to the start at most per call of {@link #next}. */
    private static final int SKIPS_PER_CALL = 4096;
    /** What a probe answers for a document that is not sound: positioning falls back to reading from the start. */
    private static final long UNSOUND = Long.MIN_VALUE;

    private final Journal.Reader reader;
    private final Path directory;
    private final JournalRecord codec = new JournalRecord();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final Command decoded = new Command();
    private final long after;
    private final String firstProgramNow;
    private boolean positioned;
    /** The sequence of the last record read (delivered, skipped, or waiting); 0 before the first. */
    private long lastRead;
    private boolean waiting;
    private boolean budgetSpent;
    private long waitingSequence;
    /** The name of the ledger's first program as of the last record read: what a record without a program id means. */
    private String firstProgram;

    /**
     * @param afterSequence the last sequence the subscriber has: the first record reported is the one after it; -1
     * for every record the journal's folder holds, from its first (wherever an archive left it).
     * @param firstProgramNow the name of the ledger's first program now: what records without a program id belong to
     * when the journal's first files were archived with the record that named it.
     */
    public JournalFollower(final Journal journal, final long afterSequence, final String firstProgramNow)
    {
        this(journal, afterSequence, firstProgramNow, Program.defaultProgram().name());
    }

    /**
     * @param firstProgramAtStart what records without a program id belong to before the journal's first
     * {@code set_program} of the first program (a server's journal starts with one; a test's may not).
     */
    public JournalFollower(final Journal journal, final long afterSequence, final String firstProgramNow,
        final String firstProgramAtStart)
    {
        this.firstProgram = firstProgramAtStart;
        this.after = afterSequence;
        this.firstProgramNow = firstProgramNow;
        this.directory = journal.directory();
        this.reader = journal.openReader();
    }

    /**
     * Moves the reader to the last document whose sequence is at most the start sequence, found through the index; it
     * stays at the journal's beginning when the start is 0, when no document is that early, or when a probe reads a
     * document that is not sound (the reads from the beginning then report it where it is).
     */
    private void position()
    {
        positioned = true;
        final List<Path> files = JournalSurvey.queueFiles(directory);
        if (after <= 0 || files.isEmpty())
        {
            return;
        }
        long found = -1;
        for (int f = files.size() - 1; f >= 0; f--)
        {
            final long first = JournalSurvey.cycle(files.get(f)) << CYCLE_SHIFT;
            final long firstSequence = sequenceAt(first);
            if (firstSequence == UNSOUND)
            {
                break;
            }
            if (firstSequence <= after)
            {
                found = lastAtMostTheStart(first); // UNSOUND (-1 here) falls back as well
                break;
            }
        }
        // a probe that met an unsound document, or no document that early: read from the beginning
        reader.moveTo(found >= 0 ? found : JournalSurvey.cycle(files.get(0)) << CYCLE_SHIFT);
    }

    /**
     * @return the queue index of the last document of the day file starting at {@code first} whose sequence is at
     * most the start (the first one is), or -1 if a probe met a document that is not sound.
     */
    private long lastAtMostTheStart(final long first)
    {
        long low = 0;
        long high = (1L << CYCLE_SHIFT) - 1;
        while (low < high)
        {
            final long mid = (low + high + 1) >>> 1;
            final long sequence = sequenceAt(first + mid);
            if (sequence == UNSOUND)
            {
                return -1;
            }
            if (sequence <= after)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return first + low;
    }

    /**
     * @return the sequence a sound document at the queue index carries, Long.MAX_VALUE past the file's last
     * document, or {@link #UNSOUND}.
     */
    private long sequenceAt(final long queueIndex)
    {
        if (!reader.moveTo(queueIndex) || !reader.next())
        {
            return Long.MAX_VALUE;
        }
        final byte[] bytes = reader.record();
        final int length = reader.length();
        if (codec.isDamaged(bytes, length) || null != codec.verify(bytes, length))
        {
            return UNSOUND;
        }
        view.wrap(bytes, 0, length);
        return JournalRecord.sequence(view);
    }

    /**
     * Moves to the next record after the start sequence that is durable.
     *
     * @param durableSequence the writer's last durable record: records after it are not reported yet.
     * @return true with the record in {@link #record()}; false if there is none to report yet.
     * @throws JournalCorruptException for a damaged record, or a record out of sequence.
     */
    public boolean next(final long durableSequence)
    {
        if (!positioned)
        {
            position();
        }
        budgetSpent = false;
        for (int skipped = 0; ; skipped++)
        {
            if (skipped == SKIPS_PER_CALL)
            {
                budgetSpent = true; // still on the way to the start: the caller may stop, or call again at once
                return false;
            }
            if (!waiting)
            {
                if (!readNext())
                {
                    return false;
                }
            }
            if (waitingSequence > durableSequence)
            {
                waiting = true;
                return false;
            }
            waiting = false;
            if (waitingSequence > after)
            {
                return true;
            }
        }
    }

    /** @return true if the last {@link #next} stopped on its way to the start, with more records to pass over. */
    public boolean positioning()
    {
        return budgetSpent;
    }

    /** @return true if a ledger record was read (markers are skipped); false at the current end of the journal. */
    private boolean readNext()
    {
        while (reader.next())
        {
            final byte[] bytes = reader.record();
            final int length = reader.length();
            final String problem = codec.isDamaged(bytes, length) ? "damaged record" : codec.verify(bytes, length);
            if (null != problem)
            {
                throw new JournalCorruptException(reader.file(), reader.index(), problem);
            }
            view.wrap(bytes, 0, length);
            if (JournalRecord.type(view) == JournalRecord.TAIL_DISCARDED_TYPE)
            {
                continue;
            }
            final long sequence = JournalRecord.sequence(view);
            if (after >= 0 && lastRead == 0 && sequence > after + 1 && sequence > 1)
            {
                throw new ArchivedException("the journal in " + reader.file() + " starts at sequence " + sequence +
                    ": the records after " + after + " up to " + (sequence - 1) + " are not in its folder (archived " +
                    "by 'ledger journal archive'?)");
            }
            if (lastRead > 0 && sequence != lastRead + 1)
            {
                throw new JournalCorruptException(reader.file(), reader.index(),
                    "sequence " + sequence + " follows " + lastRead);
            }
            if (lastRead == 0 && sequence > 1)
            {
                firstProgram = firstProgramNow; // the record that named it was archived with the first files
            }
            lastRead = sequence;
            waitingSequence = sequence;
            if (JournalRecord.type(view) == CommandType.SET_PROGRAM.code())
            {
                JournalRecord.decodeCommand(view, decoded);
                if (null == decoded.programId || decoded.programId.isEmpty())
                {
                    firstProgram = Program.parse(decoded.programText).name();
                }
            }
            return true;
        }
        return false;
    }

    /** The current record: valid until the next call of {@link #next}. */
    public UnsafeBuffer record()
    {
        return view;
    }

    public long sequence()
    {
        return waitingSequence;
    }

    /** @return the queue index of the current record. */
    public long index()
    {
        return reader.index();
    }

    /** @return the name of the program a record without a program id belongs to, as of the current record. */
    public String firstProgram()
    {
        return firstProgram;
    }

    @Override
    public void close()
    {
        reader.close();
    }

    /** The records asked for were archived: they are not in the journal's folder any more. */
    public static final class ArchivedException extends RuntimeException
    {
        ArchivedException(final String message)
        {
            super(message);
        }
    }
}
