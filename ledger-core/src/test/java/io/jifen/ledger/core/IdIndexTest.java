package io.jifen.ledger.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        index.remove(42, 1);
        assertEquals(-1, index.find("a", 42, idAt));
        assertEquals(2, index.find("b", 42, idAt));
    }

    @Test
    void aReusedIdMapsToItsNewestPositionAndEvictingTheOldOneKeepsIt()
    {
        final IdIndex index = new IdIndex();
        idsByPosition.put(1L, "a");
        idsByPosition.put(9L, "a");
        index.put("a", 7, 1, idAt);
        index.put("a", 7, 9, idAt);
        assertEquals(9, index.find("a", 7, idAt));
        index.remove(7, 1);
        assertEquals(9, index.find("a", 7, idAt));
        assertEquals(1, index.size());
    }

    /**
     * Random puts and removes with hashes drawn from a tiny range (long probe chains, wrap-around at the table's end,
     * growth) against a plain map; the seed is in the failure message.
     */
    @Test
    void matchesAMapUnderRandomPutsAndRemovesWithHeavyCollisions()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            final Random random = new Random(seed);
            final IdIndex index = new IdIndex();
            final Map<String, Long> model = new HashMap<>();
            final Map<String, Long> hashOf = new HashMap<>();
            final List<String> live = new ArrayList<>();
            long nextPosition = 0;
            for (int step = 0; step < 20_000; step++)
            {
                final String id = "id-" + random.nextInt(3000);
                final long hash = hashOf.computeIfAbsent(id, k -> random.nextBoolean() ?
                    1020L + random.nextInt(8) : (long)random.nextInt(64));
                if (random.nextInt(3) > 0)
                {
                    final long position = nextPosition++;
                    idsByPosition.put(position, id);
                    index.put(id, hash, position, idAt);
                    if (!model.containsKey(id))
                    {
                        live.add(id);
                    }
                    model.put(id, position);
                }
                else if (!live.isEmpty())
                {
                    final String victim = live.remove(random.nextInt(live.size()));
                    index.remove(hashOf.get(victim), model.remove(victim));
                }
                if (step % 997 == 0)
                {
                    for (final Map.Entry<String, Long> e : model.entrySet())
                    {
                        assertEquals(e.getValue().longValue(), index.find(e.getKey(), hashOf.get(e.getKey()), idAt),
                            "seed " + seed + " step " + step + " id " + e.getKey());
                    }
                    assertEquals(model.size(), index.size(), "seed " + seed + " step " + step);
                }
            }
            for (final String id : hashOf.keySet())
            {
                assertEquals(model.getOrDefault(id, -1L).longValue(), index.find(id, hashOf.get(id), idAt),
                    "seed " + seed + " id " + id);
            }
        }
    }
}
