package io.jifen.ledger.journal;

import java.util.Arrays;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.LedgerStateMachine;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Rebuilds a state machine from a journal by applying every recorded command again at its recorded time, and checks
 * that each one produces exactly the record on disk: same sequence, same outcome, same lot-level effects, byte for
 * byte. Any difference stops the replay with a {@link JournalCorruptException} naming the file and position.
 */
public final class JournalReplay
{
    /**
     * Told about progress while replaying.
     */
    @FunctionalInterface
    public interface Progress
    {
        /**
         * Called once before the first record: about how many records the replay will read (the documents after its
         * resume point; a replay stopped early by time or sequence reads fewer).
         */
        default void onStart(final long records)
        {
        }

        void onProgress(long records, long sequence);

        /** Called once after the last record, whatever stopped the replay. */
        default void onEnd(final long records)
        {
        }
    }

    /**
     * What a replay did.
     */
    public static final class Result
    {
        public final long records;
        public final long lastSequence;
        public final long nanos;
        public final long stateHash;
        /**
         * The chain value the next record links to (after any tail-discarded marker); for a replay stopped early, the
         * chain value of the last record it applied.
         */
        public final byte[] chainHead;
        /** The chain value after the last ledger record replayed: with its sequence, what auditors anchor. */
        public final byte[] recordChain;
        /** A damaged tail left to discard: the queue index of its first document, and how many; -1 and 0 if none. */
        public final long damagedTailIndex;
        public final int damagedTailCount;
        /** The queue index of the last sound document read (a record or a marker), or -1 if none. */
        public final long lastIndex;

        Result(final long records, final long lastSequence, final long nanos, final long stateHash,
            final byte[] chainHead, final byte[] recordChain, final long damagedTailIndex, final int damagedTailCount,
            final long lastIndex)
        {
            this.lastIndex = lastIndex;
            this.recordChain = recordChain;
            this.damagedTailIndex = damagedTailIndex;
            this.damagedTailCount = damagedTailCount;
            this.records = records;
            this.lastSequence = lastSequence;
            this.nanos = nanos;
            this.stateHash = stateHash;
            this.chainHead = chainHead;
        }

        /**
         * @return where the replay ended, for a snapshot of the state it built (and a later replay from there); null
         * if it read nothing, or if damaged documents it did not discard are pending at its end.
         */
        public ResumePoint resumePoint()
        {
            return lastIndex < 0 || damagedTailCount > 0 ? null : new ResumePoint(lastSequence, lastIndex, chainHead);
        }

        /** @return the anchor of the last ledger record: its chain value in hex. */
        public String recordChainHex()
        {
            final StringBuilder sb = new StringBuilder(2 * recordChain.length);
            for (final byte b : recordChain)
            {
                sb.append(String.format("%02x", b & 0xFF));
            }
            return sb.toString();
        }
    }

    /**
     * Documents to read from which a replay reads the journal on a second thread. Below it, starting the thread costs
     * more than it saves (the storage-fault tests' thousands of small replays took 15% longer read ahead). Above it
     * the reading, about a tenth of a replay's work, leaves the replaying thread; on the project's two cores the gain
     * was inside the machine's noise (benchmarks/README.md).
     */
    static final long READ_AHEAD_FROM = 100_000;

    private JournalReplay()
    {
    }

    /**
     * Appends the marker that excuses a damaged tail found by a replay, linked to the last good record.
     *
     * @return the chain head after the marker: what the next record links to.
     */
    public static byte[] appendTailDiscarded(final Journal journal, final Result result)
    {
        return appendTailDiscarded(
            journal, result.lastSequence, result.chainHead, result.damagedTailIndex, result.damagedTailCount);
    }

    /**
     * Appends the marker for {@code count} documents from queue index {@code firstIndex} that recovery discarded,
     * linked to {@code chainHead}, after the record numbered {@code lastSequence}.
     *
     * @return the chain head after the marker: what the next record links to.
     */
    public static byte[] appendTailDiscarded(final Journal journal, final long lastSequence, final byte[] chainHead,
        final long firstIndex, final int count)
    {
        final JournalRecord codec = new JournalRecord();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
        final int length = codec.encodeTailDiscarded(buffer, lastSequence, firstIndex, count);
        final byte[] chain = chainHead.clone();
        codec.chain(buffer.byteArray(), length, chain);
        try (Journal.Appender appender = journal.openAppender())
        {
            appender.append(buffer.byteArray(), length);
            appender.sync();
        }
        return chain;
    }

    /**
     * @param progressEvery call progress every this many records (0 for never).
     */
    public static Result replay(
        final Journal journal,
        final LedgerStateMachine ledger,
        final long progressEvery,
        final Progress progress)
    {
        return replay(journal, ledger, Long.MAX_VALUE, Long.MAX_VALUE, false, progressEvery, progress, null);
    }

    /**
     * Replays the records stamped at or before {@code untilTimestamp} and numbered at most {@code untilSequence} (to
     * rebuild the state as of a past moment, or up to an anchored record).
     *
     * @param discardDamagedTail accept damaged documents at the very end of the journal (a write torn by a power
     * loss) and report them in the result, for {@link #appendTailDiscarded} to mark; damage anywhere else is fatal.
     * @param survey the journal's files as surveyed just before (by {@link JournalRecovery}), or null.
     */
    public static Result replay(
        final Journal journal,
        final LedgerStateMachine ledger,
        final long untilTimestamp,
        final long untilSequence,
        final boolean discardDamagedTail,
        final long progressEvery,
        final Progress progress,
        final JournalSurvey survey)
    {
        return replay(journal, ledger, null, untilTimestamp, untilSequence, discardDamagedTail, progressEvery,
            progress, survey);
    }

    /**
     * Replays the journal after a resume point (a snapshot's) into a ledger that holds the state as of it.
     *
     * @param from where {@code ledger} is; null for an empty ledger and the journal's beginning.
     * @throws ResumePointException if the journal does not confirm {@code from}.
     */
    public static Result replay(
        final Journal journal,
        final LedgerStateMachine ledger,
        final ResumePoint from,
        final long untilTimestamp,
        final long untilSequence,
        final boolean discardDamagedTail,
        final long progressEvery,
        final Progress progress,
        final JournalSurvey survey)
    {
        return replay(journal, ledger, from, untilTimestamp, untilSequence, discardDamagedTail, progressEvery,
            progress, survey, READ_AHEAD_FROM);
    }

    /**
     * As {@link #replay(Journal, LedgerStateMachine, ResumePoint, long, long, boolean, long, Progress, JournalSurvey)},
     * reading the journal on a second thread if it holds at least {@code readAheadFrom} documents to read.
     */
    static Result replay(
        final Journal journal,
        final LedgerStateMachine ledger,
        final ResumePoint from,
        final long untilTimestamp,
        final long untilSequence,
        final boolean discardDamagedTail,
        final long progressEvery,
        final Progress progress,
        final JournalSurvey survey,
        final long readAheadFrom)
    {
        final long start = System.nanoTime();
        final Replayer replayer = new Replayer(ledger);
        if (null != from && from.sequence() != ledger.lastSequence())
        {
            throw new IllegalArgumentException("the ledger is at sequence " + ledger.lastSequence() +
                ", not at the resume point's " + from);
        }
        final JournalScanner scanner = new JournalScanner(journal, null, survey, from);
        if (null != from)
        {
            System.arraycopy(from.chain(), 0, replayer.appliedChain, 0, JournalRecord.CHAIN_LENGTH);
            replayer.appliedIndex = from.queueIndex();
        }
        final JournalSurvey found = scanner.survey();
        final long toRead = found.documents - (null == from ? 0 : found.documentsThrough(from.queueIndex()));
        boolean atEnd = true;
        try (ReadAhead ahead = new ReadAhead(scanner, toRead >= readAheadFrom))
        {
            if (null != progress)
            {
                progress.onStart(toRead);
            }
            ReadAhead.Batch batch;
            do
            {
                batch = ahead.next();
                atEnd = replayer.applyAll(batch, untilTimestamp, untilSequence, progressEvery, progress);
                // damage past where the replay stops is not its business, as when it read one record at a time
                if (atEnd && batch.end && null != batch.failure)
                {
                    throw ReadAhead.rethrow(batch.failure);
                }
                ahead.recycle(batch);
            }
            while (atEnd && !batch.end);
        }
        // the reader is done: the scanner's fields are this thread's to read
        if (null != progress)
        {
            progress.onEnd(replayer.records);
        }
        if (atEnd && !discardDamagedTail && (scanner.damagedTailCount() > 0 ||
            found.ending == JournalSurvey.Ending.DAMAGED_TAIL && scanner.documents() == found.documents))
        {
            // damaged records Chronicle delivered, or damaged bytes only the survey saw (behind a zero header)
            throw scanner.damagedTailCount() > 0 ? scanner.damagedTail(": " + JournalRecovery.DISCARD_ADVICE) :
                JournalRecovery.damagedTail(found);
        }
        // stopped early, the reader has read past the last applied record: the replay ends at that one
        return new Result(replayer.records, ledger.lastSequence(), System.nanoTime() - start, ledger.stateHash(),
            atEnd ? scanner.chain().clone() : replayer.appliedChain.clone(), replayer.appliedChain,
            scanner.damagedTailIndex(), scanner.damagedTailCount(),
            atEnd ? scanner.lastIndex() : replayer.appliedIndex);
    }

    /**
     * Replays one record at a time: decodes it, applies it, and proves that the outcome re-encodes to the recorded
     * bytes; any difference stops the replay naming the file and the record.
     */
    private static final class Replayer
    {
        private final LedgerStateMachine ledger;
        private final JournalRecord codec = new JournalRecord();
        private final Command command = new Command();
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private final ExpandableArrayBuffer reencoded = new ExpandableArrayBuffer(512);
        /** The chain value of the last record applied. */
        private final byte[] appliedChain = new byte[JournalRecord.CHAIN_LENGTH];
        /** The queue index of the last record applied (-1: none). */
        private long appliedIndex = -1;
        private long records;
        /** Where the strings of the record being replayed end: its header and strings are not re-encoded. */
        private int stringsEnd;

        Replayer(final LedgerStateMachine ledger)
        {
            this.ledger = ledger;
        }

        /**
         * Applies a batch's records up to the first stamped after {@code untilTimestamp} or numbered after
         * {@code untilSequence}.
         *
         * @return false if the replay stops at one of them.
         */
        boolean applyAll(final ReadAhead.Batch batch, final long untilTimestamp, final long untilSequence,
            final long progressEvery, final Progress progress)
        {
            for (int i = 0; i < batch.count; i++)
            {
                final long sequence = decode(batch, i);
                if (command.timestamp > untilTimestamp || sequence > untilSequence)
                {
                    return false;
                }
                apply(batch, i, sequence);
                records++;
                if (progressEvery > 0 && records % progressEvery == 0)
                {
                    progress.onProgress(records, sequence);
                }
            }
            return true;
        }

        /**
         * @return the sequence of the batch's {@code i}th record, decoded into {@link #command}; where its strings end
         * in {@link #stringsEnd}.
         */
        private long decode(final ReadAhead.Batch batch, final int i)
        {
            view.wrap(batch.bytes, batch.offsets[i], batch.lengths[i]);
            try
            {
                stringsEnd = JournalRecord.decode(view, command);
                return JournalRecord.sequence(view);
            }
            catch (final RuntimeException ex)
            {
                throw new JournalCorruptException(batch.files[i], batch.indexes[i], "undecodable record: " + ex);
            }
        }

        private void apply(final ReadAhead.Batch batch, final int i, final long sequence)
        {
            final String file = batch.files[i];
            final long index = batch.indexes[i];
            if (sequence != ledger.lastSequence() + 1)
            {
                throw new JournalCorruptException(file, index, "sequence " + sequence + " follows " +
                    ledger.lastSequence());
            }
            try
            {
                ledger.apply(command);
            }
            catch (final RuntimeException ex)
            {
                throw new JournalCorruptException(file, index, "record " + sequence + " cannot be applied: " + ex);
            }
            if (!command.isJournaled() || command.sequence != sequence)
            {
                throw new JournalCorruptException(file, index, "record " + sequence +
                    " replayed to a different outcome: " + command.result + " sequence " + command.sequence);
            }
            final int offset = batch.offsets[i];
            final int length = batch.lengths[i];
            // the trailer (chain value, checksum) is a function of the bytes before it and the previous chain value,
            // which the scanner has checked for the recorded record: equal bytes before it mean an equal trailer, so
            // the replay neither hashes nor checksums the record a second time. Its header and strings are inputs
            // decoded from those very bytes (the sequence is compared above): what the ledger computed follows them.
            final int from = stringsEnd;
            final int reencodedBody = codec.encodeAfterStrings(command, reencoded, from);
            final int body = length - JournalLayout.TRAILER_LENGTH;
            if (reencodedBody != body ||
                !Arrays.equals(reencoded.byteArray(), from, body, batch.bytes, offset + from, offset + body))
            {
                throw new JournalCorruptException(file, index, "record " + sequence +
                    " replayed to different effects than it records (was the program or the code changed?)");
            }
            // the chain value after a record is the start of its trailer
            System.arraycopy(batch.bytes, offset + body, appliedChain, 0, appliedChain.length);
            appliedIndex = index;
        }
    }
}
