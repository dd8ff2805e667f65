package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The open lots by expiry: an indexed binary min-heap of (expiresAt, lotId, slot) in primitive arrays, with each
 * slot's position in the heap kept beside it, so a lot that closes before its expiry (spent, clawed back) leaves the
 * queue at once and the queue holds exactly the open lots. The order is total (ties on time broken by the lot id,
 * unique for the life of the ledger), so which lots a budget-limited sweep expires depends only on which lots are
 * open, never on the heap's history.
 */
final class ExpiryQueue
{
    private static final int ABSENT = -1;

    private long[] at;
    private long[] ids;
    private int[] slots;
    private int size;
    /** Heap position of each lot slot, or -1. */
    private int[] positionOfSlot;

    ExpiryQueue(final int initialCapacity)
    {
        at = new long[initialCapacity];
        ids = new long[initialCapacity];
        slots = new int[initialCapacity];
        positionOfSlot = new int[initialCapacity];
        Arrays.fill(positionOfSlot, ABSENT);
    }

    void add(final long expiresAt, final long lotId, final int slot)
    {
        if (slot >= positionOfSlot.length)
        {
            final int old = positionOfSlot.length;
            positionOfSlot = Arrays.copyOf(positionOfSlot, Math.max(slot + 1, old << 1));
            Arrays.fill(positionOfSlot, old, positionOfSlot.length, ABSENT);
        }
        assert positionOfSlot[slot] == ABSENT : "lot slot " + slot + " queued twice";
        if (size == at.length)
        {
            at = Arrays.copyOf(at, size << 1);
            ids = Arrays.copyOf(ids, size << 1);
            slots = Arrays.copyOf(slots, size << 1);
        }
        final int i = size++;
        at[i] = expiresAt;
        ids[i] = lotId;
        slots[i] = slot;
        positionOfSlot[slot] = i;
        siftUp(i);
    }

    /**
     * Takes a lot out of the queue, if it is in it (a lot that closed before its expiry).
     */
    void remove(final int slot)
    {
        if (slot >= positionOfSlot.length || positionOfSlot[slot] == ABSENT)
        {
            return;
        }
        final int i = positionOfSlot[slot];
        positionOfSlot[slot] = ABSENT;
        final int last = --size;
        if (i != last)
        {
            at[i] = at[last];
            ids[i] = ids[last];
            slots[i] = slots[last];
            positionOfSlot[slots[i]] = i;
            if (i > 0 && less(i, (i - 1) >>> 1))
            {
                siftUp(i);
            }
            else
            {
                siftDown(i);
            }
        }
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    long peekAt()
    {
        return at[0];
    }

    int peekSlot()
    {
        return slots[0];
    }

    int size()
    {
        return size;
    }

    private void siftUp(final int start)
    {
        int i = start;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!less(i, parent))
            {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(final int start)
    {
        int i = start;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                return;
            }
            final int right = left + 1;
            final int child = right < size && less(right, left) ? right : left;
            if (!less(child, i))
            {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void swap(final int a, final int b)
    {
        final long atA = at[a];
        final long idA = ids[a];
        final int slotA = slots[a];
        at[a] = at[b];
        ids[a] = ids[b];
        slots[a] = slots[b];
        at[b] = atA;
        ids[b] = idA;
        slots[b] = slotA;
        positionOfSlot[slots[a]] = a;
        positionOfSlot[slots[b]] = b;
    }

    private boolean less(final int a, final int b)
    {
        return at[a] < at[b] || (at[a] == at[b] && ids[a] < ids[b]);
    }

    /**
     * Refills the queue with the given open lots, for a ledger read from a snapshot: the order is total (time, then
     * lot id), so the queue pops them exactly as the one that was written would, whatever its layout was. Built
     * bottom-up in linear time.
     *
     * @param capacity room for this many lots at least.
     * @param slotCapacity the lot store's capacity (the slot index's size).
     */
    void rebuild(final long[] expiresAt, final long[] lotIds, final int[] lotSlots, final int count,
        final int capacity, final int slotCapacity)
    {
        final int room = Math.max(Math.max(count, capacity), 1);
        at = java.util.Arrays.copyOf(expiresAt, room);
        ids = java.util.Arrays.copyOf(lotIds, room);
        slots = java.util.Arrays.copyOf(lotSlots, room);
        size = count;
        positionOfSlot = new int[Math.max(slotCapacity, 1)];
        Arrays.fill(positionOfSlot, ABSENT);
        for (int i = 0; i < count; i++)
        {
            positionOfSlot[slots[i]] = i;
        }
        for (int i = (count >>> 1) - 1; i >= 0; i--)
        {
            siftDown(i);
        }
    }

    /** @return true if every queued lot's slot points back at its place (false if a slot was given twice). */
    boolean slotsConsistent()
    {
        for (int i = 0; i < size; i++)
        {
            if (positionOfSlot[slots[i]] != i)
            {
                return false;
            }
        }
        return true;
    }
}
