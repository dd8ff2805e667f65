package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real full disk: the data folder on a small ext4 file system, filled by the server's own journal. Writes stop with
 * UNAVAILABLE and health says NOT_SERVING for the ledger; reads go on from the journaled state; start-up on the
 * still-full disk is refused naming the folder; once there is space again a plain restart (no operator discard)
 * has every acknowledged write, and a new write is read back after the next restart.
 * <p>
 * Needs permission to mount a loop file system (root in the CI container); elsewhere it says so and does not run.
 */
class DiskFullIT
{
    private static final int MEMBERS = 20;
    private static Path mount;
    private static Path image;

    @BeforeAll
    static void mountSmallDisk() throws Exception
    {
        // ext4 as on a server (tmpfs would not do: reading a hole of a mapped file there needs a free page too)
        image = Files.createTempFile("jifen-disk-full", ".img");
        mount = Files.createTempDirectory("jifen-disk-full");
        final boolean mounted = run("truncate", "-s", "8m", image.toString()) &&
            run("mkfs.ext4", "-q", "-F", "-O", "^has_journal", image.toString()) &&
            run("mount", "-o", "loop", image.toString(), mount.toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "cannot mount a loop file system here (needs root)");
    }

    @AfterAll
    static void unmount() throws Exception
    {
        if (null != mount)
        {
            run("umount", "-l", mount.toString()); // lazily: the JVM may still map files there
            // a lazy unmount detaches the file system at once: the mount point is an empty folder again
            if (!run("rmdir", mount.toString()))
            {
                System.out.println("disk full: left the mount point " + mount + " (still mounted?)");
            }
        }
        if (null != image)
        {
            Files.deleteIfExists(image);
        }
    }

    private static boolean run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    @Test
    void writesStopReadsGoOnAndNothingAcknowledgedIsLost() throws Exception
    {
        final Path data = mount.resolve("data");
        final Path ballast = mount.resolve("ballast"); // what the operator deletes to make room
        Files.write(ballast, new byte[3 << 20]);
        final Map<String, Long> acknowledged = new HashMap<>();
        String failedMember = null;
        long failedPoints = 0;
        try (Running running = new Running(new ServerConfig().port(0).data(data).minFreeBytes(0)))
        {
            for (int m = 0; m < MEMBERS; m++)
            {
                running.ledger.enroll(EnrollRequest.newBuilder().setRequestId("enroll-" + m).setMemberId("m-" + m)
                    .build());
                acknowledged.put("m-" + m, 0L);
            }
            for (int i = 0; ; i++)
            {
                final String member = "m-" + i % MEMBERS;
                final long points = 1 + i % 97;
                try
                {
                    running.ledger.earn(EarnRequest.newBuilder().setRequestId("earn-" + i).setMemberId(member)
                        .setPoints(points).setOrderId("order-" + i + "-" + "x".repeat(48)).build());
                    acknowledged.merge(member, points, Long::sum);
                }
                catch (final StatusRuntimeException ex)
                {
                    assertEquals(Status.Code.UNAVAILABLE, ex.getStatus().getCode(), ex::toString);
                    failedMember = member;
                    failedPoints = points;
                    break;
                }
                assertTrue(i < 1_000_000, "the disk never filled");
            }
            assertEquals(ServingStatus.NOT_SERVING, running.health(""));
            assertEquals(ServingStatus.NOT_SERVING, running.health(LedgerServer.LEDGER_SERVICE));
            final StatusRuntimeException write = assertThrows(StatusRuntimeException.class, () -> running.ledger
                .enroll(EnrollRequest.newBuilder().setRequestId("late").setMemberId("late").build()));
            assertEquals(Status.Code.UNAVAILABLE, write.getStatus().getCode());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (running.health(LedgerServer.READS_SERVICE) != ServingStatus.SERVING)
            {
                assertTrue(System.nanoTime() < deadline, "reads are served again from the journaled state");
                Thread.sleep(20);
            }
            assertBalances(running, acknowledged, failedMember, failedPoints);
        }

        final IllegalStateException full = assertThrows(IllegalStateException.class,
            () -> new LedgerServer(new ServerConfig().port(0).data(data).minFreeBytes(512 * 1024)).start());
        assertTrue(full.getMessage().contains(data.toAbsolutePath().toString()) &&
            full.getMessage().contains("free"), full.getMessage());

        Files.delete(ballast);
        final long failedJournaled;
        try (Running running = new Running(new ServerConfig().port(0).data(data).minFreeBytes(1 << 20)))
        {
            failedJournaled = assertBalances(running, acknowledged, failedMember, failedPoints);
            running.ledger.earn(EarnRequest.newBuilder().setRequestId("after").setMemberId("m-0").setPoints(7)
                .setOrderId("after").build());
            acknowledged.merge("m-0", 7L, Long::sum);
        }
        try (Running running = new Running(new ServerConfig().port(0).data(data).minFreeBytes(1 << 20)))
        {
            assertEquals(failedJournaled, assertBalances(running, acknowledged, failedMember, failedPoints));
        }
    }

    /**
     * Every member's balance is what was acknowledged; the write that failed may or may not be in the journal
     * (UNAVAILABLE promises neither: its retry settles it).
     *
     * @return the failed write's points found in the balance (0 or all of them).
     */
    private static long assertBalances(final Running running, final Map<String, Long> acknowledged,
        final String failedMember, final long failedPoints)
    {
        long failedFound = 0;
        for (final Map.Entry<String, Long> member : acknowledged.entrySet())
        {
            final long available = running.ledger.getBalance(GetBalanceRequest.newBuilder()
                .setMemberId(member.getKey()).build()).getAvailable();
            final long extra = available - member.getValue();
            if (extra != 0)
            {
                if (!member.getKey().equals(failedMember) || extra != failedPoints)
                {
                    fail(member.getKey() + " has " + available + " where " + member.getValue() + " were acknowledged");
                }
                failedFound = extra;
            }
        }
        return failedFound;
    }

    /** A server on the folder and a client of it. */
    private static final class Running implements AutoCloseable
    {
        final LedgerServer server;
        final ManagedChannel channel;
        final LedgerGrpc.LedgerBlockingStub ledger;

        Running(final ServerConfig config) throws IOException
        {
            server = new LedgerServer(config).start();
            channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            ledger = LedgerGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        }

        ServingStatus health(final String service)
        {
            return HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder().setService(service)
                .build()).getStatus();
        }

        @Override
        public void close()
        {
            channel.shutdownNow();
            server.close();
        }
    }
}
