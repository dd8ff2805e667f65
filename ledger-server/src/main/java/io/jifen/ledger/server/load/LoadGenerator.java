package io.jifen.ledger.server.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.Tier;
import io.jifen.ledger.api.v1.WriteResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code ledger load}: an open-loop load generator for any running ledger server.
 * <pre>
 *   sender thread: intended send times at the offered rate --&gt; unary RPCs (async stubs, a concurrency cap)
 *                                                          \-&gt; or Submit streams (client flow control)
 *   completions (gRPC threads) --&gt; Recorder: latency = completion - intended send time
 * </pre>
 * The sender never waits for an answer before the next intended time: a server that stalls shows up as latency,
 * not as a slower offered rate.
 */
public final class LoadGenerator
{
    static final int ENROLL = 0;
    static final int EARN = 1;
    static final int REDEEM = 2;
    static final int BALANCE = 3;
    static final int TIER = 4;
    static final int RETURN = 5;
    static final int RETRY = 6;
    static final String[] OP_NAMES = {"enroll", "earn", "redeem", "balance", "tier", "return", "retry"};
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long CALL_DEADLINE_S = 10;

    private final LoadOptions options;
    private final PrintStream out;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final ZipfSampler members;
    private final SplittableRandom random;
    /** 0 unknown, 1 enroll sent, 2 enrolled. */
    private final AtomicIntegerArray enrolled;
    private final AtomicReferenceArray<String> lastEarn;
    private final Recorder recorder = new Recorder(HIGHEST_NS, 3);
    private final Recorder[] opRecorders = new Recorder[OP_NAMES.length];
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong[] opCounts = new AtomicLong[OP_NAMES.length];
    private volatile String lastError = "";
    private volatile boolean measuring;
    private volatile long measureFromNs = Long.MIN_VALUE;
    private long sequence;
    private Message lastWrite;

    public LoadGenerator(final LoadOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
        this.members = new ZipfSampler(options.population, options.zipf);
        this.random = new SplittableRandom(options.seed);
        this.enrolled = new AtomicIntegerArray(options.population);
        this.lastEarn = new AtomicReferenceArray<>(options.population);
        for (int i = 0; i < OP_NAMES.length; i++)
        {
            opRecorders[i] = new Recorder(HIGHEST_NS, 3);
            opCounts[i] = new AtomicLong();
        }
    }

    /**
     * Runs warm-up then the measured period, prints a summary and writes the JSON and histogram files asked for.
     */
    public Summary run() throws IOException, InterruptedException
    {
        final List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < options.connections; i++)
        {
            channels.add(NettyChannelBuilder.forAddress(options.host, options.port).usePlaintext()
                .maxInboundMessageSize(4 << 20).build());
        }
        out.printf(Locale.ROOT, "ledger load: %s, %s ops/s%s for %.0f s (+%.0f s warm-up) against %s:%d, " +
            "population %d (zipf %.2f)%n", options.stream ? "Submit streams" : "unary RPCs", fmt(options.rate),
            options.rampTo > 0 ? " ramping to " + fmt(options.rampTo) : "", options.durationSeconds,
            options.warmupSeconds, options.host, options.port, options.population, options.zipf);
        final Sender sender = options.stream ? new StreamSender(channels) : new UnarySender(channels);
        final long warmupNs = (long)(options.warmupSeconds * 1e9);
        final long durationNs = (long)(options.durationSeconds * 1e9);
        final long start = System.nanoTime();
        final long measureFrom = start + warmupNs;
        measureFromNs = measureFrom;
        final long end = measureFrom + durationNs;
        final Histogram total = new Histogram(HIGHEST_NS, 3);
        Histogram interval = null;
        long intended = start;
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long sentAtMeasureStart = 0;
        measuring = warmupNs == 0;
        while (intended < end)
        {
            final long now = System.nanoTime();
            if (now < intended)
            {
                LockSupport.parkNanos(Math.min(intended - now, 200_000));
                continue;
            }
            if (!measuring && intended >= measureFrom)
            {
                measuring = true;
                recorder.reset();
                for (final Recorder r : opRecorders)
                {
                    r.reset();
                }
                sentAtMeasureStart = sent.get();
                resetCounters();
            }
            sender.send(nextOperation(), intended);
            sent.incrementAndGet();
            final double elapsed = Math.max(0, (double)(intended - measureFrom) / durationNs);
            final double rate = options.rampTo > 0 ? options.rate + (options.rampTo - options.rate) * elapsed :
                options.rate;
            intended += (long)(1e9 / rate);
            if (now >= nextReport)
            {
                interval = recorder.getIntervalHistogram(interval);
                if (measuring)
                {
                    total.add(interval);
                }
                if (options.progress)
                {
                    out.printf(Locale.ROOT, "\r%5.0f s  %9.0f ops/s  errors %d  p50 %s  p99 %s  p99.9 %s      ",
                        (now - start) / 1e9, interval.getTotalCount() / 1.0, errors.get(),
                        ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)),
                        ms(interval.getValueAtPercentile(99.9)));
                    out.flush();
                }
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
        }
        final long sendingEnded = System.nanoTime();
        sender.finish(TimeUnit.SECONDS.toNanos(CALL_DEADLINE_S + 5));
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        for (final ManagedChannel channel : channels)
        {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (options.progress)
        {
            out.println();
        }
        final Histogram[] perOp = new Histogram[OP_NAMES.length];
        for (int i = 0; i < OP_NAMES.length; i++)
        {
            perOp[i] = opRecorders[i].getIntervalHistogram();
        }
        final Summary summary = new Summary(options, sent.get() - sentAtMeasureStart,
            (sendingEnded - measureFrom) / 1e9, ok.get(), replays.get(), rejected.get(), errors.get(), total, perOp,
            opCounts, lastError);
        summary.print(out);
        if (null != options.json)
        {
            Files.writeString(options.json, summary.toJson(), StandardCharsets.UTF_8);
        }
        if (null != options.hdrLog)
        {
            try (PrintStream log = new PrintStream(Files.newOutputStream(options.hdrLog), true,
                StandardCharsets.UTF_8))
            {
                total.outputPercentileDistribution(log, 1000.0);
            }
        }
        return summary;
    }

    private void resetCounters()
    {
        ok.set(0);
        replays.set(0);
        rejected.set(0);
        errors.set(0);
        for (final AtomicLong count : opCounts)
        {
            count.set(0);
        }
    }

    /** The type of the operation {@link #nextOperation()} returned last. */
    private int lastType;

    /**
     * The next operation of the 'peak sale' mix, as a request message; its type in {@link #lastType}.
     */
    private Message nextOperation()
    {
        final int member = members.sample(random);
        final String memberId = "load-m" + member;
        if (enrolled.get(member) == 0 && enrolled.compareAndSet(member, 0, 1))
        {
            lastType = ENROLL;
            return EnrollRequest.newBuilder().setRequestId("load-" + runId + "-enroll-" + member)
                .setMemberId(memberId).build();
        }
        if (null != lastWrite && random.nextDouble() < options.retryShare)
        {
            lastType = RETRY;
            return lastWrite;
        }
        final int roll = random.nextInt(100);
        final String requestId = "load-" + runId + "-" + (++sequence);
        final Message message;
        if (roll < 70)
        {
            lastType = EARN;
            message = EarnRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setPoints(10 + random.nextInt(990)).setOrderId("order-" + sequence).build();
            lastEarn.set(member, requestId);
        }
        else if (roll < 80)
        {
            lastType = REDEEM;
            message = RedeemRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setPoints(1 + random.nextInt(200)).build();
        }
        else if (roll < 92)
        {
            lastType = BALANCE;
            return GetBalanceRequest.newBuilder().setMemberId(memberId).build();
        }
        else if (roll < 97)
        {
            lastType = TIER;
            return CheckTierRequest.newBuilder().setMemberId(memberId).setMinTier(Tier.TIER_SILVER).build();
        }
        else
        {
            final String original = lastEarn.get(member);
            if (null == original)
            {
                lastType = BALANCE;
                return GetBalanceRequest.newBuilder().setMemberId(memberId).build();
            }
            lastType = RETURN;
            message = ReverseRequest.newBuilder().setRequestId(requestId).setMemberId(memberId)
                .setOriginalRequestId(original).setPoints(1).setReason("return").build();
        }
        lastWrite = message;
        return message;
    }

    void record(final int type, final long intendedNs, final Status.Code code, final boolean replay,
        final String message)
    {
        if (intendedNs < measureFromNs)
        {
            return; // a warm-up operation answered after measuring began
        }
        final long latency = Math.min(System.nanoTime() - intendedNs, HIGHEST_NS);
        recorder.recordValue(latency);
        opRecorders[type].recordValue(latency);
        opCounts[type].incrementAndGet();
        if (code == Status.Code.OK)
        {
            ok.incrementAndGet();
            if (replay)
            {
                replays.incrementAndGet();
            }
        }
        else if (code == Status.Code.FAILED_PRECONDITION || code == Status.Code.NOT_FOUND ||
            code == Status.Code.ALREADY_EXISTS)
        {
            rejected.incrementAndGet();
        }
        else
        {
            errors.incrementAndGet();
            lastError = code + ": " + message;
        }
    }

    private void markEnrolled(final Message request, final Status.Code code)
    {
        if (request instanceof EnrollRequest && (code == Status.Code.OK || code == Status.Code.ALREADY_EXISTS))
        {
            final String memberId = ((EnrollRequest)request).getMemberId();
            enrolled.set(Integer.parseInt(memberId.substring("load-m".length())), 2);
        }
    }

    private static String fmt(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }

    static String ms(final long nanos)
    {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private interface Sender
    {
        void send(Message request, long intendedNs);

        void finish(long timeoutNs) throws InterruptedException;
    }

    /**
     * One async RPC per operation, channels in turn, at most --concurrency in flight.
     */
    private final class UnarySender implements Sender
    {
        private final LedgerGrpc.LedgerStub[] stubs;
        private final Semaphore inFlight = new Semaphore(options.concurrency);
        private int next;

        UnarySender(final List<ManagedChannel> channels)
        {
            stubs = new LedgerGrpc.LedgerStub[channels.size()];
            for (int i = 0; i < stubs.length; i++)
            {
                stubs[i] = LedgerGrpc.newStub(channels.get(i));
            }
        }

        @Override
        public void send(final Message request, final long intendedNs)
        {
            inFlight.acquireUninterruptibly();
            final int type = lastType;
            final LedgerGrpc.LedgerStub stub =
                stubs[next++ % stubs.length].withDeadlineAfter(CALL_DEADLINE_S, TimeUnit.SECONDS);
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
                    markEnrolled(request, status.getCode());
                    record(type, intendedNs, status.getCode(), false, status.getDescription());
                    inFlight.release();
                }

                @Override
                public void onCompleted()
                {
                    markEnrolled(request, Status.Code.OK);
                    record(type, intendedNs, Status.Code.OK, replay, null);
                    inFlight.release();
                }
            };
            call(stub, request, done);
        }

        @SuppressWarnings("unchecked")
        private void call(final LedgerGrpc.LedgerStub stub, final Message request, final StreamObserver<?> done)
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
                stub.getBalance((GetBalanceRequest)request, (StreamObserver<io.jifen.ledger.api.v1.Balance>)done);
            }
            else if (request instanceof CheckTierRequest)
            {
                stub.checkTier((CheckTierRequest)request,
                    (StreamObserver<io.jifen.ledger.api.v1.CheckTierResponse>)done);
            }
            else if (request instanceof ReverseRequest)
            {
                stub.reverse((ReverseRequest)request, (StreamObserver<WriteResult>)done);
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
    private final class StreamSender implements Sender
    {
        private static final int TRACKED = 1 << 20;
        private final List<ClientCallStreamObserver<Command>> streams = new ArrayList<>();
        private final long[] intendedByCorrelation = new long[TRACKED];
        private final byte[] typeByCorrelation = new byte[TRACKED];
        private final Message[] requestByCorrelation = new Message[TRACKED];
        private final AtomicLong outstanding = new AtomicLong();
        private final java.util.concurrent.CountDownLatch completed =
            new java.util.concurrent.CountDownLatch(options.connections);
        private long correlation;
        private int next;

        StreamSender(final List<ManagedChannel> channels)
        {
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
                        final int slot = (int)(result.getCorrelationId() & (TRACKED - 1));
                        final Status.Code code = Status.fromCodeValue(result.getCode()).getCode();
                        markEnrolled(requestByCorrelation[slot], code);
                        requestByCorrelation[slot] = null;
                        record(typeByCorrelation[slot], intendedByCorrelation[slot], code,
                            result.hasWrite() && result.getWrite().getReplay(), result.getMessage());
                        outstanding.decrementAndGet();
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        errors.incrementAndGet();
                        lastError = "stream failed: " + Status.fromThrowable(t);
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
        }

        @Override
        public void send(final Message request, final long intendedNs)
        {
            final ClientCallStreamObserver<Command> stream = streams.get(next++ % streams.size());
            while (!stream.isReady() || outstanding.get() >= TRACKED / 2)
            {
                LockSupport.parkNanos(20_000);
            }
            final long id = ++correlation;
            final int slot = (int)(id & (TRACKED - 1));
            intendedByCorrelation[slot] = intendedNs;
            typeByCorrelation[slot] = (byte)lastType;
            requestByCorrelation[slot] = request;
            outstanding.incrementAndGet();
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
            else
            {
                command.setEnroll((EnrollRequest)request);
            }
            stream.onNext(command.build());
        }

        @Override
        public void finish(final long timeoutNs) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeoutNs;
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
}
