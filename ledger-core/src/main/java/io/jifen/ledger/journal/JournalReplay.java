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
        void onProgress(long records, long sequence);
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
        /** The chain value the next record links to (after any tail-discarded marker). */
        public final byte[] chainHead;
        /** The chain value after the last ledger record replayed: with its sequence, what auditors anchor. */
        public final byte[] recordChain;
        /** A damaged tail left to discard: the queue index of its first document, and how many; -1 and 0 if none. */
        public final long damagedTailIndex;
        public final int damagedTailCount;

        Result(final long records, final long lastSequence, final long nanos, final long stateHash,
            final byte[] chainHead, final byte[] recordChain, final long damagedTailIndex, final int damagedTailCount)
        {
            this.recordChain = recordChain;
            this.damagedTailIndex = damagedTailIndex;
            this.damagedTailCount = damagedTailCount;
            this.records = records;
            this.lastSequence = lastSequence;
            this.nanos = nanos;
            this.stateHash = stateHash;
            this.chainHead = chainHead;
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
        return replay(journal, ledger, Long.MAX_VALUE, Long.MAX_VALUE, false, progressEvery, progress);
    }

    /**
     * Replays the records stamped at or before {@code untilTimestamp} and numbered at most {@code untilSequence} (to
     * rebuild the state as of a past moment, or up to an anchored record).
     *
     * @param discardDamagedTail accept damaged documents at the very end of the journal (a write torn by a power
     * loss) and report them in the result, for {@link #appendTailDiscarded} to mark; damage anywhere else is fatal.
     */
    public static Result replay(
        final Journal journal,
        final LedgerStateMachine ledger,
        final long untilTimestamp,
        final long untilSequence,
        final boolean discardDamagedTail,
        final long progressEvery,
        final Progress progress)
    {
        final long start = System.nanoTime();
        final Replayer replayer = new Replayer(ledger);
        final JournalSurvey survey = JournalSurvey.of(journal.directory());
        try
        {
            return replay(journal, ledger, untilTimestamp, untilSequence, discardDamagedTail, progressEvery, progress,
                survey, start, replayer);
        }
        catch (final JournalCorruptException ex)
        {
            throw ex;
        }
        catch (final Exception | InternalError ex)
        {
            // Chronicle failing on its own structures (a damaged queue header, say): name what the survey knows
            throw JournalCorruptException.atPosition(String.valueOf(survey.endFile), survey.endPosition,
                "Chronicle Queue cannot read the journal: " + ex + " (the files hold " + survey.documents +
                " documents before byte " + survey.endPosition + " of the last file)");
        }
    }

    private static Result replay(final Journal journal, final LedgerStateMachine ledger, final long untilTimestamp,
        final long untilSequence, final boolean discardDamagedTail, final long progressEvery, final Progress progress,
        final JournalSurvey survey, final long start, final Replayer replayer)
    {
        long records = 0;
        boolean stoppedEarly = false;
        try (JournalScanner scanner = new JournalScanner(journal))
        {
            while (scanner.next())
            {
                final long sequence = replayer.decode(scanner);
                if (replayer.command.timestamp > untilTimestamp || sequence > untilSequence)
                {
                    stoppedEarly = true;
                    break;
                }
                replayer.apply(scanner, sequence);
                records++;
                if (progressEvery > 0 && records % progressEvery == 0)
                {
                    progress.onProgress(records, sequence);
                }
            }
            if (scanner.damagedTailCount() > 0 && !discardDamagedTail)
            {
                throw scanner.damagedTail(": a write torn by a power loss is never acknowledged under " +
                    "--sync=batch, so restarting with --discard-damaged-tail discards them and goes on");
            }
            if (!stoppedEarly)
            {
                checkAgainst(survey, scanner, discardDamagedTail);
            }
            return new Result(records, ledger.lastSequence(), System.nanoTime() - start, ledger.stateHash(),
                scanner.chain().clone(), replayer.appliedChain, scanner.damagedTailIndex(), scanner.damagedTailCount());
        }
    }

    /**
     * Checks that Chronicle's reader delivered every document the files hold before their tail (more may follow in a
     * journal a server is still writing), so a damaged header or queue metadata can never pass for the end.
     */
    private static void checkAgainst(
        final JournalSurvey survey, final JournalScanner scanner, final boolean discardDamagedTail)
    {
        final long delivered = scanner.documents() - scanner.damagedTailCount();
        if (delivered < survey.documents || delivered == survey.documents && scanner.lastIndex() != survey.lastIndex &&
            scanner.damagedTailCount() == 0)
        {
            throw JournalCorruptException.atPosition(String.valueOf(survey.endFile), survey.endPosition,
                "the queue's reader stopped after " + delivered + " document(s) (last queue index 0x" +
                Long.toHexString(scanner.lastIndex()) + ") but the files hold " + survey.documents +
                " before their end (last queue index 0x" + Long.toHexString(survey.lastIndex) + "): a damaged " +
                "document header or queue header hides part of the journal");
        }
        if (survey.ending == JournalSurvey.Ending.DAMAGED_TAIL && scanner.damagedTailCount() == 0 &&
            !discardDamagedTail && delivered == survey.documents)
        {
            throw JournalRecovery.damagedTail(survey);
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
        private final byte[] relinked = new byte[JournalRecord.CHAIN_LENGTH];
        /** The chain value of the last record applied. */
        private final byte[] appliedChain = new byte[JournalRecord.CHAIN_LENGTH];

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
            System.arraycopy(scanner.previousChain(), 0, relinked, 0, relinked.length);
            codec.chain(reencoded.byteArray(), reencodedLength, relinked);
            if (reencodedLength != length ||
                !Arrays.equals(reencoded.byteArray(), 0, length, scanner.bytes(), 0, length))
            {
                throw new JournalCorruptException(scanner.file(), scanner.index(), "record " + sequence +
                    " replayed to different effects than it records (was the program or the code changed?)");
            }
            System.arraycopy(relinked, 0, appliedChain, 0, appliedChain.length);
        }
    }
}
