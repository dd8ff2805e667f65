package io.jifen.ledger.core;

import java.util.Comparator;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExpiryQueueTest
{
    private record Entry(long at, long id, int slot)
    {
    }

    /**
     * Random adds, removals of arbitrary slots and removals of the head, against a sorted set; the seed is in the
     * failure message.
     */
    @Test
    void alwaysYieldsTheEarliestOpenLotUnderRandomAddsAndRemovals()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            final Random random = new Random(seed);
            final ExpiryQueue queue = new ExpiryQueue(4);
            final TreeSet<Entry> model = new TreeSet<>(
                Comparator.comparingLong(Entry::at).thenComparingLong(Entry::id));
            final Entry[] bySlot = new Entry[500];
            long nextId = 0;
            for (int step = 0; step < 20_000; step++)
            {
                final int slot = random.nextInt(bySlot.length);
                final int op = random.nextInt(3);
                if (op == 0 && null == bySlot[slot])
                {
                    final Entry e = new Entry(random.nextInt(50), nextId++, slot);
                    queue.add(e.at(), e.id(), slot);
                    model.add(e);
                    bySlot[slot] = e;
                }
                else if (op == 1 && null != bySlot[slot])
                {
                    queue.remove(slot);
                    model.remove(bySlot[slot]);
                    bySlot[slot] = null;
                }
                else if (op == 2 && !model.isEmpty())
                {
                    final Entry first = model.pollFirst();
                    assertEquals(first.slot(), queue.peekSlot(), "seed " + seed + " step " + step);
                    assertEquals(first.at(), queue.peekAt(), "seed " + seed + " step " + step);
                    queue.remove(first.slot());
                    bySlot[first.slot()] = null;
                }
                assertEquals(model.size(), queue.size(), "seed " + seed + " step " + step);
            }
        }
    }

    @Test
    void removingASlotThatIsNotQueuedChangesNothing()
    {
        final ExpiryQueue queue = new ExpiryQueue(4);
        queue.add(10, 1, 3);
        queue.remove(2);
        queue.remove(1000);
        assertEquals(1, queue.size());
        assertEquals(3, queue.peekSlot());
    }
}
