package io.jifen.ledger.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.WriteResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The earns a crash test attempted against a server it then kills, the ones acknowledged before the kill, and what a
 * restarted server must show for them: every acknowledged write replays with its original outcome, every other one
 * is applied at most once, and each member holds exactly the sum of its attempted earns once all are retried.
 */
final class CrashWrites
{
    record Attempt(String requestId, String memberId, long points)
    {
        EarnRequest request()
        {
            return EarnRequest.newBuilder().setRequestId(requestId).setMemberId(memberId).setPoints(points).build();
        }
    }

    final Map<String, Attempt> attempted = new ConcurrentHashMap<>();
    final Map<String, WriteResult> acknowledged = new ConcurrentHashMap<>();

    static ManagedChannel channel(final int port)
    {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** Sends the earn, remembering it as attempted and, if answered, as acknowledged. */
    void earn(final LedgerGrpc.LedgerBlockingStub stub, final Attempt attempt)
    {
        attempted.put(attempt.requestId(), attempt);
        acknowledged.put(attempt.requestId(), stub.earn(attempt.request()));
    }

    /**
     * Starts {@code clients} threads earning while {@code running}: the n-th attempt of client c is
     * {@code attemptOf.apply(c, n)}; a client stops at its first failed call (the server killed).
     */
    List<Thread> startClients(final LedgerGrpc.LedgerBlockingStub stub, final int clients,
        final AtomicBoolean running, final BiFunction<Integer, Integer, Attempt> attemptOf)
    {
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++)
        {
            final int client = c;
            final Thread thread = new Thread(() ->
            {
                for (int n = 0; running.get(); n++)
                {
                    try
                    {
                        earn(stub.withDeadlineAfter(5, TimeUnit.SECONDS), attemptOf.apply(client, n));
                    }
                    catch (final StatusRuntimeException ex)
                    {
                        return;
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        return threads;
    }

    /** Every acknowledged write is there: a retry is a replay with the original sequence, balance and lot. */
    void assertAcknowledgedReplay(final LedgerGrpc.LedgerBlockingStub stub)
    {
        for (final Map.Entry<String, WriteResult> entry : acknowledged.entrySet())
        {
            final Attempt attempt = attempted.get(entry.getKey());
            final WriteResult retry = stub.earn(attempt.request());
            assertTrue(retry.getReplay(), "acknowledged write " + attempt + " was lost");
            assertEquals(entry.getValue().getSequence(), retry.getSequence());
            assertEquals(entry.getValue().getBalance(), retry.getBalance());
            assertEquals(entry.getValue().getLotId(), retry.getLotId());
        }
    }

    /**
     * Retries every write attempted but not acknowledged, which now counts as acknowledged.
     *
     * @return how many of them the journal already held (journaled before the kill, never answered).
     */
    long retryTheRest(final LedgerGrpc.LedgerBlockingStub stub)
    {
        long journaled = 0;
        for (final Attempt attempt : attempted.values())
        {
            if (!acknowledged.containsKey(attempt.requestId()))
            {
                final WriteResult retry = stub.earn(attempt.request());
                journaled += retry.getReplay() ? 1 : 0;
                acknowledged.put(attempt.requestId(), retry);
            }
        }
        return journaled;
    }

    /** Once every attempt is retried, member {@code m<i>} holds exactly its attempted earns (every {@code step}th). */
    void assertBalances(final LedgerGrpc.LedgerBlockingStub stub, final int members, final int step)
    {
        final long[] expected = new long[members];
        for (final Attempt attempt : attempted.values())
        {
            expected[Integer.parseInt(attempt.memberId().substring(1))] += attempt.points();
        }
        for (int m = 0; m < members; m += step)
        {
            assertEquals(expected[m], stub.getBalance(GetBalanceRequest.newBuilder().setMemberId("m" + m).build())
                .getAvailable(), "member m" + m);
        }
    }
}
