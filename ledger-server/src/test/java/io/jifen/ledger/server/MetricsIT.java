package io.jifen.ledger.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandBatch;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prometheus scrapes the server over HTTP and finds, with the values the calls made: calls by RPC and status, unary
 * latency buckets, Submit batch sizes, the ring, the journal, replay, members and outstanding points by program, and
 * the JVM's own series.
 */
class MetricsIT
{
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)$");

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
    void aScrapeShowsWhatTheCallsDid() throws Exception
    {
        server = InProcessServer.start(new ServerConfig().data(data).metrics("127.0.0.1", 0));
        final int metricsPort = server.server().metricsPort();
        assertTrue(metricsPort > 0, "metrics served");
        final LedgerGrpc.LedgerBlockingStub ledger = server.ledger();
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e1").setMemberId("ann").build());
        ledger.enroll(EnrollRequest.newBuilder().setRequestId("e2").setMemberId("bob").build());
        ledger.earn(EarnRequest.newBuilder().setRequestId("x1").setMemberId("ann").setPoints(120).build());
        ledger.earn(EarnRequest.newBuilder().setRequestId("x2").setMemberId("bob").setPoints(30).build());
        assertThrows(StatusRuntimeException.class, () ->
            ledger.earn(EarnRequest.newBuilder().setRequestId("x3").setMemberId("ann").setPoints(-1).build()));
        submitBatchOfThree();
        long outstanding = 0;
        for (final String member : new String[] {"ann", "bob"})
        {
            final Balance b = ledger.getBalance(GetBalanceRequest.newBuilder().setMemberId(member).build());
            outstanding += b.getAvailable() + b.getHeld() + b.getPending();
        }

        final Map<String, Double> m = scrape(metricsPort);
        assertEquals(2.0, m.get("jifen_rpc_calls_total{code=OK,method=Earn}"), () -> dump(m));
        assertEquals(1.0, m.get("jifen_rpc_calls_total{code=INVALID_ARGUMENT,method=Earn}"));
        assertEquals(2.0, m.get("jifen_rpc_calls_total{code=OK,method=Enroll}"));
        assertEquals(1.0, m.get("jifen_rpc_calls_total{code=OK,method=Submit}"), "the stream, once it ended");
        assertEquals(3.0, m.get("jifen_rpc_duration_seconds_count{method=Earn}"));
        assertEquals(3.0, m.get("jifen_rpc_duration_seconds_bucket{le=+Inf,method=Earn}"));
        assertTrue(m.get("jifen_rpc_duration_seconds_bucket{le=10.0,method=Earn}") >= 3.0);
        assertEquals(1.0, m.get("jifen_submit_batch_commands_count"));
        assertEquals(3.0, m.get("jifen_submit_batch_commands_sum"));
        assertEquals(65536.0, m.get("jifen_ring_slots"));
        assertTrue(m.containsKey("jifen_ring_in_flight"));
        // the program put in force, two enrolls, two earns, three earns of the batch
        assertEquals(8.0, m.get("jifen_journal_records_total"));
        assertTrue(m.get("jifen_journal_bytes_total") > 8 * 100, "records of some hundred bytes each");
        assertTrue(m.get("jifen_journal_syncs_total") >= 1.0);
        assertTrue(m.containsKey("jifen_journal_sync_seconds_total"));
        assertEquals(1.0, m.get("jifen_replay_done"));
        assertEquals(0.0, m.get("jifen_replay_records"), "an empty journal at start");
        assertEquals(2.0, m.get("jifen_members"));
        assertEquals((double)outstanding, m.get("jifen_points_outstanding{program=default}"));
        assertTrue(outstanding >= 120 + 30 + 3, "earned: " + outstanding);
        assertEquals(0.0, m.get("jifen_overload_refused_total"));
        // counted for the process (the payload check is shared): one more after a payload that does not parse
        final double unparseable = m.get("jifen_payloads_unparseable_total");
        final io.grpc.MethodDescriptor<byte[], byte[]> rawEarn = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
            .setFullMethodName("jifen.ledger.v1.Ledger/Earn").setType(io.grpc.MethodDescriptor.MethodType.UNARY)
            .setRequestMarshaller(BadInputFuzzIT.BYTES).setResponseMarshaller(BadInputFuzzIT.BYTES).build();
        final io.grpc.ManagedChannel channel = CrashWrites.channel(server.port());
        try
        {
            assertThrows(StatusRuntimeException.class, () -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel,
                rawEarn, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                new byte[] {(byte)0x0A, (byte)0x7F, 1}));
        }
        finally
        {
            channel.shutdownNow();
        }
        assertEquals(unparseable + 1, scrape(metricsPort).get("jifen_payloads_unparseable_total"));
        assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM series too");

        // restarted on the same journal, the replay is reported
        server.close();
        server = InProcessServer.start(new ServerConfig().data(data).metrics("127.0.0.1", 0));
        final Map<String, Double> after = scrape(server.server().metricsPort());
        assertEquals(8.0, after.get("jifen_replay_records"));
        assertEquals(2.0, after.get("jifen_members"));
    }

    private void submitBatchOfThree() throws InterruptedException
    {
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        final io.grpc.ManagedChannel channel = CrashWrites.channel(server.port());
        final StreamObserver<Command> requests = LedgerGrpc.newStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS).submit(new StreamObserver<>()
            {
                @Override
                public void onNext(final CommandResult value)
                {
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
        final CommandBatch.Builder batch = CommandBatch.newBuilder();
        for (int i = 0; i < 3; i++)
        {
            batch.addCommands(Command.newBuilder().setCorrelationId(i).setEarn(EarnRequest.newBuilder()
                .setRequestId("b" + i).setMemberId("ann").setPoints(1)));
        }
        requests.onNext(Command.newBuilder().setCorrelationId(99).setBatch(batch).build());
        requests.onCompleted();
        try
        {
            assertTrue(done.await(30, TimeUnit.SECONDS));
        }
        finally
        {
            channel.shutdownNow();
        }
    }

    /** @return each sample by its name and labels, labels sorted and unquoted: {@code name{a=x,b=y}}. */
    private static Map<String, Double> scrape(final int port) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : response.body().split("\n"))
        {
            if (line.startsWith("#") || line.isBlank())
            {
                continue;
            }
            final Matcher matcher = SAMPLE.matcher(line);
            assertTrue(matcher.matches(), "a sample line: " + line);
            final Map<String, String> labels = new TreeMap<>();
            if (null != matcher.group(3))
            {
                for (final String pair : matcher.group(3).split(","))
                {
                    final int eq = pair.indexOf('=');
                    labels.put(pair.substring(0, eq), pair.substring(eq + 1).replace("\"", ""));
                }
            }
            final String key = matcher.group(1) + (labels.isEmpty() ? "" : labels.toString().replace(", ", ",")
                .replace("{", "{").replace("}", "}"));
            samples.put(key, Double.parseDouble(matcher.group(4)));
        }
        return samples;
    }

    private static String dump(final Map<String, Double> samples)
    {
        final StringBuilder out = new StringBuilder();
        new TreeMap<>(samples).forEach((k, v) ->
        {
            if (k.startsWith("jifen"))
            {
                out.append(k).append(' ').append(v).append('\n');
            }
        });
        return out.toString();
    }
}
