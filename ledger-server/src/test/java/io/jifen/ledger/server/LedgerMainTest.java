package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line: usage, and clear errors before anything starts.
 */
class LedgerMainTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args) throws Exception
    {
        return LedgerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsUsageAndSucceeds() throws Exception
    {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("Commands:") && out().contains("serve") && out().contains("journal") &&
            out().contains("Exit codes"), out());
        assertTrue(!out().contains("--sync"), "a command's options are in its own help: " + out());
    }

    /** Each command's help shows its own options and no other's; a group lists its commands. */
    @Test
    void everyCommandHasItsOwnHelp() throws Exception
    {
        assertEquals(0, run("serve", "--help"));
        assertTrue(out().contains("--sync=MODE") && out().contains("JIFEN_") && !out().contains("--until"), out());
        out.reset();
        assertEquals(0, run("journal", "--help"));
        assertTrue(out().contains("dump") && out().contains("verify") && out().contains("archive") &&
            out().contains("tail") && !out().contains("--sync"), out());
        out.reset();
        assertEquals(0, run("journal", "verify", "--help"));
        assertTrue(out().contains("--until=TIME") && out().contains("--expect-chain") && !out().contains("--sync"),
            out());
        out.reset();
        assertEquals(0, run("help", "import"));
        assertTrue(out().contains("--id-prefix") && out().contains("earned_at"), out());
        for (final String[] command : new String[][] {{"journal", "dump"}, {"journal", "archive"},
            {"journal", "tail"}, {"snapshot"}, {"report", "breakage"}, {"export"}, {"keys", "new"}, {"load"},
            {"load-statements"}, {"transport-limit"}})
        {
            out.reset();
            final String[] help = java.util.Arrays.copyOf(command, command.length + 1);
            help[command.length] = "--help";
            assertEquals(0, run(help), String.join(" ", command));
            assertTrue(out().startsWith("Usage: ledger " + String.join(" ", command)), out());
        }
    }

    /** Picocli reads help text as a format: a bare '%' there spoils the text and warns on standard error. */
    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning()
    {
        final java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        final PrintStream stderr = System.err;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        final java.util.List<String> rendered = new java.util.ArrayList<>();
        try
        {
            final java.util.ArrayDeque<picocli.CommandLine> commands = new java.util.ArrayDeque<>(
                java.util.List.of(LedgerCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8))));
            while (!commands.isEmpty())
            {
                final picocli.CommandLine command = commands.pop();
                final String usage = command.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF);
                assertTrue(!usage.contains("%n") && !usage.contains("%%"), command.getCommandName() + ": " + usage);
                rendered.add(command.getCommandName());
                commands.addAll(command.getSubcommands().values());
            }
        }
        finally
        {
            System.setErr(stderr);
        }
        assertTrue(rendered.contains("load") && rendered.contains("verify") && rendered.size() >= 20, "" + rendered);
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }

    @Test
    void versionNamesTheBuildAndTheFormatsItReadsAndWrites() throws Exception
    {
        assertEquals(0, run("--version"));
        assertTrue(out().contains("jifen ledger") && out().contains("journal records: reads versions 1 to " +
            io.jifen.ledger.journal.JournalRecord.VERSION_LATEST) && out().contains("snapshots: format"), out());
    }

    @Test
    void everyCommandAnswersVersionAndTheReportsTakeTheirZone() throws Exception
    {
        assertEquals(0, run("serve", "--version"));
        assertTrue(out().contains("jifen ledger"), out());
        out.reset();
        assertEquals(0, run("report", "liability", "--help"));
        assertTrue(out().contains("--zone=ZONE") && out().contains("--as-of=TIME"), out());
    }

    /** A client tool that cannot reach its server says so and exits 4 (could not run). */
    @Test
    void anImportWhoseServerIsNotThereExitsFour() throws Exception
    {
        final Path csv = Files.writeString(dir.resolve("rows.csv"),
            "member_id,points,earned_at,expires_at\nm1,10,2026-01-01T00:00:00Z,2030-01-01T00:00:00Z\n");
        final int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0))
        {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        assertEquals(4, run("import", csv.toString(), "--server", "127.0.0.1:" + port));
        assertTrue(err().contains("the ledger ended the import stream: UNAVAILABLE"), err());
    }

    @Test
    void noCommandIsAUsageError() throws Exception
    {
        assertEquals(2, run());
        assertTrue(err().contains("name a command: serve, journal") && err().contains("ledger --help"), err());
        err.reset();
        assertEquals(2, run("journal"));
        assertTrue(err().contains("journal needs a command: dump, verify, archive, tail"), err());
        err.reset();
        assertEquals(2, run("report"));
        assertTrue(err().contains("report needs a command: balances, breakage, liability"), err());
    }

    /** --flag=value reads as --flag value. */
    @Test
    void optionsTakeTheirValueAfterAnEqualsSignToo() throws Exception
    {
        assertEquals(2, run("serve", "--port=70000"));
        assertTrue(err().contains("--port must be in 0..65535, got 70000"), err());
        err.reset();
        assertEquals(2, run("journal", "verify", "--data=" + dir, "--until=2026-11-30T23:59:59.999+08:00"));
        assertTrue(err().contains("no journal in " + dir.resolve("journal")), err());
    }

    @Test
    void aBadValueFromTheConfigFileSaysItCameFromThere() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("jifen.yaml"), "port: abc\n");
        assertEquals(2, run("serve", "--config=" + file, "--data", dir.resolve("data").toString()));
        assertTrue(err().contains("Invalid value for option '--port': 'abc' is not an int (from 'port' in " + file +
            ")"), err());
        assertTrue(Files.notExists(dir.resolve("data")), "nothing was started or created");
    }

    @Test
    void aTimeIsIso8601WithItsOffsetOrTheCommandSaysSo() throws Exception
    {
        assertEquals(2, run("journal", "verify", "--data", dir.toString(), "--until", "2026-11-30 23:59"));
        assertTrue(err().contains("--until") && err().contains("with its offset or zone"), err());
        err.reset();
        assertEquals(2, run("export", "--from", "yesterday"));
        assertTrue(err().contains("--from") && err().contains("2026-11-30T23:59:59.999+08:00"), err());
    }

    @Test
    void instantsAreTypedAsIso8601WithTheirOffsetOrAsEpochMilliseconds()
    {
        assertEquals(1_796_054_399_999L, LedgerMain.epochMs("--until", "2026-11-30T23:59:59.999+08:00"));
        assertEquals(1_796_054_399_999L, LedgerMain.epochMs("--until", "2026-11-30T15:59:59.999Z"));
        assertEquals(1_796_054_399_999L, LedgerMain.epochMs("--until", "2026-11-30T23:59:59.999+08:00[Asia/Shanghai]"));
        assertEquals(1_796_054_399_999L, LedgerMain.epochMs("--until", "1796054399999"));
        final IllegalArgumentException local = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> LedgerMain.epochMs("--until", "2026-11-30T23:59:59"));
        assertTrue(local.getMessage().contains("with its offset or zone"), local.getMessage());
    }

    @Test
    void unknownOptionIsNamed() throws Exception
    {
        assertEquals(2, run("serve", "--prot", "9090"));
        assertTrue(err().contains("Unknown options: '--prot'") && err().contains("ledger serve --help"), err());
    }

    @Test
    void badSyncModeIsExplained() throws Exception
    {
        assertEquals(2, run("serve", "--sync", "always"));
        assertTrue(err().contains("--sync must be 'batch' or 'none', got 'always'"), err());
    }

    @Test
    void portOutOfRangeIsRefused() throws Exception
    {
        assertEquals(2, run("serve", "--port", "70000"));
        assertTrue(err().contains("--port must be in 0..65535, got 70000"), err());
        assertEquals(2, run("serve", "--port"));
        assertTrue(err().contains("Missing required parameter for option '--port'"), err());
        err.reset();
        assertEquals(2, run("serve", "--port", "ninety"));
        assertTrue(err().contains("Invalid value for option '--port': 'ninety' is not an int"), err());
    }

    @Test
    void aRingSizeThatIsNotAPowerOfTwoIsNamed() throws Exception
    {
        assertEquals(2, run("serve", "--ring-size", "1000", "--data", dir.resolve("data").toString()));
        assertTrue(err().contains("--ring-size must be a power of two, not 1000"), err());
        assertTrue(Files.notExists(dir.resolve("data")), "nothing was started or created");
    }

    @Test
    void aPortInUseIsNamedAndNothingIsJournaled() throws Exception
    {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
            java.net.InetAddress.getByName("127.0.0.1")))
        {
            final Path data = dir.resolve("data");
            assertEquals(4, run("serve", "--port", Integer.toString(taken.getLocalPort()), "--data",
                data.toString()), "could not run: exit 4");
            assertTrue(err().contains("cannot bind port " + taken.getLocalPort() + " on 127.0.0.1") &&
                err().contains("in use"), err());
            assertTrue(Files.notExists(data.resolve("journal")), "no journal was started, nothing journaled");
        }
    }

    @Test
    void aDataFolderThatIsAFileOrAMissingProgramIsNamedForWhatItIs() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        assertEquals(2, run("serve", "--port", "0", "--data", file.toString()));
        assertTrue(err().contains("cannot start: not a directory: " + file), err());
        err.reset();
        assertEquals(2, run("serve", "--port", "0", "--data", dir.resolve("data").toString(), "--program",
            dir.resolve("missing.yaml").toString()));
        assertTrue(err().contains("cannot read program file " + dir.resolve("missing.yaml") +
            ": no such file or directory"), err());
        assertTrue(Files.notExists(dir.resolve("data")), "nothing was started or created");
    }

    @Test
    void invalidProgramFileNamesTheFileTheLineAndTheReason() throws Exception
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "name: shop\n# comment\ntiers:\n  gold: lots\n");
        assertEquals(2, run("serve", "--program", file.toString(), "--data", dir.resolve("data").toString()));
        assertTrue(err().contains("program file " + file + " line 4: tiers.gold: not a whole number: 'lots'"),
            err());
        assertTrue(Files.notExists(dir.resolve("data")), "nothing was started or created");
    }

    @Test
    void journalToolsNeedAJournal() throws Exception
    {
        assertEquals(2, run("journal", "verify", "--data", dir.toString()));
        assertTrue(err().contains("no journal in"), err());
        assertEquals(2, run("journal", "shred"));
        assertTrue(err().contains("Unmatched argument at index 1: 'shred'"), err());
    }
}
