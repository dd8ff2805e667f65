package io.jifen.ledger.journal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journals written by an earlier build keep replaying, byte for byte and to the same state hash.
 * <p>
 * {@code golden/journal-a36a813.bin.gz} holds the journals of six seeds of the randomized model workload (3,000
 * commands each: every command type, both programs, program changes, the sweep) as build a36a813 encoded them, each
 * with that build's last sequence and state hash after it. It was written by running {@code LedgerRandomizedTest}
 * with {@code -Djifen.goldenDir=DIR} on that build. Replaying each record on this build must be accepted, must
 * re-encode to exactly the recorded bytes (the same outcome, the same effects), and must end at the recorded state
 * hash. {@code -Djifen.golden=FILE} replays another fixture of the same format instead (e.g. all twenty seeds).
 * <p>
 * {@code golden/shapes-a36a813.bin.gz} ({@link GoldenShapesTest}) adds what that workload does not write: every record
 * type in version 2 as well. Together they must hold golden bytes of every journaled type in both versions (an
 * exchange is version 2 only) and of a purchase earn's section in both.
 * <p>
 * Format (big-endian): "JIFENGOLD", int runs; per run: long seed, int program text length, the initial program's text
 * (UTF-8), int records; per record: int length, the record as {@link JournalRecord#encode} wrote it (unchained); then
 * long last sequence, long state hash.
 */
class JournalCompatibilityTest
{
    private static final String FIXTURE = "/golden/journal-a36a813.bin.gz";
    private static final String V3_FIXTURE = "/golden/journal-v3-1d0900e.bin.gz";
    /**
     * Three seeds of the workload once it wrote imports, as the build that introduced {@code IMPORT} (the commit that
     * added this file) encoded them: an import's own section has golden bytes.
     */
    private static final String V3_IMPORT_FIXTURE = "/golden/journal-v3-import.bin.gz";
    /**
     * Six seeds of the workload once each command came with an API key's id (or none), as the build that introduced
     * record version 4 (the commit that added this file) encoded them: every record in version 4.
     */
    private static final String V4_FIXTURE = "/golden/journal-v4-keys.bin.gz";
    /** Types introduced with version 3: never written in versions 1 and 2. */
    private static final Set<CommandType> SINCE_V3 = Set.of(CommandType.IMPORT);

    @Test
    void journalsOfTheBuildBeforeReplayByteForByteToTheSameStateHash() throws IOException
    {
        final List<Long> seeds = new ArrayList<>();
        final Set<String> shapes = new TreeSet<>();
        replayFixture(open(), seeds, shapes);
        assertTrue(seeds.size() >= 6, "the fixture holds at least six runs: " + seeds);
        replayFixture(JournalCompatibilityTest.class.getResourceAsStream(GoldenShapesTest.FIXTURE), seeds, shapes);
        final Set<String> missing = new TreeSet<>();
        for (final CommandType type : CommandType.values())
        {
            final boolean journaled = !SINCE_V3.contains(type) &&
                (type.isIdempotentWrite() || type == CommandType.EXPIRE_TICK || type == CommandType.SET_PROGRAM);
            for (final int version : new int[] {JournalRecord.VERSION, JournalRecord.VERSION_PROGRAMS})
            {
                final String shape = type.name().toLowerCase(Locale.ROOT) + " v" + version;
                if (journaled && !shapes.contains(shape))
                {
                    missing.add(shape);
                }
            }
        }
        missing.remove("exchange v" + JournalRecord.VERSION); // an exchange always names its receiving program
        assertTrue(missing.isEmpty(), "every journaled type in both versions has golden bytes; missing " + missing);
        assertTrue(shapes.contains("earn v1 purchase") && shapes.contains("earn v2 purchase"),
            "an earn's purchase section has golden bytes in both versions: " + shapes);
    }

    /**
     * {@code golden/journal-v3-1d0900e.bin.gz}: six seeds of the same workload as build 1d0900e encoded them, every
     * record in version 3 (with its member table): they replay byte for byte, member tables included, to the same
     * state hash, and hold every journaled type and a purchase earn; with {@link #V3_IMPORT_FIXTURE} for the imports.
     */
    @Test
    void version3JournalsReplayByteForByteWithTheirMemberTables() throws IOException
    {
        final List<Long> seeds = new ArrayList<>();
        final Set<String> shapes = new TreeSet<>();
        replayFixture(JournalCompatibilityTest.class.getResourceAsStream(V3_FIXTURE), seeds, shapes);
        assertEquals(6, seeds.size());
        replayFixture(JournalCompatibilityTest.class.getResourceAsStream(V3_IMPORT_FIXTURE), seeds, shapes);
        assertEquals(9, seeds.size());
        final Set<String> missing = missingTypes(shapes, JournalRecord.VERSION_MEMBERS);
        assertTrue(missing.isEmpty(), "every journaled type has version-3 golden bytes; missing " + missing);
        assertTrue(shapes.contains("earn v3 purchase"), "a purchase earn in version 3: " + shapes);
    }

    /**
     * {@code golden/journal-v4-keys.bin.gz}: every record in version 4, the key id after the program ids; they replay
     * byte for byte (the key read back and written again) to the same state hash, with every journaled type, a purchase
     * earn and an import, with a key and without.
     */
    @Test
    void version4JournalsReplayByteForByteWithTheirKeyIds() throws IOException
    {
        final List<Long> seeds = new ArrayList<>();
        final Set<String> shapes = new TreeSet<>();
        replayFixture(JournalCompatibilityTest.class.getResourceAsStream(V4_FIXTURE), seeds, shapes);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seeds);
        final Set<String> missing = missingTypes(shapes, JournalRecord.VERSION_KEYS);
        assertTrue(missing.isEmpty(), "every journaled type has version-4 golden bytes; missing " + missing);
        assertTrue(shapes.contains("earn v4 purchase"), "a purchase earn in version 4: " + shapes);
        assertTrue(shapes.contains("key finance.import-2") && shapes.contains("key none"),
            "records with a key id and without: " + shapes);
    }

    /** @return the journaled types the shapes hold no record of in {@code version}. */
    private static Set<String> missingTypes(final Set<String> shapes, final int version)
    {
        final Set<String> missing = new TreeSet<>();
        for (final CommandType type : CommandType.values())
        {
            final String shape = type.name().toLowerCase(Locale.ROOT) + " v" + version;
            if ((type.isIdempotentWrite() || type == CommandType.EXPIRE_TICK || type == CommandType.SET_PROGRAM) &&
                !shapes.contains(shape))
            {
                missing.add(shape);
            }
        }
        return missing;
    }

    private static void replayFixture(final InputStream fixture, final List<Long> seeds, final Set<String> shapes)
        throws IOException
    {
        assertTrue(null != fixture, "the fixture is on the test class path");
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(fixture, 1 << 16)))
        {
            final byte[] magic = new byte[9];
            in.readFully(magic);
            assertEquals("JIFENGOLD", new String(magic, StandardCharsets.US_ASCII));
            final int runs = in.readInt();
            for (int r = 0; r < runs; r++)
            {
                seeds.add(replayRun(in, shapes));
            }
        }
    }

    /** A record's type and version, and whether it carries a purchase section: what its bytes look like. */
    private static String shapeOf(final byte[] record, final Command decoded)
    {
        final int version = new UnsafeBuffer(record).getShort(JournalLayout.VERSION_OFFSET, JournalRecord.ORDER);
        return decoded.type.name().toLowerCase(Locale.ROOT) + " v" + version +
            (decoded.purchaseMinor > 0 ? " purchase" : "");
    }

    private static InputStream open() throws IOException
    {
        final String other = System.getProperty("jifen.golden");
        if (null != other)
        {
            return Files.newInputStream(Path.of(other));
        }
        final InputStream in = JournalCompatibilityTest.class.getResourceAsStream(FIXTURE);
        assertTrue(null != in, "fixture " + FIXTURE + " is on the test class path");
        return in;
    }

    private static long replayRun(final DataInputStream in, final Set<String> shapes) throws IOException
    {
        final long seed = in.readLong();
        final byte[] text = new byte[in.readInt()];
        in.readFully(text);
        final Ledger ledger = new Ledger(Program.parse(new String(text, StandardCharsets.UTF_8)));
        ledger.capacityLimitsEnforced(false);
        final JournalRecord codec = new JournalRecord();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        final Command command = new Command();
        final int records = in.readInt();
        for (int i = 0; i < records; i++)
        {
            final byte[] record = new byte[in.readInt()];
            in.readFully(record);
            final String where = "seed " + seed + ", record " + i;
            final long recordedSequence = JournalRecord.decodeCommand(new UnsafeBuffer(record), command);
            shapes.add(shapeOf(record, command));
            shapes.add("key " + (null == command.keyId ? "none" : command.keyId));
            ledger.apply(command);
            assertTrue(command.isJournaled(), () -> where + ": refused on replay: " + command);
            assertEquals(recordedSequence, command.sequence, where + ": sequence");
            final int length = codec.encode(command, buffer);
            final byte[] again = Arrays.copyOf(buffer.byteArray(), length);
            assertArrayEquals(record, again, () -> where + ": re-encoded differently: " + command);
        }
        assertEquals(in.readLong(), ledger.lastSequence(), "seed " + seed + ": last sequence");
        assertEquals(in.readLong(), ledger.stateHash(), "seed " + seed + ": state hash");
        ledger.checkInvariants();
        return seed;
    }
}
