package io.jifen.ledger.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jifen.ledger.api.v1.AdvanceClockRequest;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.SubscribeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test clocks: a sandbox's ledger time moves forward by AdvanceClock, and what is due happens in seconds (expiry, a
 * hold's time-out), journaled as usual; the time is kept across a restart; sandbox and production folders never
 * mix; a production server refuses to move its clock.
 */
class SandboxIT
{
    private static final long DAY_MS = 86_400_000L;

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
    void advancedTimeExpiresPointsAndTimesOutHoldsAndSurvivesARestart() throws Exception
    {
        start(new ServerConfig().port(0).data(data).sandbox(true));
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("m1").build());
        final long expiresAt = ledger.earn(EarnRequest.newBuilder().setRequestId("x-1").setMemberId("m1")
            .setPoints(100).build()).getExpiresAtMs();
        ledger.hold(HoldRequest.newBuilder().setRequestId("h-1").setMemberId("m1").setPoints(30)
            .setTimeoutSeconds(600).build());
        assertEquals(70, balance().getAvailable());

        final long clock = ledger.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(601_000).build())
            .getClockMs();
        awaitTrue(() -> balance().getAvailable() == 100 && balance().getHeld() == 0, "the hold timed out");
        assertTrue(balance().getAsOfMs() >= clock, "reads are as of the advanced time");

        ledger.advanceClock(AdvanceClockRequest.newBuilder()
            .setAdvanceMs(expiresAt - balance().getAsOfMs() + DAY_MS).build());
        awaitTrue(() -> balance().getAvailable() == 0, "the points expired (reads leave due points out at once)");
        awaitTrue(() ->
        {
            final List<Event> sweeps = new ArrayList<>();
            ledger.subscribe(SubscribeRequest.newBuilder().addTypes("expire_tick").setStopAtEnd(true).build())
                .forEachRemaining(sweeps::add);
            return sweeps.stream().anyMatch(e -> e.getRecordJson().contains("\"kind\":\"expire\""));
        }, "the sweep journaled the expiry, at ledger time");
        final long before = balance().getAsOfMs();

        stopServer();
        start(new ServerConfig().port(0).data(data).sandbox(true));
        assertTrue(balance().getAsOfMs() >= before, "a restarted sandbox keeps its time: " + balance().getAsOfMs() +
            " < " + before);
        assertTrue(Files.readString(data.resolve(SandboxClock.FILE_NAME)).contains("offset_ms "));

        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
            () -> ledger.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(0).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
        assertTrue(ex.getStatus().getDescription().startsWith("advance_ms: "), ex.getStatus().getDescription());
        stopServer();

        final IllegalStateException production = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data)).start());
        assertTrue(production.getMessage().contains("is a sandbox's") &&
            production.getMessage().contains("--sandbox"), production.getMessage());
    }

    @Test
    void aProductionFolderIsNoSandboxAndAProductionClockDoesNotMove() throws Exception
    {
        start(new ServerConfig().port(0).data(data));
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("m1").build());
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
            () -> ledger.advanceClock(AdvanceClockRequest.newBuilder().setAdvanceMs(1000).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, ex.getStatus().getCode());
        stopServer();

        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data).sandbox(true)).start());
        assertTrue(refused.getMessage().contains("holds a production journal"), refused.getMessage());
        assertTrue(!Files.exists(data.resolve(SandboxClock.FILE_NAME)), "the folder is left a production one");
        start(new ServerConfig().port(0).data(data));
        assertEquals(0, balance().getAvailable(), "and a production server still starts on it");
    }

    private Balance balance()
    {
        return ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("m1").build());
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, what + " within 10 s");
            Thread.sleep(20);
        }
    }

    private void start(final ServerConfig config) throws Exception
    {
        server = InProcessServer.start(config);
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
