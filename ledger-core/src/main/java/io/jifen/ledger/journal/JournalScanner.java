package io.jifen.ledger.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a journal's sound records in order, checking what every reader must: each record's checksum and version,
 * its link in the hash chain, that damaged documents are only ever the journal's last ones or excused by a
 * tail-discarded marker after them (markers are consumed here, never returned), and, at the end, that Chronicle's
 * reader delivered every document a {@link JournalSurvey} of the files counted (so a damaged header can never pass
 * for the journal's end). Replay and the dump tool both read through it, so they agree on what the journal holds.
 */
public final class JournalScanner implements AutoCloseable
{
    private final Journal.Reader reader;
    private final java.nio.file.Path directory;
    private final JournalSurvey survey;
    private final JournalRecord codec = new JournalRecord();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
    private final byte[] previousChain = new byte[JournalRecord.CHAIN_LENGTH];
    private long lastSequence;
    private long documents;
    private long lastIndex = -1;
    private int damaged;
    private long firstDamagedIndex = -1;
    private String firstDamagedFile;
    private String firstDamage;

    /**
     * Told about what the scanner passes over: damaged documents and tail-discarded markers.
     */
    public interface Observer
    {
        void onDamaged(long index, int length);

        void onTailDiscarded(DirectBuffer marker);
    }

    private final Observer observer;

    public JournalScanner(final Journal journal)
    {
        this(journal, null, null);
    }

    /**
     * @param survey the journal's files as surveyed just before (a server's recovery did), or null to survey them
     * here.
     */
    public JournalScanner(final Journal journal, final Observer observer, final JournalSurvey survey)
    {
        this(journal, observer, survey, null);
    }

    /**
     * @param from where to start: after this document, which the journal must confirm; null for the beginning.
     * @throws ResumePointException if the journal does not confirm {@code from}.
     */
    public JournalScanner(final Journal journal, final Observer observer, final JournalSurvey survey,
        final ResumePoint from)
    {
        this.survey = null != survey ? survey : null != journal.survey() ? journal.survey() :
            JournalSurvey.of(journal.directory());
        this.observer = observer;
        this.directory = journal.directory();
        try
        {
            this.reader = journal.openReader();
        }
        catch (final Exception | InternalError ex)
        {
            throw chronicleFailed(ex);
        }
        if (null != from)
        {
            try
            {
                resumeAfter(from);
            }
            catch (final RuntimeException ex)
            {
                reader.close();
                throw ex;
            }
        }
    }

    /** Reads the document at the resume point, checks the journal confirms it, and carries on after it. */
    private void resumeAfter(final ResumePoint from)
    {
        final String where = "the journal in " + directory + " ";
        if (from.queueIndex() > survey.lastIndex || !moveTo(from.queueIndex()) || !readNext() ||
            reader.index() != from.queueIndex())
        {
            throw new ResumePointException(where + "holds no document at queue index 0x" +
                Long.toHexString(from.queueIndex()) + " (its last sound one is 0x" +
                Long.toHexString(survey.lastIndex) + ")");
        }
        final byte[] bytes = reader.record();
        final int length = reader.length();
        if (codec.isDamaged(bytes, length) || null != codec.verify(bytes, length))
        {
            throw new ResumePointException(where + "holds a damaged document at queue index 0x" +
                Long.toHexString(from.queueIndex()) + " (" + reader.file() + ")");
        }
        view.wrap(bytes, 0, length);
        final byte[] ends = java.util.Arrays.copyOfRange(bytes, length - JournalLayout.TRAILER_LENGTH,
            length - JournalLayout.TRAILER_LENGTH + chain.length);
        final boolean sameSequence = JournalRecord.sequence(view) == from.sequence();
        final boolean sameChain = java.util.Arrays.equals(ends, from.chain());
        if (!sameSequence || !sameChain)
        {
            throw new ResumePointException(where + "holds another document at queue index 0x" +
                Long.toHexString(from.queueIndex()) + " (" + reader.file() + "): " + (sameSequence ? "" :
                "sequence " + JournalRecord.sequence(view) + " where " + from.sequence() + " was expected" +
                (sameChain ? "" : ", and ")) + (sameChain ? "" : "a different chain value"));
        }
        System.arraycopy(ends, 0, chain, 0, chain.length);
        lastSequence = from.sequence();
        lastIndex = from.queueIndex();
        documents = survey.documentsThrough(from.queueIndex());
    }

    private boolean moveTo(final long queueIndex)
    {
        try
        {
            return reader.moveTo(queueIndex);
        }
        catch (final Exception | InternalError ex)
        {
            throw chronicleFailed(ex);
        }
    }

    /** What the files held when the scanner started. */
    public JournalSurvey survey()
    {
        return survey;
    }

    /**
     * Moves to the next sound ledger record.
     *
     * @return false at the end of the journal (check {@link #damagedTailCount()} then).
     * @throws JournalCorruptException for anything but a damaged tail.
     */
    public boolean next()
    {
        while (readNext())
        {
            final byte[] bytes = reader.record();
            final int length = reader.length();
            documents++;
            if (codec.isDamaged(bytes, length))
            {
                if (damaged++ == 0)
                {
                    firstDamagedIndex = reader.index();
                    firstDamagedFile = reader.file();
                    firstDamage = "damaged record (" + length + " bytes, checksum mismatch or torn)";
                }
                if (null != observer)
                {
                    observer.onDamaged(reader.index(), length);
                }
                continue;
            }
            final String problem = codec.verify(bytes, length);
            if (null != problem)
            {
                throw new JournalCorruptException(reader.file(), reader.index(), problem);
            }
            view.wrap(bytes, 0, length);
            final boolean follows = codec.chainFollows(bytes, length, chain);
            if (JournalRecord.type(view) == JournalRecord.TAIL_DISCARDED_TYPE)
            {
                // the discarded documents are before the marker (older builds), or were removed from the files
                // (the marker then names the place they had, after the previous document)
                final boolean excuses = damaged > 0 ?
                    JournalRecord.discardedFirstIndex(view) == firstDamagedIndex &&
                    JournalRecord.discardedCount(view) == damaged :
                    JournalRecord.discardedFirstIndex(view) > lastIndex;
                if (!excuses || !follows || JournalRecord.sequence(view) != lastSequence)
                {
                    throw new JournalCorruptException(reader.file(), reader.index(),
                        "a tail-discarded marker that does not match the damaged records before it");
                }
                advanceChain(bytes, length);
                damaged = 0;
                lastIndex = reader.index();
                if (null != observer)
                {
                    observer.onTailDiscarded(view);
                }
                continue;
            }
            if (damaged > 0)
            {
                throw new JournalCorruptException(firstDamagedFile, firstDamagedIndex, firstDamage +
                    " (and good records follow it: this is not a torn tail)");
            }
            if (!follows)
            {
                throw chainBroken();
            }
            advanceChain(bytes, length);
            lastSequence = JournalRecord.sequence(view);
            lastIndex = reader.index();
            return true;
        }
        checkEnd();
        return false;
    }

    /** The current record does not link to the one before it: why, in words an operator can act on. */
    private JournalCorruptException chainBroken()
    {
        final long sequence = JournalRecord.sequence(view);
        if (lastIndex < 0 && sequence > 1)
        {
            return new JournalCorruptException(reader.file(), reader.index(), "the journal's first record is " +
                "sequence " + sequence + ": the records before it are not in the folder (archived by 'ledger " +
                "journal archive'?); replaying it needs a snapshot at or after sequence " + (sequence - 1) +
                " that the journal confirms, or the archived files back in the folder");
        }
        return new JournalCorruptException(reader.file(), reader.index(), "hash chain broken: the record does " +
            "not follow the one before it (altered, removed or inserted records)");
    }

    private boolean readNext()
    {
        if (survey.live && documents >= survey.documents)
        {
            return false; // what follows is the writer's, not finished when the survey was taken
        }
        try
        {
            return reader.next();
        }
        catch (final Exception | InternalError ex)
        {
            throw chronicleFailed(ex);
        }
    }

    /** Chronicle failing on its own structures (a damaged queue header, say): name what the survey knows. */
    private JournalCorruptException chronicleFailed(final Throwable ex)
    {
        return JournalCorruptException.atPosition(String.valueOf(survey.endFile), survey.endPosition,
            "Chronicle Queue cannot read the journal after " + documents + " document(s): " + ex + " (the files " +
            "hold " + survey.documents + " before byte " + survey.endPosition + " of the last one)");
    }

    /**
     * At the end: Chronicle's reader must have delivered every document the files hold before their tail (more may
     * follow in a journal a server is still writing); fewer means a damaged header hides part of the journal.
     */
    private void checkEnd()
    {
        final long delivered = documents - damaged;
        if (delivered < survey.documents || delivered == survey.documents && lastIndex != survey.lastIndex)
        {
            throw JournalCorruptException.atPosition(String.valueOf(survey.endFile), survey.endPosition,
                "the queue's reader stopped after " + delivered + " document(s) (last queue index 0x" +
                Long.toHexString(lastIndex) + ") but the files hold " + survey.documents + " before their end " +
                "(last queue index 0x" + Long.toHexString(survey.lastIndex) + "): a damaged document header or " +
                "queue header hides part of the journal");
        }
    }

    private void advanceChain(final byte[] bytes, final int length)
    {
        System.arraycopy(chain, 0, previousChain, 0, chain.length);
        System.arraycopy(bytes, length - JournalLayout.TRAILER_LENGTH, chain, 0, chain.length);
    }

    /** The current record, in a reused buffer. */
    public DirectBuffer record()
    {
        return view;
    }

    public byte[] bytes()
    {
        return reader.record();
    }

    public int length()
    {
        return reader.length();
    }

    public long index()
    {
        return reader.index();
    }

    public String file()
    {
        return reader.file();
    }

    /** The chain value the current record links from. */
    public byte[] previousChain()
    {
        return previousChain;
    }

    /** The chain value of the last record or marker read: what the next record links to. */
    public byte[] chain()
    {
        return chain;
    }

    /** Documents read so far: sound, damaged or markers. */
    public long documents()
    {
        return documents;
    }

    /** The queue index of the last sound record or marker read (-1 if none). */
    public long lastIndex()
    {
        return lastIndex;
    }

    /** Damaged documents at the end of the journal, not excused by a marker (0 if none). */
    public int damagedTailCount()
    {
        return damaged;
    }

    public long damagedTailIndex()
    {
        return damaged > 0 ? firstDamagedIndex : -1;
    }

    /**
     * @return the exception for an unexcused damaged tail, naming the first damaged document.
     */
    public JournalCorruptException damagedTail(final String advice)
    {
        return new JournalCorruptException(firstDamagedFile, firstDamagedIndex,
            firstDamage + "; the " + damaged + " damaged record(s) are the journal's last" + advice);
    }

    /**
     * Lets another thread read on from here (Chronicle's reader checks that one thread uses it); the caller must not
     * use the scanner afterwards until that thread is done with it.
     */
    void handOver()
    {
        reader.handOver();
    }

    @Override
    public void close()
    {
        reader.close();
    }
}
