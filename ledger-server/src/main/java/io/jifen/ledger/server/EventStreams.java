package io.jifen.ledger.server;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.SubscribeRequest;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalCorruptException;
import io.jifen.ledger.journal.JournalFollower;
import io.jifen.ledger.journal.JournalJson;
import io.jifen.ledger.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The change stream (Subscribe): a thread per subscriber follows the journal files with its own
 * {@link JournalFollower}, away from the pipeline's threads, and sends each durable record the filters let through,
 * only while the client is ready to read (gRPC flow control), so a slow client holds its own thread and nothing else.
 */
final class EventStreams implements AutoCloseable
{
    static final int STREAMS_MAX = 64;
    /** An idle stream polls the journal from every millisecond, backing off to every 16 while nothing comes. */
    private static final long IDLE_PARK_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_PARK_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(16);
    private static final long NOT_READY_WAIT_MS = 100;
    private static final Set<String> TYPES = new HashSet<>();

    static
    {
        for (final CommandType type : CommandType.values())
        {
            if (!type.isRead())
            {
                TYPES.add(typeName(type));
            }
        }
    }

    private final Journal journal;
    private final LongSupplier durableSequence;
    private final String firstProgram;
    /** The streams' threads; changed under its own lock with {@link #closing}, so none starts unseen by close. */
    private final Set<Thread> threads = new HashSet<>();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean closing;

    /**
     * @param firstProgram the ledger's first program's name, fixed while the server runs (a program put by name
     * cannot rename it).
     */
    EventStreams(final Journal journal, final LongSupplier durableSequence, final String firstProgram)
    {
        this.journal = journal;
        this.durableSequence = durableSequence;
        this.firstProgram = firstProgram;
    }

    static String typeName(final CommandType type)
    {
        return type.name().toLowerCase(Locale.ROOT);
    }

    void subscribe(final SubscribeRequest request, final StreamObserver<Event> observer)
    {
        subscribe(request, observer, null);
    }

    /**
     * @param allowed the programs the caller's key may see (null: all): a record that touched any other program's
     * member is withheld, since its JSON names every member it touched.
     */
    void subscribe(final SubscribeRequest request, final StreamObserver<Event> observer, final Set<String> allowed)
    {
        final ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>)observer;
        final String invalid = invalid(request);
        if (null != invalid)
        {
            call.onError(Errors.of(Status.Code.INVALID_ARGUMENT, "SUBSCRIBE_INVALID", Errors.fieldOf(invalid),
                invalid));
            return;
        }
        final Subscription subscription = new Subscription(request, call, allowed);
        final Thread thread = new Thread(subscription, "jifen-events-" + started.incrementAndGet());
        thread.setDaemon(true);
        synchronized (threads)
        {
            if (closing)
            {
                call.onError(Errors.of(Status.Code.UNAVAILABLE, "SHUTTING_DOWN", null, "the server is shutting down"));
                return;
            }
            if (threads.size() >= STREAMS_MAX)
            {
                call.onError(Errors.of(Status.Code.RESOURCE_EXHAUSTED, "STREAMS_MAX", null,
                    "the server serves at most " + STREAMS_MAX + " event streams at once"));
                return;
            }
            threads.add(thread);
        }
        call.setOnReadyHandler(subscription::wake);
        call.setOnCancelHandler(subscription::cancel);
        thread.start();
    }

    private static String invalid(final SubscribeRequest request)
    {
        if (request.getAfterSequence() < 0)
        {
            return "after_sequence: must be 0 or a record's sequence, not " + request.getAfterSequence();
        }
        for (final String type : request.getTypesList())
        {
            if (!TYPES.contains(type))
            {
                return "types: '" + type + "' is not a record type; one of " + new java.util.TreeSet<>(TYPES);
            }
        }
        for (final String program : request.getProgramIdsList())
        {
            if (program.isEmpty() || program.length() > 64)
            {
                return "program_ids: a program's name is 1..64 characters";
            }
        }
        return null;
    }

    /** Ends every stream with UNAVAILABLE (the clients resume from their last event) and waits for the threads. */
    @Override
    public void close()
    {
        final Thread[] running;
        synchronized (threads)
        {
            closing = true;
            running = threads.toArray(new Thread[0]);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (final Thread thread : running)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Subscription implements Runnable
    {
        private final SubscribeRequest request;
        private final ServerCallStreamObserver<Event> call;
        private final Set<String> types;
        private final Set<String> programs;
        /** The programs the caller may see; null: all. */
        private final Set<String> allowed;
        private final io.jifen.ledger.journal.Statements.Parsed sweepScratch =
            new io.jifen.ledger.journal.Statements.Parsed();
        private final Command decoded = new Command();
        private final Object ready = new Object();
        private volatile boolean cancelled;
        private volatile Thread runner;

        Subscription(final SubscribeRequest request, final ServerCallStreamObserver<Event> call,
            final Set<String> allowed)
        {
            this.allowed = allowed;
            this.request = request;
            this.call = call;
            this.types = new HashSet<>(request.getTypesList());
            this.programs = new HashSet<>(request.getProgramIdsList());
        }

        void wake()
        {
            synchronized (ready)
            {
                ready.notifyAll();
            }
            final Thread thread = runner;
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }

        void cancel()
        {
            cancelled = true;
            wake();
        }

        @Override
        public void run()
        {
            runner = Thread.currentThread();
            try (JournalFollower follower = new JournalFollower(journal, request.getAfterSequence(), firstProgram))
            {
                final long end = request.getStopAtEnd() ? durableSequence.getAsLong() : Long.MAX_VALUE;
                long idlePark = IDLE_PARK_MIN_NANOS;
                while (!cancelled && !closing)
                {
                    if (!call.isReady())
                    {
                        awaitReady();
                    }
                    else if (follower.next(durableSequence.getAsLong()))
                    {
                        send(follower);
                        idlePark = IDLE_PARK_MIN_NANOS;
                    }
                    else if (follower.positioning())
                    {
                        continue; // passing over the records before the start: flags are checked between batches
                    }
                    else if (follower.sequence() >= end || end <= request.getAfterSequence())
                    {
                        call.onCompleted();
                        return;
                    }
                    else
                    {
                        LockSupport.parkNanos(idlePark);
                        idlePark = Math.min(IDLE_PARK_MAX_NANOS, idlePark << 1);
                    }
                }
                if (closing && !cancelled)
                {
                    call.onError(Errors.of(Status.Code.UNAVAILABLE, "SHUTTING_DOWN", null, "the server is shutting " +
                        "down: subscribe again with after_sequence = the last event processed"));
                }
            }
            catch (final JournalFollower.ArchivedException ex)
            {
                fail(Errors.of(Status.Code.FAILED_PRECONDITION, "RECORDS_ARCHIVED", "after_sequence", ex.getMessage()));
            }
            catch (final JournalCorruptException ex)
            {
                fail(Errors.of(Status.Code.DATA_LOSS, "JOURNAL_DAMAGED", null, ex.getMessage()));
            }
            catch (final RuntimeException | Error ex)
            {
                fail(Errors.of(Status.Code.INTERNAL, "STREAM_FAILED", null, "the event stream failed: " + ex));
            }
            finally
            {
                synchronized (threads)
                {
                    threads.remove(Thread.currentThread());
                }
            }
        }

        private void awaitReady()
        {
            synchronized (ready)
            {
                try
                {
                    if (!call.isReady() && !cancelled && !closing)
                    {
                        ready.wait(NOT_READY_WAIT_MS);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    cancelled = true;
                }
            }
        }

        private void fail(final io.grpc.StatusRuntimeException error)
        {
            if (!cancelled)
            {
                try
                {
                    call.onError(error);
                }
                catch (final RuntimeException ignored)
                {
                    // the call ended meanwhile
                }
            }
        }

        /**
         * @return true if a sweep's record touched a member of a program asked for; true for a record before version
         * 3, which names none.
         */
        private boolean sweepTouches(final UnsafeBuffer record, final JournalFollower follower)
        {
            if (decoded.recordVersion < JournalRecord.VERSION_MEMBERS)
            {
                return true;
            }
            final boolean[] touches = {false};
            io.jifen.ledger.journal.Statements.membersOf(record, follower.firstProgram(), sweepScratch,
                (program, member) -> touches[0] |= programs.contains(program));
            return touches[0];
        }

        /**
         * @return true if every member the record touched (its member table; before version 3, its own program and an
         * exchange's receiving program, and no sweep, whose members are not named) is of a program the caller may see.
         */
        private boolean touchesOnlyAllowed(final UnsafeBuffer record, final JournalFollower follower,
            final CommandType type, final String program)
        {
            if (decoded.recordVersion < JournalRecord.VERSION_MEMBERS)
            {
                return type != CommandType.EXPIRE_TICK && allowed.contains(program) &&
                    (null == decoded.toProgramId || allowed.contains(decoded.toProgramId));
            }
            if (type != CommandType.EXPIRE_TICK && !allowed.contains(program))
            {
                return false;
            }
            final boolean[] only = {true};
            io.jifen.ledger.journal.Statements.membersOf(record, follower.firstProgram(), sweepScratch,
                (of, member) -> only[0] &= allowed.contains(of));
            return only[0];
        }

        private void send(final JournalFollower follower)
        {
            final UnsafeBuffer record = follower.record();
            final CommandType type = CommandType.fromCode(JournalRecord.type(record));
            final String typeName = typeName(type);
            if (!types.isEmpty() && !types.contains(typeName))
            {
                return;
            }
            JournalRecord.decodeCommand(record, decoded);
            final String program = type == CommandType.EXPIRE_TICK ? "" :
                null == decoded.programId || decoded.programId.isEmpty() ? follower.firstProgram() :
                decoded.programId;
            final boolean wanted = programs.isEmpty() || (type == CommandType.EXPIRE_TICK ?
                sweepTouches(record, follower) :
                programs.contains(program) || null != decoded.toProgramId && programs.contains(decoded.toProgramId));
            if (!wanted || null != allowed && !touchesOnlyAllowed(record, follower, type, program))
            {
                return;
            }
            call.onNext(Event.newBuilder()
                .setSequence(follower.sequence())
                .setTimestampMs(decoded.timestamp)
                .setType(typeName)
                .setProgramId(program)
                .setMemberId(null == decoded.memberId ? "" : decoded.memberId)
                .setRequestId(null == decoded.requestId ? "" : decoded.requestId)
                .setKeyId(null == decoded.keyId ? "" : decoded.keyId)
                .setRecordJson(JournalJson.toJson(record))
                .build());
        }
    }
}
