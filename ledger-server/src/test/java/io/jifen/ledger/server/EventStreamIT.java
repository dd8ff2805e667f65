package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.Event;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.SubscribeRequest;
import io.jifen.ledger.api.v1.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change stream under faults, the server as its own JVM: writers earn while a subscriber processes events; the
 * subscriber is killed (its stream cancelled) and the server is killed (SIGKILL) in turn, and each time the
 * subscriber comes back with the sequence of the last event it processed. At the end it has processed every record
 * of the journal exactly once, in order, each event equal to what {@code journal dump} prints for it, and every
 * acknowledged write is among them.
 */
class EventStreamIT
{
    @TempDir
    Path data;

    private final CrashWrites writes = new CrashWrites();
    private final List<Event> processed = new CopyOnWriteArrayList<>();

    @Test
    void everyEventArrivesExactlyOnceInOrderAcrossKilledSubscribersAndServers() throws Exception
    {
        for (int round = 0; round < 3; round++)
        {
            try (ServerProcess server = ServerProcess.start(data, "--sync", "batch"))
            {
                final ManagedChannel channel = CrashWrites.channel(server.awaitPort());
                final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
                if (round == 0)
                {
                    for (int m = 0; m < 4; m++)
                    {
                        stub.enroll(EnrollRequest.newBuilder().setRequestId("enroll-" + m).setMemberId("m" + m)
                            .build());
                    }
                }
                final int r = round;
                final AtomicBoolean running = new AtomicBoolean(true);
                final List<Thread> writers = writes.startClients(stub, 4, running,
                    (c, n) -> new CrashWrites.Attempt("r" + r + "-c" + c + "-" + n, "m" + c, 1 + n % 7));
                for (int kill = 0; kill < 3; kill++)
                {
                    subscribeUntil(channel, processed.size() + 150); // then the subscriber dies
                }
                final Thread subscriber = new Thread(() -> subscribeUntil(channel, Integer.MAX_VALUE));
                subscriber.start();
                Thread.sleep(300);
                server.kill(); // the server dies under the subscriber and the writers
                running.set(false);
                for (final Thread writer : writers)
                {
                    writer.join(10_000);
                }
                subscriber.join(10_000);
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }

        final List<String> dumped;
        try (ServerProcess last = ServerProcess.start(data, "--sync", "batch"))
        {
            final ManagedChannel channel = CrashWrites.channel(last.awaitPort());
            writes.retryTheRest(LedgerGrpc.newBlockingStub(channel));
            // catch up with everything durable, then compare with the journal itself
            final Iterator<Event> rest = LedgerGrpc.newBlockingStub(channel).subscribe(SubscribeRequest.newBuilder()
                .setAfterSequence(lastProcessed()).setStopAtEnd(true).build());
            rest.forEachRemaining(processed::add);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            final int exit = last.terminate();
            assertEquals(0, exit, "a graceful stop on SIGTERM exits 0");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, LedgerMain.run(new String[] {"journal", "dump", "--data", data.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        dumped = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();

        assertTrue(dumped.size() > 600, "the writers journaled " + dumped.size() + " records");
        System.out.printf("change stream: %d events processed exactly once across 9 killed subscribers and 3 killed " +
            "servers; %d writes acknowledged%n", processed.size(), writes.acknowledged.size());
        assertEquals(dumped.size(), processed.size(), "every record once: no gap, no duplicate");
        for (int i = 0; i < processed.size(); i++)
        {
            assertEquals(i + 1, processed.get(i).getSequence(), "in order");
            assertEquals(dumped.get(i), processed.get(i).getRecordJson(), "the event is the journal's record");
        }
        for (final WriteResult acknowledged : writes.acknowledged.values())
        {
            final Event event = processed.get((int)acknowledged.getSequence() - 1);
            assertEquals("earn", event.getType());
            assertEquals(acknowledged.getBalance(), balanceOf(event.getRecordJson()), "its balance in the record");
        }
    }

    @Test
    void filtersAndStopAtEndAndBadRequests() throws Exception
    {
        final Path program = java.nio.file.Files.writeString(data.resolve("coffee.yaml"),
            "version: 1\nname: coffee-club\n");
        try (ServerProcess server = ServerProcess.start(data, "--sync", "batch", "--program", program.toString()))
        {
            final ManagedChannel channel = CrashWrites.channel(server.awaitPort());
            final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
            stub.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("m1").build());
            writes.earn(stub, new CrashWrites.Attempt("x-1", "m1", 5));
            writes.earn(stub, new CrashWrites.Attempt("x-2", "m1", 6));
            final List<Event> earns = new ArrayList<>();
            stub.subscribe(SubscribeRequest.newBuilder().addTypes("earn").setStopAtEnd(true).build())
                .forEachRemaining(earns::add);
            assertEquals(List.of("x-1", "x-2"), earns.stream().map(Event::getRequestId).toList());
            assertEquals("coffee-club", earns.get(0).getProgramId(), "named as the journal's set_program names it");
            final List<Event> coffee = new ArrayList<>();
            stub.subscribe(SubscribeRequest.newBuilder().addProgramIds("coffee-club").setStopAtEnd(true).build())
                .forEachRemaining(coffee::add);
            assertEquals(List.of("set_program", "enroll", "earn", "earn"),
                coffee.stream().map(Event::getType).toList(), "every record of the program, by its name");
            final List<Event> after = new ArrayList<>();
            stub.subscribe(SubscribeRequest.newBuilder().setAfterSequence(earns.get(0).getSequence())
                .setStopAtEnd(true).build()).forEachRemaining(after::add);
            assertEquals(List.of(earns.get(1).getSequence()), after.stream().map(Event::getSequence).toList());
            final List<Event> none = new ArrayList<>();
            stub.subscribe(SubscribeRequest.newBuilder().addProgramIds("tea").setStopAtEnd(true).build())
                .forEachRemaining(none::add);
            assertEquals(List.of(), none, "no record of an unknown program");

            StatusRuntimeException ex = assertThrowsStatus(() -> stub.subscribe(SubscribeRequest.newBuilder()
                .addTypes("eran").build()).hasNext());
            assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());
            assertTrue(ex.getStatus().getDescription().startsWith("types: 'eran'"), ex.getStatus().getDescription());
            ex = assertThrowsStatus(() -> stub.subscribe(SubscribeRequest.newBuilder().setAfterSequence(-1).build())
                .hasNext());
            assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode());

            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, LedgerMain.run(new String[] {"journal", "tail", "--server", "127.0.0.1:" +
                server.awaitPort(), "--type", "earn"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err));
            assertEquals(earns.stream().map(Event::getRecordJson).toList(),
                out.toString(StandardCharsets.UTF_8).lines().toList(), "journal tail prints the records");
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Processes events from after the last one processed until {@code count} are processed (then cancels its stream:
     * the subscriber dies) or the stream fails (the server died).
     */
    private void subscribeUntil(final ManagedChannel channel, final int count)
    {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<ClientCallStreamObserver<SubscribeRequest>> call = new AtomicReference<>();
        LedgerGrpc.newStub(channel).subscribe(SubscribeRequest.newBuilder().setAfterSequence(lastProcessed()).build(),
            new ClientResponseObserver<SubscribeRequest, Event>()
            {
                @Override
                public void beforeStart(final ClientCallStreamObserver<SubscribeRequest> requestStream)
                {
                    call.set(requestStream);
                }

                @Override
                public void onNext(final Event event)
                {
                    if (processed.size() >= count)
                    {
                        return; // cancelled: what still arrives is not processed
                    }
                    processed.add(event);
                    if (processed.size() >= count)
                    {
                        call.get().cancel("the subscriber dies", null);
                        done.countDown();
                    }
                }

                @Override
                public void onError(final Throwable t)
                {
                    done.countDown();
                }

                @Override
                public void onCompleted()
                {
                    done.countDown();
                }
            });
        try
        {
            done.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private long lastProcessed()
    {
        return processed.isEmpty() ? 0 : processed.get(processed.size() - 1).getSequence();
    }

    private static long balanceOf(final String json)
    {
        final int at = json.indexOf("\"balance\":") + "\"balance\":".length();
        int end = at;
        while (Character.isDigit(json.charAt(end)))
        {
            end++;
        }
        return Long.parseLong(json.substring(at, end));
    }

    private static StatusRuntimeException assertThrowsStatus(final Runnable call)
    {
        return org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, call::run);
    }
}
