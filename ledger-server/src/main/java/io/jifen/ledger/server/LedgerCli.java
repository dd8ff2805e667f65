package io.jifen.ledger.server;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.SnapshotFormatException;
import io.jifen.ledger.journal.JournalCorruptException;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.snapshot.SnapshotFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code ledger} command line, on picocli: one command per tool, each with its own options and {@code --help},
 * {@code --flag value} and {@code --flag=value} alike, {@code --version}, and the exit codes of {@link Exit}. The
 * tools' work lives where it did ({@link LedgerMain}, {@link BulkImport}, {@link FinanceReports}, ...); the commands
 * here only say what each takes.
 */
@Command(name = "ledger", mixinStandardHelpOptions = true, versionProvider = LedgerCli.Version.class,
    synopsisSubcommandLabel = "COMMAND", usageHelpAutoWidth = true,
    description = {"Jifen: a points ledger for membership programs. 'ledger COMMAND --help' shows a command's " +
        "options; times are ISO-8601 with their offset (2026-11-30T23:59:59+08:00) or epoch milliseconds."},
    commandListHeading = "%nCommands:%n", exitCodeListHeading = "%nExit codes (every command):%n",
    exitCodeList = {
        "0:done (serve: stopped cleanly, by SIGTERM or SIGINT)",
        "1:done, but part of the work failed (rows rejected, load errors)",
        "2:bad usage: an unknown option, a bad value, a file that is missing or wrong",
        "3:the data cannot be trusted: a damaged journal, snapshot or checkpoint, a broken chain or anchor",
        "4:could not run: the port is taken, the data folder is in use or full, the server is unreachable, a run " +
            "ended early",
        "5:an unexpected error (a bug: please report it with the stack trace printed)"})
final class LedgerCli extends CommandGroup
{
    /** The exit codes, the same for every command (documented in {@code ledger --help} and the README). */
    static final class Exit
    {
        static final int OK = 0;
        static final int PARTLY_FAILED = 1;
        static final int USAGE = 2;
        static final int DATA = 3;
        static final int UNAVAILABLE = 4;
        static final int BUG = 5;

        private Exit()
        {
        }
    }

    /** A failure with its exit code and the message the operator reads. */
    static final class Failure extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Failure(final int exitCode, final String message, final Throwable cause)
        {
            super(message, cause);
            this.exitCode = exitCode;
        }
    }

    final PrintStream out;
    final PrintStream err;

    private LedgerCli(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs one command line.
     *
     * @return its exit code ({@link Exit}).
     */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final CommandLine cli = commandLine(out, err);
        if (args.length > 0 && args[0].equals("serve"))
        {
            try
            {
                final CommandLine serve = cli.getSubcommands().get("serve");
                serve.setDefaultValueProvider(ServeOptions.of(serve.getCommandSpec(),
                    java.util.Arrays.asList(args).subList(1, args.length), System.getenv()));
            }
            catch (final IllegalArgumentException ex)
            {
                err.println("ledger: " + ex.getMessage());
                return Exit.USAGE;
            }
        }
        return cli.execute(args);
    }

    /** The whole command tree, writing to {@code out} and {@code err}. */
    static CommandLine commandLine(final PrintStream out, final PrintStream err)
    {
        final LedgerCli top = new LedgerCli(out, err);
        final CommandLine cli = new CommandLine(top);
        cli.addSubcommand(new ServeCommand(top));
        cli.addSubcommand(new CommandLine(new JournalGroup())
            .addSubcommand(new Dump(top))
            .addSubcommand(new Verify(top))
            .addSubcommand(new Archive(top))
            .addSubcommand(new JournalTail.Tail(top)));
        cli.addSubcommand(new SnapshotTool(top));
        cli.addSubcommand(new FinanceReports.Report(top));
        cli.addSubcommand(new JournalExport.Export(top));
        cli.addSubcommand(new BulkImport.Import(top));
        cli.addSubcommand(new CommandLine(new KeysGroup()).addSubcommand(new ApiKeys.NewKey(top)));
        cli.addSubcommand(new io.jifen.ledger.server.load.LoadOptions.Load(out));
        cli.addSubcommand(new io.jifen.ledger.server.load.StatementLoad.LoadStatements(out));
        cli.addSubcommand(new TransportLimit(top));
        cli.addSubcommand(new CommandLine.HelpCommand());
        versionEverywhere(cli);
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setExecutionStrategy(LedgerCli::executeParsed);
        cli.setParameterExceptionHandler((ex, args) ->
        {
            final CommandLine at = ex.getCommandLine();
            // a serve option's bad value may come from the environment or the config file: say which
            final String source = at.getDefaultValueProvider() instanceof ServeOptions options &&
                ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option &&
                !ex.getCommandLine().getParseResult().hasMatchedOption(option) ? options.sourceOf(option) : null;
            err.println("ledger: " + ex.getMessage() + (null == source ? "" : " (from " + source + ")"));
            err.println("run '" + at.getCommandSpec().qualifiedName() + " --help' for its options");
            return Exit.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, at, parsed) -> failed(ex, err));
        return cli;
    }

    /** Every command's --version says what the top command's does (picocli sets it on the top one only). */
    private static void versionEverywhere(final CommandLine command)
    {
        for (final CommandLine sub : command.getSubcommands().values())
        {
            sub.getCommandSpec().versionProvider(new Version());
            versionEverywhere(sub);
        }
    }

    /** Configures logging for the command about to run (a serve's options first), then runs it. */
    private static int executeParsed(final CommandLine.ParseResult parsed)
    {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand())
        {
            last = last.subcommand();
        }
        final Object command = last.commandSpec().userObject();
        try
        {
            if (command instanceof ServeCommand serve)
            {
                Logging.configure(serve.logFormat, serve.logLevel);
            }
            else
            {
                Logging.configure(null, null);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(last.commandSpec().commandLine(), ex.getMessage(), ex, null, null);
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** @return the exit code of a command that threw, having said why. */
    static int failed(final Exception ex, final PrintStream err)
    {
        final int code;
        if (ex instanceof Failure failure)
        {
            code = failure.exitCode;
        }
        else if (ex instanceof IllegalArgumentException)
        {
            code = Exit.USAGE;
        }
        else if (ex instanceof JournalCorruptException || ex instanceof SnapshotFormatException ||
            ex instanceof IllegalStateException)
        {
            code = Exit.DATA;
        }
        else if (ex instanceof java.io.IOException || ex instanceof UncheckedIOException ||
            ex instanceof InterruptedException)
        {
            code = Exit.UNAVAILABLE;
        }
        else if (ex instanceof io.grpc.StatusRuntimeException call)
        {
            // a client tool's call failed: refused for its key or its input (2), else the server is not there (4)
            code = switch (call.getStatus().getCode())
            {
                case UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT -> Exit.USAGE;
                default -> Exit.UNAVAILABLE;
            };
        }
        else
        {
            err.println("ledger: unexpected error (please report it with this trace)");
            ex.printStackTrace(err);
            return Exit.BUG;
        }
        err.println("ledger: " + (ex instanceof java.io.IOException io ? describe(io) :
            ex instanceof UncheckedIOException unchecked ? ex.getMessage() + " (" + describe(unchecked.getCause()) +
                ")" : ex.getMessage()));
        return code;
    }

    /**
     * What an I/O failure means, in words: Java's file exceptions carry only the path as their message
     * ("/etc/passwd"), which says nothing of what is wrong with it.
     */
    static String describe(final java.io.IOException ex)
    {
        if (ex instanceof java.nio.file.NoSuchFileException missing)
        {
            return "no such file or directory: " + missing.getFile();
        }
        if (ex instanceof java.nio.file.NotDirectoryException || ex instanceof java.nio.file.FileAlreadyExistsException)
        {
            return "not a directory: " + ((java.nio.file.FileSystemException)ex).getFile();
        }
        if (ex instanceof java.nio.file.AccessDeniedException denied)
        {
            return "permission denied: " + denied.getFile();
        }
        if (ex instanceof java.nio.file.FileSystemException other)
        {
            return other.getFile() + ": " + (null == other.getReason() ? ex.getClass().getSimpleName() :
                other.getReason());
        }
        return String.valueOf(ex.getMessage());
    }

    /** {@code ledger --version}: the build, and the formats it reads and writes. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = LedgerCli.class.getPackage().getImplementationVersion();
            return new String[] {
                "jifen ledger " + (null == version ? "(a development build, not from the jar)" : version),
                "journal records: reads versions " + JournalRecord.VERSION + " to " + JournalRecord.VERSION_LATEST +
                    ", writes " + JournalRecord.VERSION_LATEST + " (docs/journal-format.md)",
                "snapshots: format " + SnapshotFile.FORMAT_VERSION + " (docs/snapshot-format.md)",
                "API: jifen.ledger.v1 over gRPC",
                "JVM: ${java.version} (${java.vendor}), ${os.name} ${os.arch}"};
        }
    }

    /** An instant as a person types it: ISO-8601 with its offset or zone, or epoch milliseconds. */
    static final class InstantConverter implements CommandLine.ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            try
            {
                return LedgerMain.epochMs("the time", value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage().replace("the time must be",
                    "must be"));
            }
        }
    }

    /** {@code --data DIR}: the data folder every offline tool reads. */
    static final class DataOption
    {
        @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "the data folder; the journal is DIR/journal (default: ${DEFAULT-VALUE})")
        Path data;
    }

    /** The ledger's capacity options: a server's, and an offline snapshot's replay. */
    static final class CapacityOptions
    {
        @Option(names = "--request-ids-max", paramLabel = "N",
            description = "request ids remembered at most (default: one per KiB of the heap (-Xmx), rounded down " +
                "to a power of two, at most 8000000: 4194304 on the ledger script's 4 GiB)")
        Integer requestIdsMax;
        @Option(names = "--members-max", paramLabel = "N", description = "members at most (default 100000000)")
        Integer membersMax;
        @Option(names = "--expected-requests", paramLabel = "N",
            description = "size the request table for this many at start (default 65536)")
        Integer expectedRequests;
        @Option(names = "--expected-lots", paramLabel = "N",
            description = "size the lot table for this many at start (default 65536)")
        Integer expectedLots;
        @Option(names = "--expected-members", paramLabel = "N",
            description = "size the member table for this many at start (default 65536); growing past a table's " +
                "size doubles it on the writer's thread, a pause that grows with the table")
        Integer expectedMembers;

        /** -Xmx as given (Runtime.maxMemory() leaves out a survivor space, a power of two too little at 4 GiB). */
        static long maxHeapBytes()
        {
            try
            {
                return Long.parseLong(java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("MaxHeapSize").getValue());
            }
            catch (final RuntimeException | LinkageError ex)
            {
                return Runtime.getRuntime().maxMemory(); // a JVM without HotSpot's diagnostic bean
            }
        }

        void applyTo(final LedgerContext context)
        {
            context.requestIdsMax(null != requestIdsMax ?
                range("--request-ids-max", requestIdsMax, 1, LedgerContext.REQUEST_IDS_MAX_LIMIT) :
                LedgerContext.requestIdsMaxFor(maxHeapBytes()));
            if (null != expectedRequests)
            {
                context.expectedRequests(range("--expected-requests", expectedRequests, 16,
                    LedgerContext.REQUEST_IDS_MAX_LIMIT));
            }
            if (null != expectedLots)
            {
                context.expectedLots(range("--expected-lots", expectedLots, 16, LedgerContext.LOTS_MAX_LIMIT));
            }
            if (null != expectedMembers)
            {
                context.expectedMembers(range("--expected-members", expectedMembers, 16,
                    LedgerContext.MEMBERS_MAX_LIMIT));
            }
            if (null != membersMax)
            {
                context.membersMax(range("--members-max", membersMax, 1, LedgerContext.MEMBERS_MAX_LIMIT));
            }
        }
    }

    /** @return {@code value}, if within {@code min..max}; else a usage error naming the option. */
    static int range(final String option, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    @Command(name = "journal", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
        description = "Read, check and archive the journal (docs/journal-format.md).")
    static final class JournalGroup extends CommandGroup
    {
    }

    @Command(name = "keys", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
        description = "API keys for clients (README, Security).")
    static final class KeysGroup extends CommandGroup
    {
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print every journal record as one line of JSON (the change stream's record_json).")
    static final class Dump implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Mixin
        DataOption data;

        Dump(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call()
        {
            return LedgerMain.dump(data.data, cli.out);
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Replay the journal, check every record and its chain, and print the totals, the accounts " +
            "(double entry) and the state hash; from the oldest snapshot the journal confirms when its first day " +
            "files were archived.", "A terminal shows the replay's progress on standard error."})
    static final class Verify implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Mixin
        DataOption data;
        @Option(names = "--until", paramLabel = "TIME", converter = InstantConverter.class,
            description = "stop after the last record stamped at or before TIME: ISO-8601 with its offset " +
                "(2026-11-30T23:59:59.999+08:00) or epoch milliseconds")
        Long until;
        @Option(names = "--expect-chain", paramLabel = "SEQUENCE:CHAIN",
            description = "fail (exit 3) unless the journal still leads to this anchor, as verify printed it: " +
                "proves no record up to that sequence was altered, removed or inserted")
        String expectChain;

        Verify(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call()
        {
            return LedgerMain.verify(data.data, null == until ? Long.MAX_VALUE : until, expectChain, cli.out,
                ReplayProgress.onTerminal(cli.err, "verifying the journal"));
        }
    }

    @Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Move the journal's day files the newest snapshot covers out of the data folder, with no " +
            "server running.")
    static final class Archive implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Mixin
        DataOption data;
        @Option(names = "--to", paramLabel = "DIR", description = "where to (default: DIR/journal-archive)")
        Path to;

        Archive(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call() throws java.io.IOException
        {
            return LedgerMain.archive(data.data, to, cli.out);
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Take a snapshot of the journaled state now, with no server running on the data folder (a " +
            "running server takes its own); see docs/snapshot-format.md."})
    static final class SnapshotTool implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Mixin
        DataOption data;
        @Mixin
        CapacityOptions capacity;
        @Option(names = "--written", hidden = true, defaultValue = "-1",
            description = "a running server's child: the documents it has finished writing")
        long written;

        SnapshotTool(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call() throws java.io.IOException
        {
            final LedgerContext context = new LedgerContext();
            capacity.applyTo(context);
            return LedgerMain.snapshot(data.data, written, context, cli.out);
        }
    }

    @Command(name = "transport-limit", mixinStandardHelpOptions = true,
        description = "A no-op Ledger service on loopback: what gRPC alone costs here (the benchmarks' limit).")
    static final class TransportLimit implements Callable<Integer>
    {
        private final LedgerCli cli;
        @Option(names = "--port", paramLabel = "N", defaultValue = "9091",
            description = "the port (default ${DEFAULT-VALUE}; 0 picks a free one)")
        int port;

        TransportLimit(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call() throws Exception
        {
            final io.grpc.Server noop = io.jifen.ledger.server.load.NoopLedgerServer.start("127.0.0.1",
                range("--port", port, 0, 65535));
            cli.out.println("no-op Ledger service (transport limit) on 127.0.0.1:" + noop.getPort());
            noop.awaitTermination();
            return Exit.OK;
        }
    }
}
