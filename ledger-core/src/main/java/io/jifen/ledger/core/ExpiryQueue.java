package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A binary min-heap of (expiresAt, lotId) in primitive arrays: which lot expires next. The order is total (ties on
 * time broken by lot id), so the lots a budget-limited sweep expires depend only on which lots are live, not on the
 * heap's history. Entries of lots that were consumed or expired early stay until their time and are skipped then.
 */
final class ExpiryQueue
{
    private long[] at = new long[1024];
    private int[] lots = new int[1024];
    private int size;

    void push(final long expiresAt, final int lotId)
    {
        if (size == at.length)
        {
            at = Arrays.copyOf(at, size << 1);
            lots = Arrays.copyOf(lots, size << 1);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!less(expiresAt, lotId, at[parent], lots[parent]))
            {
                break;
            }
            at[i] = at[parent];
            lots[i] = lots[parent];
            i = parent;
        }
        at[i] = expiresAt;
        lots[i] = lotId;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekAt()
    {
        return at[0];
    }

    int pop()
    {
        final int top = lots[0];
        final int last = --size;
        final long lastAt = at[last];
        final int lastLot = lots[last];
        int i = 0;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= last)
            {
                break;
            }
            final int right = left + 1;
            int child = left;
            if (right < last && less(at[right], lots[right], at[left], lots[left]))
            {
                child = right;
            }
            if (!less(at[child], lots[child], lastAt, lastLot))
            {
                break;
            }
            at[i] = at[child];
            lots[i] = lots[child];
            i = child;
        }
        at[i] = lastAt;
        lots[i] = lastLot;
        return top;
    }

    int size()
    {
        return size;
    }

    private static boolean less(final long atA, final int lotA, final long atB, final int lotB)
    {
        return atA < atB || (atA == atB && lotA < lotB);
    }
}
