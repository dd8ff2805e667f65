package io.jifen.ledger.server;

import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.jifen.ledger.pipeline.LedgerPipeline;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The server's Prometheus metrics, on an HTTP port of their own ({@code --metrics-port}): calls by RPC and status,
 * the latency of unary calls, the ring, the journal (records, bytes, syncs and their time), Submit batch sizes, load
 * shed, replay and snapshots, and what the ledger holds (members, lot slots, outstanding points per program), with
 * the JVM's own. {@code docs/grafana-dashboard.json} charts them.
 *
 * <p>Counters on the request path are the client library's (striped adders); everything the pipeline or the ledger
 * knows is read at scrape time through callbacks, so the hot path pays nothing for a metric nobody scrapes. The
 * ledger's holdings belong to the writer's thread: it publishes them at the end of a batch when a scrape asks.
 */
final class Metrics implements AutoCloseable
{
    /** Upper bounds of the latency buckets, in seconds: 50 us to 10 s. */
    private static final double[] LATENCY_BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
        0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter calls;
    private final Histogram latency;
    private final Histogram submitBatches;
    private final java.util.concurrent.ConcurrentHashMap<String, MethodSeries> byMethod =
        new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long replayedRecords;
    private volatile long replayNanos;
    private volatile boolean replayed;
    private HTTPServer http;

    Metrics()
    {
        calls = Counter.builder().name("jifen_rpc_calls").help("Calls answered, by RPC and status code")
            .labelNames("method", "code").register(registry);
        latency = Histogram.builder().name("jifen_rpc_duration_seconds").unit(Unit.SECONDS)
            .help("Time from a unary call's arrival to its answer, by RPC").labelNames("method")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        submitBatches = Histogram.builder().name("jifen_submit_batch_commands")
            .help("Commands per Submit message (1 for a single command)")
            .classicOnly().classicUpperBounds(BATCH_BOUNDS).register(registry);
        CounterWithCallback.builder().name("jifen_payloads_unparseable")
            .help("Request messages refused because they do not parse (PAYLOAD_INVALID)")
            .callback(cb -> cb.call(Payloads.refused())).register(registry);
        GaugeWithCallback.builder().name("jifen_replay_records")
            .help("Journal records replayed at start, so far (the replay is over when jifen_replay_done is 1)")
            .callback(cb -> cb.call(replayedRecords)).register(registry);
        GaugeWithCallback.builder().name("jifen_replay_done").help("1 once the start-up replay is over")
            .callback(cb -> cb.call(replayed ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("jifen_replay_duration_seconds").unit(Unit.SECONDS)
            .help("How long the start-up replay took").callback(cb -> cb.call(replayNanos / 1e9)).register(registry);
    }

    /** Starts the HTTP endpoint ({@code /metrics}); port 0 takes a free one. */
    Metrics serve(final String host, final int port) throws IOException
    {
        // only when served: the JVM's instrumentation hooks itself into JVM-wide listeners
        JvmMetrics.builder().register(registry);
        http = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        return this;
    }

    int port()
    {
        return null == http ? -1 : http.getPort();
    }

    long replayedRecords()
    {
        return replayedRecords;
    }

    void replayProgress(final long records)
    {
        replayedRecords = records;
    }

    void replayDone(final long records, final long nanos)
    {
        replayedRecords = records;
        replayNanos = nanos;
        replayed = true;
    }

    void submitBatch(final int commands)
    {
        submitBatches.observe(commands);
    }

    /** The pipeline's figures, read at scrape time. */
    void watch(final LedgerPipeline pipeline, final Admission admission, final LongSupplier snapshotsTaken)
    {
        gauge("jifen_ring_in_flight", "Commands in the ring, published and not yet answered", pipeline::inFlight);
        gauge("jifen_ring_slots", "Slots of the command ring", pipeline::ringSize);
        counter("jifen_journal_records", "Records appended to the journal since start", pipeline::journaledRecords);
        counter("jifen_journal_bytes", "Bytes of records appended to the journal since start",
            pipeline::journaledBytes);
        counter("jifen_journal_syncs", "Syncs of the journal to the device since start", pipeline::syncs);
        CounterWithCallback.builder().name("jifen_journal_sync_seconds").unit(Unit.SECONDS)
            .help("Time spent syncing the journal to the device since start (over jifen_journal_syncs: the mean)")
            .callback(cb -> cb.call(pipeline.syncNanos() / 1e9)).register(registry);
        counter("jifen_overload_refused", "Calls refused OVERLOADED at the door", admission::refused);
        counter("jifen_deadline_skipped", "Commands skipped because their caller's deadline had passed",
            pipeline::skippedPastDeadline);
        gauge("jifen_durable_sequence", "The last journal sequence as durable as the sync mode promises",
            pipeline::durableSequence);
        counter("jifen_snapshots", "Snapshots written since start", snapshotsTaken);
    }

    /** What the ledger holds, as its writer last published it: one snapshot serves a whole scrape (and a second). */
    void watch(final Supplier<LedgerPipeline.Stats> source)
    {
        final Supplier<LedgerPipeline.Stats> stats = new Supplier<>()
        {
            private LedgerPipeline.Stats last;
            private long takenAt;

            @Override
            public synchronized LedgerPipeline.Stats get()
            {
                final long now = System.nanoTime();
                if (null == last || now - takenAt > 1_000_000_000L)
                {
                    last = source.get();
                    takenAt = now;
                }
                return last;
            }
        };
        GaugeWithCallback.builder().name("jifen_members").help("Members in the ledger")
            .callback(cb -> cb.call(stats.get().members())).register(registry);
        GaugeWithCallback.builder().name("jifen_lot_slots").help("Lot slots in use: open lots, and closed ones " +
            "inside the retention window").callback(cb -> cb.call(stats.get().lotSlots())).register(registry);
        GaugeWithCallback.builder().name("jifen_points_outstanding")
            .help("Points members hold, available, held and pending, by program (the liability in points)")
            .labelNames("program").callback(cb ->
            {
                final LedgerPipeline.Stats now = stats.get();
                for (int i = 0; i < now.programs().length; i++)
                {
                    cb.call(now.outstanding()[i], now.programs()[i]);
                }
            }).register(registry);
    }

    private void gauge(final String name, final String help, final LongSupplier value)
    {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    private void counter(final String name, final String help, final LongSupplier value)
    {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong()))
            .register(registry);
    }

    /** Counts every call by RPC and status, and times unary ones. */
    ServerInterceptor interceptor()
    {
        return new ServerInterceptor()
        {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(final ServerCall<ReqT, RespT> call,
                final Metadata headers, final ServerCallHandler<ReqT, RespT> next)
            {
                final long start = System.nanoTime();
                final String method = call.getMethodDescriptor().getBareMethodName();
                final boolean unary = call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY;
                final MethodSeries series = byMethod.computeIfAbsent(method, MethodSeries::new);
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call)
                {
                    @Override
                    public void close(final Status status, final Metadata trailers)
                    {
                        series.calls(status.getCode()).inc();
                        if (unary)
                        {
                            series.latency.observe((System.nanoTime() - start) / 1e9);
                        }
                        super.close(status, trailers);
                    }
                }, headers);
            }
        };
    }

    /** A method's series, looked up once (labelValues allocates): its latency and its calls by status. */
    private final class MethodSeries
    {
        final io.prometheus.metrics.core.datapoints.DistributionDataPoint latency;
        private final io.prometheus.metrics.core.datapoints.CounterDataPoint[] byCode =
            new io.prometheus.metrics.core.datapoints.CounterDataPoint[Status.Code.values().length];
        private final String method;

        MethodSeries(final String method)
        {
            this.method = method;
            this.latency = Metrics.this.latency.labelValues(method);
        }

        io.prometheus.metrics.core.datapoints.CounterDataPoint calls(final Status.Code code)
        {
            io.prometheus.metrics.core.datapoints.CounterDataPoint point = byCode[code.ordinal()];
            if (null == point)
            {
                point = Metrics.this.calls.labelValues(method, code.name());
                byCode[code.ordinal()] = point; // a benign race: two lookups of one child give the same child
            }
            return point;
        }
    }

    @Override
    public void close()
    {
        if (null != http)
        {
            http.close();
            http = null;
        }
        // the callbacks reach the pipeline and the ledger: nothing may keep them once the server is closed
        registry.clear();
    }
}
