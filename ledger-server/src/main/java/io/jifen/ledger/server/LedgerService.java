package io.jifen.ledger.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.AdjustRequest;
import io.jifen.ledger.api.v1.AdvanceClockRequest;
import io.jifen.ledger.api.v1.AdvanceClockResponse;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.CheckTierResponse;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.GetMemberRequest;
import io.jifen.ledger.api.v1.Member;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.ImportRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListExpiringRequest;
import io.jifen.ledger.api.v1.ListExpiringResponse;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListHistoryResponse;
import io.jifen.ledger.api.v1.ListLotsRequest;
import io.jifen.ledger.api.v1.PutProgramRequest;
import io.jifen.ledger.api.v1.PutProgramResponse;
import io.jifen.ledger.api.v1.ListLotsResponse;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReleaseHoldRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.SetMemberStatusRequest;
import io.jifen.ledger.api.v1.SetTierRequest;
import io.jifen.ledger.api.v1.SubscribeRequest;
import io.jifen.ledger.api.v1.TransferRequest;
import io.jifen.ledger.api.v1.ExchangeRequest;
import io.jifen.ledger.api.v1.WriteResult;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.CommandValidator;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.pipeline.LedgerPipeline;
import io.jifen.ledger.pipeline.ResultListener;

/**
 * The gRPC face of the ledger: it only translates. A request becomes a {@link Command} in a per-thread scratch
 * slot, is checked at the edge ({@link CommandValidator}: a bad field is answered at once and never enters the
 * pipeline), then copied into the ring; the answer comes back through a {@link ResultListener} on the pipeline's
 * reply thread once the write is journaled.
 */
final class LedgerService extends LedgerGrpc.LedgerImplBase
{
    /** Commands a Submit stream may have in the pipeline at once: its share of the ring, and its read window. */
    static final int SUBMIT_WINDOW = 4096;
    /**
     * Share of the ring all Submit streams together may hold, so batch ingestion never crowds out POS calls: beyond
     * it a stream's commands are answered RESOURCE_EXHAUSTED.
     */
    private final int submitInFlightMax;
    private final AtomicInteger submitInFlight = new AtomicInteger();
    /** Read credit is handed back to gRPC in chunks of this many results, not one message at a time. */
    static final int SUBMIT_REQUEST_CHUNK = 64;

    private static final ThreadLocal<Command> SCRATCH = ThreadLocal.withInitial(Command::new);
    private final EventStreams events;
    private final MemberStatements statements;
    /** The test clock of a sandbox; null in production, where AdvanceClock is refused. */
    private final SandboxClock sandboxClock;

    private final LedgerPipeline pipeline;
    private final Admission admission;
    private final Metrics metrics;
    /** Whether calls carry a {@link Caller} (API keys), and the first program's name (what an empty program_id is). */
    private final boolean keysConfigured;
    private final String firstProgram;

    LedgerService(final LedgerPipeline pipeline, final EventStreams events, final MemberStatements statements,
        final SandboxClock sandboxClock, final boolean keysConfigured, final String firstProgram,
        final Admission admission, final Metrics metrics)
    {
        this.admission = admission;
        this.metrics = metrics;
        this.keysConfigured = keysConfigured;
        this.firstProgram = firstProgram;
        this.pipeline = pipeline;
        this.events = events;
        this.statements = statements;
        this.sandboxClock = sandboxClock;
        this.submitInFlightMax = pipeline.ringSize() / 2;
    }

    @Override
    public void enroll(final EnrollRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.enroll(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void earn(final EarnRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.earn(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void importRow(final ImportRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.importRow(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void redeem(final RedeemRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.redeem(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void hold(final HoldRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.hold(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void captureHold(final CaptureHoldRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.captureHold(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void releaseHold(final ReleaseHoldRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.releaseHold(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void reverse(final ReverseRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.reverse(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void adjust(final AdjustRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.adjust(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void setMemberStatus(final SetMemberStatusRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.setStatus(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void transfer(final TransferRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.transfer(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void exchange(final ExchangeRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.exchange(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void setTier(final SetTierRequest request, final StreamObserver<WriteResult> observer)
    {
        unary(Commands.setTier(request, SCRATCH.get()), observer, Results::writeResult);
    }

    @Override
    public void getMember(final GetMemberRequest request, final StreamObserver<Member> observer)
    {
        unary(Commands.getMember(request, SCRATCH.get()), observer, Results::member);
    }

    @Override
    public void getBalance(final GetBalanceRequest request, final StreamObserver<Balance> observer)
    {
        unary(Commands.getBalance(request, SCRATCH.get()), observer, Results::balance);
    }

    @Override
    public void checkTier(final CheckTierRequest request, final StreamObserver<CheckTierResponse> observer)
    {
        unary(Commands.checkTier(request, SCRATCH.get()), observer, Results::checkTier);
    }

    @Override
    public void listLots(final ListLotsRequest request, final StreamObserver<ListLotsResponse> observer)
    {
        unary(Commands.listLots(request, SCRATCH.get()), observer, Results::listLots);
    }

    @Override
    public void listExpiring(final ListExpiringRequest request, final StreamObserver<ListExpiringResponse> observer)
    {
        unary(Commands.listExpiring(request, SCRATCH.get()), observer, Results::listExpiring);
    }

    @Override
    public void advanceClock(final AdvanceClockRequest request, final StreamObserver<AdvanceClockResponse> observer)
    {
        if (denied(Caller.Access.ADMIN, null, observer, true))
        {
            return;
        }
        if (null == sandboxClock)
        {
            observer.onError(Errors.of(Status.Code.FAILED_PRECONDITION, "NOT_A_SANDBOX", null, "the server is not a " +
                "sandbox: its ledger time is the wall clock (start a sandbox with ledger serve --sandbox)"));
            return;
        }
        final long now;
        try
        {
            now = sandboxClock.advance(request.getAdvanceMs());
        }
        catch (final IllegalArgumentException ex)
        {
            observer.onError(Errors.of(Status.Code.INVALID_ARGUMENT, "ADVANCE_MS_INVALID", "advance_ms",
                ex.getMessage()));
            return;
        }
        catch (final java.io.UncheckedIOException ex)
        {
            observer.onError(Errors.of(Status.Code.UNAVAILABLE, "CLOCK_NOT_SAVED", null, ex.getMessage()));
            return;
        }
        observer.onNext(AdvanceClockResponse.newBuilder().setClockMs(now).build());
        observer.onCompleted();
    }

    @Override
    public void listHistory(final ListHistoryRequest request, final StreamObserver<ListHistoryResponse> observer)
    {
        if (!denied(Caller.Access.READ, request.getProgramId(), observer, false))
        {
            statements.listHistory(request, observer);
        }
    }

    @Override
    public void subscribe(final SubscribeRequest request, final StreamObserver<Event> observer)
    {
        // a stream of every program needs a key for all of them; else each program named must be the key's
        if (request.getProgramIdsCount() == 0 ? denied(Caller.Access.STREAM, null, observer, true) :
            request.getProgramIdsList().stream().anyMatch(p -> denied(Caller.Access.STREAM, p, observer, false)))
        {
            return;
        }
        final Caller caller = Caller.current(keysConfigured);
        events.subscribe(request, observer, null == caller ? null : caller.programs());
    }

    @Override
    public void putProgram(final PutProgramRequest request, final StreamObserver<PutProgramResponse> observer)
    {
        if (denied(Caller.Access.ADMIN, null, observer, true))
        {
            return;
        }
        final String text = request.getProgramYaml();
        final Program program;
        try
        {
            if (text.length() > CommandValidator.PROGRAM_TEXT_LENGTH_MAX)
            {
                throw new IllegalArgumentException("the program is " + text.length() + " characters long, more " +
                    "than the " + CommandValidator.PROGRAM_TEXT_LENGTH_MAX + " a program may have");
            }
            program = Program.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            observer.onError(Errors.of(Status.Code.INVALID_ARGUMENT, "PROGRAM_YAML_INVALID", "program_yaml",
                "program_yaml: " + ex.getMessage()));
            return;
        }
        final Command c = SCRATCH.get().clear();
        c.type = CommandType.SET_PROGRAM;
        c.programText = program.toText();
        c.putByName = true;
        unary(c, observer, done -> PutProgramResponse.newBuilder()
            .setProgramId(program.name())
            .setVersion(done.sequence > 0 ? program.version() : (int)done.resultDetail)
            .setSequence(done.sequence)
            .setTimestampMs(done.sequence > 0 ? done.timestamp : 0)
            .build());
    }

    private <T extends Message> void unary(
        final Command command, final StreamObserver<T> observer, final Function<Command, T> toResponse)
    {
        final Caller caller = Caller.current(keysConfigured);
        final ResultCode refused = command.type == CommandType.SET_PROGRAM ? stamp(caller, command) :
            authorize(caller, command);
        final ResultCode invalid = refused != ResultCode.OK ? refused : CommandValidator.validate(command);
        if (invalid != ResultCode.OK)
        {
            command.result = invalid;
            observer.onError(Errors.of(command));
            return;
        }
        final ResultListener listener = (correlationId, result) ->
        {
            try
            {
                if (result.result == ResultCode.OK)
                {
                    observer.onNext(toResponse.apply(result));
                    observer.onCompleted();
                }
                else
                {
                    observer.onError(Errors.of(result));
                }
            }
            catch (final RuntimeException ex)
            {
                // never leave a caller waiting: whatever went wrong building the answer, the call ends
                observer.onError(Errors.of(Status.Code.INTERNAL, "RESULT_NOT_SENT", null,
                    "could not send the result: " + ex));
            }
        };
        final long now = System.nanoTime();
        final long deadline = Admission.deadlineNanos(now);
        final long retryAfterMs = admission.admit(command.type.isRead(), deadline, now);
        final ResultCode published = retryAfterMs > 0 ? ResultCode.OVERLOADED :
            pipeline.tryPublish(command, listener, 0, deadline);
        if (published != ResultCode.OK)
        {
            command.result = published;
            command.resultDetail = retryAfterMs;
            observer.onError(Errors.of(command));
        }
    }

    @Override
    public StreamObserver<io.jifen.ledger.api.v1.Command> submit(final StreamObserver<CommandResult> observer)
    {
        final Caller caller = Caller.current(keysConfigured); // each command is judged by its own type and programs
        return new SubmitStream(pipeline, admission, metrics, submitInFlight, submitInFlightMax,
            (ServerCallStreamObserver<CommandResult>)observer, command -> authorize(caller, command));
    }

    /**
     * Stamps the command with the caller's key id (journaled with the write) and checks the key allows it.
     *
     * @return OK if the caller's key allows the command (its type, program and an exchange's receiving program).
     */
    private ResultCode authorize(final Caller caller, final Command command)
    {
        if (null == caller)
        {
            return ResultCode.ROLE_NOT_ALLOWED; // keys are required and this call came without: never by design
        }
        stamp(caller, command);
        return null == command.type ? ResultCode.OK : caller.check(Caller.Access.of(command.type), command.programId,
            command.type == CommandType.EXCHANGE ? command.toProgramId : null, firstProgram);
    }

    /** Puts the caller's key id on the command (none without keys): the journal names who sent every write. */
    private ResultCode stamp(final Caller caller, final Command command)
    {
        command.keyId = keysConfigured && null != caller ? caller.keyId() : null;
        return ResultCode.OK;
    }

    /**
     * Refuses the call (PERMISSION_DENIED) unless the caller may have this access to {@code program} (null: the first
     * program), or to every program when {@code allPrograms}.
     *
     * @return true if the call was refused.
     */
    private boolean denied(final Caller.Access access, final String program, final StreamObserver<?> observer,
        final boolean allPrograms)
    {
        final Caller caller = Caller.current(keysConfigured);
        final ResultCode refused = null == caller ? ResultCode.ROLE_NOT_ALLOWED :
            caller.check(access, program, null, firstProgram);
        if (refused == ResultCode.OK && (!allPrograms || caller.allPrograms()))
        {
            return false;
        }
        final Command c = SCRATCH.get().clear();
        c.result = refused != ResultCode.OK ? refused : ResultCode.PROGRAM_NOT_ALLOWED;
        observer.onError(Errors.of(c, Results.message(c.result, c) + (allPrograms ?
            " (this call needs a key for every program)" : "")));
        return true;
    }
}
