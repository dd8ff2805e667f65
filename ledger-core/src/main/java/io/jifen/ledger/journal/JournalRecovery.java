package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

import io.jifen.ledger.core.LedgerStateMachine;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.agrona.ExpandableArrayBuffer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Makes a journal safe to append to before a server opens it, from what {@link JournalSurvey} found: the next record
 * must land right after the last sound one, where every later reader will find it.
 * <ul>
 * <li>A clean journal whose queue metadata agrees with its documents is left alone.</li>
 * <li>An unfinished write (never acknowledged) is dropped without asking.</li>
 * <li>A damaged tail stops start-up unless the operator asked to discard it.</li>
 * <li>When anything is dropped, or Chronicle's header or index of the last file disagree with its documents (a
 * file cut short keeps a header that points past its end, so Chronicle would append after a gap no reader crosses),
 * the last file is rebuilt: its documents before the tail are appended, byte for byte, to a fresh queue file of the
 * same cycle (so each keeps its queue index), which then replaces the original in one atomic rename. The original
 * stays, hard-linked, in {@code DIR-repairs/repair-N/}; a crash at any step leaves either file whole.</li>
 * </ul>
 */
public final class JournalRecovery
{
    private static final long DAY_MS = 86_400_000L;
    /** What an operator may do about a torn tail, and why it is safe. */
    public static final String DISCARD_ADVICE = "a write torn by a power loss is never acknowledged under " +
        "--sync=batch, so restarting with --discard-damaged-tail discards it and goes on";

    /**
     * What recovery did.
     *
     * @param found the survey before any repair (the tail a repair dropped is described there).
     * @param current the survey of the journal as it is now, for the replay that follows.
     * @param repairedInto the folder keeping the original of a rebuilt file; null if nothing was rebuilt.
     */
    public record Prepared(JournalSurvey found, JournalSurvey current, Path repairedInto)
    {
        /** @return true if a damaged tail was discarded (a tail-discarded marker must record it). */
        public boolean discarded()
        {
            return null != repairedInto && found.ending == JournalSurvey.Ending.DAMAGED_TAIL;
        }
    }

    /**
     * A journal opened, made safe and replayed.
     *
     * @param journal open for the caller to append to and close.
     * @param chainHead what the next record links to (after any tail-discarded marker written here).
     */
    public record Recovered(Journal journal, Prepared prepared, JournalReplay.Result replay, byte[] chainHead)
    {
    }

    private JournalRecovery()
    {
    }

    /**
     * What a server does at start: {@link #prepare}s the journal in {@code directory}, opens it, replays it into
     * {@code ledger}, and marks a tail it discarded.
     */
    public static Recovered recover(final Path directory, final boolean discardDamagedTail,
        final LedgerStateMachine ledger, final long progressEvery, final JournalReplay.Progress progress)
    {
        final Prepared prepared = prepare(directory, discardDamagedTail);
        final Journal journal = new Journal(directory);
        try
        {
            // the discarded tail is gone from the files: the replay must find none
            final JournalReplay.Result replay = JournalReplay.replay(journal, ledger, Long.MAX_VALUE, Long.MAX_VALUE,
                false, progressEvery, progress, prepared.current());
            final byte[] chainHead = prepared.discarded() ? JournalReplay.appendTailDiscarded(journal,
                replay.lastSequence, replay.chainHead, prepared.found().endIndex, prepared.found().tailDocuments) :
                replay.chainHead;
            return new Recovered(journal, prepared, replay, chainHead);
        }
        catch (final RuntimeException ex)
        {
            journal.close();
            throw ex;
        }
    }

    /**
     * @param discardDamagedTail the operator accepts losing a damaged tail (never a sound record).
     * @throws JournalCorruptException when the journal cannot be made safe without losing what may be acknowledged.
     */
    public static Prepared prepare(final Path directory, final boolean discardDamagedTail)
    {
        final JournalSurvey survey = JournalSurvey.of(directory);
        if (survey.ending == JournalSurvey.Ending.DAMAGED_TAIL && !discardDamagedTail)
        {
            throw damagedTail(survey);
        }
        if (survey.ending == JournalSurvey.Ending.CLEAN && chronicleAgrees(directory, survey))
        {
            return new Prepared(survey, survey, null);
        }
        final Path kept = rebuildLastFile(directory, survey);
        final JournalSurvey after = JournalSurvey.of(directory);
        if (after.ending != JournalSurvey.Ending.CLEAN || after.documents != survey.documents ||
            !chronicleAgrees(directory, after))
        {
            throw JournalCorruptException.atPosition(survey.endFile.toString(), survey.endPosition,
                "rebuilding the journal's last file did not give a journal that ends cleanly with the " +
                survey.documents + " documents before " + survey.tail + " (the original is in " + kept + ")");
        }
        return new Prepared(survey, after, kept);
    }

    /** The error for a damaged tail the operator has not agreed to discard. */
    public static JournalCorruptException damagedTail(final JournalSurvey survey)
    {
        return JournalCorruptException.atPosition(survey.endFile.toString(), survey.endPosition, survey.tail +
            "; no sound record follows, so this is a torn tail: " + DISCARD_ADVICE);
    }

    /**
     * @return true if Chronicle opens the queue and would append its next record at the survey's end.
     */
    static boolean chronicleAgrees(final Path directory, final JournalSurvey survey)
    {
        if (survey.files.isEmpty())
        {
            return true;
        }
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY).readOnly(true).build())
        {
            final long next = queue.createTailer().toEnd().index();
            final boolean lastFileHasRecords =
                survey.lastIndex >= 0 && survey.lastIndex >>> Integer.SIZE == survey.endIndex >>> Integer.SIZE;
            if (!lastFileHasRecords)
            {
                return true;
            }
            final SingleChronicleQueueStore store =
                queue.storeForCycle((int)(survey.endIndex >>> Integer.SIZE), queue.epoch(), false, null);
            try
            {
                // where Chronicle appends next is decided by the header's write position: it must be the last record
                return next == survey.endIndex && null != store && store.writePosition() == survey.lastPosition;
            }
            finally
            {
                if (null != store)
                {
                    queue.closeStore(store);
                }
            }
        }
        catch (final Exception | InternalError ex)
        {
            return false; // Chronicle cannot read its own metadata: the rebuild writes it afresh
        }
    }

    private static Path rebuildLastFile(final Path directory, final JournalSurvey survey)
    {
        final Path file = survey.endFile;
        try
        {
            final Path kept = newRepairFolder(directory);
            final Path original = kept.resolve(file.getFileName());
            try
            {
                Files.createLink(original, file);
            }
            catch (final UnsupportedOperationException | IOException ex)
            {
                Files.copy(file, original);
            }
            final Path staging = kept.resolve("staging");
            final Path rebuilt = copyDocuments(original, survey.endPosition, staging);
            if (null == rebuilt)
            {
                Files.delete(file); // nothing before the tail: the journal ends with the file before
            }
            else
            {
                force(rebuilt);
                Files.move(rebuilt, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            force(directory);
            deleteTree(staging);
            Files.writeString(kept.resolve("README.txt"), "The original of " + file + ", replaced at start-up by a " +
                "copy of its first " + survey.endPosition + " bytes' documents: what followed was " + survey.tail +
                " (" + survey.ending + ").\n");
            force(kept);
            return kept;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rebuild journal file " + file, ex);
        }
    }

    /**
     * Appends the data documents of {@code original} before {@code end} to a new queue of the same cycle.
     *
     * @return the new queue file, or null if there was no document to copy.
     */
    private static Path copyDocuments(final Path original, final long end, final Path staging)
    {
        final long cycleStartMs = JournalSurvey.cycle(original) * DAY_MS;
        final ByteBuffer map = JournalSurvey.map(original);
        final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(512);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(staging.toFile())
            .rollCycle(RollCycles.FAST_DAILY).timeProvider(() -> cycleStartMs).build();
            ExcerptAppender appender = queue.createAppender())
        {
            int p = 0;
            while (p < end)
            {
                final int header = map.getInt(p);
                final int length = header & JournalSurvey.LENGTH_MASK;
                if ((header & JournalSurvey.META_DATA) == 0)
                {
                    bytes.checkLimit(length);
                    map.get(p + Integer.BYTES, bytes.byteArray(), 0, length);
                    try (DocumentContext dc = appender.writingDocument())
                    {
                        dc.wire().bytes().write(bytes.byteArray(), 0, length);
                    }
                }
                p = JournalSurvey.nextDocument(p, length);
            }
        }
        final Path rebuilt = staging.resolve(original.getFileName());
        return Files.exists(rebuilt) ? rebuilt : null;
    }

    private static Path newRepairFolder(final Path directory) throws IOException
    {
        final Path repairs = directory.resolveSibling(directory.getFileName() + "-repairs");
        Files.createDirectories(repairs);
        for (int n = 1; ; n++)
        {
            final Path folder = repairs.resolve("repair-" + n);
            if (!Files.exists(folder))
            {
                return Files.createDirectory(folder);
            }
        }
    }

    private static void force(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
