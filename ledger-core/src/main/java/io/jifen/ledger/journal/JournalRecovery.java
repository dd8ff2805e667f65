package io.jifen.ledger.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.jifen.ledger.core.LedgerStateMachine;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.agrona.ExpandableArrayBuffer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
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
 * same cycle (so each keeps its queue index), which then replaces the original in one atomic rename.</li>
 * <li>Any other file whose header or indexes disagree with its documents ({@link QueueFileMetadata}) is rebuilt the
 * same way, ending with the end-of-data marker it had: those structures follow from the documents, so nothing is
 * lost and Chronicle never reads the damaged ones.</li>
 * <li>The originals stay, hard-linked, in {@code DIR-repairs/repair-N/} with a README saying why; a crash at any
 * step leaves either file whole.</li>
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
     * @param start the state the replay started from (a snapshot's, or the empty ledger), now replayed to the end.
     * @param chainHead what the next record links to (after any tail-discarded marker written here).
     */
    public record Recovered(Journal journal, Prepared prepared, Start start, JournalReplay.Result replay,
        byte[] chainHead)
    {
    }

    /**
     * A state a replay can start from: a ledger and the resume point it is at (null: an empty ledger, replayed from
     * the journal's beginning), and where it came from, in words.
     */
    public record Start(LedgerStateMachine ledger, ResumePoint from, String source)
    {
    }

    /**
     * The states to try in turn (snapshots, newest first), ending with an empty ledger. A start the journal does not
     * confirm is passed back to {@link #rejected} and the next is tried.
     */
    public interface Starts
    {
        /** @return the next start to try; after the snapshots, an empty ledger (never null). */
        Start next();

        void rejected(Start start, ResumePointException why);
    }

    private JournalRecovery()
    {
    }

    /**
     * What a server does at start: {@link #prepare}s the journal in {@code directory}, opens it, replays it into
     * {@code ledger} from the beginning, and marks a tail it discarded.
     */
    public static Recovered recover(final Path directory, final boolean discardDamagedTail,
        final LedgerStateMachine ledger, final long progressEvery, final JournalReplay.Progress progress)
    {
        return recover(directory, discardDamagedTail, new Starts()
        {
            @Override
            public Start next()
            {
                return new Start(ledger, null, "an empty ledger");
            }

            @Override
            public void rejected(final Start start, final ResumePointException why)
            {
                throw why;
            }
        }, progressEvery, progress);
    }

    /**
     * What a server does at start: {@link #prepare}s the journal in {@code directory}, opens it, replays it from the
     * first of {@code starts} it confirms, and marks a tail it discarded.
     */
    public static Recovered recover(final Path directory, final boolean discardDamagedTail, final Starts starts,
        final long progressEvery, final JournalReplay.Progress progress)
    {
        final Prepared prepared = prepare(directory, discardDamagedTail);
        final Journal journal = new Journal(directory);
        try
        {
            while (true)
            {
                final Start start = starts.next();
                final JournalReplay.Result replay;
                try
                {
                    // the discarded tail is gone from the files: the replay must find none
                    replay = JournalReplay.replay(journal, start.ledger(), start.from(), Long.MAX_VALUE,
                        Long.MAX_VALUE, false, progressEvery, progress, prepared.current());
                }
                catch (final ResumePointException ex)
                {
                    if (null == start.from())
                    {
                        throw ex;
                    }
                    starts.rejected(start, ex);
                    continue;
                }
                final byte[] chainHead = prepared.discarded() ? JournalReplay.appendTailDiscarded(journal,
                    replay.lastSequence, replay.chainHead, prepared.found().endIndex,
                    prepared.found().tailDocuments) : replay.chainHead;
                return new Recovered(journal, prepared, start, replay, chainHead);
            }
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
        final QueueTable.Damage table = QueueTable.check(directory, survey.files, true);
        final JournalSurvey.MetadataDamage lastFileMetadata = survey.metadataDamage.stream()
            .filter(d -> d.file().equals(survey.endFile)).findFirst().orElse(null);
        if (survey.ending == JournalSurvey.Ending.CLEAN && survey.metadataDamage.isEmpty() && null == table &&
            chronicleAgrees(directory, survey))
        {
            return new Prepared(survey, survey, null);
        }
        // Chronicle reads nothing damaged: the table goes first, then every damaged file, then Chronicle may look
        final Path kept = newRepairFolder(directory);
        final StringBuilder readme = new StringBuilder();
        if (null != table)
        {
            QueueTable.replace(directory, kept);
            readme.append(table.file()).append(": set aside because ").append(table.what()).append(" (byte ")
                .append(table.position()).append("); Chronicle wrote a new one from the folder's files.\n");
        }
        for (final JournalSurvey.MetadataDamage damage : survey.metadataDamage)
        {
            if (damage != lastFileMetadata)
            {
                rebuild(damage.file(), damage.documentsEnd(), true, kept);
                readme.append(damage.file()).append(": rebuilt because ").append(damage.what()).append(" (byte ")
                    .append(damage.position()).append(").\n");
            }
        }
        final boolean lastRebuilt = survey.ending != JournalSurvey.Ending.CLEAN || null != lastFileMetadata;
        if (lastRebuilt)
        {
            rebuildLast(survey, lastFileMetadata, kept, readme);
        }
        if (null != table)
        {
            Journal.builder(directory).build().close(); // writes the new table
        }
        if (!lastRebuilt && !chronicleAgrees(directory, survey))
        {
            rebuildLast(survey, null, kept, readme);
        }
        writeReadme(directory, kept, readme);
        final JournalSurvey after = JournalSurvey.of(directory);
        final QueueTable.Damage tableAfter = QueueTable.check(directory, after.files, true);
        if (after.ending != JournalSurvey.Ending.CLEAN || after.documents != survey.documents ||
            !after.metadataDamage.isEmpty() || null != tableAfter || !chronicleAgrees(directory, after))
        {
            throw JournalCorruptException.atPosition(String.valueOf(survey.endFile), survey.endPosition,
                "rebuilding the journal's files did not give a journal that ends cleanly with the " +
                survey.documents + " documents before " + survey.tail + (after.metadataDamage.isEmpty() ? "" :
                " and metadata that agrees with them (" + after.metadataDamage.get(0) + ")") +
                (null == tableAfter ? "" : " and a sound table (" + tableAfter + ")") + " (the originals " +
                "are in " + kept + ")");
        }
        return new Prepared(survey, after, kept);
    }

    private static void rebuildLast(final JournalSurvey survey, final JournalSurvey.MetadataDamage metadata,
        final Path kept, final StringBuilder readme)
    {
        rebuild(survey.endFile, survey.endPosition, false, kept);
        readme.append(survey.endFile).append(": rebuilt from the documents in its first ")
            .append(survey.endPosition).append(" bytes; what followed was ").append(survey.tail).append(" (")
            .append(survey.ending).append(")").append(null == metadata ? "" : ", and " + metadata.what())
            .append(".\n");
    }

    /**
     * Moves the day files wholly before the one holding {@code queueIndex} (a snapshot's place, which covers every
     * record in them) to {@code target}, the queue's table with them, and has Chronicle write a table for the files
     * that stay. No server may be writing the journal.
     *
     * @return the files moved, oldest first.
     */
    public static List<Path> archiveBefore(final Path directory, final long queueIndex, final Path target)
        throws IOException
    {
        final long cycle = queueIndex >>> 32;
        final List<Path> moved = new ArrayList<>();
        final JournalSurvey survey = JournalSurvey.of(directory);
        for (final Path file : survey.files)
        {
            if (JournalSurvey.cycle(file) < cycle)
            {
                Files.createDirectories(target);
                final Path to = target.resolve(file.getFileName());
                if (Files.exists(to))
                {
                    throw new IOException("the archive " + target + " already holds " + to.getFileName());
                }
                Files.move(file, to);
                moved.add(to);
            }
        }
        if (moved.isEmpty())
        {
            return moved;
        }
        final Path table = directory.resolve(QueueTable.FILE_NAME);
        Files.move(table, target.resolve(QueueTable.FILE_NAME + "." + JournalSurvey.cycle(survey.files.get(0)) +
            "-" + (cycle - 1)), StandardCopyOption.REPLACE_EXISTING);
        force(target);
        force(directory);
        Journal.builder(directory).build().close(); // writes the table for the files that stay
        final JournalSurvey after = JournalSurvey.of(directory);
        final QueueTable.Damage tableAfter = QueueTable.check(directory, after.files, true);
        if (null != tableAfter)
        {
            throw JournalCorruptException.atPosition(tableAfter.file().toString(), tableAfter.position(),
                "the queue's table written after archiving is not sound: " + tableAfter.what());
        }
        return moved;
    }

    /**
     * After an append failed (a full disk, say) in a server that wrote {@code documents} records since the journal was
     * last whole: whatever follows them is that failed write, never acknowledged. It is erased in place, writing
     * zeros only where bytes are not zero already (so no new block is needed on a full disk) and forcing the file, so
     * the journal ends cleanly at the last acknowledged record for readers now and for the next start.
     *
     * @return true if the journal now ends cleanly after exactly {@code documents} records.
     */
    public static boolean eraseFailedWrite(final Path directory, final long documents)
    {
        final JournalSurvey survey = JournalSurvey.of(directory);
        if (survey.documents != documents || survey.ending == JournalSurvey.Ending.CLEAN)
        {
            return survey.documents == documents && survey.ending == JournalSurvey.Ending.CLEAN;
        }
        try (FileChannel channel = FileChannel.open(survey.endFile, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            final ByteBuffer zeros = ByteBuffer.allocate(chunk.capacity());
            for (long at = survey.endPosition; at < channel.size(); at += chunk.capacity())
            {
                chunk.clear();
                final int read = Math.max(0, channel.read(chunk, at));
                for (int i = 0; i < read; i++)
                {
                    if (chunk.get(i) != 0)
                    {
                        zeros.clear().limit(read);
                        channel.write(zeros, at);
                        break;
                    }
                }
            }
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot erase the failed write at the end of " + survey.endFile, ex);
        }
        final JournalSurvey after = JournalSurvey.of(directory);
        return after.documents == documents && after.ending == JournalSurvey.Ending.CLEAN;
    }

    /** The error for a damaged tail the operator has not agreed to discard. */
    public static JournalCorruptException damagedTail(final JournalSurvey survey)
    {
        return JournalCorruptException.atPosition(survey.endFile.toString(), survey.endPosition, survey.tail +
            "; no sound record follows, so this is a torn tail: " + DISCARD_ADVICE);
    }

    /**
     * A cross-check with Chronicle itself, once {@link QueueFileMetadata} and {@link QueueTable} found nothing wrong
     * (the header's write position, which decides where Chronicle appends, is among what they check).
     *
     * @return true if Chronicle opens the queue and finds its end at the survey's end.
     */
    static boolean chronicleAgrees(final Path directory, final JournalSurvey survey)
    {
        final boolean lastFileHasRecords =
            survey.lastIndex >= 0 && survey.lastIndex >>> Integer.SIZE == survey.endIndex >>> Integer.SIZE;
        if (!lastFileHasRecords)
        {
            return true;
        }
        try (SingleChronicleQueue queue = Journal.builder(directory).readOnly(true).build())
        {
            return queue.createTailer().toEnd().index() == survey.endIndex;
        }
        catch (final Exception | InternalError ex)
        {
            return false; // Chronicle cannot read its own metadata: the rebuild writes it afresh
        }
    }

    /**
     * Replaces {@code file} with a copy of its data documents before {@code end}, written afresh by Chronicle, the
     * original hard-linked into {@code kept}.
     *
     * @param rolled the file is not the journal's last: the copy ends with an end-of-data marker as the original did.
     */
    private static void rebuild(final Path file, final long end, final boolean rolled, final Path kept)
    {
        try
        {
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
            final Path rebuilt = copyDocuments(original, end, rolled, staging);
            if (null == rebuilt)
            {
                Files.delete(file); // nothing before the tail: the journal ends with the file before
            }
            else
            {
                force(rebuilt);
                Files.move(rebuilt, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            force(file.getParent());
            deleteTree(staging);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rebuild journal file " + file, ex);
        }
    }

    private static void writeReadme(final Path directory, final Path kept, final CharSequence rebuilt)
    {
        try
        {
            Files.writeString(kept.resolve("README.txt"), "The originals of journal files in " + directory +
                " that recovery replaced at start-up with copies of their sound documents, and why:\n" + rebuilt);
            force(kept);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + kept.resolve("README.txt"), ex);
        }
    }

    /**
     * Appends the data documents of {@code original} before {@code end} to a new queue of the same cycle.
     *
     * @return the new queue file, or null if there was no document to copy.
     */
    private static Path copyDocuments(final Path original, final long end, final boolean rolled, final Path staging)
    {
        final long cycleStartMs = JournalSurvey.cycle(original) * DAY_MS;
        final long[] now = {cycleStartMs};
        final ByteBuffer map = JournalSurvey.map(original);
        final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(512);
        boolean copied = false;
        try (SingleChronicleQueue queue = Journal.builder(staging).timeProvider(() -> now[0]).build();
            ExcerptAppender appender = queue.createAppender())
        {
            // the file's own metadata is where the layout puts it, whatever its damaged length headers say
            int p = QueueFileMetadata.FIRST_DATA;
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
                    copied = true;
                }
                p = JournalSurvey.nextDocument(p, length);
            }
            if (rolled && copied)
            {
                // a document on the next day makes Chronicle close this day's file with its end-of-data marker
                now[0] = cycleStartMs + DAY_MS;
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().writeInt(0);
                }
            }
        }
        final Path rebuilt = staging.resolve(original.getFileName());
        return copied ? rebuilt : null;
    }

    private static Path newRepairFolder(final Path directory)
    {
        final Path repairs = directory.resolveSibling(directory.getFileName() + "-repairs");
        try
        {
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
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a folder for the originals of repaired files in " +
                repairs, ex);
        }
    }

    /**
     * Forces every day file of the journal and its folder to the device. After a killed process the records past the
     * last sync were recovered from the page cache and may not be on the device yet; a server calls this before
     * serving, so every record its ledger holds is as durable as the change stream and the next checkpoint take it to
     * be (cheap for files with nothing to write).
     */
    public static void forceToDevice(final Path directory)
    {
        try
        {
            for (final Path file : JournalSurvey.queueFiles(directory))
            {
                force(file);
            }
            force(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force the journal's files in " + directory + " to the device", ex);
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
