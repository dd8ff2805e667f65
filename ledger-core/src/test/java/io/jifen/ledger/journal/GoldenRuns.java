package io.jifen.ledger.journal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import net.openhft.chronicle.core.time.SetTimeProvider;

/**
 * The randomized model workload's journals of the golden fixture ({@code JournalCompatibilityTest}: six seeds, every
 * command type, two programs, program changes, the sweep), for tests that need real journals of real histories.
 */
public final class GoldenRuns
{
    private static final String FIXTURE = "/golden/journal-a36a813.bin.gz";
    private static final long DAY_MS = 86_400_000L;
    private static List<Run> runs;

    /** One seed's journal: its first program, its records (unchained), the state a full replay reaches. */
    public record Run(long seed, String program, List<byte[]> records, long lastSequence, long stateHash)
    {
        public Ledger empty()
        {
            final Ledger ledger = new Ledger(Program.parse(program));
            ledger.capacityLimitsEnforced(false);
            return ledger;
        }
    }

    private GoldenRuns()
    {
    }

    public static synchronized List<Run> runs()
    {
        if (null == runs)
        {
            runs = read();
        }
        return runs;
    }

    private static List<Run> read()
    {
        final List<Run> read = new ArrayList<>();
        try (InputStream fixture = GoldenRuns.class.getResourceAsStream(FIXTURE);
            DataInputStream in = new DataInputStream(new GZIPInputStream(fixture, 1 << 16)))
        {
            in.readFully(new byte[9]);
            final int count = in.readInt();
            for (int r = 0; r < count; r++)
            {
                final long seed = in.readLong();
                final byte[] text = new byte[in.readInt()];
                in.readFully(text);
                final List<byte[]> records = new ArrayList<>();
                final int n = in.readInt();
                for (int i = 0; i < n; i++)
                {
                    final byte[] record = new byte[in.readInt()];
                    in.readFully(record);
                    records.add(record);
                }
                read.add(new Run(seed, new String(text, StandardCharsets.UTF_8), records, in.readLong(),
                    in.readLong()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return List.copyOf(read);
    }

    /** Writes the records, chained, to a real journal in one day file. */
    public static Path journal(final Path directory, final List<byte[]> records)
    {
        return journal(directory, records, 1);
    }

    /**
     * Writes the records, chained, to a real journal spread over {@code days} day files (the queue's clock moved on a
     * day at a time; the records' own times are in the records).
     */
    public static Path journal(final Path directory, final List<byte[]> records, final int days)
    {
        final JournalRecord codec = new JournalRecord();
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        final SetTimeProvider clock = new SetTimeProvider(1_767_225_600_000L * 1_000_000L);
        try (Journal journal = new Journal(directory, false, clock); Journal.Appender appender = journal.openAppender())
        {
            for (int i = 0; i < records.size(); i++)
            {
                final long day = (long)i * days / records.size();
                clock.currentTimeMillis(1_767_225_600_000L + day * DAY_MS);
                final byte[] record = records.get(i).clone();
                codec.chain(record, record.length, chain);
                appender.append(record, record.length);
            }
        }
        return directory;
    }
}
