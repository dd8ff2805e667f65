package io.jifen.ledger.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdIndexTest
{
    private final Map<Long, String> idsByPosition = new HashMap<>();
    private final IdIndex.PositionToId idAt = idsByPosition::get;

    @Test
    void idsWithTheSameHashAreToldApartByTheirStrings()
    {
        final IdIndex index = new IdIndex();
        idsByPosition.put(1L, "a");
        idsByPosition.put(2L, "b");
        index.put("a", 42, 1, idAt);
        index.put("b", 42, 2, idAt);
        assertEquals(1, index.find("a", 42, idAt));
        assertEquals(2, index.find("b", 42, idAt));
        assertEquals(-1, index.find("c", 42, idAt));
        index.forgetBelow(2);
        assertEquals(-1, index.find("a", 42, idAt));
        assertEquals(2, index.find("b", 42, idAt));
    }

    @Test
    void aReusedIdMapsToItsNewestPositionAndForgettingTheOldOneKeepsIt()
    {
        final IdIndex index = new IdIndex();
        idsByPosition.put(1L, "a");
        idsByPosition.put(9L, "a");
        index.put("a", 7, 1, idAt);
        index.put("a", 7, 9, idAt);
        assertEquals(9, index.find("a", 7, idAt));
        index.forgetBelow(2);
        assertEquals(9, index.find("a", 7, idAt));
        assertEquals(1, index.size());
    }

    @Test
    void aForgottenIdIsNotFoundEvenWhenItsPositionHoldsTheSameIdAgain()
    {
        // the request log is a ring: a forgotten position's entry may hold a newer request with the same id
        final IdIndex index = new IdIndex();
        idsByPosition.put(3L, "a");
        index.put("a", 5, 3, idAt);
        index.forgetBelow(4);
        assertEquals(-1, index.find("a", 5, idAt));
        idsByPosition.put(4L, "b");
        index.put("b", 5, 4, idAt);
        assertEquals(4, index.find("b", 5, idAt));
        idsByPosition.put(5L, "a");
        index.put("a", 5, 5, idAt);
        assertEquals(5, index.find("a", 5, idAt));
        assertEquals(4, index.find("b", 5, idAt));
    }

    @Test
    void aTableRestoredAtAPositionHasNothingForgottenToSweep()
    {
        final IdIndex index = new IdIndex(16, 1_000_000);
        idsByPosition.put(1_000_000L, "a");
        index.put("a", 1, 1_000_000, idAt);
        index.forgetBelow(1_000_000);
        assertEquals(1_000_000, index.find("a", 1, idAt));
        index.forgetBelow(1_000_001);
        assertEquals(-1, index.find("a", 1, idAt));
    }

    /**
     * Random puts and forgetting of the oldest positions, as the request log evicts, against a plain map: the newest
     * 500 to 2,500 positions are remembered (the window drifts, and now and then shrinks at once). Odd seeds draw the
     * hashes from a tiny range (long probe chains, wrap-around at the table's end), even ones from all 64 bits. The
     * forgotten entries the sweep has not reached yet never take more than an eighth of the table. The seed is in the
     * failure message.
     */
    @Test
    void matchesAMapUnderRandomPutsAndForgetting()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            final Random random = new Random(seed);
            final boolean collide = seed % 2 == 1;
            final IdIndex index = new IdIndex();
            final Map<String, Long> newest = new HashMap<>();
            final Map<String, Long> hashOf = new HashMap<>();
            long nextPosition = 0;
            long forgotten = 0;
            long live = 0;
            int window = 1500;
            for (int step = 0; step < 20_000; step++)
            {
                if (random.nextInt(3) > 0)
                {
                    final String id = "id-" + random.nextInt(50_000);
                    final long hash = hashOf.computeIfAbsent(id, k -> !collide ? random.nextLong() :
                        random.nextBoolean() ? 1020L + random.nextInt(8) : (long)random.nextInt(64));
                    final long position = nextPosition++;
                    idsByPosition.put(position, id);
                    index.put(id, hash, position, idAt);
                    final Long before = newest.put(id, position);
                    live += null != before && before >= forgotten ? 0 : 1;
                }
                else
                {
                    window = random.nextInt(100) == 0 ? 500 :
                        Math.max(500, Math.min(2500, window + random.nextInt(41) - 20));
                    for (long p = forgotten; p < nextPosition - window; p++)
                    {
                        live -= newest.get(idsByPosition.get(p)) == p ? 1 : 0;
                    }
                    forgotten = Math.max(forgotten, nextPosition - window);
                    index.forgetBelow(forgotten);
                }
                assertTrue(index.size() - live <= index.capacity() / IdIndex.SWEEP_PER_FORGOTTEN,
                    "seed " + seed + " step " + step + ": " + (index.size() - live) + " forgotten entries in " +
                    index.capacity() + " slots");
                if (step % 997 == 0)
                {
                    for (final Map.Entry<String, Long> e : newest.entrySet())
                    {
                        assertEquals(e.getValue() >= forgotten ? e.getValue() : -1,
                            index.find(e.getKey(), hashOf.get(e.getKey()), idAt),
                            "seed " + seed + " step " + step + " id " + e.getKey());
                    }
                }
            }
            for (final String id : hashOf.keySet())
            {
                final long position = newest.getOrDefault(id, -1L);
                assertEquals(position >= forgotten ? position : -1, index.find(id, hashOf.get(id), idAt),
                    "seed " + seed + " id " + id);
            }
        }
    }
}
