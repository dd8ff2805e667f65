package io.jifen.ledger.client;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.LedgerGrpc;

/**
 * A client of the ledger's {@code Submit} stream that batches on its own: callers submit one command at a time, from
 * as many threads as they like, and the client sends whatever has gathered as one message (a {@code CommandBatch})
 * whenever a stream has room, so the per-message cost of HTTP/2 and protobuf is paid once per batch under load and a
 * lone command is not held back when the load is light. There is no timer: a stream carries at most
 * {@link Builder#maxInFlight} unanswered messages, and what arrives meanwhile waits for the next one (as TigerBeetle's
 * clients batch).
 * <pre>
 * try (LedgerClient client = LedgerClient.forTarget("ledger.example:9090").tls(caFile).apiKey(key).build())
 * {
 *     CommandResult result = client.submit(Command.newBuilder().setEarn(earn).build()).join();
 *     if (result.getCode() != 0) { ... result.getReason() ... }
 * }
 * </pre>
 * <ul>
 *   <li>Every command gets its own {@link CommandResult}: {@code code} 0 or the status a unary call would have failed
 *       with, and its stable {@code reason}. A batch is not atomic; each command succeeds or fails on its own.</li>
 *   <li>Commands about the same member ({@code member_id} and {@code program_id}) go on the same stream in the order
 *       {@link #submit} was called, so the ledger applies them in that order: an enrollment and the earns after it
 *       can be submitted without waiting. Commands about different members may be applied in any order.</li>
 *   <li>The future completes exceptionally ({@link io.grpc.StatusRuntimeException}) only when the stream broke before
 *       the command's result arrived: the command may or may not have been applied. Submit it again with the same
 *       {@code request_id}; the ledger applies a write once and answers a retry as a replay. The client does not
 *       retry on its own, and a broken stream is opened again at the next message.</li>
 *   <li>{@link #submit} blocks while {@link Builder#maxPending} commands are unanswered, so a caller faster than the
 *       ledger is slowed down rather than queueing without bound.</li>
 * </ul>
 * Thread-safe. Its tests run in the server's module, against a real server ({@code LedgerClientIT}).
 */
public final class LedgerClient implements AutoCloseable
{
    /** The most commands the server takes in one message. */
    public static final int BATCH_MAX = 4096;
    /**
     * The most bytes of commands in one message: the server takes messages of up to 1 MiB; the rest is room for the
     * batch's own framing.
     */
    static final int BATCH_BYTES_MAX = 1_000_000;
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel owned;
    private final Lane[] lanes;
    private final int maxPending;
    private final Semaphore pending;
    private final AtomicLong correlations = new AtomicLong();
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder commandsSent = new LongAdder();
    private final Duration closeTimeout;
    private volatile boolean closed;

    private LedgerClient(final Builder builder)
    {
        final ManagedChannel channel = null != builder.channel ? builder.channel :
            Grpc.newChannelBuilder(builder.target, builder.credentials).build();
        owned = null != builder.channel ? null : channel;
        final Channel calls = null == builder.apiKey ? channel : ClientInterceptors.intercept(channel,
            MetadataUtils.newAttachHeadersInterceptor(bearer(builder.apiKey)));
        maxPending = builder.maxPending;
        pending = new Semaphore(maxPending);
        closeTimeout = builder.closeTimeout;
        lanes = new Lane[builder.streams];
        for (int i = 0; i < lanes.length; i++)
        {
            lanes[i] = new Lane(this, LedgerGrpc.newStub(calls), builder.maxBatch, builder.maxInFlight);
        }
    }

    private static Metadata bearer(final String apiKey)
    {
        final Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + apiKey);
        return headers;
    }

    /** A client of the server at {@code host:port} (plaintext unless {@link Builder#tls} is set). */
    public static Builder forTarget(final String target)
    {
        return new Builder(target, null);
    }

    /** A client on a channel the caller built (and closes: {@link #close} leaves it open). */
    public static Builder onChannel(final ManagedChannel channel)
    {
        return new Builder(null, channel);
    }

    /**
     * Sends a command (any but a batch: the client makes the batches) and answers its result. Its
     * {@code correlation_id} is the client's to set: whatever it holds is replaced. It waits while
     * {@link Builder#maxPending} commands are unanswered; so do not call it from a callback of another command's
     * future running on the channel's own threads (a channel with a direct executor, say): the answers it would wait
     * for come on those threads.
     *
     * @throws IllegalArgumentException if the command is a batch or holds no command.
     * @throws IllegalStateException if the client is closed.
     */
    public CompletableFuture<CommandResult> submit(final Command command)
    {
        final int member = laneKey(command);
        if (closed)
        {
            throw new IllegalStateException("the client is closed");
        }
        pending.acquireUninterruptibly();
        final Pending item = new Pending(correlations.incrementAndGet(), command);
        item.future.whenComplete((result, failure) -> pending.release());
        lanes[Math.floorMod(member, lanes.length)].add(item);
        return item.future;
    }

    /** The key a command is ordered by (its lane): its member, in its program. */
    private static int laneKey(final Command c)
    {
        return switch (c.getCommandCase())
        {
            case ENROLL -> key(c.getEnroll().getMemberId(), c.getEnroll().getProgramId());
            case EARN -> key(c.getEarn().getMemberId(), c.getEarn().getProgramId());
            case REDEEM -> key(c.getRedeem().getMemberId(), c.getRedeem().getProgramId());
            case REVERSE -> key(c.getReverse().getMemberId(), c.getReverse().getProgramId());
            case ADJUST -> key(c.getAdjust().getMemberId(), c.getAdjust().getProgramId());
            case SET_MEMBER_STATUS -> key(c.getSetMemberStatus().getMemberId(), c.getSetMemberStatus().getProgramId());
            case GET_BALANCE -> key(c.getGetBalance().getMemberId(), c.getGetBalance().getProgramId());
            case CHECK_TIER -> key(c.getCheckTier().getMemberId(), c.getCheckTier().getProgramId());
            case HOLD -> key(c.getHold().getMemberId(), c.getHold().getProgramId());
            case CAPTURE_HOLD -> key(c.getCaptureHold().getMemberId(), c.getCaptureHold().getProgramId());
            case RELEASE_HOLD -> key(c.getReleaseHold().getMemberId(), c.getReleaseHold().getProgramId());
            case SET_TIER -> key(c.getSetTier().getMemberId(), c.getSetTier().getProgramId());
            case TRANSFER -> key(c.getTransfer().getMemberId(), c.getTransfer().getProgramId());
            case GET_MEMBER -> key(c.getGetMember().getMemberId(), c.getGetMember().getProgramId());
            case EXCHANGE -> key(c.getExchange().getMemberId(), c.getExchange().getProgramId());
            case IMPORT_ROW -> key(c.getImportRow().getMemberId(), c.getImportRow().getProgramId());
            case BATCH -> throw new IllegalArgumentException("command: a batch; submit its commands one by one " +
                "(the client makes the batches)");
            case COMMAND_NOT_SET -> throw new IllegalArgumentException("command: not set");
        };
    }

    private static int key(final String memberId, final String programId)
    {
        return 31 * memberId.hashCode() + programId.hashCode(); // no string built per command
    }

    /** What the client has sent since it was built: messages, and the commands in them. */
    public record Stats(long messages, long commands)
    {
    }

    public Stats stats()
    {
        return new Stats(messagesSent.sum(), commandsSent.sum());
    }

    void sent(final int commands)
    {
        messagesSent.increment();
        commandsSent.add(commands);
    }

    long nextCorrelation()
    {
        return correlations.incrementAndGet();
    }

    /**
     * Refuses new commands, waits up to the close timeout (30 s unless set) for every result (what has gathered goes
     * as the answers before it come), then ends the streams and shuts down the channel it built. Results that have
     * not come by then fail with UNAVAILABLE.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        boolean answered = false;
        try
        {
            answered = pending.tryAcquire(maxPending, closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final Lane lane : lanes)
        {
            lane.close(answered ? null : Status.UNAVAILABLE.withDescription(
                "the client closed before the result came (" + closeTimeout + ")"));
        }
        if (answered)
        {
            pending.release(maxPending); // a submit racing the close gets past the wait, and is refused by its lane
        }
        if (null != owned)
        {
            owned.shutdown();
            try
            {
                if (!owned.awaitTermination(5, TimeUnit.SECONDS))
                {
                    owned.shutdownNow();
                }
            }
            catch (final InterruptedException ex)
            {
                owned.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A command submitted and its result to come. */
    static final class Pending
    {
        final long correlationId;
        final Command command;
        final int bytes;
        final CompletableFuture<CommandResult> future = new CompletableFuture<>();

        Pending(final long correlationId, final Command command)
        {
            this.correlationId = correlationId;
            this.command = command.toBuilder().setCorrelationId(correlationId).build();
            this.bytes = this.command.getSerializedSize();
        }
    }

    /**
     * How a client is made. The defaults suit a server on the same network: 2 streams, up to 512 commands a message,
     * 2 messages in flight a stream, 16,384 commands unanswered at most.
     */
    public static final class Builder
    {
        private final String target;
        private final ManagedChannel channel;
        private ChannelCredentials credentials = InsecureChannelCredentials.create();
        private String apiKey;
        private int streams = 2;
        private int maxBatch = 512;
        private int maxInFlight = 2;
        private int maxPending = 16_384;
        private Duration closeTimeout = Duration.ofSeconds(30);

        private Builder(final String target, final ManagedChannel channel)
        {
            if (null == channel && (null == target || target.isBlank()))
            {
                throw new IllegalArgumentException("target: empty (host:port)");
            }
            this.target = target;
            this.channel = channel;
        }

        /** TLS, trusting the certificates (PEM) in this file: the server's own or its authority's. */
        public Builder tls(final File trustedCertificates)
        {
            requireTarget("tls");
            try
            {
                credentials = TlsChannelCredentials.newBuilder().trustManager(trustedCertificates).build();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("tls: cannot read " + trustedCertificates, ex);
            }
            return this;
        }

        /** Sends {@code authorization: Bearer KEY} with every stream (a server with --api-keys). */
        public Builder apiKey(final String key)
        {
            if (null == key || key.isBlank())
            {
                throw new IllegalArgumentException("apiKey: empty");
            }
            apiKey = key;
            return this;
        }

        /** Submit streams to spread the members over (1 to 64). */
        public Builder streams(final int count)
        {
            streams = within("streams", count, 1, 64);
            return this;
        }

        /** The most commands in one message (1 to {@value LedgerClient#BATCH_MAX}). */
        public Builder maxBatch(final int commands)
        {
            maxBatch = within("maxBatch", commands, 1, BATCH_MAX);
            return this;
        }

        /** Unanswered messages a stream may carry (1 to 64); what is submitted meanwhile gathers for the next. */
        public Builder maxInFlight(final int messages)
        {
            maxInFlight = within("maxInFlight", messages, 1, 64);
            return this;
        }

        /** Commands submitted and not yet answered, at most (1 to 1,048,576); {@link #submit} waits beyond. */
        public Builder maxPending(final int commands)
        {
            maxPending = within("maxPending", commands, 1, 1 << 20);
            return this;
        }

        /** How long {@link LedgerClient#close} waits for outstanding results. */
        public Builder closeTimeout(final Duration timeout)
        {
            if (null == timeout || timeout.isNegative())
            {
                throw new IllegalArgumentException("closeTimeout: " + timeout);
            }
            closeTimeout = timeout;
            return this;
        }

        public LedgerClient build()
        {
            return new LedgerClient(this);
        }

        private void requireTarget(final String option)
        {
            if (null != channel)
            {
                throw new IllegalStateException(option + ": set on the channel given to onChannel");
            }
        }

        private static int within(final String option, final int value, final int min, final int max)
        {
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(option + ": " + value + " is not within " + min + ".." + max);
            }
            return value;
        }
    }

    /** Collects completions to run after a lane's lock is released (a caller's callback may submit again). */
    static final class Completions
    {
        private final List<Runnable> actions = new ArrayList<>();

        void result(final Pending item, final CommandResult result)
        {
            actions.add(() -> item.future.complete(result));
        }

        void failure(final Pending item, final Throwable failure)
        {
            actions.add(() -> item.future.completeExceptionally(failure));
        }

        void run()
        {
            for (final Runnable action : actions)
            {
                action.run();
            }
        }
    }
}
