package io.jifen.ledger.server.load;

import java.io.IOException;
import java.net.InetSocketAddress;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.CheckTierResponse;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.Tier;
import io.jifen.ledger.api.v1.WriteResult;

/**
 * The transport limit: the Ledger service with the same messages and the same server settings (Netty, direct
 * executor), answering at once without a ledger. What gRPC alone costs on this machine: the denominator of the
 * "Jifen / transport" ratio. {@code ledger load} runs against it like against the real server.
 */
public final class NoopLedgerServer extends LedgerGrpc.LedgerImplBase
{
    public static Server start(final String host, final int port) throws IOException
    {
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .directExecutor()
            .addService(new NoopLedgerServer())
            .build()
            .start();
    }

    private static WriteResult write(final String requestId, final String memberId, final long points)
    {
        return WriteResult.newBuilder().setRequestId(requestId).setMemberId(memberId).setPoints(points)
            .setBalance(points).setTier(Tier.TIER_MEMBER).setSequence(1).setTimestampMs(1).build();
    }

    @Override
    public void enroll(final EnrollRequest request, final StreamObserver<WriteResult> observer)
    {
        observer.onNext(write(request.getRequestId(), request.getMemberId(), 0));
        observer.onCompleted();
    }

    @Override
    public void earn(final EarnRequest request, final StreamObserver<WriteResult> observer)
    {
        observer.onNext(write(request.getRequestId(), request.getMemberId(), request.getPoints()));
        observer.onCompleted();
    }

    @Override
    public void redeem(final RedeemRequest request, final StreamObserver<WriteResult> observer)
    {
        observer.onNext(write(request.getRequestId(), request.getMemberId(), request.getPoints()));
        observer.onCompleted();
    }

    @Override
    public void hold(final HoldRequest request, final StreamObserver<WriteResult> observer)
    {
        observer.onNext(write(request.getRequestId(), request.getMemberId(), request.getPoints()));
        observer.onCompleted();
    }

    @Override
    public void captureHold(final CaptureHoldRequest request, final StreamObserver<WriteResult> observer)
    {
        observer.onNext(write(request.getRequestId(), request.getMemberId(), request.getPoints()));
        observer.onCompleted();
    }

    @Override
    public void reverse(final ReverseRequest request, final StreamObserver<WriteResult> observer)
    {
        observer.onNext(write(request.getRequestId(), request.getMemberId(), request.getPoints()));
        observer.onCompleted();
    }

    @Override
    public void getBalance(final GetBalanceRequest request, final StreamObserver<Balance> observer)
    {
        observer.onNext(Balance.newBuilder().setMemberId(request.getMemberId()).setAvailable(100)
            .setTier(Tier.TIER_MEMBER).build());
        observer.onCompleted();
    }

    @Override
    public void checkTier(final CheckTierRequest request, final StreamObserver<CheckTierResponse> observer)
    {
        observer.onNext(CheckTierResponse.newBuilder().setMemberId(request.getMemberId()).setTier(Tier.TIER_MEMBER)
            .setMeets(false).build());
        observer.onCompleted();
    }

    @Override
    public StreamObserver<Command> submit(final StreamObserver<CommandResult> observer)
    {
        final ServerCallStreamObserver<CommandResult> out = (ServerCallStreamObserver<CommandResult>)observer;
        return new StreamObserver<>()
        {
            @Override
            public void onNext(final Command command)
            {
                out.onNext(answer(command));
            }

            @Override
            public void onError(final Throwable t)
            {
            }

            @Override
            public void onCompleted()
            {
                out.onCompleted();
            }
        };
    }

    /** A command's answer, a batch's one result each in order (as the ledger answers batches). */
    private static CommandResult answer(final Command command)
    {
        final CommandResult.Builder result = CommandResult.newBuilder().setCorrelationId(command.getCorrelationId());
        if (command.hasBatch())
        {
            final io.jifen.ledger.api.v1.CommandBatchResult.Builder batch =
                io.jifen.ledger.api.v1.CommandBatchResult.newBuilder();
            for (final Command one : command.getBatch().getCommandsList())
            {
                batch.addResults(answer(one));
            }
            return result.setBatch(batch).build();
        }
        switch (command.getCommandCase())
        {
            case GET_BALANCE:
                result.setBalance(Balance.newBuilder().setMemberId(command.getGetBalance().getMemberId()));
                break;
            case CHECK_TIER:
                result.setTier(CheckTierResponse.newBuilder().setMemberId(command.getCheckTier().getMemberId()));
                break;
            case EARN:
                result.setWrite(write(command.getEarn().getRequestId(), command.getEarn().getMemberId(),
                    command.getEarn().getPoints()));
                break;
            default:
                result.setWrite(write("", "", 0));
        }
        return result.build();
    }
}
