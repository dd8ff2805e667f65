package io.jifen.ledger.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.CommandBatchResult;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandValidator;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.pipeline.LedgerPipeline;
import io.jifen.ledger.pipeline.ResultListener;

/**
 * One Submit stream. At most {@link #WINDOW} messages are in the pipeline at once: the stream asks gRPC for more only
 * when results have been sent and the client is reading (isReady), so a client that stops reading results stops being
 * read, and nothing queues without bound. A message is one command, or a batch of up to {@link #BATCH_MAX} commands
 * that enter the ring one after another and are answered together, so the per-message cost of HTTP/2 framing, flushes
 * and wake-ups is paid once per batch. Results are sent from the reply thread and, for commands refused at the edge,
 * from the transport thread: sending is serialized on this object.
 */
final class SubmitStream implements StreamObserver<io.jifen.ledger.api.v1.Command>, ResultListener
{
    /** Messages a Submit stream may have in the pipeline at once: its read window. */
    static final int WINDOW = LedgerService.SUBMIT_WINDOW;
    /** Commands in one batch at most. */
    static final int BATCH_MAX = 4096;
    /** Commands of a stream's batches in the ledger at once, at most (a batch past it is refused whole). */
    static final int COMMANDS_WINDOW = 32_768;
    private static final ThreadLocal<Command> SCRATCH = ThreadLocal.withInitial(Command::new);

    private final LedgerPipeline pipeline;
    private final Admission admission;
    private final Metrics metrics;
    private final long deadline;
    /** Commands of all Submit streams in the ring, and the most they may be (a share of the ring). */
    private final AtomicInteger submitInFlight;
    private final int submitInFlightMax;
    private final ServerCallStreamObserver<CommandResult> out;
    /** Whether the stream's caller may send a command: OK, or why not (its API key's role or programs). */
    private final Function<Command, ResultCode> authorize;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Commands of this stream's batches not yet answered. */
    private final AtomicInteger batchedInFlight = new AtomicInteger();
    private int owedRequests;
    private boolean clientDone;
    private boolean finished;

    SubmitStream(final LedgerPipeline pipeline, final Admission admission, final Metrics metrics,
        final AtomicInteger submitInFlight, final int submitInFlightMax,
        final ServerCallStreamObserver<CommandResult> out, final Function<Command, ResultCode> authorize)
    {
        this.metrics = metrics;
        this.admission = admission;
        this.deadline = Admission.deadlineNanos(System.nanoTime()); // the stream's, if its client gave one
        this.authorize = authorize;
        this.pipeline = pipeline;
        this.submitInFlight = submitInFlight;
        this.submitInFlightMax = submitInFlightMax;
        this.out = out;
        out.disableAutoRequest();
        out.setOnReadyHandler(this::onReady);
        out.setOnCancelHandler(() ->
        {
            synchronized (this)
            {
                finished = true;
            }
        });
        out.request(WINDOW);
    }

    @Override
    public void onNext(final io.jifen.ledger.api.v1.Command message)
    {
        inFlight.incrementAndGet();
        if (message == Payloads.MALFORMED_COMMAND)
        {
            // a frame that did not parse has no correlation id to answer by: 0, and the stream goes on
            final io.grpc.Status status = Payloads.error("Submit").getStatus();
            emit(CommandResult.newBuilder().setCode(status.getCode().value()).setMessage(status.getDescription())
                .setReason(Payloads.REASON).build());
            return;
        }
        if (message.hasBatch())
        {
            metrics.submitBatch(message.getBatch().getCommandsCount());
            batch(message);
            return;
        }
        metrics.submitBatch(1);
        final Command command = toCommand(message, SCRATCH.get());
        final ResultCode refused = publish(command, this, message.getCorrelationId(), true);
        if (refused != ResultCode.OK)
        {
            emit(result(message.getCorrelationId(), refused(command, refused)));
        }
    }

    /** Publishes each command of a batch; one message answers them all when the last is answered. */
    private void batch(final io.jifen.ledger.api.v1.Command message)
    {
        final int count = message.getBatch().getCommandsCount();
        final boolean nested = message.getBatch().getCommandsList().stream().anyMatch(c -> c.hasBatch());
        if (count < 1 || count > BATCH_MAX || nested)
        {
            emit(CommandResult.newBuilder().setCorrelationId(message.getCorrelationId())
                .setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value())
                .setMessage("batch: must hold 1.." + BATCH_MAX + " commands, none a batch itself, not " + count +
                    (nested ? " with a batch among them" : "") + " [BATCH_INVALID]")
                .setReason("BATCH_INVALID")
                .build());
            return;
        }
        if (batchedInFlight.addAndGet(count) > COMMANDS_WINDOW)
        {
            // the read window counts messages: this bounds what a stream's batches hold, and the answers they queue
            batchedInFlight.addAndGet(-count);
            emit(CommandResult.newBuilder().setCorrelationId(message.getCorrelationId())
                .setCode(io.grpc.Status.Code.RESOURCE_EXHAUSTED.value())
                .setMessage("batch: the stream has " + COMMANDS_WINDOW + " commands in the ledger at most; send the " +
                    "batch again when answers have come back [STREAM_WINDOW_FULL]")
                .setReason("STREAM_WINDOW_FULL")
                .build());
            return;
        }
        final Batch batch = new Batch(message.getCorrelationId(), count);
        // a batch is let in or shed whole: never some of its commands, out of their order
        final long retryAfterMs = admission.admit(false, deadline);
        for (int i = 0; i < count; i++)
        {
            final io.jifen.ledger.api.v1.Command inner = message.getBatch().getCommands(i);
            batch.correlations[i] = inner.getCorrelationId();
            final Command command = toCommand(inner, SCRATCH.get());
            final ResultCode refused = retryAfterMs > 0 ? shed(command, retryAfterMs) :
                publish(command, batch, i, false);
            if (refused != ResultCode.OK)
            {
                batch.answered(i, result(inner.getCorrelationId(), refused(command, refused)));
            }
        }
    }

    /** @return OVERLOADED, with the retry hint on the command (null: not a command). */
    private static ResultCode shed(final Command command, final long retryAfterMs)
    {
        if (null == command)
        {
            return ResultCode.COMMAND_INVALID;
        }
        command.resultDetail = retryAfterMs;
        return ResultCode.OVERLOADED;
    }

    /**
     * @param admit whether to pass the command through admission here (a batch's commands passed it together).
     * @return OK if the command entered the ring (its answer comes to {@code listener}), else why not.
     */
    private ResultCode publish(final Command command, final ResultListener listener, final long correlationId,
        final boolean admit)
    {
        final ResultCode allowed = null == command ? ResultCode.COMMAND_INVALID : authorize.apply(command);
        final ResultCode invalid = allowed != ResultCode.OK ? allowed : CommandValidator.validate(command);
        if (invalid != ResultCode.OK)
        {
            return invalid;
        }
        final long retryAfterMs = admit ? admission.admit(command.type.isRead(), deadline) : 0;
        if (retryAfterMs > 0)
        {
            return shed(command, retryAfterMs);
        }
        if (submitInFlight.incrementAndGet() > submitInFlightMax)
        {
            submitInFlight.decrementAndGet();
            return ResultCode.RING_FULL;
        }
        final ResultCode published = pipeline.tryPublish(command, listener, correlationId, deadline);
        if (published != ResultCode.OK)
        {
            submitInFlight.decrementAndGet();
        }
        return published;
    }

    private static Command refused(final Command command, final ResultCode code)
    {
        final Command refused = null == command ? SCRATCH.get().clear() : command;
        refused.result = code;
        return refused;
    }

    private static Command toCommand(final io.jifen.ledger.api.v1.Command m, final Command c)
    {
        switch (m.getCommandCase())
        {
            case ENROLL: return Commands.enroll(m.getEnroll(), c);
            case EARN: return Commands.earn(m.getEarn(), c);
            case REDEEM: return Commands.redeem(m.getRedeem(), c);
            case REVERSE: return Commands.reverse(m.getReverse(), c);
            case ADJUST: return Commands.adjust(m.getAdjust(), c);
            case SET_MEMBER_STATUS: return Commands.setStatus(m.getSetMemberStatus(), c);
            case GET_BALANCE: return Commands.getBalance(m.getGetBalance(), c);
            case CHECK_TIER: return Commands.checkTier(m.getCheckTier(), c);
            case HOLD: return Commands.hold(m.getHold(), c);
            case CAPTURE_HOLD: return Commands.captureHold(m.getCaptureHold(), c);
            case RELEASE_HOLD: return Commands.releaseHold(m.getReleaseHold(), c);
            case SET_TIER: return Commands.setTier(m.getSetTier(), c);
            case TRANSFER: return Commands.transfer(m.getTransfer(), c);
            case EXCHANGE: return Commands.exchange(m.getExchange(), c);
            case GET_MEMBER: return Commands.getMember(m.getGetMember(), c);
            case IMPORT_ROW: return Commands.importRow(m.getImportRow(), c);
            default: return null;
        }
    }

    /** The pipeline's answer to a single command this stream published. */
    @Override
    public void onResult(final long correlationId, final Command c)
    {
        submitInFlight.decrementAndGet();
        emit(result(correlationId, c));
    }

    /** A command's answer as Submit sends it: built on the thread that has it (the reply thread reuses c after). */
    private static CommandResult result(final long correlationId, final Command c)
    {
        final CommandResult.Builder result = CommandResult.newBuilder().setCorrelationId(correlationId);
        if (c.result == ResultCode.OK)
        {
            // exhaustive, no default: a new command type that Submit does not answer does not compile
            final CommandResult.Builder answered = switch (c.type)
            {
                case GET_BALANCE -> result.setBalance(Results.balance(c));
                case CHECK_TIER -> result.setTier(Results.checkTier(c));
                case GET_MEMBER -> result.setMember(Results.member(c));
                case ENROLL, EARN, REDEEM, REVERSE, ADJUST, SET_STATUS, HOLD, CAPTURE_HOLD, RELEASE_HOLD, SET_TIER,
                    TRANSFER, EXCHANGE, IMPORT -> result.setWrite(Results.writeResult(c));
                case LIST_LOTS, LIST_EXPIRING, EXPIRE_TICK, SET_PROGRAM ->
                    throw new IllegalStateException("not a Submit command: " + c.type); // toCommand never makes one
            };
            assert answered == result;
        }
        else
        {
            final io.grpc.Status status = Results.status(c);
            result.setCode(status.getCode().value()).setMessage(status.getDescription()).setReason(c.result.name());
        }
        return result.build();
    }

    /** Sends the answer to one message (a command or a batch), and hands read credit back in chunks. */
    private void emit(final CommandResult message)
    {
        synchronized (this)
        {
            if (finished)
            {
                return;
            }
            out.onNext(message);
            // a full window of results either reaches the client or is held for it: the chunk never stalls
            if (++owedRequests >= LedgerService.SUBMIT_REQUEST_CHUNK && out.isReady())
            {
                out.request(owedRequests);
                owedRequests = 0;
            }
            if (inFlight.decrementAndGet() == 0 && clientDone)
            {
                finished = true;
                out.onCompleted();
            }
        }
    }

    private synchronized void onReady()
    {
        if (owedRequests > 0 && !finished)
        {
            out.request(owedRequests);
            owedRequests = 0;
        }
    }

    @Override
    public synchronized void onError(final Throwable t)
    {
        finished = true;
    }

    @Override
    public synchronized void onCompleted()
    {
        clientDone = true;
        if (inFlight.get() == 0 && !finished)
        {
            finished = true;
            out.onCompleted();
        }
    }

    /** A batch in the pipeline: its commands' answers by position; the last one in sends them all. */
    private final class Batch implements ResultListener
    {
        private final long correlationId;
        private final long[] correlations;
        private final CommandResult[] results;
        private final AtomicInteger left;

        Batch(final long correlationId, final int count)
        {
            this.correlationId = correlationId;
            this.correlations = new long[count];
            this.results = new CommandResult[count];
            this.left = new AtomicInteger(count);
        }

        @Override
        public void onResult(final long index, final Command c)
        {
            submitInFlight.decrementAndGet();
            answered((int)index, result(correlations[(int)index], c));
        }

        void answered(final int index, final CommandResult result)
        {
            results[index] = result;
            if (left.decrementAndGet() == 0) // the decrement publishes every result written before it
            {
                batchedInFlight.addAndGet(-results.length);
                final CommandBatchResult.Builder batch = CommandBatchResult.newBuilder();
                for (final CommandResult r : results)
                {
                    batch.addResults(r);
                }
                emit(CommandResult.newBuilder().setCorrelationId(correlationId).setBatch(batch).build());
            }
        }
    }
}
