package io.jifen.ledger.server;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Request payloads that do not parse (random bytes, invalid UTF-8, a broken varint or length): refused as
 * INVALID_ARGUMENT with the reason {@value #REASON}, and logged once a minute with a count, not once each with a
 * stack.
 *
 * <p>gRPC's own handling of a payload its marshaller cannot parse ends the call UNKNOWN and logs the exception each
 * time; on a Submit stream it ends the whole stream, and the results of commands already applied on it are lost. So
 * each method's request marshaller is wrapped: a payload that does not parse becomes a sentinel instance of the
 * request type, one per type and recognised by identity ({@link #MALFORMED_COMMAND} for Submit's). A Submit stream
 * sees it and answers that frame alone, going on with the next; any other call is closed here with the error.
 */
final class Payloads
{
    static final String REASON = "PAYLOAD_INVALID";
    /** The one method that answers a frame that does not parse itself and goes on: see {@link SubmitStream}. */
    private static final String SUBMIT = io.jifen.ledger.api.v1.LedgerGrpc.getSubmitMethod().getFullMethodName();
    private static final System.Logger LOG = System.getLogger(Payloads.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The sentinel of each request type, by its class. */
    private static final Map<Class<?>, Object> SENTINELS = new ConcurrentHashMap<>();
    /** Why the last payload parsed on this thread did not (parsing and delivery happen on one thread). */
    private static final ThreadLocal<String> LAST_FAILURE = new ThreadLocal<>();
    private static final AtomicLong REFUSED = new AtomicLong();
    private static final AtomicLong REFUSED_LOGGED = new AtomicLong();
    private static volatile long lastLogNanos = System.nanoTime() - LOG_INTERVAL_NANOS;

    private Payloads()
    {
    }

    /** The sentinel a Submit frame that did not parse becomes (see {@link #lenient}). */
    static final io.jifen.ledger.api.v1.Command MALFORMED_COMMAND =
        sentinel(io.jifen.ledger.api.v1.Command.getDefaultInstance());
    /**
     * gRPC's transport logs a stack for each message past the size limit (refused RESOURCE_EXHAUSTED before any of
     * the server's code sees it): held here so the limit on its lines stays set (JUL holds loggers weakly).
     */
    private static final java.util.logging.Logger TRANSPORT_LOG =
        java.util.logging.Logger.getLogger("io.grpc.netty.NettyServerStream");

    static
    {
        TRANSPORT_LOG.setFilter(new OncePerInterval());
    }

    /** @return payloads refused as unparseable since the server's class was loaded. */
    static long refused()
    {
        return REFUSED.get();
    }

    /** The error for a payload that did not parse on this thread, counted and (at most once a minute) logged. */
    static StatusRuntimeException error(final String method)
    {
        final String failure = LAST_FAILURE.get();
        final String why = null == failure ? "it does not parse" : failure;
        LAST_FAILURE.remove();
        final String message = "payload: not a valid " + method + " request message (" + why + ") [" + REASON + "]";
        countAndLog(method, why);
        return Errors.of(Status.Code.INVALID_ARGUMENT, REASON, "payload", message);
    }

    /** The service with each method's payloads parsed leniently (see the class comment). */
    static ServerServiceDefinition lenient(final ServerServiceDefinition service)
    {
        final ServiceDescriptor old = service.getServiceDescriptor();
        final ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
            .setSchemaDescriptor(old.getSchemaDescriptor());
        final java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
        for (final ServerMethodDefinition<?, ?> method : service.getMethods())
        {
            final ServerMethodDefinition<?, ?> wrapped = lenient(method);
            descriptor.addMethod(wrapped.getMethodDescriptor());
            methods.add(wrapped);
        }
        final ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(builder::addMethod);
        return builder.build();
    }

    private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> lenient(
        final ServerMethodDefinition<ReqT, RespT> definition)
    {
        final MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
        if (!(method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<ReqT> strict))
        {
            return definition;
        }
        final ReqT sentinel = sentinel(strict.getMessagePrototype());
        final MethodDescriptor<ReqT, RespT> lenientMethod =
            method.toBuilder(new LenientMarshaller<>(strict, sentinel), method.getResponseMarshaller()).build();
        final ServerCallHandler<ReqT, RespT> handler = definition.getServerCallHandler();
        final String name = method.getBareMethodName();
        if (SUBMIT.equals(method.getFullMethodName()))
        {
            return ServerMethodDefinition.create(lenientMethod, handler); // the stream answers the frame itself
        }
        // any other call (a reflection stream too) ends at its first message that does not parse
        return ServerMethodDefinition.create(lenientMethod, (call, headers) ->
            new RefusingListener<>(handler.startCall(call, headers), call, sentinel, name));
    }

    @SuppressWarnings("unchecked")
    private static <T> T sentinel(final T prototype)
    {
        final Object sentinel = SENTINELS.computeIfAbsent(prototype.getClass(),
            c -> ((MessageLite)prototype).newBuilderForType().buildPartial());
        return (T)sentinel;
    }

    private static void countAndLog(final String method, final String why)
    {
        final long refused = REFUSED.incrementAndGet();
        final long now = System.nanoTime();
        final long last = lastLogNanos;
        if (now - last >= LOG_INTERVAL_NANOS)
        {
            synchronized (Payloads.class)
            {
                if (lastLogNanos != last)
                {
                    return; // another thread logs this interval
                }
                lastLogNanos = now;
            }
            final long since = refused - REFUSED_LOGGED.getAndSet(refused);
            LOG.log(System.Logger.Level.WARNING, since + " request payload(s) that did not parse refused " +
                "INVALID_ARGUMENT " + REASON + " since the last such line (at most one a minute; " + refused +
                " since start); the latest: " + method + ", " + why);
        }
    }

    /** Lets one record a minute through and says how many it held back. */
    private static final class OncePerInterval implements java.util.logging.Filter
    {
        private long lastNanos = System.nanoTime() - LOG_INTERVAL_NANOS;
        private long heldBack;

        @Override
        public synchronized boolean isLoggable(final java.util.logging.LogRecord record)
        {
            final long now = System.nanoTime();
            if (now - lastNanos < LOG_INTERVAL_NANOS)
            {
                heldBack++;
                return false;
            }
            lastNanos = now;
            if (heldBack > 0)
            {
                record.setMessage(record.getMessage() + " (and " + heldBack + " more since the last such line, " +
                    "not logged: at most one a minute)");
                heldBack = 0;
            }
            return true;
        }
    }

    /** Parses as the generated marshaller does; a payload that does not parse becomes the sentinel. */
    private static final class LenientMarshaller<T> implements MethodDescriptor.PrototypeMarshaller<T>
    {
        private final MethodDescriptor.PrototypeMarshaller<T> strict;
        private final T sentinel;

        LenientMarshaller(final MethodDescriptor.PrototypeMarshaller<T> strict, final T sentinel)
        {
            this.strict = strict;
            this.sentinel = sentinel;
        }

        @Override
        public InputStream stream(final T value)
        {
            return strict.stream(value);
        }

        @Override
        public T parse(final InputStream stream)
        {
            try
            {
                return strict.parse(stream);
            }
            catch (final StatusRuntimeException ex)
            {
                final Throwable cause = null == ex.getCause() ? ex : ex.getCause();
                LAST_FAILURE.set(null == cause.getMessage() ? cause.getClass().getSimpleName() : cause.getMessage());
                return sentinel;
            }
        }

        @Override
        public T getMessagePrototype()
        {
            return strict.getMessagePrototype();
        }

        @Override
        public Class<T> getMessageClass()
        {
            return strict.getMessageClass();
        }
    }

    /** Closes a call at its first message that did not parse, and keeps the rest of the call from the service. */
    private static final class RefusingListener<ReqT, RespT>
        extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>
    {
        private final ServerCall<ReqT, RespT> call;
        private final ReqT sentinel;
        private final String method;
        private boolean refused;

        RefusingListener(final ServerCall.Listener<ReqT> delegate, final ServerCall<ReqT, RespT> call,
            final ReqT sentinel, final String method)
        {
            super(delegate);
            this.call = call;
            this.sentinel = sentinel;
            this.method = method;
        }

        @Override
        public void onMessage(final ReqT message)
        {
            if (refused)
            {
                return; // messages gRPC had buffered before the call was closed
            }
            if (message == sentinel)
            {
                refused = true;
                final StatusRuntimeException error = error(method);
                call.close(error.getStatus(), null == error.getTrailers() ? new Metadata() : error.getTrailers());
                return;
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose()
        {
            if (!refused)
            {
                super.onHalfClose();
            }
        }

        @Override
        public void onReady()
        {
            if (!refused)
            {
                super.onReady();
            }
        }
    }
}
