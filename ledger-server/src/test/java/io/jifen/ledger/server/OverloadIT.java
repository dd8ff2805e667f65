package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.WriteResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server offered five times what it can do, as a flash sale offers it: POS calls with a one-second deadline,
 * open loop (a call is sent on schedule whether or not earlier ones came back). The server runs as its own process,
 * its CPU throttled to about a tenth of wall time (SIGSTOP/SIGCONT in turn, as cpulimit does) so that five times its
 * capacity is a rate this machine's client can offer. It must shed what it cannot serve in time (RESOURCE_EXHAUSTED
 * OVERLOADED at once, not a client-side timeout), keep serving writes near its capacity, answer reads and health all
 * along, keep its memory, and be back to normal within seconds of the load stopping.
 *
 * <p>{@code -Djifen.overload.seconds=30} runs the long version (the default is 8 s, for CI);
 * {@code -Djifen.overload.throttle=process} throttles the whole process even where a cgroup could take the pipeline's
 * threads alone.
 */
class OverloadIT
{
    private static final int SECONDS = Integer.getInteger("jifen.overload.seconds", 8);
    private static final int MEMBERS = 1_000;
    private static final long DEADLINE_MS = 1_000;

    @TempDir
    Path data;

    @Test
    void fiveTimesCapacityIsShedAtTheDoorWhileReadsHealthAndMemoryHold() throws Exception
    {
        try (ServerProcess server = ServerProcess.start(data))
        {
            final int port = server.awaitPort();
            final ManagedChannel channel = CrashWrites.channel(port);
            final ManagedChannel probes = CrashWrites.channel(port); // a second POS, on its own connection
            try
            {
                final LedgerGrpc.LedgerBlockingStub blocking = LedgerGrpc.newBlockingStub(channel);
                for (int m = 0; m < MEMBERS; m++)
                {
                    blocking.withDeadlineAfter(10, TimeUnit.SECONDS).enroll(EnrollRequest.newBuilder()
                        .setRequestId("e-" + m).setMemberId("m-" + m).build());
                }
                final long pid = server.pid();
                final long rssBefore = rssKb(pid);
                final Throttle throttle = Throttle.of(pid);
                try
                {
                    final Run capacity = closedLoop(channel, 1024, 3); // enough in flight to fill every batch
                    final double capacityPerSecond = capacity.ok.get() / 3.0;
                    final double offered = 5 * capacityPerSecond;
                    final Probes probing = new Probes(probes);
                    probing.start();
                    final Run overload = openLoop(channel, offered, SECONDS);
                    final double recoverySeconds = (recovered(probes) - overload.endNanos) / 1e9;
                    probing.stop();
                    final long rssAfter = rssKb(pid);

                    final double goodput = overload.ok.get() / (double)SECONDS;
                    System.out.printf("overload (%s throttled): capacity %.0f calls/s (closed loop); offered %.0f/s " +
                        "for %d s (%d sent); goodput %.0f/s (%.2f of capacity); answers %s; p50/p99/max of accepted " +
                        "%d/%d/%d ms; reads during it %d/%d OK, health %d/%d SERVING, slowest probe %d ms; " +
                        "recovered %.2f s after the load stopped; RSS %d -> %d MiB%n",
                        throttle.pipelineOnly() ? "pipeline threads" : "whole process", capacityPerSecond, offered,
                        SECONDS, overload.sent.get(), goodput,
                        goodput / capacityPerSecond, new TreeMap<>(overload.byStatus),
                        overload.latency.getValueAtPercentile(50), overload.latency.getValueAtPercentile(99),
                        overload.latency.getMaxValue(), probing.readsOk.get(), probing.reads.get(),
                        probing.healthOk.get(), probing.health.get(), probing.slowestMs.get(), recoverySeconds,
                        rssBefore >> 10, rssAfter >> 10);

                    final long sent = overload.sent.get();
                    assertTrue(sent >= offered * SECONDS * 0.8, "the client offered the load: " + sent);
                    if (throttle.pipelineOnly())
                    {
                        // the excess waits in the server's own queue, where the server can see it and shed it
                        assertTrue(overload.byStatus.getOrDefault("RESOURCE_EXHAUSTED/OVERLOADED", 0L) > sent / 3,
                            "most of the excess is refused at the door");
                        final long timedOut = overload.byStatus.getOrDefault("DEADLINE_EXCEEDED", 0L);
                        assertTrue(timedOut < sent / 10, "few calls wait past their deadline: " + timedOut);
                        // measured 0.41-1.06 of the closed-loop capacity here (the estimate errs on the safe
                        // side under a pipeline that runs 1 ms in 100); without shedding it fell to 0.03
                        assertTrue(goodput >= 0.3 * capacityPerSecond, "the server keeps doing useful work");
                        assertTrue(overload.latency.getValueAtPercentile(99) < DEADLINE_MS, "accepted calls in time");
                    }
                    assertTrue(probing.readsOk.get() >= probing.reads.get() * 0.9, "reads go on answering: " +
                        probing.readFailures);
                    assertTrue(probing.healthOk.get() == probing.health.get() && probing.health.get() > 0,
                        "health answers SERVING throughout");
                    assertTrue(recoverySeconds < 5, "recovered in " + recoverySeconds + " s");
                    assertTrue(rssAfter < rssBefore + 300 * 1024, "RSS " + rssBefore + " -> " + rssAfter + " kB");
                }
                finally
                {
                    throttle.stop();
                }
            }
            finally
            {
                channel.shutdownNow();
                probes.shutdownNow();
            }
        }
    }

    /** What a run's calls answered. */
    private static final class Run
    {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong inFlight = new AtomicLong();
        long endNanos;
        final Map<String, Long> byStatus = new ConcurrentHashMap<>();
        final Histogram latency = new Histogram(60_000, 3);

        StreamObserver<WriteResult> observer(final long startNanos)
        {
            inFlight.incrementAndGet();
            return new StreamObserver<>()
            {
                @Override
                public void onNext(final WriteResult value)
                {
                }

                @Override
                public void onError(final Throwable t)
                {
                    final Status status = Status.fromThrowable(t);
                    final String reason = status.getCode() == Status.Code.RESOURCE_EXHAUSTED &&
                        String.valueOf(status.getDescription()).contains("retry after") ? "/OVERLOADED" : "";
                    byStatus.merge(status.getCode().name() + reason, 1L, Long::sum);
                    inFlight.decrementAndGet();
                }

                @Override
                public void onCompleted()
                {
                    ok.incrementAndGet();
                    byStatus.merge("OK", 1L, Long::sum);
                    synchronized (latency)
                    {
                        latency.recordValue(Math.min(60_000, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() -
                            startNanos)));
                    }
                    inFlight.decrementAndGet();
                }
            };
        }
    }

    private static final AtomicLong REQUESTS = new AtomicLong();

    private static EarnRequest earn()
    {
        final long n = REQUESTS.incrementAndGet();
        return EarnRequest.newBuilder().setRequestId("x-" + n).setMemberId("m-" + (n % MEMBERS)).setPoints(1).build();
    }

    /** {@code concurrency} callers, each sending its next call when the last is answered. */
    private static Run closedLoop(final ManagedChannel channel, final int concurrency, final int seconds)
        throws InterruptedException
    {
        final Run run = new Run();
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final LedgerGrpc.LedgerStub stub = LedgerGrpc.newStub(channel);
        while (System.nanoTime() < end)
        {
            if (run.inFlight.get() < concurrency)
            {
                run.sent.incrementAndGet();
                stub.withDeadlineAfter(DEADLINE_MS * 10, TimeUnit.MILLISECONDS).earn(earn(),
                    run.observer(System.nanoTime()));
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        waitForAnswers(run);
        return run;
    }

    /** Calls sent on schedule at {@code perSecond}, whatever came back. */
    private static Run openLoop(final ManagedChannel channel, final double perSecond, final int seconds)
        throws InterruptedException
    {
        final Run run = new Run();
        final LedgerGrpc.LedgerStub stub = LedgerGrpc.newStub(channel);
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(seconds);
        final double intervalNanos = 1e9 / perSecond;
        long sent = 0;
        long now;
        while ((now = System.nanoTime()) < end)
        {
            final long due = (long)((now - start) / intervalNanos);
            while (sent < due)
            {
                sent++;
                run.sent.incrementAndGet();
                stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).earn(earn(),
                    run.observer(System.nanoTime()));
            }
            Thread.sleep(0, 200_000);
        }
        run.endNanos = System.nanoTime();
        waitForAnswers(run);
        return run;
    }

    private static void waitForAnswers(final Run run) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (run.inFlight.get() > 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
    }

    /**
     * @return the instant ({@link System#nanoTime()}) three writes in a row have answered within 200 ms each (the
     * throttle's pauses are 45 ms).
     */
    private static long recovered(final ManagedChannel channel) throws InterruptedException
    {
        final long start = System.nanoTime();
        final LedgerGrpc.LedgerBlockingStub stub = LedgerGrpc.newBlockingStub(channel);
        int fast = 0;
        while (fast < 3 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60))
        {
            final long t0 = System.nanoTime();
            try
            {
                stub.withDeadlineAfter(2, TimeUnit.SECONDS).earn(earn());
                fast = System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(200) ? fast + 1 : 0;
            }
            catch (final StatusRuntimeException ex)
            {
                fast = 0;
                Thread.sleep(20);
            }
        }
        return System.nanoTime();
    }

    /** A second POS that reads a balance and probes health every 100 ms while the load runs. */
    private static final class Probes
    {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong readsOk = new AtomicLong();
        final AtomicLong health = new AtomicLong();
        final AtomicLong healthOk = new AtomicLong();
        final AtomicLong slowestMs = new AtomicLong();
        final Map<String, Long> readFailures = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Probes(final ManagedChannel channel)
        {
            thread = new Thread(() ->
            {
                final LedgerGrpc.LedgerBlockingStub ledger = LedgerGrpc.newBlockingStub(channel);
                final HealthGrpc.HealthBlockingStub healthStub = HealthGrpc.newBlockingStub(channel);
                while (running.get())
                {
                    final long t0 = System.nanoTime();
                    reads.incrementAndGet();
                    try
                    {
                        ledger.withDeadlineAfter(2, TimeUnit.SECONDS)
                            .getBalance(GetBalanceRequest.newBuilder().setMemberId("m-1").build());
                        readsOk.incrementAndGet();
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        readFailures.merge(ex.getStatus().getCode() + " " + ex.getStatus().getDescription(), 1L,
                            Long::sum);
                    }
                    health.incrementAndGet();
                    try
                    {
                        if (healthStub.withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest
                            .getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING)
                        {
                            healthOk.incrementAndGet();
                        }
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        // counted
                    }
                    slowestMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Math::max);
                    try
                    {
                        Thread.sleep(100);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            }, "probes");
        }

        void start()
        {
            thread.start();
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            thread.join(10_000);
        }
    }

    /**
     * Slows the server down so that five times its capacity is a rate this machine's client can offer. Where the
     * cgroup v1 cpu controller is writable, only the pipeline's threads (state machine, journal, reply) get a CPU
     * quota: the ledger's single writer is the bottleneck, as it is at scale, and the server's own queue is where the
     * excess waits. Elsewhere the whole process is stopped 45 ms of every 50 (SIGSTOP/SIGCONT, as cpulimit does):
     * then the excess waits in TCP buffers the server cannot see, and only what the server controls is asserted.
     */
    private interface Throttle
    {
        boolean pipelineOnly();

        void stop() throws InterruptedException;

        static Throttle of(final long pid) throws IOException
        {
            final Path cpu = Path.of("/sys/fs/cgroup/cpu");
            final boolean process = "process".equals(System.getProperty("jifen.overload.throttle"));
            if (!process && Files.isWritable(cpu) && Files.exists(cpu.resolve("cpu.cfs_quota_us")))
            {
                try
                {
                    return new PipelineQuota(pid, cpu.resolve("jifen-overload-" + pid));
                }
                catch (final IOException ex)
                {
                    System.out.println("overload: no cgroup for the pipeline threads (" + ex + "): whole process");
                }
            }
            return new StopContinue(pid);
        }
    }

    private static final class PipelineQuota implements Throttle
    {
        private final Path group;

        PipelineQuota(final long pid, final Path group) throws IOException
        {
            this.group = group;
            Files.createDirectories(group);
            // 1% of one CPU (the least quota allowed over the longest period that keeps the pipeline's pauses short):
            // five times its capacity then stays a rate this machine's event loops and client handle, so the excess
            // waits in the server's queue, not in TCP buffers
            Files.writeString(group.resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "1000");
            int moved = 0;
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task")))
            {
                for (final Path task : tasks.toList())
                {
                    final String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("jifen-state") || name.equals("jifen-journal") || name.equals("jifen-reply"))
                    {
                        Files.writeString(group.resolve("tasks"), task.getFileName().toString());
                        moved++;
                    }
                }
            }
            if (moved != 3)
            {
                stop();
                throw new IOException("found " + moved + " of the 3 pipeline threads");
            }
        }

        @Override
        public boolean pipelineOnly()
        {
            return true;
        }

        @Override
        public void stop()
        {
            try
            {
                Files.writeString(group.resolve("cpu.cfs_quota_us"), "-1");
                final Path root = group.getParent().resolve("tasks");
                for (final String tid : Files.readAllLines(group.resolve("tasks")))
                {
                    Files.writeString(root, tid);
                }
                Files.delete(group);
            }
            catch (final IOException ex)
            {
                System.out.println("overload: could not remove " + group + ": " + ex);
            }
        }
    }

    private static final class StopContinue implements Throttle
    {
        private final long pid;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        StopContinue(final long pid) throws IOException
        {
            this.pid = pid;
            try
            {
                signal("-0"); // the kill command is there and may signal the server: else no throttle, say so
            }
            catch (final IOException | InterruptedException ex)
            {
                throw new IOException("cannot throttle the server with kill -STOP/-CONT: " + ex, ex);
            }
            thread = new Thread(this::run, "throttle");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public boolean pipelineOnly()
        {
            return false;
        }

        private void run()
        {
            try
            {
                while (running.get())
                {
                    signal("-STOP");
                    Thread.sleep(45);
                    signal("-CONT");
                    Thread.sleep(5);
                }
            }
            catch (final InterruptedException | IOException ex)
            {
                // stop throttling
            }
            finally
            {
                try
                {
                    signal("-CONT");
                }
                catch (final IOException | InterruptedException ex)
                {
                    // the process is gone
                }
            }
        }

        private void signal(final String signal) throws IOException, InterruptedException
        {
            final int exit = new ProcessBuilder("kill", signal, Long.toString(pid)).start().waitFor();
            if (exit != 0)
            {
                throw new IOException("kill " + signal + " " + pid + " exited " + exit);
            }
        }

        @Override
        public void stop() throws InterruptedException
        {
            running.set(false);
            thread.join(5_000);
        }
    }

    private static long rssKb(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
