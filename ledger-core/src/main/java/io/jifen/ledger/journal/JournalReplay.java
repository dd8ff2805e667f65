package io.jifen.ledger.journal;

import java.util.Arrays;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.LedgerStateMachine;
import org.agrona.ExpandableArrayBuffer;

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
        final long start = System.nanoTime();
        final Replayer replayer = new Replayer(ledger);
        long records = 0;
        if (null != from && from.sequence() != ledger.lastSequence())
        {
            throw new IllegalArgumentException("the ledger is at sequence " + ledger.lastSequence() +
                ", not at the resume point's " + from);
        }
        try (JournalScanner scanner = new JournalScanner(journal, null, survey, from))
        {
            if (null != from)
            {
                System.arraycopy(from.chain(), 0, replayer.appliedChain, 0, JournalRecord.CHAIN_LENGTH);
                replayer.appliedIndex = from.queueIndex();
            }
            if (null != progress)
            {
                final JournalSurvey found = scanner.survey();
                progress.onStart(found.documents - (null == from ? 0 : found.documentsThrough(from.queueIndex())));
            }
            boolean atEnd = true;
            while (scanner.next())
            {
                final long sequence = replayer.decode(scanner);
                if (replayer.command.timestamp > untilTimestamp || sequence > untilSequence)
                {
                    atEnd = false;
                    break;
                }
                replayer.apply(scanner, sequence);
                records++;
                if (progressEvery > 0 && records % progressEvery == 0)
                {
                    progress.onProgress(records, sequence);
                }
            }
            if (null != progress)
            {
                progress.onEnd(records);
            }
            if (atEnd && !discardDamagedTail && (scanner.damagedTailCount() > 0 ||
                scanner.survey().ending == JournalSurvey.Ending.DAMAGED_TAIL &&
                scanner.documents() == scanner.survey().documents))
            {
                // damaged records Chronicle delivered, or damaged bytes only the survey saw (behind a zero header)
                throw scanner.damagedTailCount() > 0 ? scanner.damagedTail(": " + JournalRecovery.DISCARD_ADVICE) :
                    JournalRecovery.damagedTail(scanner.survey());
            }
            // stopped early, the scanner has read one record past the last applied: the replay ends at that one
            return new Result(records, ledger.lastSequence(), System.nanoTime() - start, ledger.stateHash(),
                atEnd ? scanner.chain().clone() : replayer.appliedChain.clone(), replayer.appliedChain,
                scanner.damagedTailIndex(), scanner.damagedTailCount(),
                atEnd ? scanner.lastIndex() : replayer.appliedIndex);
        }
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
        private final ExpandableArrayBuffer reencoded = new ExpandableArrayBuffer(512);
        /** The chain value of the last record applied. */
        private final byte[] appliedChain = new byte[JournalRecord.CHAIN_LENGTH];
        /** The queue index of the last record applied (-1: none). */
        private long appliedIndex = -1;

        Replayer(final LedgerStateMachine ledger)
        {
            this.ledger = ledger;
        }

        /** @return the sequence of the scanner's record, decoded into {@link #command}. */
        long decode(final JournalScanner scanner)
        {
            try
            {
                return JournalRecord.decodeCommand(scanner.record(), command);
            }
            catch (final RuntimeException ex)
            {
                throw new JournalCorruptException(scanner.file(), scanner.index(), "undecodable record: " + ex);
            }
        }

        void apply(final JournalScanner scanner, final long sequence)
        {
            if (sequence != ledger.lastSequence() + 1)
            {
                throw new JournalCorruptException(scanner.file(), scanner.index(),
                    "sequence " + sequence + " follows " + ledger.lastSequence());
            }
            try
            {
                ledger.apply(command);
            }
            catch (final RuntimeException ex)
            {
                throw new JournalCorruptException(scanner.file(), scanner.index(),
                    "record " + sequence + " cannot be applied: " + ex);
            }
            if (!command.isJournaled() || command.sequence != sequence)
            {
                throw new JournalCorruptException(scanner.file(), scanner.index(), "record " + sequence +
                    " replayed to a different outcome: " + command.result + " sequence " + command.sequence);
            }
            final int length = scanner.length();
            final int reencodedLength = codec.encode(command, reencoded);
            // the trailer (chain value, checksum) is a function of the bytes before it and the previous chain value,
            // which the scanner has checked for the recorded record: equal bytes before it mean an equal trailer, so
            // the replay does not hash the record a second time
            final int body = length - JournalLayout.TRAILER_LENGTH;
            if (reencodedLength != length || !Arrays.equals(reencoded.byteArray(), 0, body, scanner.bytes(), 0, body))
            {
                throw new JournalCorruptException(scanner.file(), scanner.index(), "record " + sequence +
                    " replayed to different effects than it records (was the program or the code changed?)");
            }
            System.arraycopy(scanner.chain(), 0, appliedChain, 0, appliedChain.length);
            appliedIndex = scanner.index();
        }
    }
}
