package io.jifen.ledger.server.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListHistoryResponse;
import io.jifen.ledger.api.v1.WriteResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ledger load-statements}: open-loop ListHistory calls against a running server, for issue 12's statement
 * target (a page of 50 of a member with 10,000 entries at 1,000 calls/s, while {@code ledger load} writes). It first
 * gives the member its entries (earns of 1 point, 256 in flight), then sends calls at the rate, each timed from its
 * intended send time (no coordinated omission), alternating the newest page and a page deep in the statement.
 */
public final class StatementLoad
{
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private String host = "127.0.0.1";
    private int port = 9090;
    @Option(names = "--target", paramLabel = "HOST:PORT", description = "server (default 127.0.0.1:9090)")
    private String target;
    @Option(names = "--member", paramLabel = "ID",
        description = "the member whose statement is read (default ${DEFAULT-VALUE})")
    private String member = "statement-hot";
    @Option(names = "--entries", paramLabel = "N",
        description = "earns to give the member first, if it has fewer (default ${DEFAULT-VALUE})")
    private int entries = 10_000;
    @Option(names = "--rate", paramLabel = "N", description = "calls per second (default ${DEFAULT-VALUE})")
    private double rate = 1000;
    @Option(names = "--page-size", paramLabel = "N", description = "entries a page (default ${DEFAULT-VALUE})")
    private int pageSize = 50;
    @Option(names = "--duration", paramLabel = "S", description = "seconds to measure (default ${DEFAULT-VALUE})")
    private double duration = 30;
    @Option(names = "--warmup", paramLabel = "S",
        description = "seconds of calls before measuring (default ${DEFAULT-VALUE})")
    private double warmup = 5;

    /** {@code ledger load-statements}. */
    @Command(name = "load-statements", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Open-loop ListHistory calls against a running server: a statement's latency under load.")
    public static final class LoadStatements implements Callable<Integer>
    {
        private final PrintStream out;
        @Mixin
        StatementLoad load;

        public LoadStatements(final PrintStream out)
        {
            this.out = out;
        }

        @Override
        public Integer call() throws InterruptedException
        {
            if (null != load.target)
            {
                final java.net.InetSocketAddress address = LoadOptions.hostPort("--target", load.target);
                load.host = address.getHostString();
                load.port = address.getPort();
            }
            return load.run(out);
        }
    }

    private int run(final PrintStream out) throws InterruptedException
    {
        final ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        try
        {
            final LedgerGrpc.LedgerStub stub = LedgerGrpc.newStub(channel);
            final String deep = seed(LedgerGrpc.newBlockingStub(channel), stub, out);
            final Recorder recorder = new Recorder(HIGHEST_NS, 3);
            final AtomicLong failures = new AtomicLong();
            final Semaphore inFlight = new Semaphore(4096);
            final long start = System.nanoTime();
            final long measureFrom = start + (long)(warmup * 1e9);
            final long end = measureFrom + (long)(duration * 1e9);
            long intended = start;
            long sent = 0;
            while (intended < end)
            {
                final long now = System.nanoTime();
                if (now < intended)
                {
                    LockSupport.parkNanos(Math.min(intended - now, 200_000));
                    continue;
                }
                final long at = intended;
                final boolean measured = at >= measureFrom;
                inFlight.acquireUninterruptibly();
                stub.listHistory(ListHistoryRequest.newBuilder().setMemberId(member).setPageSize(pageSize)
                    .setPageToken(sent % 2 == 0 ? "" : deep).build(), new StreamObserver<>()
                    {
                        @Override
                        public void onNext(final ListHistoryResponse value)
                        {
                            if (value.getEntriesCount() != pageSize && measured)
                            {
                                failures.incrementAndGet();
                            }
                        }

                        @Override
                        public void onError(final Throwable t)
                        {
                            inFlight.release();
                            if (measured)
                            {
                                failures.incrementAndGet();
                            }
                        }

                        @Override
                        public void onCompleted()
                        {
                            inFlight.release();
                            if (measured)
                            {
                                recorder.recordValue(Math.min(System.nanoTime() - at, HIGHEST_NS));
                            }
                        }
                    });
                sent++;
                intended += (long)(1e9 / rate);
            }
            inFlight.acquireUninterruptibly(4096);
            return report(recorder.getIntervalHistogram(), failures.get(), out);
        }
        finally
        {
            channel.shutdownNow();
        }
    }

    private int report(final Histogram h, final long failures, final PrintStream out)
    {
        out.printf("ListHistory page of %d (member %s): %d calls measured at %.0f/s, %d failed%n", pageSize,
            member, h.getTotalCount(), rate, failures);
        out.printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
            h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6,
            h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
        return failures == 0 ? 0 : 1;
    }

    /**
     * Gives the member its entries, then @return a page token of a page deep in its statement (the last page's).
     */
    private String seed(final LedgerGrpc.LedgerBlockingStub blocking, final LedgerGrpc.LedgerStub stub,
        final PrintStream out) throws InterruptedException
    {
        try
        {
            blocking.enroll(EnrollRequest.newBuilder().setRequestId("statement-load-enroll-" + member)
                .setMemberId(member).build());
        }
        catch (final io.grpc.StatusRuntimeException ex)
        {
            if (ex.getStatus().getCode() != io.grpc.Status.Code.ALREADY_EXISTS)
            {
                throw ex;
            }
        }
        final Semaphore inFlight = new Semaphore(256);
        final long startNs = System.nanoTime();
        for (int i = 0; i < entries; i++)
        {
            inFlight.acquire();
            stub.earn(EarnRequest.newBuilder().setRequestId("statement-load-" + member + "-" + i).setMemberId(member)
                .setPoints(1).build(), new StreamObserver<WriteResult>()
                {
                    @Override
                    public void onNext(final WriteResult value)
                    {
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                        inFlight.release();
                    }

                    @Override
                    public void onCompleted()
                    {
                        inFlight.release();
                    }
                });
        }
        inFlight.acquire(256);
        out.printf("member %s: %d earns sent in %.1f s%n", member, entries, (System.nanoTime() - startNs) / 1e9);
        final List<String> tokens = new ArrayList<>();
        String token = "";
        int read = 0;
        do
        {
            final ListHistoryResponse page = blocking.listHistory(ListHistoryRequest.newBuilder().setMemberId(member)
                .setPageSize(1000).setPageToken(token).build());
            read += page.getEntriesCount();
            token = page.getNextPageToken();
            tokens.add(token);
        }
        while (!token.isEmpty());
        out.printf("member %s: %d statement entries%n", member, read);
        if (read < entries)
        {
            throw new IllegalStateException("the statement holds " + read + " entries, fewer than " + entries);
        }
        // a page deep in the statement, with a whole page of 1000 after it: the token two full pages from the end
        return tokens.size() >= 3 ? tokens.get(tokens.size() - 3) : "";
    }
}
