package io.jifen.ledger.server;

import io.jifen.ledger.api.v1.PutProgramRequest;
import io.jifen.ledger.api.v1.PutProgramResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jifen.ledger.api.v1.AdjustRequest;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.Channel;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.CheckTierResponse;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandBatch;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.ExchangeRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.GetMemberRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListExpiringRequest;
import io.jifen.ledger.api.v1.ListExpiringResponse;
import io.jifen.ledger.api.v1.ListLotsRequest;
import io.jifen.ledger.api.v1.ListLotsResponse;
import io.jifen.ledger.api.v1.Member;
import io.jifen.ledger.api.v1.MemberStatus;
import io.jifen.ledger.api.v1.Purchase;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReleaseHoldRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.Segment;
import io.jifen.ledger.api.v1.SetMemberStatusRequest;
import io.jifen.ledger.api.v1.SetTierRequest;
import io.jifen.ledger.api.v1.Tier;
import io.jifen.ledger.api.v1.TransferRequest;
import io.jifen.ledger.api.v1.WriteResult;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.JournalCorruptException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real server on a loopback port with a real journal in a temporary folder.
 */
class LedgerServerIT
{
    @TempDir
    Path data;

    private LedgerServer server;
    private ManagedChannel channel;
    private LedgerGrpc.LedgerBlockingStub ledger;

    @BeforeEach
    void start() throws IOException
    {
        startServer();
    }

    @AfterEach
    void stop()
    {
        stopServer();
    }

    private void startServer() throws IOException
    {
        startServer(new ServerConfig().port(0).data(data));
    }

    private void startServer(final ServerConfig config) throws IOException
    {
        server = new LedgerServer(config).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        ledger = LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private void stopServer()
    {
        if (null != channel)
        {
            channel.shutdownNow();
            channel = null;
        }
        if (null != server)
        {
            server.close();
        }
    }

    private WriteResult enroll(final String member)
    {
        return ledger.enroll(EnrollRequest.newBuilder().setRequestId("enroll-" + member).setMemberId(member).build());
    }

    private WriteResult earn(final String request, final String member, final long points)
    {
        return ledger.earn(EarnRequest.newBuilder()
            .setRequestId(request).setMemberId(member).setPoints(points).setOrderId("order-" + request).build());
    }

    private WriteResult redeem(final String request, final String member, final long points)
    {
        return ledger.redeem(
            RedeemRequest.newBuilder().setRequestId(request).setMemberId(member).setPoints(points).build());
    }

    private Balance balance(final String member)
    {
        return ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId(member).build());
    }

    private static StatusRuntimeException failure(final Runnable call)
    {
        return assertThrows(StatusRuntimeException.class, call::run);
    }

    @Test
    void listExpiringPagesThroughTheMembersWithPointsExpiringSoon()
    {
        for (int i = 0; i < 5; i++)
        {
            enroll("x-" + i);
            if (i != 2)
            {
                earn("xe-" + i, "x-" + i, 100 * (i + 1));
            }
        }
        final List<String> listed = new ArrayList<>();
        String token = "";
        int pages = 0;
        do
        {
            final ListExpiringResponse page = ledger.listExpiring(ListExpiringRequest.newBuilder()
                .setWithinDays(800).setMinPoints(200).setLimit(2).setPageToken(token).build());
            assertTrue(page.getMembersCount() <= 2);
            page.getMembersList().forEach(m ->
            {
                assertEquals(m.getPoints(), m.getAvailable(), "all of their points expire within 800 days");
                assertTrue(m.getFirstExpiresAtMs() > page.getAsOfMs());
                listed.add(m.getMemberId() + " " + m.getPoints());
            });
            assertTrue(page.getExpiringBeforeMs() > page.getAsOfMs());
            token = page.getNextPageToken();
            pages++;
        }
        while (!token.isEmpty());
        assertEquals(List.of("x-1 200", "x-3 400", "x-4 500"), listed, "x-0 has too few, x-2 none");
        assertTrue(pages >= 2, "a limit of 2 pages the three");

        StatusRuntimeException ex = failure(() -> ledger.listExpiring(ListExpiringRequest.newBuilder()
            .setWithinDays(30).setMinPoints(1).setPageToken("not-a-token").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("page_token: "), ex.getStatus().getDescription());
        ex = failure(() -> ledger.listExpiring(ListExpiringRequest.newBuilder().setMinPoints(1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("within_days: "), ex.getStatus().getDescription());
    }

    @Test
    void checkoutFlowOverRealSocket()
    {
        enroll("m-1");
        assertEquals(1000, earn("e-1", "m-1", 1000).getBalance());
        final WriteResult second = earn("e-2", "m-1", 4000);
        assertEquals(5000, second.getBalance());
        assertEquals(Tier.TIER_GOLD, second.getTier());
        assertTrue(second.getExpiresAtMs() > second.getTimestampMs());

        final WriteResult redeemed = redeem("r-1", "m-1", 2000);
        assertEquals(3000, redeemed.getBalance());
        assertEquals(2000, redeemed.getPoints());

        final Balance balance = balance("m-1");
        assertEquals(3000, balance.getAvailable());
        assertEquals(5000, balance.getLifetimeEarned());
        assertEquals(Tier.TIER_GOLD, balance.getTier());
        assertEquals(MemberStatus.MEMBER_STATUS_ACTIVE, balance.getStatus());
        assertEquals(3000, balance.getNextExpiryPoints());
        assertEquals(second.getExpiresAtMs(), balance.getNextExpiryAtMs());
        assertEquals(1, balance.getExpiryBatches(), "both earns expire at the end of the same month");
        assertEquals(1, balance.getExpiryOutlookCount());
        assertEquals(second.getExpiresAtMs(), balance.getExpiryOutlook(0).getExpiresAtMs());
        assertEquals(3000, balance.getExpiryOutlook(0).getPoints());

        final CheckTierResponse tier = ledger.checkTier(
            CheckTierRequest.newBuilder().setMemberId("m-1").setMinTier(Tier.TIER_SILVER).build());
        assertTrue(tier.getMeets());
        assertEquals(Tier.TIER_GOLD, tier.getTier());
        assertFalse(ledger.checkTier(
            CheckTierRequest.newBuilder().setMemberId("m-1").setMinTier(Tier.TIER_PLATINUM).build()).getMeets());

        final ListLotsResponse lots = ledger.listLots(ListLotsRequest.newBuilder().setMemberId("m-1").build());
        assertEquals(1, lots.getLotsCount(), "the first lot was used up by the redemption");
        assertEquals(3000, lots.getLots(0).getRemaining());
        assertEquals(4000, lots.getLots(0).getAmount());

        final WriteResult reversed = ledger.reverse(ReverseRequest.newBuilder()
            .setRequestId("rv-1").setMemberId("m-1").setOriginalRequestId("r-1").setPoints(500).build());
        assertEquals(3500, reversed.getBalance());
        final WriteResult adjusted = ledger.adjust(AdjustRequest.newBuilder()
            .setRequestId("a-1").setMemberId("m-1").setPoints(-500).setReason("goodwill undone").build());
        assertEquals(3000, adjusted.getBalance());
    }

    @Test
    void holdAtCheckoutThenPartialCaptureTimeoutAndRestart() throws Exception
    {
        enroll("m-h");
        earn("e-1", "m-h", 1000);
        final WriteResult held = ledger.hold(HoldRequest.newBuilder().setRequestId("h-1").setMemberId("m-h")
            .setPoints(600).setOrderId("order-77").build());
        assertEquals(600, held.getPoints());
        assertEquals(400, held.getBalance());
        assertEquals(600, held.getHeld());
        assertEquals(held.getTimestampMs() + 900_000, held.getExpiresAtMs());
        assertEquals(400, balance("m-h").getAvailable());
        assertEquals(600, balance("m-h").getHeld());

        StatusRuntimeException ex = failure(() -> redeem("r-1", "m-h", 500));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        ex = failure(() -> capture("c-1", "m-h", "h-1", 700));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        assertEquals("points: 700 exceeds the 600 points held", ex.getStatus().getDescription());
        ex = failure(() -> capture("c-1", "m-h", "h-404", 0));
        assertEquals(Status.Code.NOT_FOUND, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("hold_request_id: "), ex.getStatus().getDescription());
        ex = failure(() -> ledger.hold(HoldRequest.newBuilder().setRequestId("h-x").setMemberId("m-h").setPoints(1)
            .setTimeoutSeconds(604_801).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("timeout_seconds: "), ex.getStatus().getDescription());

        final WriteResult captured = capture("c-1", "m-h", "h-1", 450);
        assertEquals(450, captured.getPoints());
        assertEquals(150, captured.getReleased());
        assertEquals(0, captured.getHeld());
        assertEquals(550, captured.getBalance());
        ex = failure(() -> capture("c-2", "m-h", "h-1", 0));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("hold_request_id: the hold was already captured"),
            ex.getStatus().getDescription());

        // a hold with a one-second timeout comes back by itself: the server's sweep releases it
        ledger.hold(HoldRequest.newBuilder().setRequestId("h-2").setMemberId("m-h").setPoints(100)
            .setTimeoutSeconds(1).build());
        assertEquals(450, balance("m-h").getAvailable());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (balance("m-h").getHeld() != 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertEquals(550, balance("m-h").getAvailable());
        assertEquals(0, balance("m-h").getHeld());
        ex = failure(() -> capture("c-3", "m-h", "h-2", 0));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        ex = failure(() -> ledger.releaseHold(ReleaseHoldRequest.newBuilder().setRequestId("x-9")
            .setMemberId("m-h").setHoldRequestId("h-2").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode(), "the sweep closed it already");

        // the journal brings all of it back, and a retried capture replays its original outcome
        stopServer();
        startServer();
        assertEquals(550, balance("m-h").getAvailable());
        assertEquals(0, balance("m-h").getHeld());
        final WriteResult retried = capture("c-1", "m-h", "h-1", 450);
        assertTrue(retried.getReplay());
        assertEquals(150, retried.getReleased());
        assertEquals(captured.getSequence(), retried.getSequence());
    }

    private WriteResult capture(final String request, final String member, final String hold, final long points)
    {
        return ledger.captureHold(CaptureHoldRequest.newBuilder().setRequestId(request).setMemberId(member)
            .setHoldRequestId(hold).setPoints(points).build());
    }

    @Test
    void retryReturnsTheOriginalResultAndChangesNothing()
    {
        enroll("m-1");
        final WriteResult first = earn("e-1", "m-1", 700);
        final WriteResult retry = earn("e-1", "m-1", 700);
        assertFalse(first.getReplay());
        assertTrue(retry.getReplay());
        assertEquals(first.getSequence(), retry.getSequence());
        assertEquals(first.getBalance(), retry.getBalance());
        assertEquals(first.getLotId(), retry.getLotId());
        assertEquals(700, balance("m-1").getAvailable());
        assertTrue(enroll("m-1").getReplay());

        final StatusRuntimeException conflict = failure(() -> earn("e-1", "m-1", 701));
        assertEquals(Status.Code.ALREADY_EXISTS, conflict.getStatus().getCode());
        assertTrue(conflict.getStatus().getDescription().startsWith("request_id:"),
            conflict.getStatus().getDescription());
        assertEquals(700, balance("m-1").getAvailable());
    }

    @Test
    void badInputGetsAPreciseStatusAndChangesNothing()
    {
        enroll("m-1");
        earn("e-1", "m-1", 100);

        StatusRuntimeException ex = failure(() -> earn("e-2", "m-1", 0));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("points: out of range: 0"),
            ex.getStatus().getDescription());

        ex = failure(() -> earn("e-3", "m-1", 1_000_000_000_001L));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());

        ex = failure(() -> earn("x".repeat(65), "m-1", 10));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("request_id:"), ex.getStatus().getDescription());

        ex = failure(() -> earn("e-4", "member with spaces", 10));
        assertTrue(ex.getStatus().getDescription().startsWith("member_id:"), ex.getStatus().getDescription());

        ex = failure(() -> ledger.enroll(EnrollRequest.newBuilder()
            .setRequestId("enroll-2").setMemberId("m-2").setBirthday("02-30").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("birthday:"), ex.getStatus().getDescription());

        ex = failure(() -> earn("e-5", "nobody", 10));
        assertEquals(Status.Code.NOT_FOUND, ex.getStatus().getCode());

        ex = failure(() -> redeem("r-1", "m-1", 101));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        assertEquals("points: insufficient points: 100 available, 101 requested", ex.getStatus().getDescription());

        ex = failure(() -> ledger.adjust(AdjustRequest.newBuilder()
            .setRequestId("a-1").setMemberId("m-1").setPoints(5).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("reason:"));

        ex = failure(() -> ledger.checkTier(CheckTierRequest.newBuilder().setMemberId("m-1").build()));
        assertTrue(ex.getStatus().getDescription().startsWith("min_tier:"));

        ex = failure(() -> ledger.listLots(ListLotsRequest.newBuilder().setMemberId("m-1").setLimit(1001).build()));
        assertTrue(ex.getStatus().getDescription().startsWith("limit:"));

        ledger.setMemberStatus(SetMemberStatusRequest.newBuilder()
            .setRequestId("s-1").setMemberId("m-1").setStatus(MemberStatus.MEMBER_STATUS_FROZEN).build());
        ex = failure(() -> earn("e-6", "m-1", 10));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().contains("frozen"), ex.getStatus().getDescription());

        final Balance balance = balance("m-1");
        assertEquals(100, balance.getAvailable());
        assertEquals(MemberStatus.MEMBER_STATUS_FROZEN, balance.getStatus());
        // rejected request ids are not remembered: they can be used for a valid request
        ledger.setMemberStatus(SetMemberStatusRequest.newBuilder()
            .setRequestId("s-2").setMemberId("m-1").setStatus(MemberStatus.MEMBER_STATUS_ACTIVE).build());
        assertFalse(redeem("r-1", "m-1", 100).getReplay());
    }

    @Test
    void restartRebuildsEveryBalanceAndTheStateHash() throws Exception
    {
        final Map<String, Long> expected = new HashMap<>();
        for (int m = 0; m < 50; m++)
        {
            final String member = "member-" + m;
            enroll(member);
            long total = 0;
            for (int e = 0; e < 20; e++)
            {
                final long points = 10 + (m * 31 + e * 7) % 500;
                earn(member + "-e" + e, member, points);
                total += points;
            }
            final long spend = total / 3;
            redeem(member + "-r", member, spend);
            expected.put(member, total - spend);
        }
        stopServer();
        final long hashBefore = server.stateHashAfterClose();
        final long sequenceBefore = server.lastSequence();

        startServer();
        assertEquals(sequenceBefore, server.recovery().lastSequence);
        assertEquals(sequenceBefore, server.recovery().records);
        assertEquals(hashBefore, server.recovery().stateHash, "state hash after replay");
        for (final Map.Entry<String, Long> entry : expected.entrySet())
        {
            assertEquals(entry.getValue().longValue(), balance(entry.getKey()).getAvailable(), entry.getKey());
        }
        // ids are remembered across the restart
        assertTrue(earn("member-3-e5", "member-3", 10 + (3 * 31 + 5 * 7) % 500).getReplay());

        // and a second replay of the same journal gives the same hash again
        stopServer();
        final ByteArrayOutputStream report = new ByteArrayOutputStream();
        assertEquals(0, LedgerMain.run(new String[] {"journal", "verify", "--data", data.toString()},
            new PrintStream(report, true, StandardCharsets.UTF_8), System.err));
        final String anchor = report.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("anchor ")).findFirst().orElseThrow().substring("anchor ".length());
        assertTrue(anchor.matches("\\d+:[0-9a-f]{64}"), report.toString(StandardCharsets.UTF_8));
        // the double entry: the accounts sum to zero, and the members' available account is what they hold
        final Map<String, java.math.BigInteger> accounts = new HashMap<>();
        report.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("account.")).forEach(l ->
            accounts.put(l.substring(8, l.indexOf(' ')), new java.math.BigInteger(l.substring(l.indexOf(' ') + 1))));
        assertEquals(io.jifen.ledger.core.Accounts.Account.values().length, accounts.size(),
            report.toString(StandardCharsets.UTF_8));
        assertEquals(java.math.BigInteger.ZERO, accounts.values().stream().reduce(java.math.BigInteger.ZERO,
            java.math.BigInteger::add));
        assertEquals(java.math.BigInteger.valueOf(expected.values().stream().mapToLong(Long::longValue).sum()),
            accounts.get("members_available"), "the balances read over the wire above");
        assertEquals(0, verifyAnchor(anchor, new ByteArrayOutputStream()), "the anchored head matches");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        // a different first byte of the chain value (one in 256 chain values starts with 00 already)
        final int hex = anchor.indexOf(':') + 1;
        final String wrong = anchor.substring(0, hex) + (anchor.startsWith("00", hex) ? "ff" : "00") +
            anchor.substring(hex + 2);
        assertNotEquals(anchor, wrong);
        assertEquals(3, verifyAnchor(wrong, err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not the anchored"), err.toString());
        final long hashAfter = server.stateHashAfterClose();
        assertEquals(hashBefore, hashAfter);
        startServer();
        assertEquals(hashBefore, server.recovery().stateHash);

        // the journal grows; the anchor still holds, because it names the record it was taken at
        earn("after-anchor", "member-1", 5);
        stopServer();
        assertEquals(0, verifyAnchor(anchor, new ByteArrayOutputStream()), "anchor holds as the journal grows");
    }

    private int verifyAnchor(final String anchor, final ByteArrayOutputStream err) throws Exception
    {
        return LedgerMain.run(new String[] {"journal", "verify", "--data", data.toString(), "--expect-chain", anchor},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void startRefusedWhenAJournalRecordIsCorrupt() throws IOException
    {
        enroll("m-1");
        earn("corrupt-me-request-id", "m-1", 100);
        earn("e-2", "m-1", 100);
        stopServer();

        final byte[] needle = "corrupt-me-request-id".getBytes(StandardCharsets.US_ASCII);
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(data.resolve("journal")))
        {
            files = walk.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
        boolean flipped = false;
        for (final Path file : files)
        {
            final byte[] bytes = Files.readAllBytes(file);
            final int at = indexOf(bytes, needle);
            if (at >= 0)
            {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
                {
                    raf.seek(at + 3);
                    raf.write('X');
                }
                flipped = true;
            }
        }
        assertTrue(flipped, "the record to corrupt was found in the journal");

        server = null;
        final JournalCorruptException ex = assertThrows(JournalCorruptException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data)).start());
        assertTrue(ex.getMessage().contains(".cq4"), ex.getMessage());
        assertTrue(ex.getMessage().contains("checksum mismatch"), ex.getMessage());
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void putProgramChangesAndAddsProgramsWhileServingAndARestartWithoutProgramsKeepsThem() throws Exception
    {
        enroll("m-1");
        final String tiers = "version: 1\nname: default\ntiers: {silver: 100, gold: 200, platinum: 300}\n";
        final PutProgramResponse put = putProgram(tiers);
        assertTrue(put.getSequence() > 0, "journaled");
        assertEquals("default", put.getProgramId());
        assertEquals(1, put.getVersion());
        assertEquals(Tier.TIER_GOLD, earn("e-1", "m-1", 250).getTier(), "the new thresholds decide at once");
        assertEquals(0, putProgram(tiers).getSequence(), "in force already: nothing journaled");

        final long before = server.lastSequence();
        StatusRuntimeException ex = failure(() -> putProgram(tiers.replace("gold: 200", "gold: 250")));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("program_yaml: ") &&
            ex.getStatus().getDescription().contains("version 1"), ex.getStatus().getDescription());
        ex = failure(() -> putProgram("version: 2\nname: default\ntiers: {silver: lots}\n"));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("program_yaml: line 3"), ex.getStatus().getDescription());
        assertEquals(before, server.lastSequence(), "refusals journal nothing");

        final PutProgramResponse tea = putProgram("version: 1\nname: tea\nexpiry: {months: 1}\n");
        assertEquals(before + 1, tea.getSequence(), "a new name adds a program");
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("t-1").setMemberId("m-1").setProgramId("tea").build());
        final long teaExpiry = ledger.earn(EarnRequest.newBuilder().setRequestId("t-2").setMemberId("m-1")
            .setProgramId("tea").setPoints(5).build()).getExpiresAtMs();

        stopServer();
        startServer(new ServerConfig().port(0).data(data));
        assertEquals(before + 3, server.lastSequence(), "a restart without --program journals nothing");
        assertEquals(Tier.TIER_GOLD, balance("m-1").getTier());
        assertEquals(Tier.TIER_PLATINUM, earn("e-2", "m-1", 100).getTier(), "the put thresholds stay in force");
        assertEquals(teaExpiry, ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1")
            .setProgramId("tea").build()).getNextExpiryAtMs(), "and so does the added program");
    }

    private PutProgramResponse putProgram(final String yaml)
    {
        return ledger.putProgram(PutProgramRequest.newBuilder().setProgramYaml(yaml).build());
    }

    @Test
    void programFromAFileIsJournaledOnceAndDecidesTiersAcrossRestarts() throws Exception
    {
        stopServer();
        final Path programFile = data.resolve("coffee.yaml");
        Files.writeString(programFile,
            "version: 2\nname: coffee-club\ntiers: {silver: 100, gold: 200, platinum: 300}\n");
        final ServerConfig coffeeConfig = new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString());
        startServer(coffeeConfig);
        enroll("m-1");
        assertEquals(Tier.TIER_GOLD, earn("e-1", "m-1", 250).getTier(), "coffee-club thresholds");
        stopServer();
        final long sequence = server.lastSequence();
        assertEquals(4, sequence, "set_program (the default, at the first start), set_program, enroll, earn");

        // the same program again: replayed, not journaled again
        server = new LedgerServer(coffeeConfig).start();
        assertEquals(sequence, server.lastSequence());
        server.close();

        // no program given: the one in force stays, nothing journaled
        server = new LedgerServer(new ServerConfig().port(0).data(data)).start();
        assertEquals(sequence, server.lastSequence());
        server.close();

        // another program under a version not above the one in force is refused, the built-in one included
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data)
                .program(Program.defaultProgram(), "built-in default")).start());
        assertTrue(refused.getMessage().contains("('coffee-club' version 2)") &&
            refused.getMessage().contains("a changed program needs a higher version"), refused.getMessage());
        Files.writeString(programFile,
            "version: 2\nname: coffee-club\ntiers: {silver: 100, gold: 900, platinum: 900}\n");
        assertThrows(IllegalStateException.class, () -> new LedgerServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString())).start());

        // a higher version is journaled as a change; the history keeps its own rules
        Files.writeString(programFile,
            "version: 3\nname: coffee-club\ntiers: {silver: 100, gold: 900, platinum: 900}\n");
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        assertEquals(sequence + 1, server.lastSequence());
        assertEquals(Tier.TIER_GOLD, balance("m-1").getTier(), "a tier reached is kept");
        assertEquals(Tier.TIER_GOLD, earn("e-2", "m-1", 10).getTier());
        enroll("m-2");
        assertEquals(Tier.TIER_SILVER, earn("e-3", "m-2", 250).getTier(), "version 3 thresholds now");

        final ByteArrayOutputStream dump = new ByteArrayOutputStream();
        stopServer();
        assertEquals(0, LedgerMain.run(new String[] {"journal", "dump", "--data", data.toString()},
            new PrintStream(dump, true, StandardCharsets.UTF_8), System.err));
        final List<String> lines = dump.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(8, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("{\"type\":\"set_program\",\"version\":4,\"sequence\":1,"), lines.get(0));
        assertTrue(lines.stream().noneMatch(l -> l.contains("key_id")), "a server without keys journals no key id");
        assertTrue(lines.get(1).contains("version: 2\\nname: \\\"coffee-club\\\"\\n"), lines.get(1));
        assertTrue(lines.get(3).contains("\"type\":\"earn\"") && lines.get(3).contains("\"kind\":\"credit\"") &&
            lines.get(3).contains("\"points\":250"), lines.get(3));
        assertTrue(lines.get(4).contains("version: 3"), lines.get(4));
    }

    @Test
    void severalProgramsShareOneLedgerAndExchangePointsOverTheWire() throws Exception
    {
        stopServer();
        final Path coffee = data.resolve("coffee.yaml");
        Files.writeString(coffee, String.join("\n",
            "version: 1",
            "name: coffee",
            "partners:",
            "  - {program: airline, rate: 0.5, minPoints: 100, dailyLimit: 1000}",
            ""));
        final Path airline = data.resolve("airline.yaml");
        Files.writeString(airline, String.join("\n",
            "version: 1",
            "name: airline",
            "expiry: {months: 24}",
            "partners:",
            "  - {program: coffee, rate: 2}",
            ""));
        final ServerConfig both = new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(coffee), coffee.toString())
            .addProgram(LedgerMain.loadProgram(airline), airline.toString());
        // the journal's first program is the built-in 'default' (the first start): coffee renames it, and no other
        // program may take its old name, which clients may still send
        final IllegalStateException taken = assertThrows(IllegalStateException.class, () -> new LedgerServer(
            new ServerConfig().port(0).data(data).program(LedgerMain.loadProgram(coffee), coffee.toString())
                .addProgram(Program.parse("name: default\nversion: 1\n"), "default.yaml")).start());
        assertTrue(taken.getMessage().contains("would take the name of the ledger's first program"),
            taken.getMessage());
        startServer(both);
        assertEquals(3, server.lastSequence(),
            "set_program (the default, at the first start), then each program once, the first program first");

        enroll("alice");
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("enroll-air-alice").setMemberId("alice")
            .setProgramId("airline").build());
        earn("e-1", "alice", 1500);
        ledger.earn(EarnRequest.newBuilder().setRequestId("e-2").setMemberId("alice").setPoints(70)
            .setProgramId("airline").build());
        assertEquals(1500, balance("alice").getAvailable());
        assertEquals(70, airlineBalance("alice").getAvailable(), "the same member id, another member");

        StatusRuntimeException failed = failure(() -> ledger.getBalance(GetBalanceRequest.newBuilder()
            .setMemberId("alice").setProgramId("tea").build()));
        assertEquals(Status.Code.NOT_FOUND, failed.getStatus().getCode());
        assertEquals("program_id: no program named 'tea' in the ledger", failed.getStatus().getDescription());

        final ExchangeRequest exchange = ExchangeRequest.newBuilder().setRequestId("x-1").setMemberId("alice")
            .setToProgramId("airline").setToMemberId("alice").setPoints(800).build();
        WriteResult r = ledger.exchange(exchange);
        assertEquals(800, r.getPoints());
        assertEquals(400, r.getExchanged());
        assertEquals(700, r.getBalance(), "the sender's");
        assertEquals(470, airlineBalance("alice").getAvailable());
        r = ledger.exchange(exchange);
        assertTrue(r.getReplay());
        assertEquals(400, r.getExchanged());
        failed = failure(() -> ledger.exchange(exchange.toBuilder().setRequestId("x-2").setPoints(300).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, failed.getStatus().getCode());
        assertEquals("points: 300 exceeds the 200 points left of today's exchange limit for 'airline' (dailyLimit)",
            failed.getStatus().getDescription());
        failed = failure(() -> ledger.exchange(exchange.toBuilder().setRequestId("x-3").setToProgramId("").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, failed.getStatus().getCode());
        assertTrue(failed.getStatus().getDescription().startsWith("to_program_id: "), failed.getStatus().toString());
        r = ledger.exchange(ExchangeRequest.newBuilder().setRequestId("x-4").setProgramId("airline")
            .setMemberId("alice").setToProgramId("coffee").setToMemberId("alice").setPoints(10).build());
        assertEquals(20, r.getExchanged(), "the airline's rate for coffee");
        assertEquals(720, balance("alice").getAvailable());

        // a restart replays both programs and journals neither again; without the second file it stays in force
        final long sequence = server.lastSequence();
        stopServer();
        startServer(both);
        assertEquals(sequence, server.lastSequence());
        stopServer();
        startServer(new ServerConfig().port(0).data(data).program(LedgerMain.loadProgram(coffee), coffee.toString()));
        assertEquals(sequence, server.lastSequence());
        assertEquals(460, airlineBalance("alice").getAvailable());
        stopServer();
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new LedgerServer(
            new ServerConfig().port(0).data(data).program(LedgerMain.loadProgram(airline), airline.toString()))
            .start());
        assertTrue(refused.getMessage().contains("is not the ledger's first program ('coffee')"),
            refused.getMessage());
        // a program renamed in its file would be added as an empty program for good: refused, with nothing journaled
        final Path renamed = data.resolve("airline-renamed.yaml");
        Files.writeString(renamed, Files.readString(airline).replace("name: airline", "name: airways"));
        final IllegalStateException notGiven = assertThrows(IllegalStateException.class, () -> new LedgerServer(
            new ServerConfig().port(0).data(data).program(LedgerMain.loadProgram(coffee), coffee.toString())
                .addProgram(LedgerMain.loadProgram(renamed), renamed.toString())).start());
        assertTrue(notGiven.getMessage().contains("'airways' would be added while 'airline' of the journal is " +
            "not given"), notGiven.getMessage());
        final Path cafe = data.resolve("cafe.yaml");
        Files.writeString(cafe, Files.readString(coffee).replace("name: coffee", "name: cafe")
            .replace("version: 1", "version: 2"));
        final IllegalStateException rename = assertThrows(IllegalStateException.class, () -> new LedgerServer(
            new ServerConfig().port(0).data(data).program(LedgerMain.loadProgram(cafe), cafe.toString())
                .addProgram(LedgerMain.loadProgram(airline), airline.toString())).start());
        assertTrue(rename.getMessage().contains("a first program cannot be renamed once the ledger holds other " +
            "programs"), rename.getMessage());
        // the same program named by its name is the same request as without program_id
        startServer(both);
        assertTrue(ledger.earn(EarnRequest.newBuilder().setRequestId("e-1").setMemberId("alice").setPoints(1500)
            .setOrderId("order-e-1").setProgramId("coffee").build()).getReplay());
        assertEquals(sequence, server.lastSequence(), "nothing journaled by the refused starts");
        stopServer();

        final ByteArrayOutputStream dump = new ByteArrayOutputStream();
        assertEquals(0, LedgerMain.run(new String[] {"journal", "dump", "--data", data.toString()},
            new PrintStream(dump, true, StandardCharsets.UTF_8), System.err));
        final String exchanged = dump.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.contains("\"request_id\":\"x-1\"")).findFirst().orElseThrow();
        assertTrue(exchanged.startsWith("{\"type\":\"exchange\",\"version\":4,") &&
            exchanged.contains("{\"program\":\"airline\",\"member_id\":\"alice\"") &&
            exchanged.contains("\"effect_members\":[0,1]") &&
            exchanged.contains("\"to_member_id\":\"alice\"") && exchanged.contains("\"to_program_id\":\"airline\"") &&
            exchanged.contains("\"kind\":\"exchange_out\"") && exchanged.contains("\"kind\":\"exchange_in\""),
            exchanged);
        final ByteArrayOutputStream report = new ByteArrayOutputStream();
        assertEquals(0, LedgerMain.run(new String[] {"journal", "verify", "--data", data.toString()},
            new PrintStream(report, true, StandardCharsets.UTF_8), System.err));
        final List<String> lines = report.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.contains("program.1.name airline"), String.join("\n", lines));
        assertTrue(lines.contains("account.clearing 780") && lines.contains("clearing.airline 780"),
            String.join("\n", lines));
        assertTrue(lines.contains("program.1.account.clearing -390") &&
            lines.contains("program.1.clearing.coffee -390"), String.join("\n", lines));
        assertTrue(lines.contains("program.1.account.members_available 460"), String.join("\n", lines));
    }

    private Balance airlineBalance(final String member)
    {
        return ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId(member).setProgramId("airline").build());
    }

    @Test
    void purchasesEarnUnderTheProgramsCampaignsAndCapsOverTheWire() throws Exception
    {
        stopServer();
        final Path programFile = data.resolve("shop.yaml");
        Files.writeString(programFile, String.join("\n",
            "name: shop",
            "earning: {currency: CNY, points: 1, perMinorUnits: 100, tierMultipliers: {silver: 1.5}}",
            "tiers: {silver: 100}",
            "caps: {memberDailyPoints: 1000}",
            "campaigns:",
            "  - id: always-online",
            "    multiplier: 2",
            "    start: 2000-01-01T00:00",
            "    end: 2100-01-01T00:00",
            "    channels: [online]",
            "    budgetPoints: 150",
            ""));
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        enroll("m-1");
        WriteResult r = purchase("p-1", "m-1", 100_00, Channel.CHANNEL_ONLINE, "shoes");
        assertEquals(200, r.getPoints());
        assertEquals(100, r.getEarning().getBasePoints());
        assertEquals("1", r.getEarning().getTierMultiplier());
        assertEquals(1, r.getEarning().getCampaignsCount());
        assertEquals("always-online", r.getEarning().getCampaigns(0).getCampaignId());
        assertEquals("2", r.getEarning().getCampaigns(0).getMultiplier());
        assertEquals(100, r.getEarning().getCampaigns(0).getPoints());
        assertEquals(Tier.TIER_SILVER, r.getTier());

        r = purchase("p-2", "m-1", 100_00, Channel.CHANNEL_ONLINE);
        assertEquals(150 + 50, r.getPoints(), "silver ×1.5, then the budget's last 50 of 150");
        assertEquals("1.5", r.getEarning().getTierMultiplier());
        assertEquals(100, r.getEarning().getCampaigns(0).getBudgetCut());

        r = purchase("p-3", "m-1", 1000_00, Channel.CHANNEL_STORE);
        assertEquals(600, r.getPoints(), "1000 a day: 400 earned today already");
        assertEquals(900, r.getEarning().getCapCut());

        final WriteResult replay = purchase("p-3", "m-1", 1000_00, Channel.CHANNEL_STORE);
        assertTrue(replay.getReplay());
        assertEquals(r.toBuilder().setReplay(true).build(), replay, "a retry answers as the write did");

        StatusRuntimeException ex = failure(() -> ledger.earn(EarnRequest.newBuilder()
            .setRequestId("p-4").setMemberId("m-1")
            .setPurchase(Purchase.newBuilder().setAmountMinor(100).setCurrency("USD").setChannel(Channel.CHANNEL_APP))
            .build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        assertEquals("purchase.currency: the program earns points in CNY, not USD", ex.getStatus().getDescription());
        ex = failure(() -> ledger.earn(EarnRequest.newBuilder()
            .setRequestId("p-5").setMemberId("m-1").setPoints(5)
            .setPurchase(Purchase.newBuilder().setAmountMinor(100).setCurrency("CNY").setChannel(Channel.CHANNEL_APP))
            .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("points: must be 0 with a purchase"),
            ex.getStatus().getDescription());
        ex = failure(() -> purchase("p-6", "m-1", 100, Channel.CHANNEL_UNSPECIFIED));
        assertTrue(ex.getStatus().getDescription().startsWith("purchase.channel:"), ex.getStatus().getDescription());
        ex = failure(() -> purchase("p-7", "m-1", 0, Channel.CHANNEL_APP));
        assertTrue(ex.getStatus().getDescription().startsWith("purchase.amount_minor:"),
            ex.getStatus().getDescription());
        ex = failure(() -> purchase("p-8", "m-1", 100, Channel.CHANNEL_APP, "a,b"));
        assertTrue(ex.getStatus().getDescription().startsWith("purchase.categories:"),
            ex.getStatus().getDescription());
        assertEquals(1000, balance("m-1").getAvailable(), "refusals change nothing");

        // a restart replays the purchases under the same program to the same balance and budget
        stopServer();
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        assertEquals(1000, balance("m-1").getAvailable());
        enroll("m-2");
        r = purchase("p-9", "m-2", 100_00, Channel.CHANNEL_ONLINE);
        assertEquals(100, r.getPoints(), "the campaign's budget stays spent across the restart");
        assertEquals(100, r.getEarning().getCampaigns(0).getBudgetCut());
    }

    @Test
    void pointsInTheReturnWindowArePendingAndAReturnCancelsThem() throws Exception
    {
        stopServer();
        final Path programFile = data.resolve("returns.yaml");
        Files.writeString(programFile, "name: returns\npending: {days: 7}\n");
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        enroll("m-1");
        final WriteResult earned = earn("e-1", "m-1", 300);
        assertEquals(-1, earned.getLotId());
        assertEquals(earned.getTimestampMs() + 7 * 86_400_000L, earned.getMaturesAtMs());
        assertEquals(0, earned.getBalance());
        earn("e-2", "m-1", 50);

        Balance b = balance("m-1");
        assertEquals(0, b.getAvailable());
        assertEquals(350, b.getPending());
        assertEquals(2, b.getPendingPointsCount());
        assertEquals(300, b.getPendingPoints(0).getPoints());
        assertEquals(earned.getMaturesAtMs(), b.getPendingPoints(0).getMaturesAtMs());
        assertEquals(earned.getTimestampMs(), b.getPendingPoints(0).getEarnedAtMs());

        final StatusRuntimeException ex = failure(() -> redeem("r-1", "m-1", 1));
        assertEquals("points: insufficient points: 0 available, 1 requested", ex.getStatus().getDescription());

        final WriteResult returned = ledger.reverse(ReverseRequest.newBuilder()
            .setRequestId("x-1").setMemberId("m-1").setOriginalRequestId("e-1").build());
        assertEquals(300, returned.getPoints());
        assertEquals(0, returned.getShortfall());
        assertEquals(50, returned.getLifetimeEarned());
        b = balance("m-1");
        assertEquals(50, b.getPending());
        assertEquals(1, b.getPendingPointsCount());

        // a restart replays the pending earns and the cancellation
        stopServer();
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        assertEquals(50, balance("m-1").getPending());
    }

    @Test
    void tiersInAWindowAndATierSetByHandOverTheWire() throws Exception
    {
        stopServer();
        final Path programFile = data.resolve("tiers.yaml");
        Files.writeString(programFile, "name: window\ntiers: {silver: 1000, gold: 5000, platinum: 20000, " +
            "window: rolling12, evaluation: anniversary, keep: {gold: 4000}}\n");
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        final WriteResult enrolled = enroll("m-1");
        assertEquals(Tier.TIER_GOLD, earn("e-1", "m-1", 6_000).getTier());
        Balance b = balance("m-1");
        assertEquals(6_000, b.getTierPoints());
        assertEquals(14_000, b.getPointsToNextTier());
        final long yearLater = java.time.Instant.ofEpochMilli(enrolled.getTimestampMs())
            .atZone(java.time.ZoneId.of("Asia/Shanghai")).toLocalDate().plusYears(1)
            .atStartOfDay(java.time.ZoneId.of("Asia/Shanghai")).toInstant().toEpochMilli();
        assertEquals(yearLater, b.getNextEvaluationAtMs());
        assertEquals(Tier.TIER_UNSPECIFIED, b.getTierFloor());
        assertEquals(0, b.getTierFloorUntilMs());

        final long until = enrolled.getTimestampMs() + 400 * 86_400_000L;
        final WriteResult set = ledger.setTier(SetTierRequest.newBuilder().setRequestId("t-1").setMemberId("m-1")
            .setTier(Tier.TIER_PLATINUM).setFloorUntilMs(until).setReason("status match").build());
        assertEquals(Tier.TIER_PLATINUM, set.getTier());
        b = balance("m-1");
        assertEquals(Tier.TIER_PLATINUM, b.getTier());
        assertEquals(Tier.TIER_PLATINUM, b.getTierFloor());
        assertEquals(until, b.getTierFloorUntilMs());

        final StatusRuntimeException ex = failure(() -> ledger.setTier(SetTierRequest.newBuilder()
            .setRequestId("t-2").setMemberId("m-1").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("tier: must be a tier"),
            ex.getStatus().getDescription());

        stopServer();
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        assertEquals(Tier.TIER_PLATINUM, balance("m-1").getTier(), "replayed");
    }

    @Test
    void aReferralPaysBothSidesOnceAndAReversedFirstPurchaseTakesItBack() throws Exception
    {
        stopServer();
        final Path programFile = data.resolve("bonuses.yaml");
        Files.writeString(programFile, "name: bonuses\nbonuses: {welcome: 10, firstPurchase: 20, referrer: 300, " +
            "referred: 100}\n");
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        assertEquals(10, enroll("friend").getBonusPoints());
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("enroll-m-1").setMemberId("m-1")
            .setReferrerId("friend").build());
        final WriteResult first = earn("e-1", "m-1", 500);
        assertEquals(120, first.getBonusPoints());
        assertEquals(300, first.getReferrerBonusPoints());
        assertEquals(10 + 500 + 120, first.getBalance());
        assertEquals(0, earn("e-2", "m-1", 5).getBonusPoints(), "once");
        assertEquals(310, balance("friend").getAvailable());

        final WriteResult reversed = ledger.reverse(ReverseRequest.newBuilder()
            .setRequestId("x-1").setMemberId("m-1").setOriginalRequestId("e-1").build());
        assertEquals(500, reversed.getPoints());
        assertEquals(-120, reversed.getBonusPoints());
        assertEquals(-300, reversed.getReferrerBonusPoints());
        assertEquals(15, reversed.getBalance());
        assertEquals(10, balance("friend").getAvailable());
    }

    @Test
    void aTransferMovesPointsWithTheirExpiryOverTheWire()
    {
        enroll("mum");
        enroll("kid");
        final WriteResult earned = earn("e-1", "mum", 300);
        final WriteResult moved = ledger.transfer(TransferRequest.newBuilder().setRequestId("t-1").setMemberId("mum")
            .setToMemberId("kid").setPoints(120).setReason("family pool").build());
        assertEquals(120, moved.getPoints());
        assertEquals(180, moved.getBalance());
        final Balance kid = balance("kid");
        assertEquals(120, kid.getAvailable());
        assertEquals(earned.getExpiresAtMs(), kid.getNextExpiryAtMs(), "the points keep their expiry");

        StatusRuntimeException ex = failure(() -> ledger.transfer(TransferRequest.newBuilder().setRequestId("t-2")
            .setMemberId("mum").setToMemberId("kid").setPoints(181).build()));
        assertEquals("points: insufficient points: 180 available, 181 requested", ex.getStatus().getDescription());
        ex = failure(() -> ledger.transfer(TransferRequest.newBuilder().setRequestId("t-3")
            .setMemberId("mum").setToMemberId("stranger").setPoints(1).build()));
        assertEquals(Status.Code.NOT_FOUND, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("to_member_id:"), ex.getStatus().getDescription());
        ex = failure(() -> ledger.transfer(TransferRequest.newBuilder().setRequestId("t-4")
            .setMemberId("mum").setToMemberId("mum").setPoints(1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertEquals(180, balance("mum").getAvailable());
    }

    @Test
    void aMemberProfileShowsItsLifecycleSegment()
    {
        enroll("friend");
        final WriteResult enrolled = ledger.enroll(EnrollRequest.newBuilder().setRequestId("enroll-m-1")
            .setMemberId("m-1").setReferrerId("friend").setBirthday("02-29").build());
        Member member = ledger.getMember(GetMemberRequest.newBuilder().setMemberId("m-1").build());
        assertEquals(Segment.SEGMENT_NEW, member.getSegment(), "enrolled within 30 days");
        assertEquals("friend", member.getReferrerId());
        assertEquals("02-29", member.getBirthday());
        assertEquals(enrolled.getTimestampMs(), member.getEnrolledAtMs());
        assertEquals(0, member.getLastEarnAtMs());
        final WriteResult earned = earn("e-1", "m-1", 10);
        member = ledger.getMember(GetMemberRequest.newBuilder().setMemberId("m-1").build());
        assertEquals(earned.getTimestampMs(), member.getLastEarnAtMs());
        assertEquals(1, member.getEarnsInActiveWindow());
        assertEquals("", ledger.getMember(GetMemberRequest.newBuilder().setMemberId("friend").build())
            .getReferrerId());
        final StatusRuntimeException ex = failure(() ->
            ledger.getMember(GetMemberRequest.newBuilder().setMemberId("nobody").build()));
        assertEquals(Status.Code.NOT_FOUND, ex.getStatus().getCode());
    }

    private WriteResult purchase(
        final String request, final String member, final long amountMinor, final Channel channel,
        final String... categories)
    {
        return ledger.earn(EarnRequest.newBuilder().setRequestId(request).setMemberId(member)
            .setPurchase(Purchase.newBuilder().setAmountMinor(amountMinor).setCurrency("CNY").setChannel(channel)
                .addAllCategories(List.of(categories)))
            .build());
    }

    @Test
    void aTornTailIsDiscardedOnlyWhenTheOperatorSaysSo() throws Exception
    {
        enroll("m-1");
        earn("e-1", "m-1", 100);
        stopServer();
        try (io.jifen.ledger.journal.Journal journal = new io.jifen.ledger.journal.Journal(data.resolve("journal"));
            io.jifen.ledger.journal.Journal.Appender appender = journal.openAppender())
        {
            appender.append(new byte[48], 48); // what a power cut can leave after the last synced batch
        }
        server = null;
        final JournalCorruptException refused = assertThrows(JournalCorruptException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data)).start());
        assertTrue(refused.getMessage().contains("--discard-damaged-tail"), refused.getMessage());

        server = new LedgerServer(new ServerConfig().port(0).data(data).discardDamagedTail(true)).start();
        server.close();
        startServer(); // no flag needed any more: the journal marks what was discarded
        assertEquals(100, balance("m-1").getAvailable());
        assertTrue(earn("e-1", "m-1", 100).getReplay());
        stopServer();
        final ByteArrayOutputStream dump = new ByteArrayOutputStream();
        assertEquals(0, LedgerMain.run(new String[] {"journal", "dump", "--data", data.toString()},
            new PrintStream(dump, true, StandardCharsets.UTF_8), System.err), "finance can still dump the journal");
        final String lines = dump.toString(StandardCharsets.UTF_8);
        // the discarded document left the live file for the repairs folder; the marker records where it was
        assertTrue(lines.contains("\"type\":\"tail_discarded\"") && !lines.contains("\"type\":\"damaged\""), lines);
        final java.nio.file.Path kept = data.resolve("journal-repairs").resolve("repair-1");
        assertTrue(java.nio.file.Files.readString(kept.resolve("README.txt")).contains("DAMAGED_TAIL"),
            "the original file is kept, with what was dropped");
    }

    @Test
    void aSecondServerOnTheSameDataFolderIsRefused()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data)).start());
        assertTrue(ex.getMessage().contains("another ledger server is using"), ex.getMessage());
        enroll("m-1"); // the first one is untouched
        assertEquals(0, balance("m-1").getAvailable());
    }

    @Test
    void healthAndReflectionAreServed()
    {
        final HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
            .check(HealthCheckRequest.newBuilder().setService("jifen.ledger.v1.Ledger").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

        // what grpcurl and other generic tools ask first: the list of services
        final CountDownLatch answered = new CountDownLatch(1);
        final List<String> services = new ArrayList<>();
        final io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> requests =
            io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new io.grpc.stub.StreamObserver<>()
                {
                    @Override
                    public void onNext(final io.grpc.reflection.v1.ServerReflectionResponse response)
                    {
                        response.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
                        answered.countDown();
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        answered.countDown();
                    }

                    @Override
                    public void onCompleted()
                    {
                    }
                });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        try
        {
            assertTrue(answered.await(10, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
        requests.onCompleted();
        assertTrue(services.contains("jifen.ledger.v1.Ledger"), services.toString());
        assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
        assertTrue(services.contains("grpc.reflection.v1alpha.ServerReflection"), "v1alpha for older tools: " +
            services);
        assertTrue(v1alphaListsTheLedger(), "the v1alpha service answers too");
    }

    @SuppressWarnings("deprecation")
    private boolean v1alphaListsTheLedger()
    {
        final java.util.concurrent.CompletableFuture<Boolean> listed = new java.util.concurrent.CompletableFuture<>();
        final io.grpc.stub.StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
            io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new io.grpc.stub.StreamObserver<>()
                {
                    @Override
                    public void onNext(final io.grpc.reflection.v1alpha.ServerReflectionResponse response)
                    {
                        listed.complete(response.getListServicesResponse().getServiceList().stream()
                            .anyMatch(s -> s.getName().equals("jifen.ledger.v1.Ledger")));
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        listed.complete(false);
                    }

                    @Override
                    public void onCompleted()
                    {
                    }
                });
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        try
        {
            return listed.get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            requests.onCompleted();
        }
    }

    @Test
    void submitStreamCarriesThousandsOfCommands() throws Exception
    {
        final int members = 100;
        final int earnsPerMember = 200;
        final List<Command> commands = new ArrayList<>();
        long correlation = 0;
        for (int m = 0; m < members; m++)
        {
            commands.add(Command.newBuilder().setCorrelationId(++correlation).setEnroll(
                EnrollRequest.newBuilder().setRequestId("enroll-s" + m).setMemberId("s" + m)).build());
        }
        for (int e = 0; e < earnsPerMember; e++)
        {
            for (int m = 0; m < members; m++)
            {
                commands.add(Command.newBuilder().setCorrelationId(++correlation).setEarn(
                    EarnRequest.newBuilder().setRequestId("s" + m + "-" + e).setMemberId("s" + m).setPoints(3))
                    .build());
            }
        }
        // one invalid command and one retry in the middle: each gets its own result, the stream goes on
        commands.add(Command.newBuilder().setCorrelationId(++correlation).setEarn(
            EarnRequest.newBuilder().setRequestId("bad").setMemberId("s1").setPoints(-1)).build());
        commands.add(Command.newBuilder().setCorrelationId(++correlation).setEarn(
            EarnRequest.newBuilder().setRequestId("s1-0").setMemberId("s1").setPoints(3)).build());
        for (int m = 0; m < members; m++)
        {
            commands.add(Command.newBuilder().setCorrelationId(++correlation).setGetBalance(
                GetBalanceRequest.newBuilder().setMemberId("s" + m)).build());
        }

        final Map<Long, CommandResult> results = submitAll(commands);
        assertEquals(commands.size(), results.size());

        final CommandResult invalid = results.get((long)members + members * earnsPerMember + 1);
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), invalid.getCode());
        assertTrue(invalid.getMessage().startsWith("points:"), invalid.getMessage());
        final CommandResult retry = results.get((long)members + members * earnsPerMember + 2);
        assertTrue(retry.getWrite().getReplay());
        for (final CommandResult result : results.values())
        {
            if (result.getCorrelationId() != invalid.getCorrelationId())
            {
                assertEquals(0, result.getCode(), result.toString());
            }
        }
        for (int m = 0; m < members; m++)
        {
            final CommandResult balance = results.get((long)members + members * earnsPerMember + 3 + m);
            assertEquals(3L * earnsPerMember, balance.getBalance().getAvailable());
            assertEquals(3L * earnsPerMember, balance(balance.getBalance().getMemberId()).getAvailable());
        }
        assertNotEquals(0, server.pipeline().journaledRecords());
    }

    @Test
    void aBatchIsAnsweredInOneMessageEachCommandOnItsOwnInTheBatchsOrder() throws Exception
    {
        final CommandBatch.Builder first = CommandBatch.newBuilder();
        for (int m = 0; m < 10; m++)
        {
            first.addCommands(Command.newBuilder().setCorrelationId(100 + m).setEnroll(
                EnrollRequest.newBuilder().setRequestId("enroll-b" + m).setMemberId("b" + m)));
            first.addCommands(Command.newBuilder().setCorrelationId(200 + m).setEarn(
                EarnRequest.newBuilder().setRequestId("earn-b" + m).setMemberId("b" + m).setPoints(5 + m)));
        }
        first.addCommands(Command.newBuilder().setCorrelationId(300).setEarn(
            EarnRequest.newBuilder().setRequestId("bad-b").setMemberId("b1").setPoints(-1)));
        final Command nested = Command.newBuilder().setCorrelationId(302)
            .setGetBalance(GetBalanceRequest.newBuilder().setMemberId("b1")).build();
        final CommandBatch.Builder withNested = CommandBatch.newBuilder().addCommands(Command.newBuilder()
            .setCorrelationId(600).setEarn(EarnRequest.newBuilder().setRequestId("nested-b").setMemberId("b1")
            .setPoints(1000))).addCommands(Command.newBuilder().setCorrelationId(301).setBatch(CommandBatch.newBuilder()
            .addCommands(nested)));
        first.addCommands(Command.newBuilder().setCorrelationId(303).setGetBalance(
            GetBalanceRequest.newBuilder().setMemberId("b3")));
        final CommandBatch.Builder oversized = CommandBatch.newBuilder();
        for (int i = 0; i <= SubmitStream.BATCH_MAX; i++)
        {
            oversized.addCommands(Command.newBuilder().setCorrelationId(i).setGetBalance(
                GetBalanceRequest.newBuilder().setMemberId("b1")));
        }
        final Map<Long, CommandResult> results = submitAll(List.of(
            Command.newBuilder().setCorrelationId(1).setBatch(first).build(),
            Command.newBuilder().setCorrelationId(2).setBatch(CommandBatch.newBuilder()).build(),
            Command.newBuilder().setCorrelationId(3).setBatch(oversized).build(),
            Command.newBuilder().setCorrelationId(4).setEarn(
                EarnRequest.newBuilder().setRequestId("earn-b2").setMemberId("b2").setPoints(7)).build(),
            Command.newBuilder().setCorrelationId(5).setBatch(CommandBatch.newBuilder().addCommands(
                Command.newBuilder().setCorrelationId(500).setEarn(
                    EarnRequest.newBuilder().setRequestId("earn-b2").setMemberId("b2").setPoints(8)))).build(),
            Command.newBuilder().setCorrelationId(6).setBatch(withNested).build()));
        assertEquals(6, results.size(), results.keySet().toString());

        final List<CommandResult> answers = results.get(1L).getBatch().getResultsList();
        assertEquals(first.getCommandsCount(), answers.size());
        for (int i = 0; i < answers.size(); i++)
        {
            assertEquals(first.getCommands(i).getCorrelationId(), answers.get(i).getCorrelationId(), "in order");
        }
        for (int m = 0; m < 10; m++)
        {
            assertEquals(0, answers.get(2 * m).getCode(), answers.get(2 * m).toString());
            assertEquals(5 + m, answers.get(2 * m + 1).getWrite().getPoints());
        }
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), answers.get(20).getCode());
        assertTrue(answers.get(20).getMessage().startsWith("points:"), answers.get(20).getMessage());
        assertEquals(8, answers.get(21).getBalance().getAvailable(), "a read sees the writes before it in the batch");
        for (final long refused : new long[] {2, 3, 6})
        {
            assertEquals(Status.Code.INVALID_ARGUMENT.value(), results.get(refused).getCode());
            final CommandResult result = results.get(refused);
            assertTrue(result.getMessage().contains("[BATCH_INVALID]"), result.toString());
        }
        assertTrue(results.get(4L).getWrite().getReplay(), "a batch's write is retried like any other");
        final CommandResult conflict = results.get(5L).getBatch().getResults(0);
        assertEquals(500, conflict.getCorrelationId());
        assertEquals(Status.Code.ALREADY_EXISTS.value(), conflict.getCode(), conflict.toString());
        assertEquals(7, balance("b2").getAvailable());
        assertEquals(6, balance("b1").getAvailable(), "a batch holding a batch is refused whole: nothing applied");
    }

    /**
     * Sends the commands on one Submit stream, only while the transport is ready (flow control on the client side
     * too), and collects every result by correlation id.
     */
    private Map<Long, CommandResult> submitAll(final List<Command> commands) throws InterruptedException
    {
        final Map<Long, CommandResult> results = new ConcurrentHashMap<>();
        final CountDownLatch done = new CountDownLatch(1);
        final Throwable[] error = new Throwable[1];
        LedgerGrpc.newStub(channel).submit(new ClientResponseObserver<Command, CommandResult>()
        {
            private int next;

            @Override
            public void beforeStart(final ClientCallStreamObserver<Command> requests)
            {
                // send only while the transport is ready: flow control on the client side too
                requests.setOnReadyHandler(() ->
                {
                    while (requests.isReady() && next < commands.size())
                    {
                        requests.onNext(commands.get(next++));
                    }
                    if (next == commands.size())
                    {
                        next++;
                        requests.onCompleted();
                    }
                });
            }

            @Override
            public void onNext(final CommandResult value)
            {
                results.put(value.getCorrelationId(), value);
            }

            @Override
            public void onError(final Throwable t)
            {
                error[0] = t;
                done.countDown();
            }

            @Override
            public void onCompleted()
            {
                done.countDown();
            }
        });
        assertTrue(done.await(60, TimeUnit.SECONDS), "stream completed");
        assertEquals(null, error[0]);
        return results;
    }

    @Test
    void aDailyCapReachedInTheMiddleOfASubmitBatchCutsExactlyThere() throws Exception
    {
        stopServer();
        final Path programFile = data.resolve("capped.yaml");
        Files.writeString(programFile, "name: capped\ncaps: {memberDailyPoints: 1000}\n");
        startServer(new ServerConfig().port(0).data(data)
            .program(LedgerMain.loadProgram(programFile), programFile.toString()));
        enroll("m-1");
        final List<Command> commands = new ArrayList<>();
        for (int i = 1; i <= 30; i++) // 30 purchases of 45 yuan: 45 points each, the cap falls inside the 23rd
        {
            commands.add(Command.newBuilder().setCorrelationId(i).setEarn(EarnRequest.newBuilder()
                .setRequestId("p-" + i).setMemberId("m-1").setPurchase(Purchase.newBuilder().setAmountMinor(45_00)
                    .setCurrency("CNY").setChannel(Channel.CHANNEL_STORE))).build());
        }
        final Map<Long, CommandResult> results = submitAll(commands);
        long total = 0;
        for (long i = 1; i <= 30; i++)
        {
            final WriteResult earned = results.get(i).getWrite();
            total += earned.getPoints();
            final long expected = i < 23 ? 45 : i == 23 ? 1000 - 22 * 45 : 0;
            assertEquals(expected, earned.getPoints(), "purchase " + i);
            assertEquals(45 - expected, earned.getEarning().getCapCut(), "purchase " + i);
        }
        assertEquals(1000, total);
        assertEquals(1000, balance("m-1").getAvailable());
    }
}
