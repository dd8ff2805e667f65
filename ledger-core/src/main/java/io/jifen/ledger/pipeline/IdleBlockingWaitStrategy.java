package io.jifen.ledger.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * The pipeline's wait strategy, made for a machine with fewer cores than threads that want them.
 * <ul>
 *   <li>While the ring is empty, a stage blocks on a condition and burns nothing; a publisher signals only when some
 *       stage is blocked (one flag read otherwise).</li>
 *   <li>While an upstream stage is still working on published events (the journal waiting for the state machine, the
 *       reply stage for an fdatasync), a stage spins briefly, then yields, then parks in short steps: it never
 *       busy-spins through a sync, which on two cores would take the core the other stages need.</li>
 * </ul>
 * Disruptor's own blocking strategies busy-spin on the upstream stage; its sleeping strategy never blocks, so an
 * idle server kept three threads waking every ~60 µs (more than half a core of the two, measured by
 * {@code benchmarks/compare}).
 */
public final class IdleBlockingWaitStrategy implements WaitStrategy
{
    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final long PARK_NS = 1_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    private final AtomicBoolean signalNeeded = new AtomicBoolean();

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
        final SequenceBarrier barrier) throws AlertException, InterruptedException
    {
        if (cursor.get() < sequence)
        {
            lock.lock();
            try
            {
                while (true)
                {
                    // raise the flag before the last look: a publisher that moves the cursor after that look sees it
                    signalNeeded.set(true);
                    if (cursor.get() >= sequence)
                    {
                        break;
                    }
                    barrier.checkAlert();
                    published.await();
                }
            }
            finally
            {
                lock.unlock();
            }
        }
        long available;
        int waited = 0;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            if (waited < SPINS)
            {
                Thread.onSpinWait();
            }
            else if (waited < SPINS + YIELDS)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(PARK_NS);
            }
            waited++;
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        if (signalNeeded.getAndSet(false))
        {
            lock.lock();
            try
            {
                published.signalAll();
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString()
    {
        return "IdleBlockingWaitStrategy{spins=" + SPINS + ", yields=" + YIELDS + ", parkNs=" + PARK_NS + "}";
    }
}
