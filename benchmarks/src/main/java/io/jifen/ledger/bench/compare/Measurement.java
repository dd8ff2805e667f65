package io.jifen.ledger.bench.compare;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * One measured run of one system at one offered rate: what was offered and achieved, and latency percentiles from
 * intended send times (milliseconds). Written as one {@code key=value} line so child JVMs can hand results back.
 */
public final class Measurement
{
    public static final double MAX_RATE = -1;

    public final String system;
    public final double offered;
    public final double achieved;
    public final long count;
    public final long errors;
    public final double p50;
    public final double p90;
    public final double p99;
    public final double p999;
    public final double p9999;
    public final double max;
    public final String note;

    public Measurement(final String system, final double offered, final double achieved, final long count,
        final long errors, final Histogram latencyNs, final String note)
    {
        this(system, offered, achieved, count, errors, ms(latencyNs, 50), ms(latencyNs, 90), ms(latencyNs, 99),
            ms(latencyNs, 99.9), ms(latencyNs, 99.99), latencyNs.getTotalCount() == 0 ? 0 :
            latencyNs.getMaxValue() / 1e6, note);
    }

    private Measurement(final String system, final double offered, final double achieved, final long count,
        final long errors, final double p50, final double p90, final double p99, final double p999,
        final double p9999, final double max, final String note)
    {
        this.system = system;
        this.offered = offered;
        this.achieved = achieved;
        this.count = count;
        this.errors = errors;
        this.p50 = p50;
        this.p90 = p90;
        this.p99 = p99;
        this.p999 = p999;
        this.p9999 = p9999;
        this.max = max;
        this.note = null == note ? "" : note;
    }

    private static double ms(final Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
    }

    /**
     * Sustained: achieved at least 95% of the offered rate, without errors, with p99 at most {@code p99LimitMs}.
     */
    public boolean sustained(final double p99LimitMs)
    {
        return errors == 0 && count > 0 && achieved >= 0.95 * offered && p99 <= p99LimitMs;
    }

    public String toLine()
    {
        return String.format(Locale.ROOT, "system=%s;offered=%.1f;achieved=%.1f;count=%d;errors=%d;p50=%.4f;" +
            "p90=%.4f;p99=%.4f;p999=%.4f;p9999=%.4f;max=%.4f;note=%s", system, offered, achieved, count, errors, p50,
            p90, p99, p999, p9999, max, note.replace(';', ',').replace('\n', ' '));
    }

    public static Measurement parse(final String line)
    {
        final Map<String, String> f = new LinkedHashMap<>();
        for (final String part : line.trim().split(";"))
        {
            final int eq = part.indexOf('=');
            if (eq > 0)
            {
                f.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return new Measurement(f.get("system"), d(f, "offered"), d(f, "achieved"), Long.parseLong(f.get("count")),
            Long.parseLong(f.get("errors")), d(f, "p50"), d(f, "p90"), d(f, "p99"), d(f, "p999"), d(f, "p9999"),
            d(f, "max"), f.getOrDefault("note", ""));
    }

    private static double d(final Map<String, String> fields, final String key)
    {
        return Double.parseDouble(fields.get(key));
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "%-28s offered %10s  achieved %10.0f/s  p50 %8.3f  p99 %8.3f  p99.9 %8.3f" +
            "  p99.99 %8.3f  max %8.3f ms  errors %d %s", system, offered == MAX_RATE ? "max" :
            String.format(Locale.ROOT, "%.0f/s", offered), achieved, p50, p99, p999, p9999, max, errors, note);
    }
}
