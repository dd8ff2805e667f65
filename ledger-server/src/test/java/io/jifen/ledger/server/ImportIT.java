package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HistoryEntry;
import io.jifen.ledger.api.v1.HistoryKind;
import io.jifen.ledger.api.v1.ImportRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListLotsRequest;
import io.jifen.ledger.api.v1.Lot;
import io.jifen.ledger.api.v1.Tier;
import io.jifen.ledger.core.Program;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ledger import} against a real server over a real socket: a generated CSV of 3,000 rows (400 members, lots
 * earned up to a year ago, tier points, quoted reasons with commas and line breaks, and bad rows of every kind) is
 * imported; every member's balance, lots (with their original earned-at and expiry), tier and statement are what
 * the file says; the rejected rows, and only they, are in the rejects file with their reasons; the same file run
 * again imports nothing twice; a restart replays the imports to the same balances.
 */
class ImportIT
{
    private static final long DAY_MS = 86_400_000L;
    private static final String PROGRAM = String.join("\n",
        "version: 1",
        "name: coffee",
        "bonuses: {welcome: 100, firstPurchase: 50}",
        "tiers: {silver: 1000, gold: 5000, platinum: 20000, window: rolling12}",
        "");

    @TempDir
    Path data;

    private InProcessServer server;
    private LedgerGrpc.LedgerBlockingStub ledger;

    /** What the file should leave: each member's lots by expiry instant, and its tier points by row. */
    private final Map<String, List<long[]>> lotsOf = new TreeMap<>();
    private final Map<String, Long> tierPointsOf = new HashMap<>();
    private final Map<String, Long> allTierPointsOf = new HashMap<>();
    private final List<Integer> badRows = new ArrayList<>();

    @AfterEach
    void stop()
    {
        stopServer();
    }

    @Test
    void aFileImportsOnceWithItsOriginalInstantsAndItsBadRowsRejected() throws Exception
    {
        start();
        final long now = System.currentTimeMillis(); // ledger time outside a sandbox: the wall clock
        final Path csv = data.resolve("old-crm.csv");
        final int rows = writeFile(csv, now, new Random(7));

        final Run first = importFile(csv);
        assertEquals(1, first.exit, first.output);
        final int good = rows - badRows.size();
        assertTrue(first.output.contains(String.format(java.util.Locale.ROOT, "rows read          %,d", rows)),
            first.output);
        assertTrue(first.output.contains(String.format(java.util.Locale.ROOT, "imported           %,d rows", good)),
            first.output);
        assertTrue(first.output.contains(String.format(java.util.Locale.ROOT, "rejected           %,d rows",
            badRows.size())), first.output);
        final List<String> rejects = Files.readAllLines(Path.of(csv + ".rejects.csv"));
        assertEquals("member_id,points,earned_at,expires_at,tier_points,birthday,reason,row,status,message",
            rejects.get(0));
        final List<Integer> rejectedRows = new ArrayList<>();
        for (final String line : rejects.subList(1, rejects.size()))
        {
            final String[] cells = line.split(",");
            rejectedRows.add(Integer.parseInt(cells[7]));
            assertTrue(line.contains("[LOT_EXPIRES_AT_INVALID]") || line.contains("[EARNED_AT_INVALID]") ||
                line.contains("[CSV_FIELD_INVALID]"), line);
        }
        rejectedRows.sort(null);
        assertEquals(badRows, rejectedRows, "exactly the bad rows are rejected");

        checkMembers(now);

        // the rejects file reads back as an import file (its row, status and message columns give way)
        final Path rejected = data.resolve("rejected.csv");
        java.nio.file.Files.copy(Path.of(csv + ".rejects.csv"), rejected);
        final Run retried = importFile(rejected);
        assertEquals(1, retried.exit, retried.output);
        assertTrue(retried.output.contains(String.format(java.util.Locale.ROOT, "rejected           %,d rows",
            badRows.size())), retried.output);
        assertEquals(rejects.get(0), Files.readAllLines(Path.of(rejected + ".rejects.csv")).get(0));

        final Run again = importFile(csv);
        assertTrue(again.output.contains("imported           0 rows"), again.output);
        assertTrue(again.output.contains(String.format(java.util.Locale.ROOT, "already imported   %,d rows", good)),
            again.output);
        checkMembers(now);

        stopServer();
        start();
        checkMembers(now);
    }

    /**
     * A ring of 64 slots takes 32 Submit commands at once: most rows of each 1024-row batch come back RING_FULL and
     * are sent again under their ids until all are in, each once.
     */
    @Test
    void rowsRefusedWhileTheLedgerIsBusyAreSentAgainUntilTheyAreIn() throws Exception
    {
        server = InProcessServer.start(new ServerConfig().data(data).program(Program.parse(PROGRAM), "test")
            .ringSize(64));
        ledger = server.ledger();
        final long now = System.currentTimeMillis();
        final Path csv = data.resolve("busy.csv");
        final int rows = writeFile(csv, now, new Random(11));
        final Run run = importFile(csv);
        assertTrue(run.output.contains(String.format(java.util.Locale.ROOT, "imported           %,d rows",
            rows - badRows.size())), run.output);
        assertTrue(run.output.contains("sent again"), run.output);
        checkMembers(now);
    }

    @Test
    void aRowRefusedOverTheUnaryCallSaysWhichFieldAndChangesNothing() throws Exception
    {
        start();
        final long now = System.currentTimeMillis(); // ledger time outside a sandbox: the wall clock
        final StatusRuntimeException expired = assertThrows(StatusRuntimeException.class, () -> ledger.importRow(
            ImportRequest.newBuilder().setRequestId("r1").setMemberId("ann").setPoints(10)
                .setEarnedAtMs(now - 400 * DAY_MS).setExpiresAtMs(now - DAY_MS).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, expired.getStatus().getCode());
        assertTrue(expired.getStatus().getDescription().startsWith("expires_at_ms:"), expired.getMessage());
        final StatusRuntimeException birthday = assertThrows(StatusRuntimeException.class, () -> ledger.importRow(
            ImportRequest.newBuilder().setRequestId("r2").setMemberId("ann").setPoints(10).setBirthday("13-01")
                .setEarnedAtMs(now - DAY_MS).setExpiresAtMs(now + DAY_MS).build()));
        assertTrue(birthday.getStatus().getDescription().startsWith("birthday:"), birthday.getMessage());
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
            () -> ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("ann").build())).getStatus().getCode());

        // a row that enrolls: no welcome bonus; the member's next earn is not its first
        ledger.importRow(ImportRequest.newBuilder().setRequestId("r3").setMemberId("ann").setPoints(10)
            .setEarnedAtMs(now - DAY_MS).setExpiresAtMs(now + DAY_MS).build());
        final long bonus = ledger.earn(EarnRequest.newBuilder().setRequestId("e1").setMemberId("ann").setPoints(5)
            .build()).getBonusPoints();
        assertEquals(0, bonus, "no first-purchase bonus after imported points");
        assertEquals(15, ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("ann").build()).getAvailable());
    }

    /**
     * Rows for 400 members: 1-12 lots each, earned up to 360 days ago, expiring up to two years ahead, tier points on
     * some; every 50th row is bad in one of five ways (a number that is not one, an expired lot, earned in the
     * future, an instant that is not one, expired by ledger time in epoch milliseconds).
     *
     * @return the rows written.
     */
    private int writeFile(final Path csv, final long now, final Random random) throws Exception
    {
        final StringBuilder sb =
            new StringBuilder("member_id,points,earned_at,expires_at,tier_points,birthday,reason\n");
        int row = 0;
        for (int m = 0; m < 400; m++)
        {
            final String member = "member-" + m;
            final int lots = 1 + random.nextInt(12);
            for (int l = 0; l < lots; l++)
            {
                row++;
                final long earned = now - 1 - (long)(random.nextDouble() * 360 * DAY_MS);
                final long expires = now + 1 + (long)(random.nextDouble() * 730 * DAY_MS);
                final long points = 1 + random.nextInt(3000);
                final long tierPoints = random.nextInt(3) == 0 ? random.nextInt(4000) : 0;
                final String reason = random.nextInt(5) == 0 ? "\"moved, with \"\"care\"\"\nfrom the old CRM\"" : "";
                if (row % 50 == 0)
                {
                    badRows.add(row);
                    switch ((row / 50) % 5)
                    {
                        case 0 -> sb.append(member).append(",12x,").append(iso(earned)).append(',')
                            .append(iso(expires)).append(",,,\n");
                        case 1 -> sb.append(member).append(',').append(points).append(',').append(iso(earned))
                            .append(',').append(iso(now - DAY_MS)).append(",,,\n");
                        case 2 -> sb.append(member).append(',').append(points).append(',')
                            .append(iso(now + 10 * DAY_MS)).append(',').append(iso(expires)).append(",,,\n");
                        case 3 -> sb.append(member).append(',').append(points).append(",yesterday,")
                            .append(iso(expires)).append(",,,\n");
                        default -> sb.append(member).append(',').append(points).append(',').append(earned)
                            .append(',').append(now).append(",,,\n"); // epoch ms; expired by ledger time
                    }
                    continue;
                }
                sb.append(member).append(',').append(points).append(',').append(iso(earned)).append(',')
                    .append(random.nextBoolean() ? iso(expires) : Long.toString(expires)).append(',')
                    .append(tierPoints == 0 && random.nextBoolean() ? "" : Long.toString(tierPoints)).append(',')
                    .append(l == 0 && random.nextBoolean() ? "07-0" + (1 + random.nextInt(9)) : "").append(',')
                    .append(reason).append('\n');
                lotsOf.computeIfAbsent(member, k -> new ArrayList<>()).add(new long[] {points, earned, expires});
                allTierPointsOf.merge(member, tierPoints, Long::sum);
                if (earned > now - 330 * DAY_MS) // well inside the rolling 12 months in any zone
                {
                    tierPointsOf.merge(member, tierPoints, Long::sum);
                }
            }
        }
        Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
        return row;
    }

    private static String iso(final long epochMs)
    {
        return Instant.ofEpochMilli(epochMs).atOffset(ZoneOffset.ofHours(8)).toString();
    }

    private void checkMembers(final long now)
    {
        for (final Map.Entry<String, List<long[]>> member : lotsOf.entrySet())
        {
            final List<long[]> expected = new ArrayList<>(member.getValue());
            expected.sort((a, b) -> a[2] != b[2] ? Long.compare(a[2], b[2]) : 0);
            final Balance balance = ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId(member.getKey())
                .build());
            assertEquals(expected.stream().mapToLong(l -> l[0]).sum(), balance.getAvailable(), member.getKey());
            final List<Lot> lots = ledger.listLots(ListLotsRequest.newBuilder().setMemberId(member.getKey())
                .setLimit(100).build()).getLotsList();
            assertEquals(expected.size(), lots.size(), member.getKey());
            for (int i = 0; i < lots.size(); i++)
            {
                final long[] lot = expected.get(i);
                assertEquals(lot[2], lots.get(i).getExpiresAtMs(), member.getKey() + " lot " + i);
                assertEquals(lot[0], lots.get(i).getRemaining(), member.getKey() + " lot " + i);
                assertEquals(lot[1], lots.get(i).getEarnedAtMs(), member.getKey() + " lot " + i);
            }
            final long tierPoints = tierPointsOf.getOrDefault(member.getKey(), 0L);
            assertTrue(balance.getTierPoints() >= tierPoints, member.getKey());
            assertTrue(balance.getTierPoints() <= allTierPointsOf.getOrDefault(member.getKey(), 0L), member.getKey());
            final Tier least = tierPoints >= 20_000 ? Tier.TIER_PLATINUM : tierPoints >= 5_000 ? Tier.TIER_GOLD :
                tierPoints >= 1_000 ? Tier.TIER_SILVER : Tier.TIER_MEMBER;
            assertTrue(balance.getTier().getNumber() >= least.getNumber(), member.getKey() + " " + balance);
        }
        final List<HistoryEntry> statement = ledger.listHistory(ListHistoryRequest.newBuilder()
            .setMemberId("member-1").setPageSize(50).build()).getEntriesList();
        assertFalse(statement.isEmpty());
        for (final HistoryEntry entry : statement)
        {
            assertEquals(HistoryKind.HISTORY_IMPORT, entry.getKind());
            assertTrue(entry.getEarnedAtMs() > now - 361 * DAY_MS && entry.getEarnedAtMs() < now, entry.toString());
        }
        assertEquals(lotsOf.get("member-1").size(), statement.size());
    }

    private record Run(int exit, String output)
    {
    }

    private Run importFile(final Path csv) throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            final int exit = LedgerMain.run(new String[] {"import", csv.toString(), "--server",
                "127.0.0.1:" + server.port()}, out, out);
            return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
        }
    }

    private void start() throws Exception
    {
        server = InProcessServer.start(new ServerConfig().data(data).program(Program.parse(PROGRAM), "test"));
        ledger = server.ledger();
    }

    private void stopServer()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
    }
}
