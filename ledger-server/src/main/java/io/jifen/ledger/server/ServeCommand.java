package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.jifen.ledger.journal.JournalCorruptException;
import io.jifen.ledger.pipeline.SyncMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ledger serve}: the server's options (from the command line, the environment or a YAML file, see
 * {@link ServeOptions}) into a {@link ServerConfig}, then the server until SIGTERM or SIGINT, after which it drains,
 * closes the journal and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Run the ledger server.",
        "Every option may also come from an environment variable, JIFEN_ and its name in capitals with dashes as " +
            "underscores (JIFEN_MAX_QUEUE_MS=500), or from a YAML file (--config FILE, or JIFEN_CONFIG), one key " +
            "per option without its dashes (max-queue-ms: 500). The command line wins over the environment, which " +
            "wins over the file; a repeated option (--program) takes a YAML list there, or values joined with ','.",
        "On a terminal the replay's progress shows on standard error while the server starts."})
final class ServeCommand implements Callable<Integer>
{
    private static final int STARTING = 0;
    private static final int SERVING = 1;
    private static final int STOPPED = 2;

    private final LedgerCli cli;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "YAML file of serve options (default: JIFEN_CONFIG, else none)")
    Path config;
    @Option(names = "--port", paramLabel = "N", description = "gRPC port (default 9090; 0 picks a free port)")
    Integer port;
    @Option(names = "--host", paramLabel = "ADDR", description = {"address to bind (default 127.0.0.1). Any other " +
        "than loopback needs clients authenticated over TLS (--keys with --tls-cert/--tls-key, or --tls-client-ca) " +
        "or --insecure: anyone who reaches the port could otherwise read and change every balance"})
    String host;
    @Option(names = "--tls-cert", paramLabel = "FILE", description = "serve TLS with this PEM certificate chain")
    Path tlsCert;
    @Option(names = "--tls-key", paramLabel = "FILE", description = "... and this PKCS#8 PEM private key")
    Path tlsKey;
    @Option(names = "--tls-client-ca", paramLabel = "FILE",
        description = "mutual TLS: clients must present a certificate these PEM CAs signed")
    Path tlsClientCa;
    @Option(names = "--keys", paramLabel = "FILE", description = "API keys (YAML of their SHA-256 hashes, roles " +
        "and programs): every call but health needs 'authorization: Bearer KEY'; make one with 'ledger keys new'")
    Path keys;
    @Option(names = "--insecure", description = "accept a non-loopback address without client authentication " +
        "(warned of at start and every hour)")
    boolean insecure;
    @Option(names = "--data", paramLabel = "DIR", description = "data folder; the journal lives in DIR/journal " +
        "(default ./data)")
    Path data;
    @Option(names = "--sync", paramLabel = "MODE", description = {"batch: acknowledge after the journal is synced " +
        "to disk (survives power loss; the default)", "none: acknowledge after the journal is written to the page " +
        "cache (survives a killed process, not a power loss)"})
    String sync;
    @Option(names = "--program", paramLabel = "FILE", split = ServeOptions.LIST_SEPARATOR,
        description = "program rules (YAML, docs/program.md; default: built in). Repeat it for several programs " +
            "in one ledger: the first is the one requests without program_id name")
    List<Path> programs;
    @Option(names = "--ring-size", paramLabel = "N", description = "command ring slots, a power of two (default " +
        "65536)")
    Integer ringSize;
    @Option(names = "--max-queue-ms", paramLabel = "N", description = "refuse a write RESOURCE_EXHAUSTED " +
        "OVERLOADED, with a retry hint, when the commands ahead of it would take longer than this (or its " +
        "deadline) to answer; reads get twice as long (default 1000; 0: only deadlines bound the queue)")
    Integer maxQueueMs;
    @Option(names = "--drain-grace-ms", paramLabel = "N", description = "on SIGTERM, report NOT_SERVING and go on " +
        "serving this long before draining, so load balancers move callers away first (default 0)")
    Integer drainGraceMs;
    @Option(names = "--log-format", paramLabel = "F", description = "text (default) or json: one JSON object per " +
        "line on standard error")
    String logFormat;
    @Option(names = "--log-level", paramLabel = "L", description = "trace, debug, info (default), warn or error")
    String logLevel;
    @Option(names = "--metrics-port", paramLabel = "N", description = "serve Prometheus metrics on " +
        "http://HOST:N/metrics (default: not served)")
    Integer metricsPort;
    @Option(names = "--metrics-host", paramLabel = "H", description = "the address the metrics are served on " +
        "(default 127.0.0.1)")
    String metricsHost;
    @Option(names = "--min-free-mb", paramLabel = "N", description = "refuse to start with less free space than " +
        "this where the data lives (default 64)")
    Integer minFreeMb;
    @Option(names = "--snapshot-every-records", paramLabel = "N", description = "snapshot the state after this many " +
        "journaled records (default 1000000; 0: never by count); a start replays only the journal after the " +
        "newest snapshot")
    Integer snapshotEveryRecords;
    @Option(names = "--snapshot-every-minutes", paramLabel = "N", description = "snapshot this often while " +
        "records come in (default 60; 0: never by time)")
    Integer snapshotEveryMinutes;
    @Option(names = "--snapshots-kept", paramLabel = "N", description = "snapshots kept in DIR/snapshots (default 3)")
    Integer snapshotsKept;
    @Option(names = "--discard-damaged-tail", description = "accept damaged records at the very end of the " +
        "journal (a write torn by a power loss, never acknowledged under --sync=batch): mark them discarded and " +
        "start")
    boolean discardDamagedTail;
    @Option(names = "--sandbox", description = "a test clock: ledger time is advanced by the AdvanceClock RPC " +
        "(expiry, maturity, hold time-outs, evaluations in seconds); only on an empty folder or a sandbox's, never " +
        "for production")
    boolean sandbox;
    @Mixin
    LedgerCli.CapacityOptions capacity;

    ServeCommand(final LedgerCli cli)
    {
        this.cli = cli;
    }

    /** For tests: the configuration a serve command line makes, with this environment. */
    static ServerConfig config(final List<String> args, final Map<String, String> env) throws IOException
    {
        final ServeCommand serve = new ServeCommand(null);
        final CommandLine cli = new CommandLine(serve);
        cli.setDefaultValueProvider(ServeOptions.of(cli.getCommandSpec(), args, env));
        cli.parseArgs(args.toArray(new String[0]));
        return serve.checkedConfig();
    }

    /**
     * The configuration, an option's bad value naming where it came from when the command line did not give it
     * (the environment or the config file).
     */
    private ServerConfig checkedConfig() throws IOException
    {
        try
        {
            return config();
        }
        catch (final IllegalArgumentException ex)
        {
            final java.util.regex.Matcher named = java.util.regex.Pattern.compile("^(--[a-z-]+)")
                .matcher(String.valueOf(ex.getMessage()));
            final CommandLine.Model.OptionSpec option = named.find() ? spec.findOption(named.group(1)) : null;
            final String source = null != option && !spec.commandLine().getParseResult().hasMatchedOption(option) &&
                spec.commandLine().getDefaultValueProvider() instanceof ServeOptions options ?
                options.sourceOf(option) : null;
            if (null == source)
            {
                throw ex;
            }
            throw new IllegalArgumentException(ex.getMessage() + " (from " + source + ")", ex);
        }
    }

    @Override
    public Integer call() throws Exception
    {
        final LedgerServer server = new LedgerServer(checkedConfig()
            .replayProgress(ReplayProgress.onTerminal(cli.err, "replaying the journal")));
        final CountDownLatch stop = new CountDownLatch(1);
        // STARTING until the server serves; a stop asked for before then ends the process at once (STOPPED)
        final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(STARTING);
        final Runnable restoreSignals = Signals.onStop(() ->
        {
            if (state.compareAndSet(STARTING, STOPPED))
            {
                stopWhileStarting();
            }
            stop.countDown();
        });
        try
        {
            server.start();
        }
        catch (final IOException | RuntimeException ex)
        {
            restoreSignals.run(); // the process goes on (a test's, say) as it was before this start
            throw failedStart(ex);
        }
        if (!state.compareAndSet(STARTING, SERVING))
        {
            new CountDownLatch(1).await(); // a stop came while starting: the process is ending (stopWhileStarting)
        }
        // any other way the JVM exits (System.exit elsewhere, a signal not handled here) still stops it cleanly
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "jifen-shutdown"));
        final Thread watcher = new Thread(() ->
        {
            try
            {
                server.blockUntilShutdown();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
        }, "jifen-serving");
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
        final System.Logger log = System.getLogger(LedgerMain.class.getName());
        log.log(System.Logger.Level.INFO, "shutting down: draining in-flight commands");
        server.close();
        log.log(System.Logger.Level.INFO, "stopped cleanly, journal closed at sequence " + server.lastSequence());
        return LedgerCli.Exit.OK;
    }

    /** @return what a failed start is to the operator, with its exit code ({@link LedgerCli.Exit}). */
    private static RuntimeException failedStart(final Exception ex)
    {
        if (ex instanceof CannotStart)
        {
            return new LedgerCli.Failure(LedgerCli.Exit.UNAVAILABLE, "cannot start: " + ex.getMessage(), ex);
        }
        if (ex instanceof JournalCorruptException)
        {
            return new LedgerCli.Failure(LedgerCli.Exit.DATA, "cannot start: " + ex.getMessage(), ex);
        }
        if (ex instanceof IOException io)
        {
            // a path that is missing or wrong is the operator's to fix (2); any other I/O failure is the machine's (4)
            final boolean wrongPath = io instanceof java.nio.file.NoSuchFileException ||
                io instanceof java.nio.file.NotDirectoryException ||
                io instanceof java.nio.file.FileAlreadyExistsException ||
                io instanceof java.nio.file.AccessDeniedException;
            return new LedgerCli.Failure(wrongPath ? LedgerCli.Exit.USAGE : LedgerCli.Exit.UNAVAILABLE,
                "cannot start: " + LedgerCli.describe(io), ex);
        }
        if (ex instanceof IllegalStateException)
        {
            return new IllegalArgumentException("cannot start: " + ex.getMessage(), ex);
        }
        return (RuntimeException)ex; // anything else is not the operator's: reported as a bug
    }

    /**
     * A stop asked for while the server starts (a long replay, say). The start is abandoned as a killed process
     * would abandon it, which recovery is built for: the replay writes nothing, the repairs before it are atomic
     * renames, and whatever was acknowledged is in the journal. Halting rather than exiting keeps the JVM's shutdown
     * hooks (Chronicle's) from closing files under the replay, which would only print failures nobody needs.
     */
    private static void stopWhileStarting()
    {
        System.getLogger(LedgerMain.class.getName()).log(System.Logger.Level.INFO, "stop asked for while starting: " +
            "the start is abandoned (the journal is as it was); exiting");
        System.err.flush();
        Runtime.getRuntime().halt(LedgerCli.Exit.OK);
    }

    /** The server's configuration from the options given (each left out keeps {@link ServerConfig}'s default). */
    ServerConfig config() throws IOException
    {
        final ServerConfig c = new ServerConfig();
        if (null != port)
        {
            c.port(LedgerCli.range("--port", port, 0, 65535));
        }
        if (null != host)
        {
            c.host(host);
        }
        if (null != data)
        {
            c.data(data);
        }
        if (null != sync)
        {
            c.sync(SyncMode.parse(sync));
        }
        for (int i = 0; null != programs && i < programs.size(); i++)
        {
            final Path file = programs.get(i);
            if (i == 0)
            {
                c.program(LedgerMain.loadProgram(file), file.toString());
            }
            else
            {
                c.addProgram(LedgerMain.loadProgram(file), file.toString());
            }
        }
        if (null != ringSize)
        {
            if (Integer.bitCount(LedgerCli.range("--ring-size", ringSize, 2, 1 << 24)) != 1)
            {
                throw new IllegalArgumentException("--ring-size must be a power of two, not " + ringSize);
            }
            c.ringSize(ringSize);
        }
        c.discardDamagedTail(discardDamagedTail).sandbox(sandbox).insecure(insecure);
        if (null != tlsCert || null != tlsKey)
        {
            c.tls(tlsCert, tlsKey);
        }
        if (null != tlsClientCa)
        {
            c.tlsClientCa(tlsClientCa);
        }
        if (null != keys)
        {
            c.keys(keys);
        }
        operations(c);
        capacity.applyTo(c.ledgerContext());
        return c;
    }

    /** Queueing, draining, logging, metrics, free space and snapshots. */
    private void operations(final ServerConfig c)
    {
        if (null != minFreeMb)
        {
            c.minFreeBytes((long)LedgerCli.range("--min-free-mb", minFreeMb, 0, 1 << 20) << 20);
        }
        if (null != maxQueueMs)
        {
            c.maxQueueMs(LedgerCli.range("--max-queue-ms", maxQueueMs, 0, 600_000));
        }
        if (null != drainGraceMs)
        {
            c.drainGraceMs(LedgerCli.range("--drain-grace-ms", drainGraceMs, 0, 600_000));
        }
        if (null != logFormat)
        {
            Logging.format(logFormat); // applied as the command started (LedgerCli); checked here for a test's sake
        }
        if (null != logLevel)
        {
            Logging.level(logLevel);
        }
        c.metrics(null == metricsHost ? c.metricsHost : metricsHost,
            null == metricsPort ? c.metricsPort : LedgerCli.range("--metrics-port", metricsPort, 0, 65535));
        c.snapshots(null == snapshotEveryRecords ? c.snapshotEveryRecords :
            LedgerCli.range("--snapshot-every-records", snapshotEveryRecords, 0, Integer.MAX_VALUE),
            null == snapshotEveryMinutes ? c.snapshotEveryMinutes :
                LedgerCli.range("--snapshot-every-minutes", snapshotEveryMinutes, 0, 60 * 24 * 365),
            null == snapshotsKept ? c.snapshotsKept : LedgerCli.range("--snapshots-kept", snapshotsKept, 1, 1000));
    }
}
