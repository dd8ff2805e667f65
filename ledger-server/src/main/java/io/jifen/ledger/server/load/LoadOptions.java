package io.jifen.ledger.server.load;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Deque;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options of {@code ledger load}, on picocli ({@link Load} is the command); {@link #parse} reads the same options for
 * the benchmarks and tests that run a load in process.
 */
public final class LoadOptions
{
    String host = "127.0.0.1";
    int port = 9090;
    boolean stream;
    boolean client;
    @Option(names = "--target", paramLabel = "HOST:PORT", description = "server to load (default 127.0.0.1:9090)")
    String target;
    @Option(names = "--mode", paramLabel = "unary|stream|client",
        description = "one RPC per operation, Submit streams, or the Java client (Submit streams it batches on its " +
            "own) (default unary)")
    String mode;
    @Option(names = "--rate", paramLabel = "N", description = "operations per second to offer (default 1000)")
    double rate = 1000;
    @Option(names = "--ramp-to", paramLabel = "N",
        description = "ramp linearly from --rate to N over the run (default: constant rate)")
    double rampTo = -1;
    @Option(names = "--duration", paramLabel = "S", description = "seconds to measure (default 10)")
    double durationSeconds = 10;
    @Option(names = "--warmup", paramLabel = "S", description = "seconds of load before measuring (default 2)")
    double warmupSeconds = 2;
    @Option(names = "--population", paramLabel = "N",
        description = "members, drawn from a Zipf distribution (default 1000000, at most 10000000)")
    int population = 1_000_000;
    @Option(names = "--zipf", paramLabel = "S", description = "Zipf exponent (default 0.99)")
    double zipf = 0.99;
    @Option(names = "--connections", paramLabel = "N",
        description = "gRPC channels (unary) or Submit streams (stream, client) (default 2)")
    int connections = 2;
    @Option(names = "--concurrency", paramLabel = "N", description = "unary calls in flight at most (default 256)")
    int concurrency = 256;
    @Option(names = "--batch", paramLabel = "N",
        description = "stream: commands a Submit message carries, a CommandBatch (default 1: one a message); " +
            "client: the most a message carries (default 512)")
    int batch = 1;
    @Option(names = "--linger-us", paramLabel = "N", description = "stream with --batch: a batch goes when full or " +
        "when its first command has waited this long (default 1000); the wait is part of each command's latency")
    long lingerUs = 1000;
    long lingerNs = 1_000_000;
    @Option(names = "--retry-share", paramLabel = "F",
        description = "share of writes re-sent with the same request id (default 0.01)")
    double retryShare = 0.01;
    @Option(names = "--json", paramLabel = "FILE", description = "write the results as JSON")
    Path json;
    @Option(names = "--hdr-log", paramLabel = "FILE",
        description = "write the latency percentile distribution (HdrHistogram format, microseconds)")
    Path hdrLog;
    @Option(names = "--seed", paramLabel = "N", description = "random seed (default 1)")
    long seed = 1;
    @Option(names = "--progress", negatable = true,
        description = "a progress line on standard error (default: on a terminal)")
    Boolean progressAsked;
    boolean progress;
    @Option(names = "--no-holds", description = "redeem directly instead of holding then capturing (servers " +
        "without holds)")
    boolean noHolds;
    boolean holds = true;

    public int concurrency()
    {
        return concurrency;
    }

    /** Reads {@code ledger load}'s options. @throws IllegalArgumentException naming an option that is wrong. */
    public static LoadOptions parse(final Deque<String> args)
    {
        final LoadOptions o = new LoadOptions();
        try
        {
            new CommandLine(o).parseArgs(args.toArray(new String[0]));
        }
        catch (final CommandLine.ParameterException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        return o.validated();
    }

    /** Checks each option's range and derives what the generator reads: @return this. */
    LoadOptions validated()
    {
        if (null != target)
        {
            final java.net.InetSocketAddress address = hostPort("--target", target);
            host = address.getHostString();
            port = address.getPort();
        }
        if (null != mode && !mode.equals("unary") && !mode.equals("stream") && !mode.equals("client"))
        {
            throw new IllegalArgumentException("--mode must be unary, stream or client, got '" + mode + "'");
        }
        stream = "stream".equals(mode);
        client = "client".equals(mode);
        check("--rate", rate, 1, 10_000_000);
        if (rampTo != -1)
        {
            check("--ramp-to", rampTo, 1, 10_000_000);
        }
        check("--duration", durationSeconds, 0.1, 86_400);
        check("--warmup", warmupSeconds, 0, 3_600);
        check("--population", population, 1, 10_000_000);
        check("--zipf", zipf, 0, 5);
        check("--connections", connections, 1, 256);
        check("--concurrency", concurrency, 1, 1_000_000);
        check("--batch", batch, 1, 4096);
        check("--linger-us", lingerUs, 1, 1_000_000);
        lingerNs = lingerUs * 1000;
        check("--retry-share", retryShare, 0, 1);
        holds = !noHolds;
        progress = null != progressAsked ? progressAsked : Terminal.stderr();
        return this;
    }

    private static void check(final String option, final double value, final double min, final double max)
    {
        number(option, Double.toString(value), min, max);
    }

    /** {@code ledger load}: runs the generator against a server. */
    @Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Open-loop load against a running ledger server.",
        footer = {"",
            "Mix ('peak sale'): 70%% earn, 10%% redemption at checkout (a hold, captured when the member is drawn",
            "again), 12%% balance reads, 5%% tier checks, 3%% returns (reverse of an earlier earn). Every write has a",
            "unique request id; a member is enrolled the first time it is drawn.",
            "Latency is measured from each operation's intended send time, so a stalled server cannot hide its queue",
            "(no coordinated omission). Exit status 1 when any operation failed."})
    public static final class Load implements Callable<Integer>
    {
        private final PrintStream out;
        @Mixin
        LoadOptions options;

        public Load(final PrintStream out)
        {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception
        {
            final Summary summary = new LoadGenerator(options.validated(), out).run();
            return summary.errors == 0 ? 0 : 1;
        }
    }

    /** HOST:PORT, as --target takes it: @return host and port, unresolved. Shared by the benchmark tools. */
    public static java.net.InetSocketAddress hostPort(final String option, final String target)
    {
        final int colon = target.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + target + "'");
        }
        return java.net.InetSocketAddress.createUnresolved(target.substring(0, colon),
            (int)number(option, target.substring(colon + 1), 1, 65535));
    }

    /**
     * The value following {@code option}; a clear error when there is none. Shared by the benchmark tools.
     */
    public static String value(final String option, final Deque<String> args)
    {
        if (args.isEmpty())
        {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.pop();
    }

    /**
     * {@code value} as a number within {@code min..max}; a clear error naming the option otherwise.
     */
    public static double number(final String option, final String value, final double min, final double max)
    {
        final double parsed;
        try
        {
            parsed = Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " must be a number, got '" + value + "'");
        }
        if (!(parsed >= min && parsed <= max))
        {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", got " + value);
        }
        return parsed;
    }
}
