package io.jifen.ledger.bench.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes {@code report.md} and its charts (PNG, drawn with JFreeChart) from the comparison's measurements.
 */
final class Report
{
    private static final double[] NINES = {Math.log10(2), 1, 2, 3, 4};

    private final Compare.Options options;
    private final Compare.Machine machine;
    private final List<Compare.Series> series;
    private final java.util.Map<String, String> profiles;
    private final double seconds;

    Report(final Compare.Options options, final Compare.Machine machine, final List<Compare.Series> series,
        final java.util.Map<String, String> profiles, final double seconds)
    {
        this.options = options;
        this.machine = machine;
        this.series = series;
        this.profiles = profiles;
        this.seconds = seconds;
    }

    Path write() throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final StringBuilder md = new StringBuilder(16 * 1024);
        md.append("# Jifen side by side: ").append(LocalDate.now()).append(options.smoke ? " (smoke run)" : "")
            .append("\n\n");
        md.append(String.format(Locale.ROOT, "Produced by `benchmarks/compare%s` in %.0f s. One run on one " +
            "machine, which is shared and noisy: read the ratios, and re-run before trusting a single figure.%n%n",
            options.smoke ? " --smoke" : "", seconds));
        machine(md);
        method(md);
        throughput(md);
        ratios(md);
        targets(md);
        fixedRates(md);
        inProcess(md);
        whereTheTimeGoes(md);
        searchSteps(md);
        final Path report = options.out.resolve("report.md");
        Files.writeString(report, md.toString(), StandardCharsets.UTF_8);
        return report;
    }

    private void machine(final StringBuilder md)
    {
        md.append("## Machine\n\n| | |\n|---|---|\n");
        md.append("| CPU | ").append(machine.cpu).append(", ").append(machine.cores).append(" cores |\n");
        md.append("| memory | ").append(machine.memory).append(" |\n");
        md.append("| OS | ").append(machine.os).append(" |\n");
        md.append("| JDK | ").append(machine.jdk).append(" |\n");
        md.append("| PostgreSQL | ").append(machine.postgres).append(" |\n");
        md.append("| libraries | ").append(machine.versions).append(" |\n\n");
    }

    private void method(final StringBuilder md)
    {
        md.append("## What ran\n\n");
        md.append(String.format(Locale.ROOT, "- Workload: `ledger load`'s 'peak sale' mix (70%% earn, " +
            "10%% redemption at checkout: a hold, captured when the member is drawn again; 12%% balance, 5%% tier " +
            "check, 3%% return, 1%% retries), %,d members drawn from a Zipf distribution (s = 0.99), a member " +
            "enrolled the first time it is drawn. The generator runs on the same machine.%n",
            options.population));
        md.append(String.format(Locale.ROOT, "- Each step: %.1f s warm-up, %.1f s measured; latency from each " +
            "operation's intended send time (no coordinated omission), in milliseconds.%n", options.warmup,
            options.seconds));
        md.append(String.format(Locale.ROOT, "- Client concurrency, the same for every system: at most %d operations " +
            "in flight; %d gRPC channels (unary) or Submit streams (stream); PostgreSQL through a HikariCP pool of " +
            "%d connections and as many worker threads.%n", options.concurrency, options.connections,
            options.postgresPool));
        md.append(String.format(Locale.ROOT, "- client: the Java client (`LedgerClient`) on %d Submit streams, " +
            "batching what callers submit while a stream carries 2 unanswered messages (up to 512 commands a " +
            "message); what waits in the client counts in the latency.%n", options.connections));
        md.append("- Each system started fresh for each series: the transport limit (`ledger transport-limit`, a " +
            "no-op gRPC service with the same messages), Jifen (`ledger serve`, `--sync=batch`: answered after " +
            "fdatasync; `--sync=none`: after the append to the memory-mapped journal), PostgreSQL with " +
            "`synchronous_commit=on` (answered after the WAL flush: Jifen batch's durability) and `off` (Jifen " +
            "none's). The in-process runs (no network) run in a child JVM: the journaled pipeline, and raw " +
            "appends of records of the same size to the same journal.\n");
        md.append("- Max sustained throughput: a step is sustained when at least 95% of the offered rate was " +
            "achieved, without errors, with p99 within a bound. The rate is doubled from a start while steps stay " +
            "sustained with p99 ≤ 50 ms (queues not growing), then narrowed towards the first failed rate; when no " +
            "step met p99 ≤ 1 ms, the rate is halved below the start until one does. Every series begins with an " +
            "unmeasured warm-up run at the start rate.\n\n");
    }

    private void throughput(final StringBuilder md) throws IOException
    {
        md.append("## Throughput\n\n");
        md.append("| system | max sustained, p99 ≤ 1 ms (ops/s) | p50 / p99 there (ms) | max sustained, p99 ≤ " +
            "50 ms (ops/s) | p50 / p99 there (ms) |\n|---|---:|---|---:|---|\n");
        final DefaultCategoryDataset bars = new DefaultCategoryDataset();
        for (final Compare.Series s : series)
        {
            if (s.search.isEmpty())
            {
                continue;
            }
            final double max = s.maxSustained();
            final double capacity = s.capacity();
            md.append("| ").append(s.name).append(" | ").append(max > 0 ? rate(max) : "none sustained")
                .append(" | ").append(at(s, max)).append(" | ")
                .append(capacity > 0 ? rate(capacity) : "none sustained").append(" | ").append(at(s, capacity))
                .append(" |\n");
            bars.addValue(max, "p99 ≤ 1 ms", s.name);
            bars.addValue(capacity, "p99 ≤ 50 ms", s.name);
        }
        final JFreeChart chart = ChartFactory.createBarChart("Max sustained throughput (ops/s), " + machine.cores +
            " cores",
            null, "operations per second", bars, PlotOrientation.HORIZONTAL, true, false, false);
        style(chart);
        ((CategoryPlot)chart.getPlot()).getRangeAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ChartUtils.saveChartAsPNG(options.out.resolve("throughput.png").toFile(), chart, 1100,
            120 + 45 * bars.getColumnCount());
        md.append("\n![throughput](throughput.png)\n\n");
    }

    private static String at(final Compare.Series s, final double rate)
    {
        for (final Measurement m : s.search)
        {
            if (rate > 0 && m.offered == rate)
            {
                return String.format(Locale.ROOT, "%.3f / %.3f", m.p50, m.p99);
            }
        }
        return "";
    }

    private void ratios(final StringBuilder md)
    {
        md.append("## Ratios\n\n| ratio | throughput (max sustained, p99 ≤ 50 ms) | p99 at 1,000 ops/s |\n" +
            "|---|---:|---:|\n");
        for (final String mode : List.of("unary", "stream", "client"))
        {
            for (final String sync : List.of("batch", "none"))
            {
                ratio(md, "Jifen sync=" + sync + " / transport limit, " + mode, find("jifen sync=" + sync + " " +
                    mode), find("transport limit " + mode));
            }
        }
        for (final String mode : List.of("unary", "stream", "client"))
        {
            ratio(md, "Jifen sync=batch " + mode + " / PostgreSQL synchronous_commit=on",
                find("jifen sync=batch " + mode), find("postgresql synchronous_commit=on"));
            ratio(md, "Jifen sync=none " + mode + " / PostgreSQL synchronous_commit=off",
                find("jifen sync=none " + mode), find("postgresql synchronous_commit=off"));
        }
        for (final String sync : List.of("none", "batch"))
        {
            final Compare.Series pipeline = find(InProcessRuns.pipelineName(sync));
            final Compare.Series journal = find(InProcessRuns.journalName(sync));
            if (null != pipeline && null != journal && null != pipeline.max && null != journal.max)
            {
                md.append(String.format(Locale.ROOT, "| journaled pipeline / raw journal, sync=%s (max, closed " +
                    "loop: %s / %s) | %.2f | |%n", sync, rate(pipeline.max.achieved), rate(journal.max.achieved),
                    pipeline.max.achieved / journal.max.achieved));
            }
        }
        md.append("\nThroughput ratios above 1 favour the first system; latency ratios are first / second, so below " +
            "1 favours the first.\n\n");
    }

    private void ratio(final StringBuilder md, final String label, final Compare.Series a, final Compare.Series b)
    {
        if (null == a || null == b)
        {
            return;
        }
        final double ta = a.capacity();
        final double tb = b.capacity();
        final Measurement la = a.fixedAt(1_000);
        final Measurement lb = b.fixedAt(1_000);
        md.append("| ").append(label).append(" | ")
            .append(ta > 0 && tb > 0 ? String.format(Locale.ROOT, "%.2f (%s / %s)", ta / tb, rate(ta), rate(tb)) :
                "n/a (" + (ta > 0 ? rate(ta) : "none") + " / " + (tb > 0 ? rate(tb) : "none") + ")")
            .append(" | ")
            .append(null != la && null != lb && lb.p99 > 0 ? String.format(Locale.ROOT, "%.2f (%.3f / %.3f ms)",
                la.p99 / lb.p99, la.p99, lb.p99) : "")
            .append(" |\n");
    }

    private void targets(final StringBuilder md)
    {
        md.append("## Targets\n\n| target | measured | |\n|---|---|---|\n");
        pipelineTargets(md);
        serverTargets(md);
        md.append('\n');
    }

    /** The in-process pipeline's targets: its rate, its share of the raw journal's, its latency at 1M events/s. */
    private void pipelineTargets(final StringBuilder md)
    {
        final Compare.Series pipeline = find(InProcessRuns.pipelineName("batch"));
        final Compare.Series pipelineNone = find(InProcessRuns.pipelineName("none"));
        final Compare.Series journal = find(InProcessRuns.journalName("batch"));
        if (null != pipeline && null != pipeline.max)
        {
            target(md, "in-process pipeline with journal (sync=batch) ≥ 3,000,000 events/s",
                pipeline.max.achieved, 3_000_000, true, rate(pipeline.max.achieved) + " events/s");
        }
        if (null != pipeline && null != journal && null != pipeline.max && null != journal.max)
        {
            target(md, "pipeline ≥ 50% of the raw journal rate, same bytes (sync=batch)",
                pipeline.max.achieved / journal.max.achieved, 0.5, true,
                String.format(Locale.ROOT, "%.0f%%", 100 * pipeline.max.achieved / journal.max.achieved));
        }
        for (final Compare.Series s : new Compare.Series[] {pipelineNone, pipeline})
        {
            final Measurement m = null == s ? null : s.fixedAt(1_000_000);
            if (null != m && m.achieved < 0.95 * m.offered)
            {
                md.append(String.format(Locale.ROOT, "| %s at 1M events/s offered: p99 ≤ 10 µs, p99.99 ≤ 100 µs | " +
                    "not sustained: %s events/s achieved, so latency is queueing (p99 %.0f ms) | missed: the rate " +
                    "itself by %.1f× |%n", s.name, rate(m.achieved), m.p99, m.offered / m.achieved));
            }
            else if (null != m)
            {
                target(md, s.name + " at 1M events/s offered: p99 ≤ 10 µs", m.p99 * 1000, 10, false,
                    String.format(Locale.ROOT, "p99 %.1f µs (achieved %s/s)", m.p99 * 1000, rate(m.achieved)));
                target(md, s.name + " at 1M events/s offered: p99.99 ≤ 100 µs", m.p9999 * 1000, 100, false,
                    String.format(Locale.ROOT, "p99.99 %.1f µs", m.p9999 * 1000));
            }
        }
    }

    /** The server's targets over gRPC: stream and unary rates, the transport's share, latency, PostgreSQL. */
    private void serverTargets(final StringBuilder md)
    {
        final Compare.Series stream = find("jifen sync=batch stream");
        final Compare.Series unary = find("jifen sync=batch unary");
        if (null != stream)
        {
            target(md, "Submit stream ≥ 583,000 earn events/s sustained (batch)", stream.capacity(), 583_000, true,
                rate(stream.capacity()) + "/s with p99 ≤ 50 ms; " + rate(stream.maxSustained()) + "/s with p99 ≤ 1 ms");
        }
        final Compare.Series client = find("jifen sync=batch client");
        if (null != client)
        {
            target(md, "Submit streams batched by the Java client ≥ 583,000 events/s (batch)", client.capacity(),
                583_000, true, rate(client.capacity()) + "/s with p99 ≤ 50 ms; " + rate(client.maxSustained()) +
                "/s with p99 ≤ 1 ms");
            final Compare.Series noop = find("transport limit client");
            if (null != noop && noop.capacity() > 0)
            {
                final double share = client.capacity() / noop.capacity();
                target(md, "the client's streams ≥ 80% of the no-op stream carrying the same messages (batch)", share,
                    0.8, true, String.format(Locale.ROOT, "%.2f (%s / %s)", share, rate(client.capacity()),
                    rate(noop.capacity())));
            }
        }
        if (null != unary)
        {
            target(md, "unary ≥ 50,000 RPC/s (batch)", unary.capacity(), 50_000, true,
                rate(unary.capacity()) + "/s with p99 ≤ 50 ms; " + rate(unary.maxSustained()) + "/s with p99 ≤ 1 ms");
            final Compare.Series noop = find("transport limit unary");
            if (null != noop && noop.capacity() > 0)
            {
                final double share = unary.capacity() / noop.capacity();
                target(md, "unary ≥ 80% of the transport limit (batch)", share, 0.8, true,
                    String.format(Locale.ROOT, "%.0f%% (p99 ≤ 50 ms, %s vs %s)", 100 * share,
                    rate(unary.capacity()), rate(noop.capacity())));
            }
            final Measurement at10k = unary.fixedAt(10_000);
            if (null != at10k)
            {
                target(md, "unary p99 ≤ 1 ms at 10k RPC/s (batch)", at10k.p99, 1, false,
                    String.format(Locale.ROOT, "p99 %.3f ms (achieved %s/s)", at10k.p99, rate(at10k.achieved)));
            }
            final Compare.Series pg = find("postgresql synchronous_commit=on");
            if (null != pg && pg.capacity() > 0)
            {
                final double times = unary.capacity() / pg.capacity();
                target(md, "≥ 10× PostgreSQL's throughput at equal durability (unary, batch vs on)", times, 10, true,
                    String.format(Locale.ROOT, "%.1f× (p99 ≤ 50 ms, %s vs %s)", times, rate(unary.capacity()),
                    rate(pg.capacity())));
                final Measurement a = unary.fixedAt(1_000);
                final Measurement b = pg.fixedAt(1_000);
                if (null != a && null != b && a.p99 > 0)
                {
                    target(md, "p99 ≥ 10× lower than PostgreSQL's at equal durability (1k ops/s)", b.p99 / a.p99, 10,
                        true, String.format(Locale.ROOT, "%.1f× (%.3f vs %.3f ms)", b.p99 / a.p99, a.p99, b.p99));
                }
            }
        }
    }

    private static void target(final StringBuilder md, final String label, final double value, final double goal,
        final boolean higherIsBetter, final String measured)
    {
        final boolean met = higherIsBetter ? value >= goal : value <= goal;
        final double factor = higherIsBetter ? goal / Math.max(value, 1e-9) : value / goal;
        md.append("| ").append(label).append(" | ").append(measured).append(" | ")
            .append(met ? "met" : String.format(Locale.ROOT, "missed by %.1f×", factor)).append(" |\n");
    }

    private void fixedRates(final StringBuilder md) throws IOException
    {
        for (final double rate : options.fixedRates)
        {
            md.append(String.format(Locale.ROOT, "## Latency at %s ops/s offered%n%n", rate(rate)));
            md.append("| system | achieved | p50 | p90 | p99 | p99.9 | p99.99 | max | errors |\n" +
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            final XYSeriesCollection curves = new XYSeriesCollection();
            for (final Compare.Series s : series)
            {
                final Measurement m = s.fixedAt(rate);
                if (null == m)
                {
                    continue;
                }
                row(md, s.name, m);
                curves.addSeries(curve(s.name, m));
            }
            final String file = String.format(Locale.ROOT, "latency-%d.png", (long)rate);
            percentileChart("Latency at " + rate(rate) + " ops/s offered", curves, file);
            md.append("\n![latency at ").append(rate(rate)).append("](").append(file).append(")\n\n");
        }
    }

    private void inProcess(final StringBuilder md) throws IOException
    {
        md.append("## In-process: journaled pipeline and raw journal (no network)\n\n");
        md.append("| run | events/s | note |\n|---|---:|---|\n");
        for (final Compare.Series s : series)
        {
            if (null != s.max)
            {
                md.append("| ").append(s.name).append(", closed loop | ").append(rate(s.max.achieved))
                    .append(" | ").append(s.max.note).append(" |\n");
            }
        }
        final XYSeriesCollection curves = new XYSeriesCollection();
        md.append("\n| run at 1M events/s offered | achieved | p50 | p90 | p99 | p99.9 | p99.99 | max | errors |\n" +
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Compare.Series s : series)
        {
            final Measurement m = s.fixedAt(1_000_000);
            if (null != m)
            {
                row(md, s.name, m);
                curves.addSeries(curve(s.name, m));
            }
        }
        if (curves.getSeriesCount() > 0)
        {
            percentileChart("In-process latency at 1M events/s offered", curves, "latency-in-process-1M.png");
            md.append("\n![in-process latency at 1M/s](latency-in-process-1M.png)\n");
        }
        md.append('\n');
    }

    private void whereTheTimeGoes(final StringBuilder md)
    {
        md.append(String.format(Locale.ROOT, "## Where the time goes%n%nEach Jifen series ends with one more step " +
            "at %s ops/s, profiled: CPU per thread from `/proc` (kernel time included: syscalls, futex wake-ups, " +
            "fdatasync, socket writes) and JFR execution samples (settings=default, the low-overhead one; Java " +
            "code only) of the server and of the load generator. Recordings: `logs/*.jfr` (JDK Mission " +
            "Control or `jfr print`). The CPU each process used in every step is in the steps table " +
            "below.%n%n", rate(options.profileRate)));
        for (final java.util.Map.Entry<String, String> e : profiles.entrySet())
        {
            md.append("### ").append(e.getKey()).append("\n\n").append(e.getValue()).append('\n');
        }
    }

    private void searchSteps(final StringBuilder md)
    {
        md.append("## Every step of the searches\n\n| system | offered | achieved | p50 | p90 | p99 | p99.9 | " +
            "p99.99 | max | errors | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final Compare.Series s : series)
        {
            for (final Measurement m : s.search)
            {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | " +
                    "%d | %s |%n", s.name, rate(m.offered), rate(m.achieved), m.p50, m.p90, m.p99, m.p999, m.p9999,
                    m.max, m.errors, m.note));
            }
        }
        md.append("\nRaw measurements: `measurements.txt`; each system's log (servers, load summaries per step): " +
            "`logs/`.\n");
    }

    private static XYSeries curve(final String name, final Measurement m)
    {
        final XYSeries curve = new XYSeries(name);
        final double[] values = {m.p50, m.p90, m.p99, m.p999, m.p9999};
        for (int i = 0; i < values.length; i++)
        {
            curve.add(NINES[i], Math.max(values[i], 0.0005));
        }
        return curve;
    }

    private static void row(final StringBuilder md, final String name, final Measurement m)
    {
        if (!name.isEmpty())
        {
            md.append("| ").append(name).append(' ');
        }
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d |%n",
            rate(m.achieved), m.p50, m.p90, m.p99, m.p999, m.p9999, m.max, m.errors));
    }

    private void percentileChart(final String title, final XYSeriesCollection curves, final String file)
        throws IOException
    {
        final JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile", "latency (ms, log scale)",
            curves, PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        final LogAxis latency = new LogAxis("latency (ms, log scale)");
        latency.setSmallestValue(0.0005);
        plot.setRangeAxis(latency);
        final NumberAxis percentile = new NumberAxis("percentile (50, 90, 99, 99.9, 99.99)")
        {
            @Override
            public java.util.List refreshTicks(final java.awt.Graphics2D g2, final org.jfree.chart.axis.AxisState state,
                final java.awt.geom.Rectangle2D dataArea, final org.jfree.chart.ui.RectangleEdge edge)
            {
                final List<org.jfree.chart.axis.NumberTick> ticks = new ArrayList<>();
                final String[] labels = {"p50", "p90", "p99", "p99.9", "p99.99"};
                for (int i = 0; i < NINES.length; i++)
                {
                    ticks.add(new org.jfree.chart.axis.NumberTick(NINES[i], labels[i],
                        org.jfree.chart.ui.TextAnchor.TOP_CENTER, org.jfree.chart.ui.TextAnchor.CENTER, 0));
                }
                return ticks;
            }
        };
        percentile.setRange(0.2, 4.1);
        plot.setDomainAxis(percentile);
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < curves.getSeriesCount(); i++)
        {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        style(chart);
        ChartUtils.saveChartAsPNG(options.out.resolve(file).toFile(), chart, 1100, 650);
    }

    private static void style(final JFreeChart chart)
    {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(250, 250, 250));
    }

    private Compare.Series find(final String name)
    {
        for (final Compare.Series s : series)
        {
            if (s.name.equals(name))
            {
                return s;
            }
        }
        return null;
    }

    static String rate(final double rate)
    {
        return String.format(Locale.ROOT, "%,.0f", rate);
    }
}
