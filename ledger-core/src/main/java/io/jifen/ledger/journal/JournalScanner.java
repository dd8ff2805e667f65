package io.jifen.ledger.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a journal's sound records in order, checking what every reader must: each record's checksum and version,
 * its link in the hash chain, and that damaged documents are only ever the journal's last ones or excused by a
 * tail-discarded marker after them (markers are consumed here, never returned). Replay and the dump tool both read
 * through it, so they agree on what the journal holds.
 */
public final class JournalScanner implements AutoCloseable
{
    private final Journal.Reader reader;
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
        this(journal, null);
    }

    public JournalScanner(final Journal journal, final Observer observer)
    {
        this.reader = journal.openReader();
        this.observer = observer;
    }

    /**
     * Moves to the next sound ledger record.
     *
     * @return false at the end of the journal (check {@link #damagedTailCount()} then).
     * @throws JournalCorruptException for anything but a damaged tail.
     */
    public boolean next()
    {
        while (reader.next())
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
                throw new JournalCorruptException(reader.file(), reader.index(), "hash chain broken: the record " +
                    "does not follow the one before it (altered, removed or inserted records)");
            }
            advanceChain(bytes, length);
            lastSequence = JournalRecord.sequence(view);
            lastIndex = reader.index();
            return true;
        }
        return false;
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

    @Override
    public void close()
    {
        reader.close();
    }
}
