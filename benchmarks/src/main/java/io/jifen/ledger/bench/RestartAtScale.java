package io.jifen.ledger.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.ResumePoint;
import io.jifen.ledger.snapshot.SnapshotFile;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.ExpandableArrayBuffer;

/**
 * Builds a data folder at scale for the restart benchmark ({@code benchmarks/storage/restart-at-scale}): a journal of
 * {@code members} enrolments and {@code members × lotsPerMember} earns (each a lot that stays open), spread over
 * {@code days} days of ledger time (one journal day file per day), with a snapshot taken {@code tail} records before
 * the end. Records are what the server would journal (the ledger applies each command and the record is encoded,
 * chained and appended as the pipeline does), so a server started on the folder reads the snapshot, replays the tail
 * and checks every record. Prints the build's figures: heap per member and per lot, snapshot size and write time.
 * <pre>
 *   java -Xmx20g -cp benchmarks/target/benchmarks.jar io.jifen.ledger.bench.RestartAtScale DIR members lotsPerMember
 *       tail days
 * </pre>
 */
public final class RestartAtScale
{
    /** Requests are remembered a day: the request log holds about one day's writes, as a real ledger would. */
    static final String PROGRAM = String.join("\n",
        "schema: 1",
        "version: 1",
        "name: scale",
        "expiry:",
        "  months: 24",
        "limits:",
        "  requestRetentionDays: 1",
        "");
    private static final long T0 = 1_767_225_600_000L;
    private static final long DAY_MS = 86_400_000L;

    private RestartAtScale()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path data = Path.of(args[0]);
        final int members = Integer.parseInt(args[1]);
        final int lotsPerMember = Integer.parseInt(args[2]);
        final long tail = Long.parseLong(args[3]);
        final int days = Integer.parseInt(args[4]);
        Files.createDirectories(data);
        Files.writeString(data.resolve("program.yaml"), PROGRAM);
        final long writes = members + (long)members * lotsPerMember;
        final long total = writes + 1; // the program record first
        final LedgerContext context = new LedgerContext().expectedMembers(members)
            .expectedLots((int)Math.min(LedgerContext.LOTS_MAX_LIMIT, (long)members * lotsPerMember))
            .expectedRequests((int)Math.min(4_000_000L, writes / days * 2)).membersMax(members)
            .lotsMax((int)Math.min(LedgerContext.LOTS_MAX_LIMIT, (long)members * lotsPerMember));
        final long heapBefore = liveHeap();
        final Ledger ledger = new Ledger(Program.defaultProgram(), context);
        final SetTimeProvider clock = new SetTimeProvider(T0 * 1_000_000L);
        final JournalRecord codec = new JournalRecord();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
        final byte[] chain = new byte[JournalRecord.CHAIN_LENGTH];
        final Command c = new Command();
        final long start = System.nanoTime();
        try (Journal journal = Journal.withClock(data.resolve("journal"), clock);
            Journal.Appender appender = journal.openAppender())
        {
            for (long i = 0; i < total; i++)
            {
                final long now = T0 + i * (days * DAY_MS) / total;
                clock.currentTimeMillis(now);
                command(c, i, members, now);
                ledger.apply(c);
                if (!c.isJournaled())
                {
                    throw new IllegalStateException("command " + i + " refused: " + c.result + " " + c);
                }
                final int length = codec.encode(c, buffer);
                codec.chain(buffer.byteArray(), length, chain);
                appender.append(buffer.byteArray(), length);
                if (i == total - 1 - tail)
                {
                    appender.sync();
                    final long heap = liveHeap() - heapBefore;
                    System.out.printf("built %,d records in %.1f s; live heap %,d bytes: %,d per member with its %d " +
                        "lots (tables sized for the expected scale, a request log of about one day)%n", i + 1,
                        (System.nanoTime() - start) / 1e9, heap, heap / members, lotsPerMember);
                    final long t0 = System.nanoTime();
                    final Path file = SnapshotFile.write(data.resolve("snapshots"), ledger,
                        new ResumePoint(c.sequence, appender.lastIndex(), chain), System.currentTimeMillis());
                    System.out.printf("snapshot %s: %,d bytes written in %.1f s, at sequence %,d; %,d members, " +
                        "%,d lots, %,d remembered requests%n", file, Files.size(file), (System.nanoTime() - t0) / 1e9,
                        c.sequence, ledger.memberCount(), ledger.lotCount(), ledger.rememberedRequests());
                }
            }
            appender.sync();
        }
        System.out.printf("journal of %,d records (%,d after the snapshot) in %.1f s; last sequence %,d, state hash " +
            "%016x%n", total, tail, (System.nanoTime() - start) / 1e9, ledger.lastSequence(), ledger.stateHash());
    }

    /** The i-th command: the program, then every enrolment, then earns round the members. */
    private static void command(final Command c, final long i, final int members, final long now)
    {
        c.clear();
        c.timestamp = now;
        if (i == 0)
        {
            c.type = CommandType.SET_PROGRAM;
            c.programText = Program.parse(PROGRAM).toText();
            return;
        }
        if (i <= members)
        {
            c.type = CommandType.ENROLL;
            c.requestId = "e" + i;
            c.memberId = "member-" + (i - 1);
            return;
        }
        c.type = CommandType.EARN;
        c.requestId = "r" + i;
        c.memberId = "member-" + ((i - members - 1) % members);
        c.points = 100 + i % 900;
    }

    private static long liveHeap()
    {
        for (int i = 0; i < 2; i++)
        {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
