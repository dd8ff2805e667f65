package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.snapshot.JournalArchive;
import io.jifen.ledger.snapshot.SnapshotFile;
import io.jifen.ledger.snapshot.SnapshotStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finance's tools on a journal whose first day files were archived (a snapshot covers them): the export names the
 * first program as the snapshot knows it, not by the built-in name, and the breakage report without {@code --from}
 * starts at the oldest snapshot the journal confirms, says so, and counts exactly what the journal still holds.
 */
class ArchivedReportsIT
{
    private static final long DAY_MS = 86_400_000L;
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
    private static final String PROGRAM = String.join("\n",
        "version: 2",
        "name: coffee",
        "zone: UTC",
        "expiry:",
        "  months: 1",
        "");

    @TempDir
    Path data;

    private final Ledger ledger = new Ledger(Program.defaultProgram());
    private final List<byte[]> records = new ArrayList<>();
    private final JournalRecord codec = new JournalRecord();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);

    @Test
    void exportAndBreakageReadAnArchivedJournalFromItsSnapshot() throws Exception
    {
        final Command c = new Command();
        c.clear().type = CommandType.SET_PROGRAM;
        c.programText = PROGRAM;
        apply(c, T0);
        for (int day = 0; day < 120; day++)
        {
            final long now = T0 + day * DAY_MS + 3_600_000L;
            for (final String member : List.of("ann", "bob"))
            {
                if (day == 0)
                {
                    write(c, CommandType.ENROLL, "enroll-" + member, member, 0, now);
                }
                write(c, CommandType.EARN, "earn-" + member + "-" + day, member, 10 + day, now);
                if (day % 7 == 3)
                {
                    write(c, CommandType.REDEEM, "redeem-" + member + "-" + day, member, 15, now);
                }
            }
            c.clear().type = CommandType.EXPIRE_TICK;
            c.limit = 1000;
            apply(c, now + 1);
        }

        final Path journalDir = data.resolve("journal");
        writeJournal(journalDir, 6);
        final int at = records.size() * 2 / 3;
        final SnapshotStore store = new SnapshotStore(data.resolve(SnapshotStore.FOLDER));
        try (Journal reader = new Journal(journalDir, true))
        {
            final Ledger prefix = new Ledger(Program.defaultProgram());
            prefix.capacityLimitsEnforced(false);
            final JournalReplay.Result replayed =
                JournalReplay.replay(reader, prefix, null, Long.MAX_VALUE, at, false, 0, null, null);
            SnapshotFile.write(store.folder(), prefix, replayed.resumePoint(), 0);
        }
        assertFalse(JournalArchive.archive(journalDir, store, data.resolve("journal-archive"), new LedgerContext())
            .files().isEmpty());

        // the tail the journal folder still holds: its first record, and what it issued and expired
        final long firstKept = firstSequence(journalDir);
        assertTrue(firstKept > 1 && firstKept <= at + 1, "archived up to the snapshot: first kept " + firstKept);
        long issued = 0;
        long expired = 0;
        for (final byte[] record : records.subList((int)firstKept - 1, records.size()))
        {
            final Command decoded = new Command();
            final long sequence = JournalRecord.decodeCommand(new UnsafeBuffer(record), decoded);
            if (sequence <= at)
            {
                continue; // before the snapshot: in the snapshot's state, not in the report
            }
            // the effects, from the record's own bytes
            final String json = JournalRecord.toJson(new UnsafeBuffer(record));
            issued += sum(json, "credit");
            expired += sum(json, "expire");
        }
        assertTrue(issued > 0 && expired > 0, issued + " issued, " + expired + " expired");

        final Path export = data.resolve("export.jsonl");
        final String exported = run("export", "--data", data.toString(), "--format", "jsonl", "--out",
            export.toString());
        assertTrue(exported.contains("wrote"), exported);
        final String lines = Files.readString(export);
        assertTrue(lines.contains("\"program\":\"coffee\""), lines.substring(0, Math.min(600, lines.length())));
        assertFalse(lines.contains("\"program\":\"default\""), "no record under the built-in name");

        final Path csv = data.resolve("k.csv");
        final String breakage = run("report", "breakage", "--data", data.toString(), "--csv", csv.toString());
        assertTrue(breakage.contains("note: the journal's records up to sequence"), breakage);
        long reportedIssued = 0;
        long reportedExpired = 0;
        final List<String> rows = Files.readAllLines(csv);
        for (final String row : rows.subList(1, rows.size()))
        {
            final String[] cells = row.split(",", -1);
            assertEquals("coffee", cells[0], row);
            reportedIssued += Long.parseLong(cells[2]);
            reportedExpired += Long.parseLong(cells[5]);
        }
        assertEquals(issued, reportedIssued, breakage);
        assertEquals(expired, reportedExpired, breakage);
    }

    private static long sum(final String json, final String kind)
    {
        long total = 0;
        for (final String part : json.split("\\{"))
        {
            if (part.startsWith("\"kind\":\"" + kind + "\""))
            {
                final int at = part.indexOf("\"points\":") + "\"points\":".length();
                int end = at;
                while (end < part.length() && Character.isDigit(part.charAt(end)))
                {
                    end++;
                }
                total += Long.parseLong(part.substring(at, end));
            }
        }
        return total;
    }

    private void write(final Command c, final CommandType type, final String requestId, final String member,
        final long points, final long now)
    {
        c.clear().type = type;
        c.requestId = requestId;
        c.memberId = member;
        c.points = points;
        apply(c, now);
    }

    private void apply(final Command c, final long now)
    {
        c.timestamp = now;
        ledger.apply(c);
        if (c.isJournaled())
        {
            final int length = codec.encode(c, buffer);
            records.add(Arrays.copyOf(buffer.byteArray(), length));
        }
    }

    /** The records, chained, in a real journal spread over {@code days} day files. */
    private void writeJournal(final Path directory, final int days)
    {
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        final SetTimeProvider clock = new SetTimeProvider(T0 * 1_000_000L);
        try (Journal journal = new Journal(directory, false, clock); Journal.Appender appender = journal.openAppender())
        {
            for (int i = 0; i < records.size(); i++)
            {
                clock.currentTimeMillis(T0 + (long)i * days / records.size() * DAY_MS);
                final byte[] record = records.get(i).clone();
                codec.chain(record, record.length, chain);
                appender.append(record, record.length);
            }
        }
    }

    private static long firstSequence(final Path journalDir)
    {
        try (Journal journal = new Journal(journalDir, true); Journal.Reader reader = journal.openReader())
        {
            assertTrue(reader.next());
            return JournalRecord.sequence(new UnsafeBuffer(reader.record(), 0, reader.length()));
        }
    }

    private String run(final String... args) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            assertEquals(0, LedgerMain.run(args, out, out), () -> bytes.toString(StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
