package io.jifen.ledger.journal;

import java.nio.file.Path;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change stream's reader: records after the start sequence, in order, each only once the writer says it is
 * durable; the program names in force learned on the way; a gap in the sequence, or records archived away, refused.
 */
class JournalFollowerTest
{
    private static final long T0 = 1_767_607_200_000L;

    @TempDir
    Path dir;

    @Test
    void recordsAfterTheStartComeInOrderOnlyOnceDurable()
    {
        try (Journal journal = new Journal(dir, false, () -> T0))
        {
            append(journal, new Ledger(Program.defaultProgram()), 1, 5);
            try (JournalFollower follower = new JournalFollower(journal, 2, "now"))
            {
                assertTrue(follower.next(4));
                assertEquals(3, follower.sequence(), "the first after the start");
                assertEquals(3, JournalRecord.sequence(follower.record()));
                assertTrue(follower.next(4));
                assertEquals(4, follower.sequence());
                assertFalse(follower.next(4), "record 5 is written, not yet durable");
                assertFalse(follower.next(4), "still waiting");
                assertTrue(follower.next(5));
                assertEquals(5, follower.sequence());
                assertFalse(follower.next(Long.MAX_VALUE), "the end, for now");
                assertEquals("now", follower.firstProgram(),
                    "positioned past the start of the journal: the first program as it is named now");
            }
        }
    }

    @Test
    void aGapInTheSequenceIsRefusedNamingThePlace()
    {
        try (Journal journal = new Journal(dir, false, () -> T0))
        {
            final Ledger ledger = new Ledger(Program.defaultProgram());
            append(journal, ledger, 1, 2);
            append(journal, ledger, 4, 1); // record 3 missing
            try (JournalFollower follower = new JournalFollower(journal, 0, "now"))
            {
                assertTrue(follower.next(10));
                assertTrue(follower.next(10));
                final JournalCorruptException gap = assertThrows(JournalCorruptException.class,
                    () -> follower.next(10));
                assertTrue(gap.getMessage().contains("sequence 4 follows 2") && gap.getMessage().contains(".cq4"),
                    gap.getMessage());
            }
        }
    }

    @Test
    void recordsNoLongerInTheFolderAreSaidToBeArchived()
    {
        try (Journal journal = new Journal(dir, false, () -> T0))
        {
            append(journal, new Ledger(Program.defaultProgram()), 8, 2); // as if 1..7 were archived
            try (JournalFollower follower = new JournalFollower(journal, 3, "coffee-now"))
            {
                assertTrue(assertThrows(JournalFollower.ArchivedException.class, () -> follower.next(10))
                    .getMessage().contains("up to 7 are not in its folder"));
            }
            try (JournalFollower follower = new JournalFollower(journal, 7, "coffee-now"))
            {
                assertTrue(follower.next(10), "after 7: nothing asked for is missing");
                assertEquals(8, follower.sequence());
                assertEquals("coffee-now", follower.firstProgram(),
                    "the record that named the first program was archived: its name now");
            }
        }
    }

    @Test
    void theFirstProgramsNameIsLearnedFromTheJournalAndTheStartIsFoundThroughTheIndex()
    {
        final long[] now = {T0};
        try (Journal journal = new Journal(dir, false, () -> now[0]))
        {
            final Ledger ledger = new Ledger(Program.defaultProgram());
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
            try (Journal.Appender appender = journal.openAppender())
            {
                final Command c = new Command();
                c.type = CommandType.SET_PROGRAM;
                c.programText = Program.parse("version: 1\nname: coffee\n").toText();
                c.timestamp = T0;
                ledger.apply(c);
                assertEquals(ResultCode.OK, c.result);
                final int length = new JournalRecord().encode(c, buffer);
                appender.append(buffer.byteArray(), length);
                appender.sync();
            }
            for (int day = 0; day < 3; day++) // three day files of 3,000 records
            {
                append(journal, ledger, 2 + day * 3_000L, 3_000);
                now[0] += 86_400_000L;
            }
            assertEquals(3, JournalSurvey.queueFiles(dir).size());
            try (JournalFollower follower = new JournalFollower(journal, 0, "now"))
            {
                assertTrue(follower.next(Long.MAX_VALUE));
                assertEquals(1, follower.sequence());
                assertEquals("coffee", follower.firstProgram(), "learned from the set_program record");
            }
            for (final long start : new long[] {1, 2_999, 3_001, 3_002, 6_001, 8_000, 9_000})
            {
                try (JournalFollower follower = new JournalFollower(journal, start, "now"))
                {
                    assertTrue(follower.next(Long.MAX_VALUE), "after " + start + ": at once, found by the index");
                    assertEquals(start + 1, follower.sequence());
                    assertFalse(follower.positioning());
                    long last = follower.sequence();
                    while (follower.next(Long.MAX_VALUE))
                    {
                        assertEquals(++last, follower.sequence());
                    }
                    assertEquals(9_001, last, "then every record to the end, across the day files");
                }
            }
            try (JournalFollower follower = new JournalFollower(journal, 9_001, "now"))
            {
                assertFalse(follower.next(Long.MAX_VALUE), "nothing after the last record");
                assertFalse(follower.positioning());
            }
        }
    }

    /** Appends {@code count} enroll records numbered from {@code first}, as the pipeline encodes them. */
    private static void append(final Journal journal, final Ledger ledger, final long first, final int count)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        try (Journal.Appender appender = journal.openAppender())
        {
            for (int i = 0; i < count; i++)
            {
                final Command c = new Command();
                c.type = CommandType.ENROLL;
                c.requestId = "r-" + (first + i);
                c.memberId = "m-" + (first + i);
                c.timestamp = T0 + first + i;
                ledger.apply(c);
                assertEquals(ResultCode.OK, c.result);
                c.sequence = first + i; // the numbering under test, whatever the ledger counted
                final int length = new JournalRecord().encode(c, buffer);
                appender.append(buffer.byteArray(), length);
            }
            appender.sync();
        }
    }
}
