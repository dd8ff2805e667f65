package io.jifen.ledger.server.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
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
import io.jifen.ledger.api.v1.WriteResult;

/**
 * The load targets that speak the Ledger gRPC API: one async unary RPC per operation, or Submit streams.
 */
public final class GrpcTargets
{
    static final long CALL_DEADLINE_S = 10;

    private GrpcTargets()
    {
    }

    /**
     * The factory for {@code --mode unary|stream|client} against {@code --target HOST:PORT}.
     */
    public static LoadTarget.Factory factory()
    {
        return (options, completions) -> options.client ? new Client(options, completions) :
            options.stream ? new Stream(options, completions) : new Unary(options, completions);
    }

    private abstract static class Channels implements LoadTarget
    {
        final LoadOptions options;
        final Completions completions;
        final List<ManagedChannel> channels = new ArrayList<>();

        Channels(final LoadOptions options, final Completions completions)
        {
            this.options = options;
            this.completions = completions;
            for (int i = 0; i < options.connections; i++)
            {
                channels.add(NettyChannelBuilder.forAddress(options.host, options.port).usePlaintext().directExecutor()
                    .maxInboundMessageSize(4 << 20).build());
            }
        }

        @Override
        public String describe()
        {
            return options.host + ":" + options.port;
        }

        @Override
        public void close() throws InterruptedException
        {
            for (final ManagedChannel channel : channels)
            {
                channel.shutdownNow();
            }
            for (final ManagedChannel channel : channels)
            {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * One async RPC per operation, channels in turn, at most --concurrency in flight.
     */
    private static final class Unary extends Channels
    {
        private final LedgerGrpc.LedgerStub[] stubs;
        private final Semaphore inFlight;
        private int next;

        Unary(final LoadOptions options, final Completions completions)
        {
            super(options, completions);
            inFlight = new Semaphore(options.concurrency);
            stubs = new LedgerGrpc.LedgerStub[channels.size()];
            for (int i = 0; i < stubs.length; i++)
            {
                stubs[i] = LedgerGrpc.newStub(channels.get(i));
            }
        }

        @Override
        public String mode()
        {
            return "unary";
        }

        @Override
        public void send(final Message request, final int type, final long intendedNs)
        {
            inFlight.acquireUninterruptibly();
            final LedgerGrpc.LedgerStub stub =
                stubs[Math.floorMod(next++, stubs.length)].withDeadlineAfter(CALL_DEADLINE_S, TimeUnit.SECONDS);
            final StreamObserver<Object> done = new StreamObserver<>()
            {
                private boolean replay;

                @Override
                public void onNext(final Object value)
                {
                    replay = value instanceof WriteResult && ((WriteResult)value).getReplay();
                }

                @Override
                public void onError(final Throwable t)
                {
                    final Status status = Status.fromThrowable(t);
                    completions.complete(request, type, intendedNs, status.getCode(), false,
                        status.getDescription());
                    inFlight.release();
                }

                @Override
                public void onCompleted()
                {
                    completions.complete(request, type, intendedNs, Status.Code.OK, replay, null);
                    inFlight.release();
                }
            };
            call(stub, request, done);
        }

        @SuppressWarnings("unchecked")
        private static void call(final LedgerGrpc.LedgerStub stub, final Message request,
            final StreamObserver<?> done)
        {
            if (request instanceof EarnRequest)
            {
                stub.earn((EarnRequest)request, (StreamObserver<WriteResult>)done);
            }
            else if (request instanceof RedeemRequest)
            {
                stub.redeem((RedeemRequest)request, (StreamObserver<WriteResult>)done);
            }
            else if (request instanceof GetBalanceRequest)
            {
                stub.getBalance((GetBalanceRequest)request, (StreamObserver<Balance>)done);
            }
            else if (request instanceof CheckTierRequest)
            {
                stub.checkTier((CheckTierRequest)request, (StreamObserver<CheckTierResponse>)done);
            }
            else if (request instanceof ReverseRequest)
            {
                stub.reverse((ReverseRequest)request, (StreamObserver<WriteResult>)done);
            }
            else if (request instanceof HoldRequest)
            {
                stub.hold((HoldRequest)request, (StreamObserver<WriteResult>)done);
            }
            else if (request instanceof CaptureHoldRequest)
            {
                stub.captureHold((CaptureHoldRequest)request, (StreamObserver<WriteResult>)done);
            }
            else
            {
                stub.enroll((EnrollRequest)request, (StreamObserver<WriteResult>)done);
            }
        }

        @Override
        public void finish(final long timeoutNs) throws InterruptedException
        {
            if (inFlight.tryAcquire(options.concurrency, timeoutNs, TimeUnit.NANOSECONDS))
            {
                inFlight.release(options.concurrency);
            }
        }
    }

    /**
     * Submit streams in turn; a command waits (counted in its latency) while its stream is not ready.
     */
    private static final class Stream extends Channels
    {
        private static final int TRACKED = 1 << 20;
        private final List<ClientCallStreamObserver<Command>> streams = new ArrayList<>();
        private final long[] intendedByCorrelation = new long[TRACKED];
        private final byte[] typeByCorrelation = new byte[TRACKED];
        private final Message[] requestByCorrelation = new Message[TRACKED];
        private final AtomicLong outstanding = new AtomicLong();
        private final CountDownLatch completed;
        private long correlation;
        private int next;
        private final io.jifen.ledger.api.v1.CommandBatch.Builder gathered =
            io.jifen.ledger.api.v1.CommandBatch.newBuilder();
        private long gatherStartNs;
        private long batches;
        private final Thread lingerer;
        private volatile boolean finishing;

        @SuppressWarnings("unchecked")
        Stream(final LoadOptions options, final Completions completions)
        {
            super(options, completions);
            completed = new CountDownLatch(channels.size());
            for (final ManagedChannel channel : channels)
            {
                final ClientCallStreamObserver<Command>[] holder = new ClientCallStreamObserver[1];
                LedgerGrpc.newStub(channel).submit(new ClientResponseObserver<Command, CommandResult>()
                {
                    @Override
                    public void beforeStart(final ClientCallStreamObserver<Command> requests)
                    {
                        holder[0] = requests;
                    }

                    @Override
                    public void onNext(final CommandResult result)
                    {
                        if (result.hasBatch())
                        {
                            for (final CommandResult one : result.getBatch().getResultsList())
                            {
                                onNext(one);
                            }
                            return;
                        }
                        final int slot = (int)(result.getCorrelationId() & (TRACKED - 1));
                        final Message request = requestByCorrelation[slot];
                        requestByCorrelation[slot] = null;
                        completions.complete(request, typeByCorrelation[slot], intendedByCorrelation[slot],
                            Status.fromCodeValue(result.getCode()).getCode(),
                            result.hasWrite() && result.getWrite().getReplay(), result.getMessage());
                        outstanding.decrementAndGet();
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        failure = "a Submit stream failed: " + Status.fromThrowable(t);
                        completions.failed(failure);
                        completed.countDown();
                    }

                    @Override
                    public void onCompleted()
                    {
                        completed.countDown();
                    }
                });
                streams.add(holder[0]);
            }
            lingerer = new Thread(() ->
            {
                while (!finishing)
                {
                    LockSupport.parkNanos(options.lingerNs / 2);
                    flushIfLingered();
                }
            }, "load-batch-lingerer");
            lingerer.setDaemon(true);
            if (options.batch > 1)
            {
                lingerer.start();
            }
        }

        /** Why a stream failed; null while all are up. */
        private volatile String failure;

        @Override
        public String mode()
        {
            return "stream";
        }

        @Override
        public void send(final Message request, final int type, final long intendedNs)
        {
            final ClientCallStreamObserver<Command> stream = streams.get(Math.floorMod(next++, streams.size()));
            while (!stream.isReady() || outstanding.get() >= TRACKED / 2)
            {
                if (null != failure)
                {
                    // its commands will never be answered: waiting for them would wait for ever
                    throw new IllegalStateException(failure);
                }
                LockSupport.parkNanos(20_000);
            }
            final long id = ++correlation;
            final int slot = (int)(id & (TRACKED - 1));
            intendedByCorrelation[slot] = intendedNs;
            typeByCorrelation[slot] = (byte)type;
            requestByCorrelation[slot] = request;
            outstanding.incrementAndGet();
            final Command command = command(request, id);
            if (options.batch > 1)
            {
                gather(command, stream);
                return;
            }
            stream.onNext(command);
        }

        /**
         * Adds a command to the batch being gathered; the batch goes when full or when its first command has waited
         * the linger time (checked here and by the lingerer thread, so a slow rate does not hold a batch back).
         */
        private synchronized void gather(final Command command, final ClientCallStreamObserver<Command> stream)
        {
            if (gathered.getCommandsCount() == 0)
            {
                gatherStartNs = System.nanoTime();
            }
            gathered.addCommands(command);
            if (gathered.getCommandsCount() >= options.batch || System.nanoTime() - gatherStartNs >= options.lingerNs)
            {
                flush(stream);
            }
        }

        private synchronized void flush(final ClientCallStreamObserver<Command> stream)
        {
            if (gathered.getCommandsCount() > 0)
            {
                stream.onNext(Command.newBuilder().setCorrelationId(-(++batches)).setBatch(gathered).build());
                gathered.clear();
            }
        }

        private synchronized void flushIfLingered()
        {
            if (gathered.getCommandsCount() > 0 && System.nanoTime() - gatherStartNs >= options.lingerNs)
            {
                flush(streams.get(Math.floorMod(next++, streams.size())));
            }
        }

        static Command command(final Message request, final long id)
        {
            final Command.Builder command = Command.newBuilder().setCorrelationId(id);
            if (request instanceof EarnRequest)
            {
                command.setEarn((EarnRequest)request);
            }
            else if (request instanceof RedeemRequest)
            {
                command.setRedeem((RedeemRequest)request);
            }
            else if (request instanceof GetBalanceRequest)
            {
                command.setGetBalance((GetBalanceRequest)request);
            }
            else if (request instanceof CheckTierRequest)
            {
                command.setCheckTier((CheckTierRequest)request);
            }
            else if (request instanceof ReverseRequest)
            {
                command.setReverse((ReverseRequest)request);
            }
            else if (request instanceof HoldRequest)
            {
                command.setHold((HoldRequest)request);
            }
            else if (request instanceof CaptureHoldRequest)
            {
                command.setCaptureHold((CaptureHoldRequest)request);
            }
            else
            {
                command.setEnroll((EnrollRequest)request);
            }
            return command.build();
        }

        @Override
        public void finish(final long timeoutNs) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeoutNs;
            finishing = true;
            flush(streams.get(Math.floorMod(next++, streams.size())));
            while (outstanding.get() > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            for (final ClientCallStreamObserver<Command> stream : streams)
            {
                stream.onCompleted();
            }
            completed.await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The Java client ({@link io.jifen.ledger.client.LedgerClient}) on one channel, with --connections Submit streams:
     * each operation submitted alone, the client batching what arrives while its streams carry answers to come (up to
     * --batch commands a message, 512 when --batch is not set).
     */
    private static final class Client extends Channels
    {
        private final io.jifen.ledger.client.LedgerClient client;
        private final AtomicLong outstanding = new AtomicLong();

        Client(final LoadOptions options, final Completions completions)
        {
            super(options, completions);
            client = io.jifen.ledger.client.LedgerClient.onChannel(channels.get(0)).streams(options.connections)
                .maxBatch(options.batch > 1 ? options.batch : 512).build();
        }

        @Override
        public String mode()
        {
            return "client";
        }

        @Override
        public void send(final Message request, final int type, final long intendedNs)
        {
            outstanding.incrementAndGet();
            client.submit(Stream.command(request, 0)).whenComplete((result, failure) ->
            {
                if (null != failure)
                {
                    final Status status = Status.fromThrowable(failure);
                    completions.complete(request, type, intendedNs, status.getCode(), false, status.getDescription());
                }
                else
                {
                    completions.complete(request, type, intendedNs, Status.fromCodeValue(result.getCode()).getCode(),
                        result.hasWrite() && result.getWrite().getReplay(), result.getMessage());
                }
                outstanding.decrementAndGet();
            });
        }

        @Override
        public void finish(final long timeoutNs) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeoutNs;
            while (outstanding.get() > 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
        }

        @Override
        public void close() throws InterruptedException
        {
            client.close();
            super.close();
        }
    }
}
