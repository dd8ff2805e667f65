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

    @Test
    void helpPrintsUsageAndSucceeds() throws Exception
    {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--sync MODE"));
        assertEquals(0, run("serve", "--help"));
    }

    @Test
    void noCommandPrintsUsageAndFails() throws Exception
    {
        assertEquals(2, run());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ledger"));
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
        assertTrue(err().contains("unknown option '--prot'"), err());
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
        assertTrue(err().contains("--port needs a value"), err());
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
            assertEquals(2, run("serve", "--port", Integer.toString(taken.getLocalPort()), "--data",
                data.toString()));
            assertTrue(err().contains("cannot bind port " + taken.getLocalPort() + " on 127.0.0.1") &&
                err().contains("in use"), err());
            assertTrue(Files.notExists(data.resolve("journal")), "no journal was started, nothing journaled");
        }
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
        assertTrue(err().contains("unknown journal command 'shred'"), err());
    }
}
