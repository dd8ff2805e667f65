package io.jifen.ledger.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.AdvanceClockRequest;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.Channel;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HistoryEntry;
import io.jifen.ledger.api.v1.HistoryKind;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListHistoryResponse;
import io.jifen.ledger.api.v1.Purchase;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.SubscribeRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.TransferRequest;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.snapshot.SnapshotStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members' statements over gRPC: every movement newest first, with its kind, points, balance after, order id, reason
 * and lots; a transfer on both members; the sweep's expiry on the member whose points expired; paging that neither
 * repeats nor skips while writes go on; the same statement after a restart from a snapshot; bad requests refused.
 */
class StatementIT
{
    private static final long DAY_MS = 86_400_000L;
    /** A snapshot file's name ends so (docs/snapshot-format.md). */
    private static final String SUFFIX = ".jsnap";

    @TempDir
    Path data;

    private InProcessServer server;
    private LedgerGrpc.LedgerBlockingStub ledger;

    @AfterEach
    void stop()
    {
        stopServer();
    }

    @Test
    void aStatementListsEveryMovementNewestFirstAndSurvivesARestartFromASnapshot() throws Exception
    {
        start();
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("alice").build());
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-2").setMemberId("bob").build());
        final long expiresAt = ledger.earn(EarnRequest.newBuilder().setRequestId("buy-1").setMemberId("alice")
            .setOrderId("order-1").setPurchase(Purchase.newBuilder().setAmountMinor(12_800).setCurrency("CNY")
                .setChannel(Channel.CHANNEL_STORE)).build()).getExpiresAtMs();
        ledger.earn(EarnRequest.newBuilder().setRequestId("x-1").setMemberId("alice").setPoints(500)
            .setReason("service recovery").build());
        ledger.redeem(RedeemRequest.newBuilder().setRequestId("r-1").setMemberId("alice").setPoints(100)
            .setOrderId("order-2").build());
        ledger.hold(HoldRequest.newBuilder().setRequestId("h-1").setMemberId("alice").setPoints(50).build());
        ledger.captureHold(CaptureHoldRequest.newBuilder().setRequestId("c-1").setMemberId("alice")
            .setHoldRequestId("h-1").build());
        ledger.transfer(TransferRequest.newBuilder().setRequestId("t-1").setMemberId("alice").setToMemberId("bob")
            .setPoints(200).build());
        ledger.reverse(ReverseRequest.newBuilder().setRequestId("rv-1").setMemberId("alice")
            .setOriginalRequestId("r-1").build());

        final List<HistoryEntry> alice = statement("alice", 2);
        assertEquals(List.of(HistoryKind.HISTORY_REVERSE, HistoryKind.HISTORY_TRANSFER_OUT,
            HistoryKind.HISTORY_CAPTURE, HistoryKind.HISTORY_HOLD, HistoryKind.HISTORY_REDEEM,
            HistoryKind.HISTORY_EARN, HistoryKind.HISTORY_PURCHASE_EARN, HistoryKind.HISTORY_ENROLL),
            alice.stream().map(HistoryEntry::getKind).toList());
        assertEquals(List.of(100L, -200L, 0L, -50L, -100L, 500L, 128L, 0L),
            alice.stream().map(HistoryEntry::getPoints).toList());
        assertEquals(List.of(378L, 278L, 478L, 478L, 528L, 628L, 128L, 0L),
            alice.stream().map(HistoryEntry::getBalanceAfter).toList());
        final HistoryEntry purchase = alice.get(6);
        assertEquals("order-1", purchase.getOrderId());
        assertEquals(128, purchase.getEarning().getBasePoints());
        assertEquals(12_800, purchase.getPurchase().getAmountMinor());
        assertEquals("credit", purchase.getLots(0).getKind());
        assertEquals(expiresAt, purchase.getLots(0).getExpiresAtMs());
        assertEquals("service recovery", alice.get(5).getReason());
        assertEquals(50, alice.get(3).getHeldAfter());
        assertEquals("bob", alice.get(1).getCounterpartyMemberId());
        assertEquals("r-1", alice.get(0).getOriginalRequestId());
        for (int i = 0; i + 1 < alice.size(); i++)
        {
            assertTrue(alice.get(i).getSequence() > alice.get(i + 1).getSequence(), "newest first");
            assertEquals(alice.get(i + 1).getBalanceAfter() + alice.get(i).getPoints(),
                alice.get(i).getBalanceAfter(), "a running balance");
        }
        final List<HistoryEntry> bob = statement("bob", 50);
        assertEquals(HistoryKind.HISTORY_TRANSFER_IN, bob.get(0).getKind());
        assertEquals(200, bob.get(0).getPoints());
        assertEquals("alice", bob.get(0).getCounterpartyMemberId());

        // the sweep's expiry is on each member whose points expired
        ledger.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(expiresAt - now() + DAY_MS).build());
        awaitTrue(() -> statement("bob", 50).get(0).getKind() == HistoryKind.HISTORY_EXPIRY, "bob's expiry listed");
        final HistoryEntry expiry = statement("alice", 50).get(0);
        assertEquals(HistoryKind.HISTORY_EXPIRY, expiry.getKind());
        assertEquals(-378, expiry.getPoints());
        assertEquals(0, expiry.getBalanceAfter());
        assertTrue(expiry.getLotsList().stream().allMatch(l -> "expire".equals(l.getKind())));
        // the change stream sends the sweep to a subscriber of its members' program only
        final List<Event> sweeps = new ArrayList<>();
        ledger.subscribe(SubscribeRequest.newBuilder().addProgramIds(Program.defaultProgram().name())
            .addTypes("expire_tick").setStopAtEnd(true).build()).forEachRemaining(sweeps::add);
        assertTrue(sweeps.stream().anyMatch(e -> e.getRecordJson().contains("\"member_id\":\"alice\"")), "" + sweeps);
        final List<Event> others = new ArrayList<>();
        ledger.subscribe(SubscribeRequest.newBuilder().addProgramIds("tea").addTypes("expire_tick")
            .setStopAtEnd(true).build()).forEachRemaining(others::add);
        assertEquals(List.of(), others, "no sweep touched a member of another program");

        // enough records for a snapshot, then a restart from it: the statement is rebuilt from the journal
        for (int i = 0; i < 30; i++)
        {
            ledger.earn(EarnRequest.newBuilder().setRequestId("more-" + i).setMemberId("bob").setPoints(1).build());
        }
        awaitTrue(() -> snapshots() > 0, "a snapshot was taken");
        final List<HistoryEntry> before = statement("alice", 3);
        final List<HistoryEntry> bobBefore = statement("bob", 7);
        stopServer();
        start();
        assertEquals(before, statement("alice", 5));
        assertEquals(bobBefore, statement("bob", 1000));
        assertEquals(bobBefore.size(), 30 + 3, "bob: enroll, transfer in, expiry and 30 earns");
    }

    @Test
    void pagesNeitherRepeatNorSkipWhileWritesGoOnAndBadRequestsAreRefused() throws Exception
    {
        start();
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("carol").build());
        for (int i = 0; i < 20; i++)
        {
            ledger.earn(EarnRequest.newBuilder().setRequestId("a-" + i).setMemberId("carol").setPoints(i + 1)
                .build());
        }
        final List<Long> seen = new ArrayList<>();
        ListHistoryResponse page = ledger.listHistory(ListHistoryRequest.newBuilder().setMemberId("carol")
            .setPageSize(4).build());
        int extra = 0;
        while (true)
        {
            page.getEntriesList().forEach(e -> seen.add(e.getSequence()));
            // writes between pages land above the first page: they are not in this listing
            ledger.earn(EarnRequest.newBuilder().setRequestId("b-" + extra++).setMemberId("carol").setPoints(1)
                .build());
            if (page.getNextPageToken().isEmpty())
            {
                break;
            }
            page = ledger.listHistory(ListHistoryRequest.newBuilder().setMemberId("carol").setPageSize(4)
                .setPageToken(page.getNextPageToken()).build());
        }
        assertEquals(21, seen.size(), "enroll and 20 earns, each once: " + seen);
        assertEquals(seen.stream().sorted((a, b) -> Long.compare(b, a)).toList(), seen, "newest first");
        assertFalse(page.getOlderArchived());
        assertEquals(21 + extra, statement("carol", 1000).size(), "read your writes: a first page holds them all");

        assertRefused(Status.Code.INVALID_ARGUMENT, "page_size: ", ListHistoryRequest.newBuilder()
            .setMemberId("carol").setPageSize(1001));
        assertRefused(Status.Code.INVALID_ARGUMENT, "page_token: ", ListHistoryRequest.newBuilder()
            .setMemberId("carol").setPageToken("nonsense"));
        assertRefused(Status.Code.INVALID_ARGUMENT, "page_token: ", ListHistoryRequest.newBuilder()
            .setMemberId("carol").setPageToken(MemberStatements.token(1_000_000, 5)));
        final String second = ledger.listHistory(ListHistoryRequest.newBuilder().setMemberId("carol").setPageSize(2)
            .build()).getNextPageToken();
        final long[] entry = MemberStatements.readToken(second);
        assertRefused(Status.Code.INVALID_ARGUMENT, "page_token: ", ListHistoryRequest.newBuilder()
            .setMemberId("carol").setPageToken(MemberStatements.token(entry[0], entry[1] - 1)));
        assertRefused(Status.Code.INVALID_ARGUMENT, "member_id: ", ListHistoryRequest.newBuilder()
            .setMemberId("has space"));
        assertRefused(Status.Code.NOT_FOUND, "member_id: ", ListHistoryRequest.newBuilder().setMemberId("nobody"));
        assertRefused(Status.Code.NOT_FOUND, "member_id: ", ListHistoryRequest.newBuilder().setMemberId("carol")
            .setProgramId("no-such-program"));
    }

    private void assertRefused(final Status.Code code, final String prefix, final ListHistoryRequest.Builder request)
    {
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
            () -> ledger.listHistory(request.build()));
        assertEquals(code, ex.getStatus().getCode(), ex.getStatus().toString());
        assertTrue(ex.getStatus().getDescription().startsWith(prefix), ex.getStatus().getDescription());
    }

    /** The member's whole statement, read in pages of {@code pageSize}. */
    private List<HistoryEntry> statement(final String member, final int pageSize)
    {
        final List<HistoryEntry> entries = new ArrayList<>();
        String token = "";
        do
        {
            final ListHistoryResponse page = ledger.listHistory(ListHistoryRequest.newBuilder().setMemberId(member)
                .setPageSize(pageSize).setPageToken(token).build());
            assertTrue(page.getEntriesCount() <= pageSize);
            entries.addAll(page.getEntriesList());
            token = page.getNextPageToken();
        }
        while (!token.isEmpty());
        return entries;
    }

    private long now()
    {
        return ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("alice").build()).getAsOfMs();
    }

    private long snapshots()
    {
        final Path folder = data.resolve(SnapshotStore.FOLDER);
        if (!Files.isDirectory(folder))
        {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).count();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, what + " within 20 s");
            Thread.sleep(20);
        }
    }

    private void start() throws Exception
    {
        server = InProcessServer.start(new ServerConfig().data(data).sandbox(true).snapshots(20, 0, 2));
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
