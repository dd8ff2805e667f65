package io.jifen.ledger.server;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
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
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean closing;

    EventStreams(final Journal journal, final LongSupplier durableSequence)
    {
        this.journal = journal;
        this.durableSequence = durableSequence;
    }

    static String typeName(final CommandType type)
    {
        return type.name().toLowerCase(Locale.ROOT);
    }

    void subscribe(final SubscribeRequest request, final StreamObserver<Event> observer)
    {
        final ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>)observer;
        final String invalid = invalid(request);
        if (null != invalid)
        {
            call.onError(Status.INVALID_ARGUMENT.withDescription(invalid).asRuntimeException());
            return;
        }
        if (closing)
        {
            call.onError(Status.UNAVAILABLE.withDescription("the server is shutting down").asRuntimeException());
            return;
        }
        if (streams.incrementAndGet() > STREAMS_MAX)
        {
            streams.decrementAndGet();
            call.onError(Status.RESOURCE_EXHAUSTED.withDescription("the server serves at most " + STREAMS_MAX +
                " event streams at once").asRuntimeException());
            return;
        }
        final Subscription subscription = new Subscription(request, call);
        call.setOnReadyHandler(subscription::wake);
        call.setOnCancelHandler(subscription::cancel);
        final Thread thread = new Thread(subscription, "jifen-events-" + started.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
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
        closing = true;
        for (final Thread thread : threads)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(5_000);
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
        private final Command decoded = new Command();
        private final Object ready = new Object();
        private volatile boolean cancelled;
        private volatile Thread runner;

        Subscription(final SubscribeRequest request, final ServerCallStreamObserver<Event> call)
        {
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
            try (JournalFollower follower = new JournalFollower(journal, request.getAfterSequence()))
            {
                final long end = request.getStopAtEnd() ? durableSequence.getAsLong() : Long.MAX_VALUE;
                while (!cancelled && !closing)
                {
                    if (!call.isReady())
                    {
                        awaitReady();
                    }
                    else if (follower.next(durableSequence.getAsLong()))
                    {
                        send(follower);
                    }
                    else if (follower.sequence() >= end || end <= request.getAfterSequence())
                    {
                        call.onCompleted();
                        return;
                    }
                    else
                    {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                    }
                }
                if (closing && !cancelled)
                {
                    call.onError(Status.UNAVAILABLE.withDescription("the server is shutting down: subscribe again " +
                        "with after_sequence = the last event processed").asRuntimeException());
                }
            }
            catch (final JournalFollower.ArchivedException ex)
            {
                fail(Status.FAILED_PRECONDITION.withDescription(ex.getMessage()));
            }
            catch (final JournalCorruptException ex)
            {
                fail(Status.DATA_LOSS.withDescription(ex.getMessage()));
            }
            catch (final RuntimeException ex)
            {
                fail(Status.INTERNAL.withDescription("the event stream failed: " + ex));
            }
            finally
            {
                streams.decrementAndGet();
                threads.remove(Thread.currentThread());
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

        private void fail(final Status status)
        {
            if (!cancelled)
            {
                try
                {
                    call.onError(status.asRuntimeException());
                }
                catch (final RuntimeException ignored)
                {
                    // the call ended meanwhile
                }
            }
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
            if (!programs.isEmpty() && type != CommandType.EXPIRE_TICK && !programs.contains(program) &&
                !(null != decoded.toProgramId && programs.contains(decoded.toProgramId)))
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
                .setRecordJson(JournalJson.toJson(record))
                .build());
        }
    }
}
