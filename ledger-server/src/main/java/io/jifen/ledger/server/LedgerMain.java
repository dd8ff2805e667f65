package io.jifen.ledger.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalCorruptException;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.journal.JournalScanner;
import io.jifen.ledger.pipeline.SyncMode;

/**
 * The `ledger` command: {@code serve}, {@code journal dump}, {@code journal verify}.
 */
public final class LedgerMain
{
    static final String USAGE = String.join("\n",
        "usage: ledger <command> [options]",
        "",
        "commands:",
        "  serve             run the ledger server",
        "  load              open-loop load against a running server (ledger load --help)",
        "  load-statements   open-loop ListHistory calls against a running server (ledger load-statements --help)",
        "  transport-limit   a no-op Ledger service on --port (default 9091): what gRPC alone costs here",
        "  report            finance's reports from a data folder: liability, breakage, balances (docs/reports.md)",
        "  import            migrate points from a CSV file into a running server: a lot a row, with its original",
        "                    earned-at and expiry (ledger import --help)",
        "  keys new          a new API key for a client: --id ID --role pos|reader|finance|admin",
        "                    (--program NAME)... | --all-programs; prints the key once and its keys-file line",
        "  export            every journal event with its double-entry postings, as csv or jsonl (docs/reports.md)",
        "  snapshot          take a snapshot of the journaled state now, with no server running on --data DIR",
        "                    (a running server takes its own); see docs/snapshot-format.md",
        "  journal dump      print every journal record as one JSON line",
        "  journal verify    replay the journal, check every record and print the state hash (from the oldest",
        "                    snapshot the journal confirms when its first day files were archived)",
        "  journal archive   move the journal's day files the newest snapshot covers to DIR/journal-archive",
        "                    (or --to DIR), with no server running",
        "  journal tail      a running server's records as JSON lines, from --after N; --follow keeps following",
        "                    (ledger journal tail --help)",
        "",
        "serve options (also from a YAML file, --config FILE, one key per option without its dashes, and from",
        "environment variables JIFEN_PORT, JIFEN_MAX_QUEUE_MS, ...; the command line wins over the environment,",
        "which wins over the file):",
        "  --port N          gRPC port (default 9090; 0 picks a free port)",
        "  --host ADDR       address to bind (default 127.0.0.1). Any other than loopback needs clients",
        "                    authenticated over TLS (--keys with --tls-cert/--tls-key, or --tls-client-ca) or",
        "                    --insecure: anyone who reaches the port could otherwise read and change every balance",
        "  --tls-cert FILE, --tls-key FILE  serve TLS with this PEM certificate chain and PKCS#8 private key",
        "  --tls-client-ca FILE  mutual TLS: clients must present a certificate these PEM CAs signed",
        "  --keys FILE       API keys (YAML of their SHA-256 hashes, roles and programs): every call but health",
        "                    needs 'authorization: Bearer KEY'; make one with ledger keys new (README, Security)",
        "  --insecure        accept a non-loopback address without client authentication (warned of at start",
        "                    and every hour)",
        "  --data DIR        data folder, the journal lives in DIR/journal (default ./data)",
        "  --sync MODE       batch: acknowledge after the journal is synced to disk (survives power loss, default)",
        "                    none:  acknowledge after the journal is written to the page cache (survives a killed",
        "                           process, not a power loss)",
        "  --program FILE    program rules (YAML, see docs/program.md); default: built-in. Repeat it for several",
        "                    programs in one ledger: the first is the one requests without program_id name",
        "  --ring-size N     command ring slots, a power of two (default 65536)",
        "  --max-queue-ms N  refuse a write RESOURCE_EXHAUSTED OVERLOADED, with a retry hint, when the commands",
        "                    ahead of it would take longer than this (or its deadline) to answer; reads get twice",
        "                    as long (default 1000; 0: only deadlines bound the queue)",
        "  --drain-grace-ms N  on SIGTERM, report NOT_SERVING and go on serving this long before draining, so",
        "                    load balancers move callers away first (default 0)",
        "  --log-format F    text (default) or json: one JSON object per line on standard error",
        "  --log-level L     trace, debug, info (default), warn or error",
        "  --metrics-port N  serve Prometheus metrics on http://HOST:N/metrics (default: not served)",
        "  --metrics-host H  the address the metrics are served on (default 127.0.0.1)",
        "  --min-free-mb N   refuse to start with less free space than this where the data lives (default 64)",
        "  --snapshot-every-records N  snapshot the state after this many journaled records (default 1000000;",
        "                    0: never by count); a start replays only the journal after the newest snapshot",
        "  --snapshot-every-minutes N  snapshot this often while records come in (default 60; 0: never by time)",
        "  --snapshots-kept N  snapshots kept in DIR/snapshots (default 3)",
        "  --discard-damaged-tail  accept damaged records at the very end of the journal (a write torn by a power",
        "                    loss, never acknowledged under --sync=batch): mark them discarded and start",
        "  --sandbox         a test clock: ledger time is advanced by the AdvanceClock RPC (expiry, maturity, hold",
        "                    time-outs, evaluations in seconds); only on an empty folder or a sandbox's, never",
        "                    for production",
        "  --request-ids-max N  request ids remembered at most (default 8000000, about 250 bytes of heap each)",
        "  --members-max N   members at most (default 100000000)",
        "  --expected-requests N, --expected-lots N, --expected-members N",
        "                    size the tables for this scale at start (default 65536 each); growing past it",
        "                    doubles a table on the writer's thread, a pause that grows with the table",
        "",
        "journal options:",
        "  --data DIR        data folder (default ./data)",
        "  --until TIME      verify: stop after the last record stamped at or before TIME, ISO-8601 with its",
        "                    offset (2026-11-30T23:59:59.999+08:00) or epoch milliseconds",
        "  --expect-chain A  verify: fail unless the journal still leads to anchor A (SEQUENCE:CHAIN, as verify",
        "                    prints it): proves no record up to that sequence was altered, removed or inserted",
        "",
        "  -h, --help        this text");

    private LedgerMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try
        {
            // before any logger exists, with what the config file and the environment add to a serve command line
            Logging.configure(args.length > 0 && "serve".equals(args[0]) ? new ServeOptions(USAGE).effective(
                new ArrayDeque<>(List.of(args).subList(1, args.length)), System.getenv()).toArray(new String[0]) :
                args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ledger: " + ex.getMessage());
            System.exit(2);
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) throws Exception
    {
        final Deque<String> rest = new ArrayDeque<>(List.of(args));
        if (rest.isEmpty() || rest.peek().equals("-h") || rest.peek().equals("--help"))
        {
            out.println(USAGE);
            return rest.isEmpty() ? 2 : 0;
        }
        final String command = rest.pop();
        try
        {
            switch (command)
            {
                case "serve":
                    return serve(rest, out);
                case "transport-limit":
                    return transportLimit(rest, out);
                case "load":
                case "load-statements":
                    return load(command, rest, out);
                case "report":
                    return FinanceReports.run(rest, out);
                case "export":
                    return JournalExport.run(rest, out);
                case "import":
                    return BulkImport.run(rest, out);
                case "keys":
                    return ApiKeys.newKey(rest, out);
                case "snapshot":
                    return snapshot(rest, out);
                case "journal":
                    if (rest.isEmpty())
                    {
                        throw new IllegalArgumentException("journal needs 'dump', 'verify', 'archive' or 'tail'");
                    }
                    final String sub = rest.pop();
                    if (sub.equals("dump"))
                    {
                        return dump(rest, out);
                    }
                    if (sub.equals("verify"))
                    {
                        return verify(rest, out);
                    }
                    if (sub.equals("archive"))
                    {
                        return archive(rest, out);
                    }
                    if (sub.equals("tail"))
                    {
                        return JournalTail.run(rest, out, err);
                    }
                    throw new IllegalArgumentException("unknown journal command '" + sub + "'");
                default:
                    throw new IllegalArgumentException("unknown command '" + command + "'");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("ledger: " + ex.getMessage());
            err.println("run 'ledger --help' for usage");
            return 2;
        }
        catch (final JournalCorruptException | IllegalStateException ex)
        {
            err.println("ledger: " + ex.getMessage());
            return 3;
        }
    }

    /** {@code ledger load} and {@code ledger load-statements}. */
    private static int load(final String command, final Deque<String> rest, final PrintStream out)
        throws Exception
    {
        final boolean statements = command.equals("load-statements");
        if (rest.contains("--help") || rest.contains("-h"))
        {
            out.println(statements ? io.jifen.ledger.server.load.StatementLoad.USAGE :
                io.jifen.ledger.server.load.LoadOptions.USAGE);
            return 0;
        }
        if (statements)
        {
            return io.jifen.ledger.server.load.StatementLoad.run(rest, out);
        }
        final io.jifen.ledger.server.load.Summary summary = new io.jifen.ledger.server.load.LoadGenerator(
            io.jifen.ledger.server.load.LoadOptions.parse(rest), out).run();
        return summary.errors == 0 ? 0 : 1;
    }

    private static int serve(final Deque<String> commandLine, final PrintStream out) throws Exception
    {
        final ServerConfig config = serveConfig(new ServeOptions(USAGE).effective(commandLine, System.getenv()));
        if (null == config)
        {
            out.println(USAGE);
            return 0;
        }
        final LedgerServer server = new LedgerServer(config);
        try
        {
            server.start();
        }
        catch (final java.io.IOException | IllegalStateException ex)
        {
            throw new IllegalArgumentException("cannot start: " + ex.getMessage(), ex);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            final System.Logger log = System.getLogger(LedgerMain.class.getName());
            log.log(System.Logger.Level.INFO, "shutting down: draining in-flight commands");
            server.close();
            log.log(System.Logger.Level.INFO, "stopped cleanly, journal closed at sequence " + server.lastSequence());
        }, "jifen-shutdown"));
        server.blockUntilShutdown();
        return 0;
    }

    /**
     * The server's configuration from its options (config file and environment already merged in, see
     * {@link ServeOptions}).
     *
     * @return null if help was asked for.
     */
    static ServerConfig serveConfig(final Deque<String> args) throws IOException
    {
        final ServerConfig config = new ServerConfig();
        int programs = 0;
        while (!args.isEmpty())
        {
            final String option = args.pop();
            switch (option)
            {
                case "-h", "--help":
                    return null;
                case "--port":
                    config.port(intValue(option, args, 0, 65535));
                    break;
                case "--host":
                    config.host(value(option, args));
                    break;
                case "--data":
                    config.data(Paths.get(value(option, args)));
                    break;
                case "--sync":
                    config.sync(SyncMode.parse(value(option, args)));
                    break;
                case "--program":
                    final Path file = Paths.get(value(option, args));
                    if (programs++ == 0)
                    {
                        config.program(loadProgram(file), file.toString());
                    }
                    else
                    {
                        config.addProgram(loadProgram(file), file.toString());
                    }
                    break;
                case "--ring-size":
                    config.ringSize(ringSize(intValue(option, args, 2, 1 << 24)));
                    break;
                case "--discard-damaged-tail":
                    config.discardDamagedTail(true);
                    break;
                case "--sandbox":
                    config.sandbox(true);
                    break;
                default:
                    if (!ledgerOption(option, args, config.ledgerContext()) && !storageOption(option, args, config) &&
                        !tlsOption(option, args, config))
                    {
                        throw new IllegalArgumentException("unknown option '" + option + "'");
                    }
            }
        }
        return config;
    }

    private static int ringSize(final int ring)
    {
        if (Integer.bitCount(ring) != 1)
        {
            throw new IllegalArgumentException("--ring-size must be a power of two, not " + ring);
        }
        return ring;
    }

    /** @return true if {@code option} says how clients reach the server (TLS, or --insecure), applied. */
    private static boolean tlsOption(final String option, final Deque<String> args, final ServerConfig config)
    {
        switch (option)
        {
            case "--tls-cert" -> config.tls(Paths.get(value(option, args)), config.tlsKey);
            case "--tls-key" -> config.tls(config.tlsCert, Paths.get(value(option, args)));
            case "--tls-client-ca" -> config.tlsClientCa(Paths.get(value(option, args)));
            case "--insecure" -> config.insecure(true);
            case "--keys" -> config.keys(Paths.get(value(option, args)));
            default ->
            {
                return false;
            }
        }
        return true;
    }

    /** Work on a data folder no server may be using at the same time. */
    @FunctionalInterface
    private interface Offline<T>
    {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} holding the data folder's lock, which a server holds while it runs.
     *
     * @param why what to tell the operator when a server holds it.
     */
    private static <T> T whileNoServerRuns(final Path data, final String why, final Offline<T> work)
        throws IOException
    {
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(data.resolve("LOCK"),
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock held = lock.tryLock())
        {
            if (null == held)
            {
                throw new IllegalStateException("a ledger server is running on " + data.toAbsolutePath() + " (" +
                    data.resolve("LOCK") + " is locked): " + why);
            }
            return work.run();
        }
    }

    /** {@code ledger journal archive --data DIR [--to DIR]}: day files a snapshot covers leave the data folder. */
    private static int archive(final Deque<String> args, final PrintStream out) throws IOException
    {
        Path data = Paths.get("data");
        Path target = null;
        while (!args.isEmpty())
        {
            final String option = args.pop();
            switch (option)
            {
                case "--data" -> data = Paths.get(value(option, args));
                case "--to" -> target = Paths.get(value(option, args));
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        requireJournal(data);
        final Path folder = data;
        final Path to = null == target ? data.resolve(io.jifen.ledger.snapshot.JournalArchive.FOLDER) : target;
        final io.jifen.ledger.snapshot.JournalArchive.Archived archived = whileNoServerRuns(data, "stop it " +
            "first (Chronicle must not lose files under a running writer)", () ->
            io.jifen.ledger.snapshot.JournalArchive.archive(folder.resolve("journal"),
                new io.jifen.ledger.snapshot.SnapshotStore(folder.resolve(io.jifen.ledger.snapshot.SnapshotStore
                    .FOLDER)), to, new LedgerContext()));
        out.printf("covered by %s (%s)%n", archived.snapshot(), archived.covering().at());
        if (archived.files().isEmpty())
        {
            out.println("nothing to archive: the snapshot is in the journal's oldest day file");
            return 0;
        }
        for (final Path file : archived.files())
        {
            out.println("archived " + file);
        }
        return 0;
    }

    /** {@code ledger transport-limit}: a no-op Ledger service, what gRPC alone costs here. */
    private static int transportLimit(final Deque<String> rest, final PrintStream out)
        throws IOException, InterruptedException
    {
        int noopPort = 9091;
        while (!rest.isEmpty())
        {
            final String option = rest.pop();
            if (!option.equals("--port"))
            {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
            noopPort = intValue(option, rest, 0, 65535);
        }
        final io.grpc.Server noop = io.jifen.ledger.server.load.NoopLedgerServer.start("127.0.0.1", noopPort);
        out.println("no-op Ledger service (transport limit) on 127.0.0.1:" + noop.getPort());
        noop.awaitTermination();
        return 0;
    }

    /**
     * {@code ledger snapshot --data DIR}: the journaled state as of now, from the newest snapshot and the tail. With
     * {@code --written N} it is a running server's child: it reads the N documents the server has finished writing
     * (the server holds the folder's lock), and stops if the server dies.
     */
    private static int snapshot(final Deque<String> args, final PrintStream out) throws IOException
    {
        Path data = Paths.get("data");
        long written = -1;
        final LedgerContext context = new LedgerContext();
        while (!args.isEmpty())
        {
            final String option = args.pop();
            if (option.equals("--data"))
            {
                data = Paths.get(value(option, args));
            }
            else if (option.equals("--written"))
            {
                written = Long.parseLong(value(option, args));
            }
            else if (!ledgerOption(option, args, context))
            {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        final Path journal = data.resolve("journal");
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal in " + journal.toAbsolutePath());
        }
        final io.jifen.ledger.snapshot.SnapshotStore store =
            new io.jifen.ledger.snapshot.SnapshotStore(data.resolve(io.jifen.ledger.snapshot.SnapshotStore.FOLDER));
        final java.util.function.Supplier<Ledger> empty = () -> new Ledger(Program.defaultProgram(), context);
        final io.jifen.ledger.snapshot.Snapshotter.Taken taken;
        if (written >= 0)
        {
            final java.util.Optional<ProcessHandle> server = ProcessHandle.current().parent();
            taken = io.jifen.ledger.snapshot.Snapshotter.take(journal, written, store, context, empty,
                () -> server.map(p -> !p.isAlive()).orElse(true));
        }
        else
        {
            taken = whileNoServerRuns(data, "it takes snapshots itself (--snapshot-every-records, " +
                "--snapshot-every-minutes)", () ->
                io.jifen.ledger.snapshot.Snapshotter.take(journal, -1, store, context, empty, () -> false));
        }
        if (null == taken)
        {
            out.println("nothing to do: the newest snapshot is at the journal's end (or the journal is empty)");
            return 0;
        }
        out.printf("snapshot %s%n  at %s%n  %d members, %d lots, %d bytes%n  replayed %d records from %s in " +
            "%.1f ms, written in %.1f ms%n", taken.file(), taken.at(), taken.members(), taken.lots(), taken.bytes(),
            taken.records(), taken.from(), taken.replayNanos() / 1e6, taken.writeNanos() / 1e6);
        return 0;
    }

    /** An instant as a person types it, ISO-8601 with its offset or zone, or as epoch milliseconds. */
    static long epochMs(final String option, final String value)
    {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty())
        {
            try
            {
                return Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                // too long for a long: reported below
            }
        }
        try
        {
            return java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.ISO_DATE_TIME).toInstant()
                .toEpochMilli();
        }
        catch (final java.time.DateTimeException ex)
        {
            throw new IllegalArgumentException(option + " must be an instant with its offset or zone, e.g. " +
                "2026-11-30T23:59:59.999+08:00 or 2026-11-30T15:59:59.999Z (or epoch milliseconds), got '" + value +
                "'");
        }
    }

    /**
     * The double entry: every account as posted from the journal's effects; each program's sum to zero. The first
     * program's as account.NAME; with several programs, each as program.SLOT.account.NAME, with its clearing
     * account's balance by partner.
     */
    private static void printAccounts(final PrintStream out, final Ledger ledger)
    {
        for (int slot = 0; slot < ledger.programCount(); slot++)
        {
            final String prefix = slot == 0 ? "" : "program." + slot + ".";
            if (ledger.programCount() > 1)
            {
                out.printf("program.%d.name %s%n", slot, ledger.program(slot).name());
            }
            final io.jifen.ledger.core.Accounts accounts = ledger.accounts(slot);
            for (final io.jifen.ledger.core.Accounts.Account account : io.jifen.ledger.core.Accounts.Account.values())
            {
                out.printf("%saccount.%s %s%n", prefix, account.name().toLowerCase(java.util.Locale.ROOT),
                    accounts.balance(account));
            }
            for (final String partner : accounts.partners())
            {
                out.printf("%sclearing.%s %s%n", prefix, partner, accounts.clearing(partner));
            }
        }
    }

    /** @return false if the option is not one of the storage options (free space, snapshots), else applies it. */
    private static boolean storageOption(final String option, final Deque<String> args, final ServerConfig config)
    {
        switch (option)
        {
            case "--min-free-mb":
                config.minFreeBytes((long)intValue(option, args, 0, 1 << 20) << 20);
                return true;
            case "--max-queue-ms":
                config.maxQueueMs(intValue(option, args, 0, 600_000));
                return true;
            case "--log-format":
                Logging.format(value(option, args)); // applied as the process started (Logging.configure)
                return true;
            case "--log-level":
                Logging.level(value(option, args));
                return true;
            case "--drain-grace-ms":
                config.drainGraceMs(intValue(option, args, 0, 600_000));
                return true;
            case "--metrics-port":
                config.metrics(config.metricsHost, intValue(option, args, 0, 65535));
                return true;
            case "--metrics-host":
                config.metrics(value(option, args), config.metricsPort);
                return true;
            case "--snapshot-every-records":
                config.snapshots(intValue(option, args, 0, Integer.MAX_VALUE), config.snapshotEveryMinutes,
                    config.snapshotsKept);
                return true;
            case "--snapshot-every-minutes":
                config.snapshots(config.snapshotEveryRecords, intValue(option, args, 0, 60 * 24 * 365),
                    config.snapshotsKept);
                return true;
            case "--snapshots-kept":
                config.snapshots(config.snapshotEveryRecords, config.snapshotEveryMinutes,
                    intValue(option, args, 1, 1000));
                return true;
            default:
                return false;
        }
    }

    /** @return false if the option is not one of the ledger's capacity options, else applies it. */
    private static boolean ledgerOption(final String option, final Deque<String> args, final LedgerContext context)
    {
        switch (option)
        {
            case "--request-ids-max":
                context.requestIdsMax(intValue(option, args, 1, LedgerContext.REQUEST_IDS_MAX_LIMIT));
                return true;
            case "--expected-requests":
                context.expectedRequests(intValue(option, args, 16, LedgerContext.REQUEST_IDS_MAX_LIMIT));
                return true;
            case "--expected-lots":
                context.expectedLots(intValue(option, args, 16, LedgerContext.LOTS_MAX_LIMIT));
                return true;
            case "--expected-members":
                context.expectedMembers(intValue(option, args, 16, LedgerContext.MEMBERS_MAX_LIMIT));
                return true;
            case "--members-max":
                context.membersMax(intValue(option, args, 1, LedgerContext.MEMBERS_MAX_LIMIT));
                return true;
            default:
                return false;
        }
    }

    static Program loadProgram(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read program file " + file + ": " + ex.getMessage());
        }
        try
        {
            return Program.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("program file " + file + " " + ex.getMessage());
        }
    }

    private static int dump(final Deque<String> args, final PrintStream out)
    {
        Path data = Paths.get("data");
        while (!args.isEmpty())
        {
            final String option = args.pop();
            if (option.equals("--data"))
            {
                data = Paths.get(value(option, args));
            }
            else
            {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        requireJournal(data);
        final JournalScanner.Observer show = new JournalScanner.Observer()
        {
            @Override
            public void onDamaged(final long index, final int length)
            {
                out.println("{\"type\":\"damaged\",\"index\":" + index + ",\"bytes\":" + length + "}");
            }

            @Override
            public void onTailDiscarded(final org.agrona.DirectBuffer marker)
            {
                out.println(JournalRecord.toJson(marker));
            }
        };
        try (Journal journal = new Journal(data.resolve("journal"), true);
            JournalScanner scanner = new JournalScanner(journal, show, null))
        {
            while (scanner.next())
            {
                out.println(JournalRecord.toJson(scanner.record()));
            }
            if (scanner.damagedTailCount() > 0)
            {
                throw scanner.damagedTail(" (start the server with --discard-damaged-tail to mark them discarded)");
            }
        }
        return 0;
    }

    private static int verify(final Deque<String> args, final PrintStream out)
    {
        Path data = Paths.get("data");
        long until = Long.MAX_VALUE;
        String expectChain = null;
        while (!args.isEmpty())
        {
            final String option = args.pop();
            switch (option)
            {
                case "--data":
                    data = Paths.get(value(option, args));
                    break;
                case "--expect-chain":
                    expectChain = value(option, args);
                    break;
                case "--until":
                    until = epochMs(option, value(option, args));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        requireJournal(data);
        try (Journal journal = new Journal(data.resolve("journal"), true))
        {
            final long untilSequence = null == expectChain ? Long.MAX_VALUE : anchorSequence(expectChain);
            final io.jifen.ledger.journal.JournalRecovery.Start start = io.jifen.ledger.snapshot.ArchivedPrefix
                .start(journal, new io.jifen.ledger.snapshot.SnapshotStore(data.resolve(
                    io.jifen.ledger.snapshot.SnapshotStore.FOLDER)), until, untilSequence);
            if (null != start.from())
            {
                out.printf("from %s%nfrom_anchor %d:%s%n", start.source(), start.from().sequence(),
                    start.from().chainHex());
            }
            final Ledger ledger = (Ledger)start.ledger();
            final JournalReplay.Result result =
                JournalReplay.replay(journal, ledger, start.from(), until, untilSequence, false, 0, null, null);
            ledger.checkInvariants();
            // As of --until, points already past their expiry instant are dead even if the sweep journaled their
            // expiry a little later: outstanding excludes them and breakage includes them.
            final long asOf = until == Long.MAX_VALUE ? ledger.lastTimestamp() : until;
            final java.math.BigInteger outstanding = asOf == Long.MIN_VALUE ?
                java.math.BigInteger.ZERO : ledger.outstandingAt(asOf);
            // points in open holds left their lots (debited) but are still the members' until captured
            final java.math.BigInteger journaledOutstanding = ledger.credited().subtract(ledger.debited())
                .subtract(ledger.expired()).add(java.math.BigInteger.valueOf(ledger.held()));
            out.print(asOf == Long.MIN_VALUE ? "" : "as_of " + java.time.Instant.ofEpochMilli(asOf) + "\n");
            out.printf("records %d%nlast_sequence %d%nas_of_ms %d%nmembers %d%nlots %d%ncredited %s%ndebited %s%n" +
                "held %d%npending %d%nexpired %s%nexpired_due_not_yet_journaled %s%noutstanding %s%n" +
                "state_hash %016x%nanchor %d:%s%nreplay_ms %.1f%n",
                result.records, result.lastSequence, asOf, ledger.memberCount(), ledger.lotCount(),
                ledger.credited(), ledger.debited(), ledger.held(), ledger.pending(), ledger.expired(),
                journaledOutstanding.subtract(outstanding), outstanding, result.stateHash, result.lastSequence,
                result.recordChainHex(), result.nanos / 1e6);
            printAccounts(out, ledger);
            if (null != expectChain)
            {
                final String found = result.lastSequence + ":" + result.recordChainHex();
                if (!found.equalsIgnoreCase(expectChain))
                {
                    throw new IllegalStateException("the journal up to sequence " + untilSequence + " leads to " +
                        found + ", not the anchored " + expectChain + ": records up to it were altered, removed or " +
                        "inserted (or the journal does not reach it)");
                }
            }
        }
        return 0;
    }

    /**
     * An anchor is "SEQUENCE:CHAIN", as `journal verify` prints it: the chain value after the record with that
     * sequence.
     */
    private static long anchorSequence(final String anchor)
    {
        final int colon = anchor.indexOf(':');
        if (colon <= 0 || !anchor.substring(colon + 1).matches("[0-9a-fA-F]{64}"))
        {
            throw new IllegalArgumentException(
                "--expect-chain must be SEQUENCE:CHAIN as verify prints it (anchor ...), got '" + anchor + "'");
        }
        try
        {
            return Long.parseLong(anchor.substring(0, colon));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--expect-chain sequence is not a number: '" + anchor + "'");
        }
    }

    private static void requireJournal(final Path data)
    {
        if (!Files.isDirectory(data.resolve("journal")))
        {
            throw new IllegalArgumentException("no journal in " + data.resolve("journal"));
        }
    }

    private static String value(final String option, final Deque<String> args)
    {
        if (args.isEmpty())
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.pop();
    }

    private static int intValue(final String option, final Deque<String> args, final int min, final int max)
    {
        final String value = value(option, args);
        final int parsed;
        try
        {
            parsed = Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", got " + parsed);
        }
        return parsed;
    }
}
