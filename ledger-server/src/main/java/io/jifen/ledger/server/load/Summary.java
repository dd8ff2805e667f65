package io.jifen.ledger.server.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * What a load run measured: counts, achieved rate, latency percentiles (from intended send times) overall and per
 * operation.
 */
public final class Summary
{
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    private final LoadOptions options;
    public final String mode;
    public final String target;
    public final long sent;
    public final double seconds;
    public final long ok;
    public final long replays;
    public final long rejected;
    public final long errors;
    public final Histogram latency;
    private final Histogram[] perOp;
    private final long[] opCounts;
    public final String lastError;

    Summary(final LoadOptions options, final String mode, final String target, final long sent,
        final double seconds, final long ok, final long replays,
        final long rejected, final long errors, final Histogram latency, final Histogram[] perOp,
        final AtomicLong[] opCounts, final String lastError)
    {
        this.options = options;
        this.mode = mode;
        this.target = target;
        this.sent = sent;
        this.seconds = seconds;
        this.ok = ok;
        this.replays = replays;
        this.rejected = rejected;
        this.errors = errors;
        this.latency = latency;
        this.perOp = perOp;
        this.opCounts = new long[opCounts.length];
        for (int i = 0; i < opCounts.length; i++)
        {
            this.opCounts[i] = opCounts[i].get();
        }
        this.lastError = lastError;
    }

    public double achievedRate()
    {
        return seconds > 0 ? sent / seconds : 0;
    }

    public long answered()
    {
        return ok + rejected + errors;
    }

    void print(final PrintStream out)
    {
        out.printf(Locale.ROOT, "sent %d in %.1f s (%.0f ops/s achieved of %.0f offered): ok %d (replays %d), " +
            "rejected %d, errors %d%n", sent, seconds, achievedRate(),
            options.rampTo > 0 ? options.rampTo : options.rate, ok, replays, rejected, errors);
        if (errors > 0)
        {
            out.println("last error: " + lastError);
        }
        out.print("latency from intended send time:");
        for (final double p : PERCENTILES)
        {
            out.printf(Locale.ROOT, "  p%s %s", label(p), LoadGenerator.ms(latency.getValueAtPercentile(p)));
        }
        out.printf(Locale.ROOT, "  max %s%n", LoadGenerator.ms(latency.getMaxValue()));
        for (int i = 0; i < perOp.length; i++)
        {
            if (opCounts[i] > 0)
            {
                out.printf(Locale.ROOT, "  %-8s %9d  p50 %s  p99 %s  max %s%n", LoadGenerator.OP_NAMES[i],
                    opCounts[i], LoadGenerator.ms(perOp[i].getValueAtPercentile(50)),
                    LoadGenerator.ms(perOp[i].getValueAtPercentile(99)), LoadGenerator.ms(perOp[i].getMaxValue()));
            }
        }
    }

    String toJson()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("{\n  \"mode\": \"").append(mode).append('"');
        sb.append(",\n  \"target\": \"").append(target).append('"');
        sb.append(String.format(Locale.ROOT, ",\n  \"offered_rate\": %.1f", options.rate));
        if (options.rampTo > 0)
        {
            sb.append(String.format(Locale.ROOT, ",\n  \"ramp_to\": %.1f", options.rampTo));
        }
        sb.append(String.format(Locale.ROOT, ",\n  \"achieved_rate\": %.1f", achievedRate()));
        sb.append(String.format(Locale.ROOT, ",\n  \"seconds\": %.3f", seconds));
        sb.append(",\n  \"population\": ").append(options.population);
        sb.append(String.format(Locale.ROOT, ",\n  \"zipf\": %.3f", options.zipf));
        sb.append(",\n  \"connections\": ").append(options.connections);
        sb.append(",\n  \"sent\": ").append(sent);
        sb.append(",\n  \"ok\": ").append(ok);
        sb.append(",\n  \"replays\": ").append(replays);
        sb.append(",\n  \"rejected\": ").append(rejected);
        sb.append(",\n  \"errors\": ").append(errors);
        sb.append(",\n  \"latency_ms\": ");
        appendPercentiles(sb, latency);
        sb.append(",\n  \"operations\": {");
        boolean first = true;
        for (int i = 0; i < perOp.length; i++)
        {
            if (opCounts[i] > 0)
            {
                sb.append(first ? "\n" : ",\n").append("    \"").append(LoadGenerator.OP_NAMES[i]).append("\": ");
                sb.append("{\"count\": ").append(opCounts[i]).append(", \"latency_ms\": ");
                appendPercentiles(sb, perOp[i]);
                sb.append('}');
                first = false;
            }
        }
        sb.append("\n  }\n}\n");
        return sb.toString();
    }

    private static void appendPercentiles(final StringBuilder sb, final Histogram histogram)
    {
        sb.append('{');
        for (final double p : PERCENTILES)
        {
            sb.append(String.format(Locale.ROOT, "\"p%s\": %.3f, ", label(p), histogram.getValueAtPercentile(p) / 1e6));
        }
        sb.append(String.format(Locale.ROOT, "\"max\": %.3f}", histogram.getMaxValue() / 1e6));
    }

    private static String label(final double percentile)
    {
        return percentile == Math.rint(percentile) ? Long.toString((long)percentile) : Double.toString(percentile);
    }
}
