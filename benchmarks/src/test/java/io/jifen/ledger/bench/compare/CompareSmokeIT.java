package io.jifen.ledger.bench.compare;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code benchmarks/compare --smoke} end to end, so the comparison cannot rot: real servers (the no-op, Jifen in
 * both sync modes, PostgreSQL in both commit modes) started and stopped, real load over loopback, the in-process
 * runs in a child JVM, and a report with its charts. Only that it works and every system answered without error is
 * asserted: speed is read from the full run, not from a test.
 */
class CompareSmokeIT
{
    /**
     * PostgreSQL must be installed where the CI sets {@code JIFEN_REQUIRE_POSTGRES}; elsewhere its absence is
     * reported and the rest still runs.
     */
    static void requirePostgres()
    {
        if (!PostgresServer.available())
        {
            if (null != System.getenv("JIFEN_REQUIRE_POSTGRES"))
            {
                fail("no PostgreSQL server installed (apt-get install postgresql) and JIFEN_REQUIRE_POSTGRES is set");
            }
            org.junit.jupiter.api.Assumptions.abort("no PostgreSQL server installed: apt-get install postgresql");
        }
    }

    @Test
    void smokeRunProducesAReportWithEverySystem(@TempDir final Path out) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--smoke", "--out", out.toString(), "--ledger-jar",
            System.getProperty("jifen.server.jar", "../ledger-server/target/ledger.jar")));
        for (final String flag : System.getProperty("jifen.jvm.flags", "").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                args.add("--jvm-flag");
                args.add(flag);
            }
        }
        final boolean postgres = PostgresServer.available();
        if (!postgres && null != System.getenv("JIFEN_REQUIRE_POSTGRES"))
        {
            fail("no PostgreSQL server installed (apt-get install postgresql) and JIFEN_REQUIRE_POSTGRES is set");
        }
        final Path console = out.resolve("console.txt");
        try (PrintStream printed = new PrintStream(Files.newOutputStream(console), true, StandardCharsets.UTF_8))
        {
            new Compare(Compare.Options.parse(new ArrayDeque<>(args)), printed).run();
        }

        final String report = Files.readString(out.resolve("report.md"));
        final List<String> systems = new ArrayList<>(List.of("pipeline sync=none", "pipeline sync=batch",
            "raw journal sync=none", "raw journal sync=batch", "transport limit unary", "transport limit stream",
            "jifen sync=batch unary", "jifen sync=batch stream", "jifen sync=none unary", "jifen sync=none stream",
            "transport limit client", "jifen sync=batch client"));
        if (postgres)
        {
            systems.addAll(List.of("postgresql synchronous_commit=on", "postgresql synchronous_commit=off"));
        }
        final Map<String, List<Measurement>> bySystem = new HashMap<>();
        for (final String line : Files.readAllLines(out.resolve("measurements.txt")))
        {
            final Measurement m = Measurement.parse(line);
            bySystem.computeIfAbsent(m.system, k -> new ArrayList<>()).add(m);
        }
        for (final String system : systems)
        {
            assertTrue(report.contains("| " + system + " "), "report lacks " + system + "\n" + report);
            final List<Measurement> runs = bySystem.get(system);
            assertNotNull(runs, "no measurement of " + system + ": " + Files.readString(console));
            for (final Measurement m : runs)
            {
                assertTrue(m.count > 0, "nothing answered: " + m);
                assertEquals(0, m.errors, "errors: " + m);
                assertTrue(m.achieved > 0, m.toString());
            }
        }
        assertTrue(report.contains("## Ratios") && report.contains("## Targets") &&
            report.contains("## Where the time goes"), report);
        assertTrue(report.contains("### jifen sync=batch unary\n\nProfiled step") &&
            report.contains("| jifen-state-mac"), "no server profile:\n" + report);
        for (final String chart : List.of("throughput.png", "latency-1000.png"))
        {
            assertTrue(report.contains("](" + chart + ")"), chart);
            final BufferedImage image = ImageIO.read(out.resolve(chart).toFile());
            assertNotNull(image, chart + " is not an image");
            assertTrue(image.getWidth() >= 800 && image.getHeight() >= 200, chart);
        }
    }
}
