package io.jifen.ledger.server;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import io.jifen.ledger.core.Accounts;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerStateMachine;
import io.jifen.ledger.core.LedgerView;
import io.jifen.ledger.core.MemberStatus;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.Tier;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.snapshot.ArchivedPrefix;
import io.jifen.ledger.snapshot.SnapshotStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ledger report liability|breakage|balances}: finance's reports, from the journal and snapshots of a data
 * folder, no server needed (docs/reports.md). Each prints a table, and writes CSV ({@code --csv FILE}) and one
 * self-contained HTML file with its chart ({@code --html FILE}). Times are ISO-8601 with an offset or zone.
 * <p>
 * Every report replays the journal with the ledger's own code up to the instant asked for, so it reads exactly the
 * state the server had then; a breakage report reads the program accounts of the double entry (docs/journal-format.md)
 * at each month boundary of one replay.
 */
final class FinanceReports
{
    private final Path data;
    private final PrintStream out;
    private final Map<String, String> options;

    private FinanceReports(final Path data, final Map<String, String> options, final PrintStream out)
    {
        this.data = data;
        this.options = options;
        this.out = out;
    }

    @picocli.CommandLine.Command(name = "report", synopsisSubcommandLabel = "REPORT", mixinStandardHelpOptions = true,
        description = {"Finance's reports from a data folder, no server needed (docs/reports.md): a table, and " +
            "CSV (--csv FILE) and one self-contained HTML file with its chart (--html FILE)."})
    static final class Report extends CommandGroup
    {
        private final LedgerCli cli;

        Report(final LedgerCli cli)
        {
            this.cli = cli;
        }

        @picocli.CommandLine.Command(name = "liability", mixinStandardHelpOptions = true,
            description = "Outstanding points as of an instant by program, tier and the expiry month of their lots, " +
                "valued at each program's point.")
        int liability(@Mixin final Output files,
            @Option(names = "--as-of", paramLabel = "TIME", description = "ISO-8601 with its offset, or epoch ms " +
                "(default: the last record)") final String asOf,
            @Option(names = "--zone", paramLabel = "ZONE", description = "expiry months in this time zone " +
                "(default: the first program's)") final String zone) throws IOException
        {
            return FinanceReports.run("liability", files.options().put("--as-of", asOf).put("--zone", zone), cli.out);
        }

        @picocli.CommandLine.Command(name = "breakage", mixinStandardHelpOptions = true,
            description = "Points expired (breakage) by month, with the program accounts of the double entry.")
        int breakage(@Mixin final Output files,
            @Option(names = "--from", paramLabel = "TIME", description = "from this instant (default: the first " +
                "record)") final String from,
            @Option(names = "--to", paramLabel = "TIME", description = "to this instant (default: the last record)")
            final String to,
            @Option(names = "--zone", paramLabel = "ZONE", description = "months in this time zone (default: the " +
                "first program's)") final String zone) throws IOException
        {
            return FinanceReports.run("breakage", files.options().put("--from", from).put("--to", to)
                .put("--zone", zone), cli.out);
        }

        @picocli.CommandLine.Command(name = "balances", mixinStandardHelpOptions = true,
            description = "Every member's balances as of an instant (or one member's).")
        int balances(@Mixin final Output files,
            @Option(names = "--as-of", paramLabel = "TIME", description = "ISO-8601 with its offset, or epoch ms " +
                "(default: the last record)") final String asOf,
            @Option(names = "--member", paramLabel = "ID", description = "only this member") final String member,
            @Option(names = "--program", paramLabel = "NAME", description = "only this program (with --member: " +
                "its program; default the first)") final String program,
            @Option(names = "--zone", paramLabel = "ZONE", description = "times in this time zone (default: the " +
                "first program's)") final String zone) throws IOException
        {
            return FinanceReports.run("balances", files.options().put("--as-of", asOf).put("--member", member)
                .put("--program", program).put("--zone", zone), cli.out);
        }
    }

    /** The options every report takes: where the data is, and the files it writes. */
    static final class Output
    {
        @Mixin
        LedgerCli.DataOption data;
        @Option(names = "--csv", paramLabel = "FILE", description = "also write the table as CSV")
        String csv;
        @Option(names = "--html", paramLabel = "FILE", description = "also write one HTML file with the chart")
        String html;

        Options options()
        {
            return new Options().put("--data", data.data.toString()).put("--csv", csv).put("--html", html);
        }
    }

    /** The options a report reads, by name; a null value is left out. */
    static final class Options
    {
        final Map<String, String> values = new LinkedHashMap<>();

        Options put(final String name, final String value)
        {
            if (null != value)
            {
                values.put(name, value);
            }
            return this;
        }
    }

    static int run(final String report, final Options given, final PrintStream out) throws IOException
    {
        final Map<String, String> options = given.values;
        final Path data = Paths.get(options.getOrDefault("--data", "data"));
        if (!Files.isDirectory(data.resolve("journal")))
        {
            throw new IllegalArgumentException("no journal in " + data.resolve("journal"));
        }
        final FinanceReports reports = new FinanceReports(data, options, out);
        return switch (report)
        {
            case "liability" -> reports.liability();
            case "breakage" -> reports.breakage();
            case "balances" -> reports.balances();
            default -> throw new IllegalArgumentException("unknown report '" + report +
                "': liability, breakage or balances");
        };
    }

    private long instant(final String name, final long absent)
    {
        final String value = options.get(name);
        return null == value ? absent : LedgerMain.epochMs(name, value);
    }

    // ------------------------------------------------------------------------------------------------ liability

    /**
     * Outstanding points as of an instant (available, and held until captured: what {@code journal verify} calls
     * outstanding) by program, tier and the expiry month of their lots, valued at each program's point.
     */
    private int liability() throws IOException
    {
        final long asOf = instant("--as-of", Long.MAX_VALUE);
        final Ledger ledger = replay(asOf, l -> l, l -> l);
        final long at = asOf == Long.MAX_VALUE ? ledger.lastTimestamp() : asOf;
        final ZoneId zone = zone(ledger);
        // program -> tier -> expiry month -> points
        final Map<String, Map<String, TreeMap<YearMonth, Long>>> table = new LinkedHashMap<>();
        LedgerView.lots(ledger, at, (program, member, tier, lotId, remaining, held, earnedAt, expiresAt) ->
            table.computeIfAbsent(program, p -> new TreeMap<>()).computeIfAbsent(tierName(tier), t -> new TreeMap<>())
                .merge(YearMonth.from(Instant.ofEpochMilli(expiresAt).atZone(zone)), remaining + held, Long::sum));
        final Map<String, Long> byProgram = new LinkedHashMap<>();
        final Map<String, Long> pendingByProgram = new LinkedHashMap<>();
        LedgerView.members(ledger, at, (program, member, tier, status, available, owed, held, pending, lots) ->
        {
            byProgram.merge(program, available + held, Long::sum);
            pendingByProgram.merge(program, pending, Long::sum);
        });
        final List<String[]> rows = new ArrayList<>();
        final Map<String, BigDecimal> values = new LinkedHashMap<>();
        table.forEach((program, tiers) -> tiers.forEach((tier, months) -> months.forEach((month, points) ->
        {
            final BigDecimal value = value(ledger, program, points);
            rows.add(new String[] {program, tier, month.toString(), Long.toString(points),
                null == value ? "" : value.toPlainString(), currency(ledger, program)});
            values.merge(month + " " + program, null == value ? BigDecimal.valueOf(points) : value, BigDecimal::add);
        })));
        out.println("liability as of " + Instant.ofEpochMilli(at).atZone(zone) + " (expiry months in " + zone + ")");
        final String[] header = {"program", "tier", "expiry_month", "points", "value", "currency"};
        printTable(header, rows);
        for (final Map.Entry<String, Long> total : byProgram.entrySet())
        {
            final long inLots = table.getOrDefault(total.getKey(), Map.of()).values().stream()
                .flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
            final BigDecimal value = value(ledger, total.getKey(), inLots);
            out.printf("total %s: %,d points%s (members' available and held: %,d; pending, not yet available and " +
                "not above: %,d)%n", total.getKey(), inLots, null == value ? " (no finance.pointValue in the program)" :
                " = " + value.toPlainString() + " " + currency(ledger, total.getKey()), total.getValue(),
                pendingByProgram.get(total.getKey()));
            if (inLots != total.getValue())
            {
                throw new IllegalStateException("the open lots of " + total.getKey() + " hold " + inLots +
                    " points but its members' balances sum to " + total.getValue());
            }
        }
        writeCsv(header, rows);
        writeHtml("Liability as of " + Instant.ofEpochMilli(at).atZone(zone), "Outstanding by expiry month " +
            "(value, or points where a program sets no point value)", "expiry month", values, header, rows);
        return 0;
    }

    private static BigDecimal value(final Ledger ledger, final String program, final long points)
    {
        final Program p = program(ledger, program);
        return null == p || null == p.pointValue() ? null : p.pointValue().multiply(BigDecimal.valueOf(points));
    }

    private static String currency(final Ledger ledger, final String program)
    {
        final Program p = program(ledger, program);
        return null == p ? "" : p.currency();
    }

    private static Program program(final Ledger ledger, final String name)
    {
        for (int slot = 0; slot < ledger.programCount(); slot++)
        {
            if (ledger.program(slot).name().equals(name))
            {
                return ledger.program(slot);
            }
        }
        return null;
    }

    private ZoneId zone(final Ledger ledger)
    {
        final String zone = options.get("--zone");
        return null != zone ? ZoneId.of(zone) : ledger.program(0).zone();
    }

    private static String tierName(final int tier)
    {
        return Tier.isValidCode(tier) ? Tier.fromCode(tier).name().toLowerCase(Locale.ROOT) : Integer.toString(tier);
    }

    // ------------------------------------------------------------------------------------------------ breakage

    /**
     * Points issued, redeemed, expired and clawed back by month and program, from the double entry's program accounts
     * read at each month boundary of one replay; breakage rate = expired / (redeemed + expired).
     */
    private int breakage() throws IOException
    {
        final long from = instant("--from", Long.MIN_VALUE);
        final long to = instant("--to", Long.MAX_VALUE);
        final MonthlyAccounts[] monthly = new MonthlyAccounts[1];
        final ZoneId[] zone = new ZoneId[1];
        final Ledger ledger = replay(to, l ->
        {
            // months are cut before the replay reads the program: the zone of the program the journal puts in force
            zone[0] = null != options.get("--zone") ? ZoneId.of(options.get("--zone")) :
                l.lastSequence() > 0 ? l.program(0).zone() : journalFirstProgramZone(l.program(0).zone());
            monthly[0] = new MonthlyAccounts(l, from, zone[0]);
            return monthly[0];
        }, l -> l, from == Long.MIN_VALUE ? Long.MAX_VALUE : from); // no --from: from the oldest start there is
        monthly[0].close(to == Long.MAX_VALUE ? ledger.lastTimestamp() : to);
        final String[] header = {"program", "month", "issued", "bonus_issued", "redeemed", "expired", "clawed_back",
            "breakage_rate"};
        final List<String[]> rows = new ArrayList<>();
        final Map<String, BigDecimal> chart = new LinkedHashMap<>();
        for (final MonthlyAccounts.Month month : monthly[0].months)
        {
            final long issued = month.flow(Accounts.Account.ISSUED);
            final long bonus = month.flow(Accounts.Account.BONUS_ISSUED);
            final long redeemed = month.flow(Accounts.Account.REDEEMED);
            final long expired = month.flow(Accounts.Account.EXPIRED);
            final long clawed = month.flow(Accounts.Account.CLAWED);
            final String rate = redeemed + expired == 0 ? "" : BigDecimal.valueOf(expired)
                .divide(BigDecimal.valueOf(redeemed + expired), 4, java.math.RoundingMode.HALF_EVEN).toPlainString();
            rows.add(new String[] {month.program, month.month.toString(), Long.toString(-issued),
                Long.toString(-bonus), Long.toString(redeemed), Long.toString(expired), Long.toString(clawed), rate});
            chart.put(month.month + " " + month.program, BigDecimal.valueOf(expired));
        }
        out.println("breakage by month (" + zone[0] + "), points; breakage_rate = expired / (redeemed + expired)");
        printTable(header, rows);
        writeCsv(header, rows);
        writeHtml("Breakage by month", "Points expired (breakage) by month", "month", chart, header, rows);
        return 0;
    }

    /**
     * @return the zone of the first program the journal puts in force (its first {@code set_program} without a program
     * id, among its first records), else {@code otherwise}.
     */
    private ZoneId journalFirstProgramZone(final ZoneId otherwise)
    {
        try (Journal journal = new Journal(data.resolve("journal"), true);
            io.jifen.ledger.journal.JournalFollower follower = new io.jifen.ledger.journal.JournalFollower(journal, -1,
                Program.defaultProgram().name()))
        {
            final Command decoded = new Command();
            for (int read = 0; read < 10_000 && follower.next(Long.MAX_VALUE); read++)
            {
                io.jifen.ledger.journal.JournalRecord.decodeCommand(follower.record(), decoded);
                if (decoded.type == io.jifen.ledger.core.CommandType.SET_PROGRAM &&
                    (null == decoded.programId || decoded.programId.isEmpty()))
                {
                    return Program.parse(decoded.programText).zone();
                }
            }
        }
        return otherwise;
    }

    /**
     * The ledger of a replay, reading every program's accounts when the first record of a new month (in a zone) is
     * applied: a month's flows are the differences.
     */
    static final class MonthlyAccounts implements LedgerStateMachine
    {
        record Month(String program, YearMonth month, BigInteger[] start, BigInteger[] end)
        {
            long flow(final Accounts.Account account)
            {
                return end[account.ordinal()].subtract(start[account.ordinal()]).longValueExact();
            }
        }

        private final Ledger ledger;
        private final long from;
        private final ZoneId zone;
        final List<Month> months = new ArrayList<>();
        private YearMonth current;
        private Map<String, BigInteger[]> atStart;
        private long nextBoundary = Long.MIN_VALUE;

        MonthlyAccounts(final Ledger ledger, final long from, final ZoneId zone)
        {
            this.ledger = ledger;
            this.from = from;
            this.zone = zone;
        }

        @Override
        public void apply(final Command command)
        {
            if (command.timestamp >= nextBoundary && command.timestamp >= from)
            {
                close(command.timestamp);
            }
            ledger.apply(command);
        }

        /** Ends the current month (if any) with the accounts now, and starts the month of {@code at}. */
        void close(final long at)
        {
            final Map<String, BigInteger[]> now = accounts();
            if (null != current)
            {
                for (final Map.Entry<String, BigInteger[]> program : now.entrySet())
                {
                    final BigInteger[] start = atStart.getOrDefault(program.getKey(), zeros());
                    months.add(new Month(program.getKey(), current, start, program.getValue()));
                }
            }
            current = YearMonth.from(Instant.ofEpochMilli(at).atZone(zone));
            atStart = now;
            nextBoundary = current.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }

        private Map<String, BigInteger[]> accounts()
        {
            final Map<String, BigInteger[]> byProgram = new LinkedHashMap<>();
            for (int slot = 0; slot < ledger.programCount(); slot++)
            {
                final BigInteger[] balances = zeros();
                for (final Accounts.Account account : Accounts.Account.values())
                {
                    balances[account.ordinal()] = ledger.accounts(slot).balance(account);
                }
                byProgram.put(ledger.program(slot).name(), balances);
            }
            return byProgram;
        }

        private static BigInteger[] zeros()
        {
            final BigInteger[] zeros = new BigInteger[Accounts.Account.values().length];
            java.util.Arrays.fill(zeros, BigInteger.ZERO);
            return zeros;
        }

        @Override
        public long stateHash()
        {
            return ledger.stateHash();
        }

        @Override
        public long lastSequence()
        {
            return ledger.lastSequence();
        }

        @Override
        public long lastTimestamp()
        {
            return ledger.lastTimestamp();
        }
    }

    // ------------------------------------------------------------------------------------------------ balances

    /** Every member's balances (and with --member, its open lots) as of an instant: what the server answered then. */
    private int balances() throws IOException
    {
        final long asOf = instant("--as-of", Long.MAX_VALUE);
        final Ledger ledger = replay(asOf, l -> l, l -> l);
        final long at = asOf == Long.MAX_VALUE ? ledger.lastTimestamp() : asOf;
        final String only = options.get("--member");
        final String programOnly = options.getOrDefault("--program", only == null ? null : ledger.program(0).name());
        final String[] header = {"program", "member_id", "tier", "status", "available", "held", "pending", "owed",
            "open_lots"};
        final List<String[]> rows = new ArrayList<>();
        LedgerView.members(ledger, at, (program, member, tier, status, available, owed, held, pending, lots) ->
        {
            if ((null == only || only.equals(member)) && (null == programOnly || programOnly.equals(program)))
            {
                rows.add(new String[] {program, member, tierName(tier), MemberStatus.fromCode(status).name()
                    .toLowerCase(Locale.ROOT), Long.toString(available), Long.toString(held), Long.toString(pending),
                    Long.toString(owed), Integer.toString(lots)});
            }
        });
        if (null != only && rows.isEmpty())
        {
            throw new IllegalArgumentException("no member '" + only + "' in program '" + programOnly + "' as of " +
                Instant.ofEpochMilli(at));
        }
        out.println("balances as of " + Instant.ofEpochMilli(at).atZone(zone(ledger)));
        printTable(header, rows);
        if (null != only)
        {
            final List<String[]> lots = new ArrayList<>();
            LedgerView.lots(ledger, at, (program, member, tier, lotId, remaining, held, earnedAt, expiresAt) ->
            {
                if (remaining > 0 && only.equals(member) && programOnly.equals(program))
                {
                    lots.add(new String[] {Long.toString(lotId), Long.toString(remaining),
                        Instant.ofEpochMilli(earnedAt).toString(), Instant.ofEpochMilli(expiresAt).toString()});
                }
            });
            printTable(new String[] {"lot_id", "remaining", "earned_at", "expires_at"}, lots);
        }
        writeCsv(header, rows);
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ replay

    private Ledger replay(final long until, final Function<Ledger, LedgerStateMachine> wrap,
        final Function<Ledger, Ledger> after) throws IOException
    {
        return replay(until, wrap, after, until);
    }

    /**
     * Replays the journal up to {@code until} from its first record (or, when older records were archived, from a
     * snapshot the journal confirms at or before {@code startBy}), with a progress line on a terminal.
     */
    private Ledger replay(final long until, final Function<Ledger, LedgerStateMachine> wrap,
        final Function<Ledger, Ledger> after, final long startBy)
    {
        try (Journal journal = new Journal(data.resolve("journal"), true))
        {
            final JournalRecovery.Start start = ArchivedPrefix.start(journal,
                new SnapshotStore(data.resolve(SnapshotStore.FOLDER)), startBy, Long.MAX_VALUE);
            final Ledger ledger = (Ledger)start.ledger();
            if (null != start.from())
            {
                out.printf("note: the journal's records up to sequence %,d are archived; this reads from %s (%s)%n",
                    start.from().sequence(), start.source(), Instant.ofEpochMilli(ledger.lastTimestamp()));
            }
            final JournalReplay.Result result = JournalReplay.replay(journal, wrap.apply(ledger), start.from(), until,
                Long.MAX_VALUE, false, ReplayProgress.EVERY, ReplayProgress.onTerminal(System.err,
                    "reading the journal"), null);
            if (io.jifen.ledger.server.load.Terminal.stderr())
            {
                System.err.printf("read %,d records in %.1f s%n", result.records, result.nanos / 1e9);
            }
            ledger.checkInvariants();
            return after.apply(ledger);
        }
    }

    // ------------------------------------------------------------------------------------------------ output

    private void printTable(final String[] header, final List<String[]> rows)
    {
        final int[] widths = new int[header.length];
        for (int c = 0; c < header.length; c++)
        {
            widths[c] = header[c].length();
            for (final String[] row : rows)
            {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        final StringBuilder format = new StringBuilder();
        for (int c = 0; c < header.length; c++)
        {
            format.append(c == 0 ? "" : "  ").append("%").append(c < 2 ? "-" : "").append(widths[c]).append('s');
        }
        final String line = format.append("%n").toString();
        out.printf(line, (Object[])header);
        for (final String[] row : rows)
        {
            out.printf(line, (Object[])row);
        }
    }

    private void writeCsv(final String[] header, final List<String[]> rows) throws IOException
    {
        final String file = options.get("--csv");
        if (null == file)
        {
            return;
        }
        final StringBuilder sb = new StringBuilder();
        appendCsv(sb, header);
        rows.forEach(row -> appendCsv(sb, row));
        Files.writeString(Paths.get(file), sb.toString());
        out.println("wrote " + file);
    }

    /**
     * Appends a CSV row (RFC 4180 quoting). A text cell a spreadsheet would run as a formula (=, +, -, @ first, and
     * not a number) is written with a leading apostrophe: request and order ids come from clients.
     */
    static void appendCsv(final StringBuilder sb, final String[] row)
    {
        for (int c = 0; c < row.length; c++)
        {
            final String cell = null == row[c] ? "" : row[c];
            final boolean formula = !cell.isEmpty() && "=+-@".indexOf(cell.charAt(0)) >= 0 &&
                !cell.matches("-?\\d+(\\.\\d+)?");
            final String v = formula ? "'" + cell : cell;
            sb.append(c == 0 ? "" : ",");
            sb.append(v.contains(",") || v.contains("\"") || v.contains("\n") ?
                '"' + v.replace("\"", "\"\"") + '"' : v);
        }
        sb.append('\n');
    }

    private void writeHtml(final String title, final String chartTitle, final String axis,
        final Map<String, BigDecimal> series, final String[] header, final List<String[]> rows) throws IOException
    {
        final String file = options.get("--html");
        if (null == file)
        {
            return;
        }
        Files.writeString(Paths.get(file), ReportHtml.page(title, chartTitle, axis, series, header, rows));
        out.println("wrote " + file);
    }
}
