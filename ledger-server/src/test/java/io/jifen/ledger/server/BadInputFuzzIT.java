package io.jifen.ledger.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.LedgerProto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every RPC fed malformed and adversarial messages over a real socket, as a careless or hostile client would send
 * them: random bytes as the payload, invalid UTF-8, broken varints and lengths, oversize fields and messages, unknown
 * enum numbers, missing fields, overflowing numbers, and conflicting retries. Each answer must be a proper status
 * with a reason (never UNKNOWN or INTERNAL); a Submit stream answers each bad frame alone and goes on; the journal
 * holds exactly the writes that were accepted and the live state equals its replay; the server logs a bounded number
 * of lines, stays within memory and answers normally after.
 *
 * <p>{@code -Djifen.fuzz.requests=100000} runs the long version (the default is short, for CI).
 */
class BadInputFuzzIT
{
    private static final int REQUESTS = Integer.getInteger("jifen.fuzz.requests", 6_000);
    private static final long SEED = Long.getLong("jifen.fuzz.seed", 20261207L);
    private static final int MAX_MESSAGE = 1 << 20;
    private static final String STEADY = "steady-bea";

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
    void everyMalformedOrAdversarialRequestGetsAProperStatusAndChangesNothingItRefused() throws Exception
    {
        final ServerConfig config = new ServerConfig().data(data).expiryTickIntervalMs(3_600_000L);
        server = InProcessServer.start(config);
        final LedgerGrpc.LedgerBlockingStub ledger = server.ledger();
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-ann").setMemberId("ann").build());
        ledger.earn(EarnRequest.newBuilder().setRequestId("x-ann").setMemberId("ann").setPoints(1_000).build());
        // no fuzzed request names her: the fuzzer may close ann, or spend her points
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-bea").setMemberId(STEADY).build());
        server.close();
        final long sequenceBefore = server.server().lastSequence();
        server = InProcessServer.start(config);

        final LogCounter logs = LogCounter.attach();
        final long refusedBefore = Payloads.refused();
        final Runtime runtime = Runtime.getRuntime();
        System.gc();
        final long heapBefore = runtime.totalMemory() - runtime.freeMemory();

        final Fuzzer fuzzer = new Fuzzer(new Random(SEED));
        final Tally tally = new Tally();
        final ManagedChannel channel = CrashWrites.channel(server.port());
        try
        {
            unaryAndServerStreaming(channel, fuzzer, tally);
            submitStream(channel, fuzzer, tally);
            conflictingRetries(channel, tally);
            // the server is alive and answers normally, on the same channel
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            final LedgerGrpc.LedgerBlockingStub after = LedgerGrpc.newBlockingStub(channel);
            for (int i = 0; i < 200; i++)
            {
                after.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getBalance(GetBalanceRequest.newBuilder().setMemberId(STEADY).build());
            }
        }
        finally
        {
            channel.shutdownNow();
            logs.detach();
        }
        System.gc();
        final long heapAfter = runtime.totalMemory() - runtime.freeMemory();

        System.out.println("bad-input fuzz, seed " + SEED + ": " + tally);
        System.out.println("log records: " + logs.records + " (grpc SEVERE/WARNING: " + logs.grpcSevere + ")" +
            ", heap used " + (heapBefore >> 20) + " -> " + (heapAfter >> 20) + " MiB");
        assertTrue(tally.violations.isEmpty(), () -> "improper answers (first 20): " +
            tally.violations.subList(0, Math.min(20, tally.violations.size())));
        assertTrue(tally.total.get() >= REQUESTS * 99L / 100, "requests sent: " + tally.total.get());
        assertTrue(tally.byStatus.getOrDefault("INVALID_ARGUMENT", 0L) > REQUESTS / 4,
            "most of what the fuzzer sends is refused as INVALID_ARGUMENT: " + tally);
        // the transport refuses a message past 1 MiB before the server sees it, and logs it: at most once a minute
        assertTrue(logs.grpcSevere <= 2, "gRPC logged a stack for " + logs.grpcSevere + " requests");
        assertTrue(logs.records <= 40, "the server's log stays short: " + logs.records + " records");
        assertTrue(Payloads.refused() - refusedBefore >= tally.byKind.getOrDefault("random-bytes INVALID_ARGUMENT",
            0L), "the unparseable payloads were counted (the log line is held to one a minute, per process)");
        assertTrue(heapAfter < heapBefore + (256L << 20), "heap " + heapBefore + " -> " + heapAfter);

        // nothing refused was journaled, nothing accepted went missing, and the live state is the journal's
        server.close();
        final long liveHash = server.server().stateHashAfterClose();
        final long sequenceAfter = server.server().lastSequence();
        assertEquals(tally.acceptedWrites.get(), sequenceAfter - sequenceBefore,
            "journal records added = accepted writes");
        server = InProcessServer.start(config);
        assertEquals(sequenceAfter, server.server().recovery().lastSequence);
        assertEquals(liveHash, server.server().recovery().stateHash, "the live state is what its journal replays to");
    }

    /** Each unary RPC and Subscribe, with fuzzed payloads, several calls in flight. */
    private static void unaryAndServerStreaming(final ManagedChannel channel, final Fuzzer fuzzer, final Tally tally)
        throws InterruptedException
    {
        final List<Descriptors.MethodDescriptor> methods = new ArrayList<>();
        for (final Descriptors.MethodDescriptor m :
            LedgerProto.getDescriptor().findServiceByName("Ledger").getMethods())
        {
            if (!m.isClientStreaming())
            {
                methods.add(m);
            }
        }
        final Semaphore inFlight = new Semaphore(32);
        final int unaryRequests = REQUESTS * 4 / 5;
        final CountDownLatch done = new CountDownLatch(unaryRequests);
        for (int i = 0; i < unaryRequests; i++)
        {
            final Descriptors.MethodDescriptor method = methods.get(i % methods.size());
            final Fuzzer.Payload payload = fuzzer.payload(method.getInputType(), i);
            inFlight.acquire();
            call(channel, method, payload.bytes(), method.isServerStreaming() ? 300 : 10_000).whenComplete((st, ex) ->
            {
                tally.record(method.getName(), payload.kind(), st);
                inFlight.release();
                done.countDown();
            });
        }
        assertTrue(done.await(5, TimeUnit.MINUTES), "every call answered");
    }

    /** One Submit stream carrying valid, fuzzed and unparseable frames: each answered alone, the stream goes on. */
    private static void submitStream(final ManagedChannel channel, final Fuzzer fuzzer, final Tally tally)
        throws Exception
    {
        final Descriptors.Descriptor commandType = io.jifen.ledger.api.v1.Command.getDescriptor();
        final int frames = REQUESTS / 5;
        final ClientCall<byte[], byte[]> call = channel.newCall(
            raw("Submit", MethodDescriptor.MethodType.BIDI_STREAMING),
            CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.MINUTES));
        final List<CommandResult> results = new ArrayList<>();
        final CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>()
        {
            @Override
            public void onMessage(final byte[] message)
            {
                try
                {
                    synchronized (results)
                    {
                        results.add(CommandResult.parseFrom(message));
                    }
                }
                catch (final InvalidProtocolBufferException ex)
                {
                    closed.completeExceptionally(ex);
                }
                call.request(1);
            }

            @Override
            public void onClose(final Status status, final Metadata trailers)
            {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        final Map<Long, String> kinds = new ConcurrentHashMap<>();
        int sent = 0;
        for (int i = 0; i < frames; i++)
        {
            final Fuzzer.Payload payload = fuzzer.payload(commandType, i);
            if (payload.bytes().length >= MAX_MESSAGE)
            {
                continue; // an oversize frame ends the stream at the transport (RESOURCE_EXHAUSTED): tried unary
            }
            byte[] bytes = payload.bytes();
            final long correlation = 1_000_000L + i;
            if (payload.parses())
            {
                // give each parseable frame a correlation id of its own, to match its answer
                bytes = io.jifen.ledger.api.v1.Command.parseFrom(bytes).toBuilder().setCorrelationId(correlation)
                    .build().toByteArray();
                kinds.put(correlation, payload.kind());
            }
            final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!call.isReady() && !closed.isDone() && System.nanoTime() < giveUp)
            {
                Thread.onSpinWait();
            }
            if (closed.isDone())
            {
                break; // the server ended the stream: asserted below
            }
            call.sendMessage(bytes);
            sent++;
        }
        call.halfClose();
        final Status status = closed.get(2, TimeUnit.MINUTES);
        if (status.getCode() != Status.Code.OK || sent != results.size() || sent < frames * 9 / 10)
        {
            tally.violations.add("the Submit stream ends " + status + " after " + results.size() + " answers to " +
                sent + " frames sent of " + frames + " (it must end OK with one answer per frame)");
        }
        for (final CommandResult r : results)
        {
            final String kind = kinds.getOrDefault(r.getCorrelationId(), "unparseable");
            final Status.Code code = Status.fromCodeValue(r.getCode()).getCode();
            tally.recordSubmit(kind, code, r.getReason(), r.getCorrelationId(),
                r.hasWrite() && !r.getWrite().getReplay());
        }
    }

    /** The same request id with other content is ALREADY_EXISTS and changes nothing. */
    private static void conflictingRetries(final ManagedChannel channel, final Tally tally)
    {
        final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
        for (int i = 0; i < 50; i++)
        {
            final int points = 1 + i;
            final EarnRequest first = EarnRequest.newBuilder().setRequestId("conflict-" + i).setMemberId(STEADY)
                .setPoints(points).build();
            stub.withDeadlineAfter(5, TimeUnit.SECONDS).earn(first);
            tally.acceptedWrites.incrementAndGet();
            final io.grpc.StatusRuntimeException conflict = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class, () -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .earn(first.toBuilder().setPoints(points + 1).build()));
            assertEquals(Status.Code.ALREADY_EXISTS, conflict.getStatus().getCode());
            assertEquals("REQUEST_ID_CONFLICT", reason(conflict.getStatus(), conflict.getTrailers()));
            // a retry of the first, word for word, is answered as the first time and journals nothing new
            assertTrue(stub.withDeadlineAfter(5, TimeUnit.SECONDS).earn(first).getReplay());
        }
    }

    private static MethodDescriptor<byte[], byte[]> raw(final String name, final MethodDescriptor.MethodType type)
    {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
            .setFullMethodName(MethodDescriptor.generateFullMethodName("jifen.ledger.v1.Ledger", name))
            .setType(type)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    }

    /** Sends one payload; completes with the call's status (OK or not), never exceptionally. */
    private static CompletableFuture<Answer> call(final ManagedChannel channel, final Descriptors.MethodDescriptor m,
        final byte[] payload, final long deadlineMs)
    {
        final MethodDescriptor.MethodType type = m.isServerStreaming() ?
            MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY;
        final ClientCall<byte[], byte[]> call = channel.newCall(raw(m.getName(), type),
            CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS));
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>()
        {
            private boolean journaled;

            @Override
            public void onMessage(final byte[] message)
            {
                journaled = journals(m, message);
                call.request(1);
            }

            @Override
            public void onClose(final Status status, final Metadata trailers)
            {
                answer.complete(new Answer(status, reason(status, trailers), journaled));
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(payload);
        call.halfClose();
        return answer;
    }

    private static String reason(final Status status, final Metadata trailers)
    {
        final com.google.rpc.Status proto = null == trailers ? null : StatusProto.fromStatusAndTrailers(status,
            trailers);
        if (null == proto)
        {
            return "";
        }
        for (final com.google.protobuf.Any any : proto.getDetailsList())
        {
            if (any.is(ErrorInfo.class))
            {
                try
                {
                    return any.unpack(ErrorInfo.class).getReason();
                }
                catch (final InvalidProtocolBufferException ex)
                {
                    return "";
                }
            }
        }
        return "";
    }

    /** @return whether the answer is a write's first outcome (a replay or a program in force already journals none). */
    private static boolean journals(final Descriptors.MethodDescriptor m, final byte[] answer)
    {
        try
        {
            return switch (m.getOutputType().getName())
            {
                case "WriteResult" -> !io.jifen.ledger.api.v1.WriteResult.parseFrom(answer).getReplay();
                case "PutProgramResponse" -> io.jifen.ledger.api.v1.PutProgramResponse.parseFrom(answer)
                    .getSequence() != 0;
                default -> false;
            };
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private record Answer(Status status, String reason, boolean journaled)
    {
    }

    /** Counts answers by status and finds the improper ones. */
    private static final class Tally
    {
        final AtomicLong total = new AtomicLong();
        final AtomicLong acceptedWrites = new AtomicLong();
        final Map<String, Long> byStatus = new ConcurrentHashMap<>();
        final Map<String, Long> byKind = new ConcurrentHashMap<>();
        final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());

        void record(final String method, final String kind, final Answer answer)
        {
            final Status.Code code = answer.status().getCode();
            count(kind, code);
            if (code == Status.Code.OK && answer.journaled())
            {
                acceptedWrites.incrementAndGet();
            }
            final boolean timedOutStream = code == Status.Code.DEADLINE_EXCEEDED && "Subscribe".equals(method);
            if (code == Status.Code.UNKNOWN || code == Status.Code.INTERNAL ||
                (code != Status.Code.OK && !timedOutStream && answer.reason().isEmpty() && !oversize(kind, code)))
            {
                violations.add(method + " " + kind + ": " + answer.status());
            }
        }

        void recordSubmit(final String kind, final Status.Code code, final String reason, final long correlation,
            final boolean journaled)
        {
            count("submit/" + kind, code);
            if (code == Status.Code.OK && journaled)
            {
                acceptedWrites.incrementAndGet();
            }
            if (code == Status.Code.UNKNOWN || code == Status.Code.INTERNAL ||
                (code != Status.Code.OK && reason.isEmpty()) ||
                ("unparseable".equals(kind) && (correlation != 0 || !"PAYLOAD_INVALID".equals(reason))))
            {
                violations.add("Submit " + kind + ": " + code + " " + reason + " correlation " + correlation);
            }
        }

        /** A message past the server's 1 MiB limit is refused by the transport before any of our code sees it. */
        private static boolean oversize(final String kind, final Status.Code code)
        {
            return "oversize-message".equals(kind) && code == Status.Code.RESOURCE_EXHAUSTED;
        }

        private void count(final String kind, final Status.Code code)
        {
            total.incrementAndGet();
            byStatus.merge(code.name(), 1L, Long::sum);
            byKind.merge(kind + " " + code.name(), 1L, Long::sum);
        }

        @Override
        public String toString()
        {
            return total.get() + " requests, by status " + new TreeMap<>(byStatus) + ", accepted writes " +
                acceptedWrites.get() + ",\n  by kind " + new TreeMap<>(byKind);
        }
    }

    /** Counts what the server's and gRPC's loggers write while it is attached. */
    private static final class LogCounter extends Handler
    {
        volatile int records;
        volatile int grpcSevere;
        private final Logger root = Logger.getLogger("");

        /** The server's own lines go through SLF4J to Logback; gRPC's through java.util.logging (no bridge here). */
        private final ch.qos.logback.classic.Logger logback = (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> events =
            new ch.qos.logback.core.AppenderBase<>()
            {
                @Override
                protected void append(final ch.qos.logback.classic.spi.ILoggingEvent event)
                {
                    count(event.getLoggerName(), event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
                }
            };

        static LogCounter attach()
        {
            final LogCounter counter = new LogCounter();
            counter.root.addHandler(counter);
            counter.events.setContext(counter.logback.getLoggerContext());
            counter.events.start();
            counter.logback.addAppender(counter.events);
            return counter;
        }

        void detach()
        {
            root.removeHandler(this);
            logback.detachAppender(events);
            events.stop();
        }

        private synchronized void count(final String name, final boolean warning)
        {
            if (name.startsWith("io.grpc") || name.startsWith("io.netty"))
            {
                if (warning)
                {
                    grpcSevere++;
                }
            }
            else if (name.startsWith("io.jifen"))
            {
                records++;
            }
        }

        @Override
        public void publish(final LogRecord record)
        {
            count(String.valueOf(record.getLoggerName()), record.getLevel().intValue() >= Level.WARNING.intValue());
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    }

    /** Raw bytes in and out: what lets a test send a payload the generated stubs never would. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>()
    {
        @Override
        public InputStream stream(final byte[] value)
        {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(final InputStream stream)
        {
            try
            {
                return stream.readAllBytes();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }
    };

    /**
     * Makes payloads for a request type from its descriptor: each of the kinds a hostile or careless client sends.
     * Member ids come from a small set ("ann" exists), so some fuzzed writes are well formed and accepted.
     */
    static final class Fuzzer
    {
        private static final String[] KINDS = {"random-bytes", "invalid-utf8", "bad-varint", "truncated",
            "oversize-field", "unknown-enum", "missing-fields", "overflow", "random-fields", "oversize-message"};
        private final Random random;

        Fuzzer(final Random random)
        {
            this.random = random;
        }

        record Payload(String kind, byte[] bytes, boolean parses)
        {
        }

        Payload payload(final Descriptors.Descriptor type, final int i)
        {
            // one oversize message in 500: each costs a megabyte
            final String kind = i % 500 == 499 ? "oversize-message" : KINDS[random.nextInt(KINDS.length - 1)];
            final byte[] bytes = switch (kind)
            {
                case "random-bytes" -> randomBytes(random.nextInt(8) == 0 ? 4096 : 64);
                case "invalid-utf8" -> invalidUtf8(type);
                case "bad-varint" -> badVarint(type);
                case "truncated" -> truncated(type);
                case "oversize-field" -> message(type, 0, Mode.OVERSIZE).toByteArray();
                case "unknown-enum" -> message(type, 0, Mode.ENUMS).toByteArray();
                case "missing-fields" -> new byte[0];
                case "overflow" -> message(type, 0, Mode.OVERFLOW).toByteArray();
                case "random-fields" -> message(type, 0, Mode.RANDOM).toByteArray();
                case "oversize-message" -> oversizeMessage(type);
                default -> throw new IllegalStateException(kind);
            };
            // past the server's limit, whatever made it so
            return new Payload(bytes.length > MAX_MESSAGE ? "oversize-message" : kind, bytes, parses(type, bytes));
        }

        private static boolean parses(final Descriptors.Descriptor type, final byte[] bytes)
        {
            try
            {
                DynamicMessage.parseFrom(type, bytes);
                // DynamicMessage does not check UTF-8 the way generated code does: ask generated code
                if (type == io.jifen.ledger.api.v1.Command.getDescriptor())
                {
                    io.jifen.ledger.api.v1.Command.parseFrom(bytes);
                }
                return true;
            }
            catch (final InvalidProtocolBufferException ex)
            {
                return false;
            }
        }

        private byte[] randomBytes(final int max)
        {
            final byte[] bytes = new byte[1 + random.nextInt(max)];
            random.nextBytes(bytes);
            return bytes;
        }

        /** A string field (a nested one if the type has none) holding bytes that are not UTF-8. */
        private byte[] invalidUtf8(final Descriptors.Descriptor type)
        {
            final Descriptors.FieldDescriptor field = first(type, Descriptors.FieldDescriptor.Type.STRING);
            final byte[] bad = {(byte)0xC3, (byte)0x28, (byte)0xFF, 'a'};
            if (null == field)
            {
                return randomBytes(16);
            }
            return encode(out ->
            {
                message(type, 0, Mode.VALID).writeTo(out);
                out.writeByteArray(field.getNumber(), bad);
            });
        }

        /** A varint field whose varint runs past ten bytes. */
        private byte[] badVarint(final Descriptors.Descriptor type)
        {
            return encode(out ->
            {
                final int number = type.getFields().isEmpty() ? 1 : type.getFields().get(0).getNumber();
                out.writeTag(number, com.google.protobuf.WireFormat.WIRETYPE_VARINT);
                for (int i = 0; i < 11; i++)
                {
                    out.writeRawByte((byte)0xFF);
                }
            });
        }

        /** A valid message with its last length-delimited field claiming more bytes than follow. */
        private byte[] truncated(final Descriptors.Descriptor type)
        {
            return encode(out ->
            {
                message(type, 0, Mode.VALID).writeTo(out);
                out.writeTag(type.getFields().isEmpty() ? 1 : type.getFields().get(0).getNumber(),
                    com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(100);
                out.writeRawBytes(new byte[]{1, 2, 3});
            });
        }

        private byte[] oversizeMessage(final Descriptors.Descriptor type)
        {
            final Descriptors.FieldDescriptor field = first(type, Descriptors.FieldDescriptor.Type.STRING);
            final int number = null == field ? 1 : field.getNumber();
            return encode(out -> out.writeString(number, "m".repeat(MAX_MESSAGE + 16)));
        }

        private enum Mode
        {
            VALID, RANDOM, OVERSIZE, ENUMS, OVERFLOW
        }

        /** A message of the type with fields set as the mode says (nested messages to depth 3). */
        private DynamicMessage message(final Descriptors.Descriptor type, final int depth, final Mode mode)
        {
            final DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
            final List<Descriptors.OneofDescriptor> oneofs = type.getRealOneofs();
            for (final Descriptors.OneofDescriptor oneof : oneofs)
            {
                final Descriptors.FieldDescriptor chosen = oneof.getField(random.nextInt(oneof.getFieldCount()));
                set(b, chosen, depth, mode);
            }
            for (final Descriptors.FieldDescriptor f : type.getFields())
            {
                if (null != f.getRealContainingOneof() || (mode == Mode.RANDOM && random.nextInt(4) == 0))
                {
                    continue;
                }
                set(b, f, depth, mode);
            }
            return b.build();
        }

        private void set(final DynamicMessage.Builder b, final Descriptors.FieldDescriptor f, final int depth,
            final Mode mode)
        {
            if (f.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE)
            {
                if (depth < 3)
                {
                    final int count = f.isRepeated() ? random.nextInt(4) : 1;
                    for (int i = 0; i < count; i++)
                    {
                        final DynamicMessage nested = message(f.getMessageType(), depth + 1, mode);
                        if (f.isRepeated())
                        {
                            b.addRepeatedField(f, nested);
                        }
                        else
                        {
                            b.setField(f, nested);
                        }
                    }
                }
                return;
            }
            final int count = f.isRepeated() ? (mode == Mode.OVERSIZE ? 5_000 : random.nextInt(4)) : 1;
            for (int i = 0; i < count; i++)
            {
                // many entries, each of an ordinary size; or one field of an outsize one
                final Object value = value(f, f.isRepeated() && mode == Mode.OVERSIZE ? Mode.RANDOM : mode);
                if (f.isRepeated())
                {
                    b.addRepeatedField(f, value);
                }
                else
                {
                    b.setField(f, value);
                }
            }
        }

        private Object value(final Descriptors.FieldDescriptor f, final Mode mode)
        {
            return switch (f.getJavaType())
            {
                case STRING -> string(f, mode);
                case LONG -> mode == Mode.OVERFLOW ? pick(Long.MAX_VALUE, Long.MIN_VALUE, -1L, 1L << 53) :
                    pick(0L, 1L, 100L, 5_000L, -7L, random.nextLong());
                case INT -> mode == Mode.OVERFLOW ? pick(Integer.MAX_VALUE, Integer.MIN_VALUE, -1) :
                    pick(0, 1, 3, 12, 31, -2, random.nextInt());
                case DOUBLE -> pick(0.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY, -1e300);
                case FLOAT -> pick(0.0f, 1.5f, Float.NaN);
                case BOOLEAN -> random.nextBoolean();
                case BYTE_STRING -> ByteString.copyFrom(randomBytes(mode == Mode.OVERSIZE ? 100_000 : 32));
                case ENUM -> mode == Mode.ENUMS || random.nextInt(5) == 0 ?
                    f.getEnumType().findValueByNumberCreatingIfUnknown(pick(999, -1, 77, Integer.MAX_VALUE)) :
                    f.getEnumType().getValues().get(random.nextInt(f.getEnumType().getValues().size()));
                case MESSAGE -> throw new IllegalStateException("messages are set by set()");
            };
        }

        private String string(final Descriptors.FieldDescriptor f, final Mode mode)
        {
            if (mode == Mode.OVERSIZE)
            {
                return "o".repeat(1 + random.nextInt(100_000));
            }
            final String name = f.getName();
            if (name.contains("member_id") || name.equals("referrer_id"))
            {
                return pick("ann", "ann", "ghost", "", "ann ", "名字", "a".repeat(300));
            }
            if (name.contains("request_id"))
            {
                return pick("fz-" + random.nextInt(1_000_000), "", "\u0000", "r".repeat(200), "fz-1");
            }
            return pick("", "x", "member", "GOLD", "2026-12-07", "\u202E\u0000\uFFFF", "名字", "%s%n",
                "a".repeat(1_000), "-1", "99999999999999999999");
        }

        @SafeVarargs
        private <T> T pick(final T... values)
        {
            return values[random.nextInt(values.length)];
        }

        private static Descriptors.FieldDescriptor first(final Descriptors.Descriptor type,
            final Descriptors.FieldDescriptor.Type wanted)
        {
            for (final Descriptors.FieldDescriptor f : type.getFields())
            {
                if (f.getType() == wanted && !f.isRepeated())
                {
                    return f;
                }
            }
            return null;
        }

        private interface Writer
        {
            void write(CodedOutputStream out) throws IOException;
        }

        private static byte[] encode(final Writer writer)
        {
            try
            {
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                final CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                writer.write(out);
                out.flush();
                return bytes.toByteArray();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }
    }
}
