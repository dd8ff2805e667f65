package io.jifen.ledger.server;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

import io.jifen.ledger.core.Accounts;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalFollower;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.Statements;
import io.jifen.ledger.snapshot.ArchivedPrefix;
import io.jifen.ledger.snapshot.SnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ledger export}: every journal event in a time range with its double-entry postings (docs/reports.md), as
 * JSON lines (the record as {@code journal dump} prints it, plus {@code postings}) or CSV (one row per posting).
 * Reads the journal files only; each record's checksum and sequence are checked as it is read.
 */
final class JournalExport
{
    static final String[] CSV_HEADER = {"sequence", "time", "type", "request_id", "order_id", "program", "member_id",
        "effect", "lot_id", "points", "from_account", "to_account"};

    private JournalExport()
    {
    }

    @Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Every journal event in a time range with its double-entry postings (docs/reports.md), as " +
            "JSON lines (the record as journal dump prints it, plus postings) or CSV (one row per posting)."})
    static final class Export implements java.util.concurrent.Callable<Integer>
    {
        private final LedgerCli cli;
        @Mixin
        LedgerCli.DataOption data;
        @Option(names = "--from", paramLabel = "TIME", converter = LedgerCli.InstantConverter.class,
            description = "events stamped at or after TIME (ISO-8601 with its offset, or epoch ms; default: the first)")
        Long from;
        @Option(names = "--to", paramLabel = "TIME", converter = LedgerCli.InstantConverter.class,
            description = "events stamped at or before TIME (default: the last)")
        Long to;
        @Option(names = "--format", paramLabel = "F", defaultValue = "jsonl",
            description = "jsonl (default) or csv")
        String format;
        @Option(names = "--out", paramLabel = "FILE", description = "write to FILE (default: standard output)")
        Path file;

        Export(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException
        {
            return run(data.data, null == from ? Long.MIN_VALUE : from, null == to ? Long.MAX_VALUE : to, format,
                file, cli.out);
        }
    }

    static int run(final Path data, final long from, final long to, final String format, final Path file,
        final PrintStream out) throws IOException
    {
        if (!format.equals("csv") && !format.equals("jsonl"))
        {
            throw new IllegalArgumentException("--format must be csv or jsonl, got '" + format + "'");
        }
        if (!Files.isDirectory(data.resolve("journal")))
        {
            throw new IllegalArgumentException("no journal in " + data.resolve("journal"));
        }
        try (Journal journal = new Journal(data.resolve("journal"), true);
            Writer writer = null == file ? new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)) :
                Files.newBufferedWriter(file))
        {
            final long events = export(journal, from, to, format.equals("csv"), writer,
                firstProgramName(journal, data, System.err));
            writer.flush();
            if (null != file)
            {
                out.printf("wrote %,d events to %s%n", events, file);
            }
        }
        return 0;
    }

    /** @return the number of events written: records stamped in [from, to]. */
    static long export(final Journal journal, final long from, final long to, final boolean csv, final Writer writer,
        final String firstProgramNow)
        throws IOException
    {
        long events = 0;
        if (csv)
        {
            writer.write(String.join(",", CSV_HEADER) + "\n");
        }
        try (JournalFollower follower = new JournalFollower(journal, -1, firstProgramNow))
        {
            while (follower.next(Long.MAX_VALUE))
            {
                final UnsafeBuffer record = follower.record();
                final long time = JournalRecord.timestamp(record);
                if (time < from || time > to)
                {
                    continue;
                }
                events++;
                final String first = follower.firstProgram();
                writer.write(csv ? csvRows(record, first) : jsonLine(record, first));
            }
        }
        return events;
    }

    /**
     * The name of the ledger's first program where the journal's folder begins: what its records without a program id
     * belong to until a record there names it. A whole journal names it in its first record (the built-in name is then
     * only a placeholder); a journal whose first day files were archived takes it from the oldest snapshot the journal
     * confirms, and without one says that the built-in name stands in.
     */
    static String firstProgramName(final Journal journal, final Path data, final PrintStream warnings)
    {
        try
        {
            final JournalRecovery.Start start = ArchivedPrefix.start(journal,
                new SnapshotStore(data.resolve(SnapshotStore.FOLDER)), Long.MAX_VALUE, Long.MAX_VALUE);
            return ((Ledger)start.ledger()).program(0).name();
        }
        catch (final IllegalStateException ex)
        {
            final String name = Program.defaultProgram().name();
            warnings.println("warning: " + ex.getMessage() + "; records without a program id are exported under the " +
                "built-in name '" + name + "'");
            return name;
        }
    }

    private static String jsonLine(final UnsafeBuffer record, final String firstProgram)
    {
        final String json = JournalRecord.toJson(record);
        final StringBuilder sb = new StringBuilder(json.length() + 256);
        sb.append(json, 0, json.length() - 1).append(",\"postings\":[");
        final int start = sb.length();
        Statements.effects(record, firstProgram, (program, member, kind, lotId, points, expiresAt) ->
        {
            final Accounts.Account fromAccount = Accounts.from(kind);
            if (null == fromAccount)
            {
                return; // a tier evaluation, a forgiven shortfall: no points move
            }
            sb.append(sb.length() == start ? "{" : ",{").append("\"program\":").append(quoted(program))
                .append(",\"member_id\":").append(quoted(member))
                .append(",\"effect\":\"").append(EffectLog.kindName(kind)).append('"')
                .append(",\"lot_id\":").append(lotId).append(",\"points\":").append(points)
                .append(",\"from_account\":\"").append(name(fromAccount)).append('"')
                .append(",\"to_account\":\"").append(name(Accounts.to(kind))).append("\"}");
        });
        return sb.append("]}\n").toString();
    }

    private static String csvRows(final UnsafeBuffer record, final String firstProgram)
    {
        final io.jifen.ledger.core.Command c = new io.jifen.ledger.core.Command();
        final long sequence = JournalRecord.decodeCommand(record, c);
        final String time = Instant.ofEpochMilli(c.timestamp).toString();
        final String type = c.type.name().toLowerCase(Locale.ROOT);
        final StringBuilder sb = new StringBuilder(256);
        final int[] rows = {0};
        Statements.effects(record, firstProgram, (program, member, kind, lotId, points, expiresAt) ->
        {
            final Accounts.Account fromAccount = Accounts.from(kind);
            if (null == fromAccount)
            {
                return;
            }
            rows[0]++;
            FinanceReports.appendCsv(sb, new String[] {Long.toString(sequence), time, type, c.requestId, c.orderId,
                program, member, EffectLog.kindName(kind), Long.toString(lotId), Long.toString(points),
                name(fromAccount), name(Accounts.to(kind))});
        });
        if (rows[0] == 0)
        {
            // an event without postings (an enrollment, a status or tier change): one row, its posting columns empty
            final String program = c.type == CommandType.SET_PROGRAM || c.type == CommandType.EXPIRE_TICK ? "" :
                null == c.programId ? firstProgram : c.programId;
            FinanceReports.appendCsv(sb, new String[] {Long.toString(sequence), time, type, c.requestId, c.orderId,
                program, c.memberId, "", "", "", "", ""});
        }
        return sb.toString();
    }

    private static String name(final Accounts.Account account)
    {
        return account.name().toLowerCase(Locale.ROOT);
    }

    private static String quoted(final String s)
    {
        if (null == s)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char ch = s.charAt(i);
            if (ch == '"' || ch == '\\')
            {
                sb.append('\\').append(ch);
            }
            else if (ch < 0x20 || ch > 0x7E)
            {
                sb.append(String.format("\\u%04x", (int)ch));
            }
            else
            {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }
}
