package io.jifen.ledger.server.load;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Deque;

/**
 * Options of {@code ledger load}.
 */
public final class LoadOptions
{
    public static final String USAGE = String.join("\n",
        "usage: ledger load [options]      open-loop load against a running ledger server",
        "",
        "  --target HOST:PORT   server to load (default 127.0.0.1:9090)",
        "  --mode unary|stream  one RPC per operation, or Submit streams (default unary)",
        "  --rate N             operations per second to offer (default 1000)",
        "  --ramp-to N          ramp linearly from --rate to N over the run (default: constant rate)",
        "  --duration S         seconds to measure (default 10)",
        "  --warmup S           seconds of load before measuring (default 2)",
        "  --population N       members, drawn from a Zipf distribution (default 1000000, at most 10000000)",
        "  --zipf S             Zipf exponent (default 0.99)",
        "  --connections N      gRPC channels (unary) or Submit streams (stream) (default 2)",
        "  --concurrency N      unary calls in flight at most (default 256)",
        "  --batch N            stream: commands a Submit message carries, a CommandBatch (default 1: one a message)",
        "  --linger-us N        stream with --batch: a batch goes when full or when its first command has waited",
        "                       this long (default 1000); the wait is part of each command's latency",
        "  --retry-share F      share of writes re-sent with the same request id (default 0.01)",
        "  --json FILE          write the results as JSON",
        "  --hdr-log FILE       write the latency percentile distribution (HdrHistogram format, microseconds)",
        "  --seed N             random seed (default 1)",
        "  --no-holds           redeem directly instead of holding then capturing (servers without holds)",
        "",
        "Mix ('peak sale'): 70% earn, 10% redemption at checkout (a hold, captured when the member is drawn again),",
        "12% balance reads, 5% tier checks, 3% returns (reverse of an earlier earn). Every write has a unique request",
        "id; a member is enrolled the first time it is drawn.",
        "Latency is measured from each operation's intended send time, so a stalled server cannot hide its queue",
        "(no coordinated omission).");

    String host = "127.0.0.1";
    int port = 9090;
    boolean stream;
    double rate = 1000;
    double rampTo = -1;
    double durationSeconds = 10;
    double warmupSeconds = 2;
    int population = 1_000_000;
    double zipf = 0.99;
    int connections = 2;
    int concurrency = 256;
    int batch = 1;
    long lingerNs = 1_000_000;
    double retryShare = 0.01;
    Path json;
    Path hdrLog;
    long seed = 1;
    boolean progress = null != System.console();
    boolean holds = true;

    public int concurrency()
    {
        return concurrency;
    }

    public static LoadOptions parse(final Deque<String> args)
    {
        final LoadOptions o = new LoadOptions();
        while (!args.isEmpty())
        {
            final String option = args.pop();
            switch (option)
            {
                case "--target":
                    o.target(option, value(option, args));
                    break;
                case "--mode":
                    final String mode = value(option, args);
                    if (!mode.equals("unary") && !mode.equals("stream"))
                    {
                        throw new IllegalArgumentException("--mode must be unary or stream, got '" + mode + "'");
                    }
                    o.stream = mode.equals("stream");
                    break;
                case "--rate":
                    o.rate = number(option, value(option, args), 1, 10_000_000);
                    break;
                case "--ramp-to":
                    o.rampTo = number(option, value(option, args), 1, 10_000_000);
                    break;
                case "--duration":
                    o.durationSeconds = number(option, value(option, args), 0.1, 86_400);
                    break;
                case "--warmup":
                    o.warmupSeconds = number(option, value(option, args), 0, 3_600);
                    break;
                case "--population":
                    o.population = (int)number(option, value(option, args), 1, 10_000_000);
                    break;
                case "--zipf":
                    o.zipf = number(option, value(option, args), 0, 5);
                    break;
                case "--connections":
                    o.connections = (int)number(option, value(option, args), 1, 256);
                    break;
                case "--batch", "--linger-us":
                    o.batching(option, value(option, args));
                    break;
                case "--concurrency":
                    o.concurrency = (int)number(option, value(option, args), 1, 1_000_000);
                    break;
                case "--retry-share":
                    o.retryShare = number(option, value(option, args), 0, 1);
                    break;
                case "--json":
                    o.json = Paths.get(value(option, args));
                    break;
                case "--hdr-log":
                    o.hdrLog = Paths.get(value(option, args));
                    break;
                case "--seed":
                    o.seed = wholeNumber(option, value(option, args));
                    break;
                case "--progress", "--no-progress":
                    o.progress = option.equals("--progress");
                    break;
                case "--no-holds":
                    o.holds = false;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        return o;
    }

    /** HOST:PORT. */
    private void batching(final String option, final String value)
    {
        if (option.equals("--batch"))
        {
            batch = (int)number(option, value, 1, 4096);
        }
        else
        {
            lingerNs = (long)number(option, value, 1, 1_000_000) * 1000;
        }
    }

    private void target(final String option, final String target)
    {
        final int colon = target.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + target + "'");
        }
        host = target.substring(0, colon);
        port = (int)number(option, target.substring(colon + 1), 1, 65535);
    }

    private static long wholeNumber(final String option, final String value)
    {
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
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
