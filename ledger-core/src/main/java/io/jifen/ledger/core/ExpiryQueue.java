package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A binary min-heap of (expiresAt, lotId, slot) in primitive arrays: which lot expires next. The order is total
 * (ties on time broken by the lot id, unique for the life of the ledger), so the lots a budget-limited sweep expires
 * depend only on which lots are live, not on the heap's history. Entries of lots that were consumed, expired early or
 * whose slot was since reused stay until their time and are skipped then: the caller checks the slot still holds
 * that lot id with points left.
 */
final class ExpiryQueue
{
    private long[] at;
    private long[] ids;
    private int[] slots;
    private int size;

    ExpiryQueue(final int initialCapacity)
    {
        at = new long[initialCapacity];
        ids = new long[initialCapacity];
        slots = new int[initialCapacity];
    }

    void push(final long expiresAt, final long lotId, final int slot)
    {
        if (size == at.length)
        {
            at = Arrays.copyOf(at, size << 1);
            ids = Arrays.copyOf(ids, size << 1);
            slots = Arrays.copyOf(slots, size << 1);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!less(expiresAt, lotId, at[parent], ids[parent]))
            {
                break;
            }
            move(parent, i);
            i = parent;
        }
        at[i] = expiresAt;
        ids[i] = lotId;
        slots[i] = slot;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekAt()
    {
        return at[0];
    }

    long peekLotId()
    {
        return ids[0];
    }

    int peekSlot()
    {
        return slots[0];
    }

    void pop()
    {
        final int last = --size;
        final long lastAt = at[last];
        final long lastId = ids[last];
        final int lastSlot = slots[last];
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
            if (right < last && less(at[right], ids[right], at[left], ids[left]))
            {
                child = right;
            }
            if (!less(at[child], ids[child], lastAt, lastId))
            {
                break;
            }
            move(child, i);
            i = child;
        }
        at[i] = lastAt;
        ids[i] = lastId;
        slots[i] = lastSlot;
    }

    int size()
    {
        return size;
    }

    private void move(final int from, final int to)
    {
        at[to] = at[from];
        ids[to] = ids[from];
        slots[to] = slots[from];
    }

    private static boolean less(final long atA, final long idA, final long atB, final long idB)
    {
        return atA < atB || (atA == atB && idA < idB);
    }
}
