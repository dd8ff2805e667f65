package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;

import io.jifen.ledger.pipeline.SyncMode;
import io.jifen.ledger.server.load.LoadGenerator;
import io.jifen.ledger.server.load.LoadOptions;
import io.jifen.ledger.server.load.Summary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run of {@code ledger load} in each mode against a real server, so the load generator cannot rot; the
 * figures themselves come from full runs, not from here.
 */
class LoadGeneratorIT
{
    @TempDir
    Path dir;

    private LedgerServer server;

    @BeforeEach
    void start() throws IOException
    {
        server = new LedgerServer(new ServerConfig().port(0).data(dir.resolve("data")).sync(SyncMode.NONE)).start();
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    private Summary load(final String mode, final Path json, final Path hdr, final String... more) throws Exception
    {
        return load(server.port(), mode, json, hdr, more);
    }

    private Summary load(final int port, final String mode, final Path json, final Path hdr, final String... more)
        throws Exception
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final List<String> args = new java.util.ArrayList<>(List.of(
            "--target", "127.0.0.1:" + port, "--mode", mode, "--rate", "400", "--duration", "2",
            "--warmup", "0.5", "--population", "500", "--json", json.toString(), "--hdr-log", hdr.toString(),
            "--retry-share", "0.05", "--no-progress"));
        args.addAll(List.of(more));
        final LoadOptions options = LoadOptions.parse(new ArrayDeque<>(args));
        final Summary summary = new LoadGenerator(options, new PrintStream(text, true, StandardCharsets.UTF_8)).run();
        final String report = text.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("latency from intended send time"), report);
        assertEquals(0, summary.errors, report);
        assertTrue(summary.sent >= 700, report);
        assertEquals(summary.sent, summary.answered(), "every operation answered: " + report);
        assertTrue(port != server.port() || summary.replays > 0, "retries came back as replays: " + report);
        assertTrue(summary.latency.getTotalCount() == summary.sent, report);
        final String written = Files.readString(json);
        assertTrue(written.contains("\"p99.99\"") && written.contains("\"earn\""), written);
        assertTrue(Files.readString(hdr).contains("Percentile"), "HdrHistogram percentile log");
        return summary;
    }

    @Test
    void unaryRunAnswersEveryOperationWithoutErrors() throws Exception
    {
        load("unary", dir.resolve("unary.json"), dir.resolve("unary.hdr"));
    }

    @Test
    void theTransportLimitServiceAnswersTheSameLoad() throws Exception
    {
        final io.grpc.Server noop = io.jifen.ledger.server.load.NoopLedgerServer.start("127.0.0.1", 0);
        try
        {
            load(noop.getPort(), "unary", dir.resolve("noop-unary.json"), dir.resolve("noop-unary.hdr"));
            load(noop.getPort(), "stream", dir.resolve("noop-stream.json"), dir.resolve("noop-stream.hdr"));
        }
        finally
        {
            noop.shutdownNow();
        }
    }

    @Test
    void streamRunAnswersEveryOperationWithoutErrors() throws Exception
    {
        load("stream", dir.resolve("stream.json"), dir.resolve("stream.hdr"));
    }

    /** Through the Java client, which batches what gathers while its streams carry answers to come. */
    @Test
    void clientRunAnswersEveryOperationWithoutErrors() throws Exception
    {
        load("client", dir.resolve("client.json"), dir.resolve("client.hdr"));
    }

    /** Batches of up to 16 commands a Submit message, each waiting at most 2 ms for its batch: every one answered. */
    @Test
    void batchedStreamRunAnswersEveryOperationWithoutErrors() throws Exception
    {
        final Summary summary = load("stream", dir.resolve("batch.json"), dir.resolve("batch.hdr"), "--batch", "16",
            "--linger-us", "2000");
        assertTrue(summary.latency.getValueAtPercentile(50) >= 1_000_000, "a command waits for its batch: measured");
    }
}
