package io.jifen.ledger.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.snapshot.JournalArchive;
import io.jifen.ledger.snapshot.SnapshotFile;
import io.jifen.ledger.snapshot.SnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Statements of journals an earlier build wrote (versions 1 and 2, the golden runs): each member's statement lists
 * exactly the records that name it (its own writes, and the transfers and exchanges it received), newest first; and
 * after the journal's first days are archived, the index is built from what the folder holds.
 */
class MemberHistoryIT
{
    @TempDir
    Path dir;

    @Test
    void olderRecordsAreOnTheStatementsOfTheMembersTheyNameAndAnArchivedJournalIsIndexedFromItsFirstFile()
        throws IOException
    {
        final GoldenRuns.Run run = GoldenRuns.runs().get(1);
        final String main = Program.parse(run.program()).name();
        // expected, from the records' own fields: sequence lists by program/member
        final Map<String, List<Long>> expected = new HashMap<>();
        for (final byte[] record : run.records())
        {
            final Command c = new Command();
            final long sequence = JournalRecord.decodeCommand(new UnsafeBuffer(record), c);
            if (!c.type.isIdempotentWrite())
            {
                continue; // sweeps of these versions name no member; program changes name none
            }
            final String program = null == c.programId ? main : c.programId;
            expected.computeIfAbsent(program + "/" + c.memberId, k -> new ArrayList<>()).add(0, sequence);
            if (null != c.toMemberId)
            {
                final String to = null == c.toProgramId ? program : c.toProgramId;
                expected.computeIfAbsent(to + "/" + c.toMemberId, k -> new ArrayList<>()).add(0, sequence);
            }
        }
        final Path journalDir = GoldenRuns.journal(dir.resolve("journal"), run.records(), 6);
        for (final Map.Entry<String, List<StatementLine>> member : statements(journalDir, main, expected).entrySet())
        {
            assertEquals(expected.get(member.getKey()), member.getValue().stream().map(l -> l.sequence).toList(),
                member.getKey());
            assertTrue(member.getValue().stream().noneMatch(l -> l.balancesKnown), "no balances before version 3");
        }

        // the first three days archived (a snapshot covers them): the index starts at the folder's first record
        final long at = (long)run.records().size() * 7 / 12;
        final SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
        try (Journal reader = new Journal(journalDir, true))
        {
            final io.jifen.ledger.core.Ledger ledger = run.empty();
            final JournalReplay.Result prefix =
                JournalReplay.replay(reader, ledger, null, Long.MAX_VALUE, at, false, 0, null, null);
            SnapshotFile.write(store.folder(), ledger, prefix.resumePoint(), 0);
        }
        assertFalse(JournalArchive.archive(journalDir, store, dir.resolve("archive"), new LedgerContext())
            .files().isEmpty());
        for (final Map.Entry<String, List<StatementLine>> member : statements(journalDir, main, expected).entrySet())
        {
            final List<Long> kept = member.getValue().stream().map(l -> l.sequence).toList();
            final List<Long> all = expected.get(member.getKey());
            assertTrue(all.containsAll(kept), member.getKey());
            assertTrue(kept.containsAll(all.stream().filter(s -> s > at).toList()),
                member.getKey() + ": every record after the snapshot is on the statement: " + kept + " of " + all);
        }
    }

    /** The journal indexed from its folder's first record, and the statement of every member expected. */
    private Map<String, List<StatementLine>> statements(final Path journalDir, final String main,
        final Map<String, List<Long>> expected) throws IOException
    {
        final Map<String, List<StatementLine>> statements = new HashMap<>();
        try (Journal journal = new Journal(journalDir, true);
            MemberHistory history = new MemberHistory(journal, dir, main, main);
            Journal.Reader reader = journal.openReader())
        {
            while (history.poll(Long.MAX_VALUE, 1000) > 0 || history.busy())
            {
                // read the whole journal
            }
            assertEquals(GoldenRuns.runs().get(1).lastSequence(), history.indexedSequence());
            for (final String member : expected.keySet())
            {
                statements.put(member, statement(history, member, main, reader));
            }
        }
        return statements;
    }

    private static List<StatementLine> statement(final MemberHistory history, final String key, final String main,
        final Journal.Reader reader)
    {
        final String program = key.substring(0, key.indexOf('/'));
        final String member = key.substring(program.length() + 1);
        final List<StatementLine> lines = new ArrayList<>();
        long next = history.newest(program, member);
        while (next >= 0)
        {
            next = history.page(program, member, next, -1, 3, main, reader, lines);
        }
        return lines;
    }
}
