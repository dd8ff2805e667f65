package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.jifen.ledger.api.v1.AdjustRequest;
import io.jifen.ledger.api.v1.AdvanceClockRequest;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.TransferRequest;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.server.load.LoadGenerator;
import io.jifen.ledger.server.load.LoadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finance's reports and the export reconcile, on a history written through the real server: scripted writes of every
 * kind over months of a test clock (expiries by the sweep included), then the load generator's mix. Checked against
 * independent sources: the balances the server answered at past instants, the journal's accounts as {@code journal
 * verify} prints them (a replay), and the postings of the export (the raw records, no replay): issued - redeemed -
 * expired - clawed back = outstanding, to the point. {@code -Djifen.report.events=N} writes about N events of load
 * (the long version: 1,000,000).
 */
class ReportIT
{
    private static final long DAY_MS = 86_400_000L;
    private static final String PROGRAM = String.join("\n",
        "name: shop", "version: 1", "zone: Asia/Shanghai", "expiry:", "  months: 3",
        "bonuses:", "  welcome: 10", "finance:", "  pointValue: 0.01", "");

    /** Journal records the history must hold at least. */
    private static final int EVENTS = Integer.getInteger("jifen.report.events", 8_000);

    @TempDir
    Path data;

    @Test
    void reportsReconcileWithTheServersAnswersTheJournalsAccountsAndTheExport() throws Exception
    {
        final Map<Long, Map<String, Balance>> answered = new TreeMap<>();
        final LedgerServer server = new LedgerServer(new ServerConfig().port(0).data(data).sandbox(true)
            .program(Program.parse(PROGRAM), "test")).start();
        final ManagedChannel channel = CrashWrites.channel(server.port());
        try
        {
            final LedgerGrpc.LedgerBlockingStub ledger = LedgerGrpc.newBlockingStub(channel)
                .withDeadlineAfter(120, TimeUnit.SECONDS);
            for (int month = 0; month < 5; month++)
            {
                scriptedMonth(ledger, month);
                final Map<String, Balance> balances = new HashMap<>();
                for (final String member : List.of("a", "b", "c"))
                {
                    balances.put(member, ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId(member).build()));
                }
                answered.put(balances.get("a").getAsOfMs(), balances);
                ledger.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(31 * DAY_MS).build());
                Thread.sleep(300); // the sweep (every 50 ms) expires what fell due
            }
            // the load generator's mix, in runs until the journal holds the events asked for (a write's sequence says
            // how many records there are); about 5 in 6 operations of the mix are writes
            long records = 0;
            for (int run = 0; records < EVENTS; run++)
            {
                final long offered = Math.max(1000, (EVENTS - records) * 5 / 4);
                final long rate = Math.min(20_000, Math.max(1000, offered / 10));
                new LoadGenerator(LoadOptions.parse(new ArrayDeque<>(List.of("--target", "127.0.0.1:" +
                    server.port(), "--rate", Long.toString(rate), "--duration", Double.toString((double)offered / rate),
                    "--warmup", "0", "--population", "5000", "--seed", Integer.toString(run + 1), "--no-progress"))),
                    new PrintStream(new ByteArrayOutputStream())).run();
                records = LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .earn(EarnRequest.newBuilder().setRequestId("count-" + run).setMemberId("a")
                    .setPoints(1).build()).getSequence();
            }
        }
        finally
        {
            channel.shutdownNow();
            server.close();
        }

        // balances as of each past instant: what the server answered then
        for (final Map.Entry<Long, Map<String, Balance>> at : answered.entrySet())
        {
            final Map<String, String[]> rows = csvByMember(run("report", "balances", "--as-of",
                Instant.ofEpochMilli(at.getKey()).toString(), "--csv", data.resolve("b.csv").toString()), "b.csv");
            for (final Map.Entry<String, Balance> member : at.getValue().entrySet())
            {
                final String[] row = rows.get(member.getKey());
                final Balance b = member.getValue();
                assertEquals(List.of(b.getAvailable(), b.getHeld(), b.getPending(), b.getOwed()),
                    List.of(Long.parseLong(row[4]), Long.parseLong(row[5]), Long.parseLong(row[6]),
                    Long.parseLong(row[7])), "balances of " + member.getKey() + " as of " + at.getKey());
            }
        }

        // the journal's accounts (a replay), the export's postings (the records alone), and the reports agree
        final Map<String, BigInteger> verify = accounts(run("journal", "verify", "--data", data.toString()));
        assertTrue(verify.get("records").longValueExact() >= EVENTS, "journaled events: " + verify.get("records"));
        run("export", "--format", "csv", "--out", data.resolve("export.csv").toString());
        final Map<String, BigInteger> posted = postings(data.resolve("export.csv"));
        for (final String account : List.of("issued", "bonus_issued", "redeemed", "expired", "clawed",
            "members_available", "members_pending", "members_held", "members_owed"))
        {
            assertEquals(verify.get("account." + account), posted.getOrDefault(account, BigInteger.ZERO),
                "account " + account + ": journal verify against the export's postings");
        }
        final String breakage = run("report", "breakage", "--csv", data.resolve("k.csv").toString(), "--html",
            data.resolve("k.html").toString());
        long issued = 0;
        long redeemed = 0;
        long expired = 0;
        long clawed = 0;
        for (final String line : Files.readAllLines(data.resolve("k.csv")).subList(1, Files.readAllLines(
            data.resolve("k.csv")).size()))
        {
            final String[] cells = line.split(",", -1);
            issued += Long.parseLong(cells[2]) + Long.parseLong(cells[3]);
            redeemed += Long.parseLong(cells[4]);
            expired += Long.parseLong(cells[5]);
            clawed += Long.parseLong(cells[6]);
        }
        assertTrue(expired > 0 && redeemed > 0 && clawed > 0, breakage);
        final BigInteger members = verify.get("account.members_available").add(verify.get("account.members_pending"))
            .add(verify.get("account.members_held")).add(verify.get("account.members_owed"));
        assertEquals(members.longValueExact(), issued - redeemed - expired - clawed,
            "issued - redeemed - expired - clawed back = what members hold (available, pending, held, less owed)");

        final String liability = run("report", "liability", "--csv", data.resolve("l.csv").toString(), "--html",
            data.resolve("l.html").toString());
        long outstanding = 0;
        BigDecimal value = BigDecimal.ZERO;
        for (final String line : Files.readAllLines(data.resolve("l.csv")).subList(1,
            Files.readAllLines(data.resolve("l.csv")).size()))
        {
            final String[] cells = line.split(",", -1);
            outstanding += Long.parseLong(cells[3]);
            value = value.add(new BigDecimal(cells[4]));
        }
        assertEquals(new BigInteger(verify.get("outstanding").toString()).longValueExact(), outstanding, liability);
        assertEquals(new BigDecimal("0.01").multiply(BigDecimal.valueOf(outstanding)).compareTo(value), 0);
        for (final String html : List.of("k.html", "l.html"))
        {
            final String page = Files.readString(data.resolve(html));
            assertTrue(page.contains("<img") && page.contains("data:image/png;base64,") && page.contains("<table>"));
        }
    }

    /** One month of writes of every kind for members a, b and c. */
    private static void scriptedMonth(final LedgerGrpc.LedgerBlockingStub ledger, final int month)
    {
        final String m = "-" + month;
        if (month == 0)
        {
            for (final String member : List.of("a", "b", "c"))
            {
                ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-" + member).setMemberId(member).build());
            }
        }
        ledger.earn(EarnRequest.newBuilder().setRequestId("x" + m).setMemberId("a").setPoints(1000).build());
        ledger.earn(EarnRequest.newBuilder().setRequestId("y" + m).setMemberId("b").setPoints(300).build());
        ledger.redeem(RedeemRequest.newBuilder().setRequestId("r" + m).setMemberId("a").setPoints(200).build());
        ledger.hold(HoldRequest.newBuilder().setRequestId("h" + m).setMemberId("a").setPoints(100).build());
        ledger.captureHold(CaptureHoldRequest.newBuilder().setRequestId("c" + m).setMemberId("a")
            .setHoldRequestId("h" + m).setPoints(60).build());
        ledger.transfer(TransferRequest.newBuilder().setRequestId("t" + m).setMemberId("a").setToMemberId("c")
            .setPoints(50).build());
        ledger.adjust(AdjustRequest.newBuilder().setRequestId("adj" + m).setMemberId("c").setPoints(7)
            .setReason("goodwill").build());
        ledger.reverse(ReverseRequest.newBuilder().setRequestId("rv" + m).setMemberId("b")
            .setOriginalRequestId("y" + m).setPoints(100).build());
    }

    private String run(final String... args) throws Exception
    {
        final List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--data"))
        {
            all.add("--data");
            all.add(data.toString());
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final int code = LedgerMain.run(all.toArray(new String[0]), out, out);
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, String.join(" ", args) + ":\n" + text);
        return text;
    }

    private Map<String, String[]> csvByMember(final String output, final String file) throws Exception
    {
        final Map<String, String[]> rows = new HashMap<>();
        final List<String> lines = Files.readAllLines(data.resolve(file));
        assertEquals("program,member_id,tier,status,available,held,pending,owed,open_lots", lines.get(0), output);
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] cells = line.split(",", -1);
            rows.put(cells[1], cells);
        }
        return rows;
    }

    /** The first program's {@code key value} lines of journal verify. */
    private static Map<String, BigInteger> accounts(final String verify)
    {
        final Map<String, BigInteger> values = new HashMap<>();
        for (final String line : verify.split("\n"))
        {
            final String[] kv = line.trim().split(" ");
            if (kv.length == 2 && kv[1].matches("-?\\d+"))
            {
                values.put(kv[0], new BigInteger(kv[1]));
            }
        }
        return values;
    }

    /** Each account's balance from the export's postings: points in less points out. */
    private static Map<String, BigInteger> postings(final Path csv) throws Exception
    {
        final Map<String, BigInteger> balances = new HashMap<>();
        final List<String> lines = Files.readAllLines(csv);
        assertEquals(String.join(",", JournalExport.CSV_HEADER), lines.get(0));
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] cells = line.split(",", -1);
            if (cells[10].isEmpty())
            {
                continue; // an event without postings
            }
            final BigInteger points = new BigInteger(cells[9]);
            balances.merge(cells[10], points.negate(), BigInteger::add);
            balances.merge(cells[11], points, BigInteger::add);
        }
        return balances;
    }
}
