package io.jifen.ledger.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.jifen.ledger.pipeline.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ledger serve's options from a YAML file, the environment and the command line, the stronger replacing the weaker.
 */
class ServeOptionsTest
{
    @TempDir
    Path dir;

    /** The serve command's options, as the config file and the environment see them. */
    private final java.util.Set<String> known = ServeOptions.options(new picocli.CommandLine(new ServeCommand(null))
        .getCommandSpec()).keySet();

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile() throws Exception
    {
        final Path file = dir.resolve("jifen.yaml");
        Files.writeString(file, String.join("\n",
            "port: 7000",
            "sync: none",
            "max-queue-ms: 300",
            "insecure: true",
            "metrics-port: 9100",
            "data: " + dir.resolve("from-file"),
            ""));
        final ServerConfig config = ServeCommand.config(List.of("--port=7100", "--config", file.toString()),
            Map.of("JIFEN_SYNC", "batch", "JIFEN_MAX_QUEUE_MS", "400", "HOME", "/root"));
        assertEquals(7100, config.port, "the command line's");
        assertEquals(SyncMode.BATCH, config.sync, "the environment's over the file's");
        assertEquals(400, config.maxQueueMs, "the environment's over the file's");
        assertTrue(config.insecure, "the file's flag");
        assertEquals(9100, config.metricsPort, "the file's");
        assertEquals(dir.resolve("from-file"), config.data);
    }

    @Test
    void aFlagTheFileSetsTheEnvironmentCanUnset() throws Exception
    {
        final Path file = dir.resolve("jifen.yaml");
        Files.writeString(file, "insecure: true\n");
        final ServerConfig config = ServeCommand.config(List.of("--config", file.toString()),
            Map.of("JIFEN_INSECURE", "false"));
        assertFalse(config.insecure);
    }

    /** A repeated option is a YAML list in the file, values joined with "," in a variable; the stronger wins whole. */
    @Test
    void programsComeAsAListFromTheFileOrTheEnvironment() throws Exception
    {
        final Path coffee = Files.writeString(dir.resolve("coffee.yaml"), "version: 1\nname: coffee\n");
        final Path tea = Files.writeString(dir.resolve("tea.yaml"), "version: 1\nname: tea\n");
        final Path file = dir.resolve("jifen.yaml");
        Files.writeString(file, "program:\n  - " + coffee + "\n  - " + tea + "\n");
        final ServerConfig fromFile = ServeCommand.config(List.of(), Map.of("JIFEN_CONFIG", file.toString()));
        assertEquals(coffee.toString(), fromFile.programSource);
        assertEquals(List.of(tea.toString()), fromFile.moreSources);
        final ServerConfig fromEnv = ServeCommand.config(List.of("--config", file.toString()),
            Map.of("JIFEN_PROGRAM", tea + "," + coffee));
        assertEquals(tea.toString(), fromEnv.programSource);
        assertEquals(List.of(coffee.toString()), fromEnv.moreSources);
        final ServerConfig fromCli = ServeCommand.config(List.of("--program", tea.toString(), "--config",
            file.toString()), Map.of());
        assertEquals(tea.toString(), fromCli.programSource);
        assertTrue(fromCli.moreSources.isEmpty(), "the command line's --program replaces the file's list whole");
    }

    @Test
    void everyServeOptionIsKnownAndNothingElse()
    {
        for (final String name : List.of("port", "host", "tls-cert", "tls-key", "tls-client-ca", "keys", "insecure",
            "data", "sync", "program", "ring-size", "max-queue-ms", "drain-grace-ms", "log-format", "log-level",
            "metrics-port", "metrics-host", "min-free-mb", "snapshot-every-records", "snapshot-every-minutes",
            "snapshots-kept", "discard-damaged-tail", "sandbox", "request-ids-max", "members-max",
            "expected-requests", "expected-lots", "expected-members"))
        {
            assertTrue(known.contains(name), name);
        }
        assertFalse(known.contains("config"), "not an option of the file itself");
        assertFalse(known.contains("after"), "a journal option, not a serve one");
        assertFalse(known.contains("help") || known.contains("version"), "not a server option");
    }

    @Test
    void aBadFileIsRefusedNamingWhatIsWrong() throws Exception
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "prot: 9090\n");
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of("--config", file.toString()), Map.of()));
        assertTrue(unknown.getMessage().contains("unknown option 'prot'") &&
            unknown.getMessage().contains(file.toString()), unknown.getMessage());

        Files.writeString(file, "insecure: maybe\n");
        final IllegalArgumentException flag = assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of("--config", file.toString()), Map.of()));
        assertTrue(flag.getMessage().contains("--insecure is on or off"), flag.getMessage());

        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of("--config=" + dir.resolve("none.yaml")), Map.of()));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());

        final IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of(), Map.of("JIFEN_PORT", "70000")));
        assertTrue(range.getMessage().equals("--port must be in 0..65535, got 70000 (from environment variable " +
            "JIFEN_PORT)"), range.getMessage());
        Files.writeString(file, "ring-size: 1000\n");
        final IllegalArgumentException ring = assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of("--config", file.toString()), Map.of()));
        assertTrue(ring.getMessage().endsWith("(from 'ring-size' in " + file + ")"), ring.getMessage());
        final IllegalArgumentException given = assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of("--port", "70000"), Map.of("JIFEN_PORT", "9090")));
        assertEquals("--port must be in 0..65535, got 70000", given.getMessage(), "the command line's own value");

        Files.writeString(file, "- port\n- 9090\n");
        assertThrows(IllegalArgumentException.class, () ->
            ServeCommand.config(List.of("--config", file.toString()), Map.of()));
    }
}
