package io.jifen.ledger.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.RedeemRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Errors a client can act on, over a real socket: the status, the message it always had, and the details
 * (google.rpc.ErrorInfo with the stable reason, domain, field and figure; google.rpc.BadRequest for a bad field);
 * and on a Submit stream, the same reason in the result.
 */
class ErrorDetailsIT
{
    @TempDir
    Path data;

    private InProcessServer server;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void everyRefusalCarriesItsReasonFieldAndFigures() throws Exception
    {
        server = InProcessServer.start(new ServerConfig().data(data));
        final LedgerGrpc.LedgerBlockingStub ledger = server.ledger();
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e").setMemberId("ann").build());
        ledger.earn(EarnRequest.newBuilder().setRequestId("x").setMemberId("ann").setPoints(120).build());

        final StatusRuntimeException insufficient = assertThrows(StatusRuntimeException.class, () -> ledger.redeem(
            RedeemRequest.newBuilder().setRequestId("r").setMemberId("ann").setPoints(500).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, insufficient.getStatus().getCode());
        assertTrue(insufficient.getStatus().getDescription().startsWith("points: insufficient points: 120 available"));
        final ErrorInfo info = info(insufficient);
        assertEquals("INSUFFICIENT_POINTS", info.getReason());
        assertEquals("jifen.dev", info.getDomain());
        assertEquals(Map.of("field", "points", "detail", "120", "code", "301"), info.getMetadataMap());

        final StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class, () -> ledger.earn(
            EarnRequest.newBuilder().setRequestId("bad").setMemberId("ann").setPoints(-5).build()));
        assertEquals("POINTS_INVALID", info(invalid).getReason());
        final BadRequest bad = detail(invalid, BadRequest.class);
        assertEquals("points", bad.getFieldViolations(0).getField());
        assertTrue(bad.getFieldViolations(0).getDescription().contains("out of range"));

        final StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
            () -> ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId("nobody").build()));
        assertEquals("MEMBER_NOT_FOUND", info(missing).getReason());
        assertEquals("member_id", info(missing).getMetadataOrThrow("field"));

        final StatusRuntimeException token = assertThrows(StatusRuntimeException.class, () -> ledger.listHistory(
            ListHistoryRequest.newBuilder().setMemberId("ann").setPageToken("garbage").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, token.getStatus().getCode());
        assertTrue(info(token).getReason().endsWith("_INVALID"), info(token).toString());

        // a valid request the ledger's state does not allow is FAILED_PRECONDITION, not INVALID_ARGUMENT
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e2").setMemberId("bob").build());
        ledger.transfer(io.jifen.ledger.api.v1.TransferRequest.newBuilder().setRequestId("t").setMemberId("ann")
            .setToMemberId("bob").setPoints(20).build());
        final StatusRuntimeException notReversible = assertThrows(StatusRuntimeException.class, () -> ledger.reverse(
            io.jifen.ledger.api.v1.ReverseRequest.newBuilder().setRequestId("v").setMemberId("ann")
                .setOriginalRequestId("t").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, notReversible.getStatus().getCode());
        assertEquals("REVERSE_ORIGINAL_NOT_REVERSIBLE", info(notReversible).getReason());

        final CompletableFuture<CommandResult> result = new CompletableFuture<>();
        final io.grpc.ManagedChannel channel = CrashWrites.channel(server.port());
        final StreamObserver<Command> stream = LedgerGrpc.newStub(channel)
            .submit(new StreamObserver<>()
            {
                @Override
                public void onNext(final CommandResult value)
                {
                    result.complete(value);
                }

                @Override
                public void onError(final Throwable t)
                {
                    result.completeExceptionally(t);
                }

                @Override
                public void onCompleted()
                {
                }
            });
        stream.onNext(Command.newBuilder().setCorrelationId(7).setRedeem(RedeemRequest.newBuilder()
            .setRequestId("r2").setMemberId("ann").setPoints(500)).build());
        final CommandResult refused = result.get(20, TimeUnit.SECONDS);
        stream.onCompleted();
        channel.shutdownNow();
        assertEquals("INSUFFICIENT_POINTS", refused.getReason());
        assertEquals(Status.Code.FAILED_PRECONDITION.value(), refused.getCode());
    }

    private static ErrorInfo info(final StatusRuntimeException ex) throws Exception
    {
        return detail(ex, ErrorInfo.class);
    }

    private static <T extends com.google.protobuf.Message> T detail(final StatusRuntimeException ex,
        final Class<T> type) throws Exception
    {
        final com.google.rpc.Status status = StatusProto.fromThrowable(ex);
        assertTrue(null != status, "the status carries details: " + ex);
        for (final Any any : status.getDetailsList())
        {
            if (any.is(type))
            {
                return any.unpack(type);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + status);
    }
}
