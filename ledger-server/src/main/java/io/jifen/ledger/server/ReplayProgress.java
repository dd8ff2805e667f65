package io.jifen.ledger.server;

import java.io.PrintStream;
import java.util.Locale;

import io.jifen.ledger.journal.JournalReplay;

/**
 * A replay's progress on a terminal: one line on standard error, rewritten in place at most four times a second
 * ({@code replaying the journal: 41% (2,154,000 of 5,230,112 records), 1.2 M/s, 3 s left}), cleared when the replay
 * ends so the log goes on below it. Only where a person watches (standard error a terminal, as the ledger script
 * tells, or a console) and the log is text: under a service manager, into a file or in a test it shows nothing, and
 * the server's log lines say the same every 2^20 records.
 */
final class ReplayProgress implements JournalReplay.Progress
{
    /** How many records between two calls: the replay calls at this interval, the line is redrawn by time. */
    static final long EVERY = 1 << 16;
    private static final long REDRAW_NANOS = 250_000_000L;
    static final JournalReplay.Progress NONE = (records, sequence) ->
    {
    };

    private final PrintStream err;
    private final String what;
    private final long redrawNanos;
    private long total;
    private long startNanos;
    private long drawnNanos;
    private int width;

    private ReplayProgress(final PrintStream err, final String what, final long redrawNanos)
    {
        this.err = err;
        this.what = what;
        this.redrawNanos = redrawNanos;
    }

    /** @return a display on {@code err} if it is a terminal (and the log is text), else nothing. */
    static JournalReplay.Progress onTerminal(final PrintStream err, final String what)
    {
        final boolean shown = io.jifen.ledger.server.load.Terminal.stderr() &&
            !"JSON".equals(System.getProperty(Logging.FORMAT_PROPERTY));
        return shown ? new ReplayProgress(err, what, REDRAW_NANOS) : NONE;
    }

    @Override
    public void onStart(final long records)
    {
        total = records;
        startNanos = System.nanoTime();
        drawnNanos = startNanos - redrawNanos; // the first call draws
    }

    @Override
    public void onProgress(final long records, final long sequence)
    {
        final long now = System.nanoTime();
        if (now - drawnNanos < redrawNanos)
        {
            return;
        }
        drawnNanos = now;
        final String line = line(records, now - startNanos);
        err.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
        err.flush();
        width = line.length();
    }

    @Override
    public void onEnd(final long records)
    {
        if (width > 0)
        {
            err.print('\r' + " ".repeat(width) + '\r');
            err.flush();
        }
    }

    /** The line for {@code records} replayed in {@code elapsedNanos}. */
    String line(final long records, final long elapsedNanos)
    {
        final double rate = elapsedNanos <= 0 ? 0 : records * 1e9 / elapsedNanos;
        final StringBuilder sb = new StringBuilder(what).append(": ");
        if (total > 0)
        {
            sb.append(Math.min(100, records * 100 / total)).append("% (")
                .append(String.format(Locale.ROOT, "%,d of %,d records", records, Math.max(records, total)))
                .append(')');
        }
        else
        {
            sb.append(String.format(Locale.ROOT, "%,d records", records));
        }
        sb.append(String.format(Locale.ROOT, ", %.1f M/s", rate / 1e6));
        if (total > records && rate > 0)
        {
            sb.append(String.format(Locale.ROOT, ", %d s left", (long)Math.ceil((total - records) / rate)));
        }
        return sb.toString();
    }

    /**
     * What a starting server does with its replay's progress: the metrics, a log line every 2^20 records, and the
     * display ({@link ServerConfig#replayProgress}).
     */
    static JournalReplay.Progress ofServer(final Metrics metrics, final System.Logger log,
        final JournalReplay.Progress display)
    {
        return new JournalReplay.Progress()
        {
            @Override
            public void onStart(final long records)
            {
                display.onStart(records);
            }

            @Override
            public void onProgress(final long records, final long sequence)
            {
                metrics.replayProgress(records);
                display.onProgress(records, sequence);
                // the display says the same, and a log line would land on the end of its line
                if (display == NONE && (records & ((1 << 20) - 1)) == 0)
                {
                    log.log(System.Logger.Level.INFO, "replayed " + records + " records (sequence " + sequence + ")");
                }
            }

            @Override
            public void onEnd(final long records)
            {
                display.onEnd(records);
            }
        };
    }

    /** For the test: a display that draws on {@code err} whatever the terminal, at most every {@code redrawNanos}. */
    static ReplayProgress drawingOn(final PrintStream err, final String what, final long redrawNanos)
    {
        return new ReplayProgress(err, what, redrawNanos);
    }
}
