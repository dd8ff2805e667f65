package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest
{
    @Test
    void givesEntriesBackEarliestFirstTiesByKeyWhateverTheOrderTheyCameIn()
    {
        final Random random = new Random(42);
        final Schedule schedule = new Schedule();
        final List<long[]> expected = new ArrayList<>();
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0, n = random.nextInt(40); i < n; i++)
            {
                final long at = random.nextInt(100); // few instants: many ties
                final long key = random.nextInt(1_000);
                schedule.add(at, key);
                expected.add(new long[] {at, key});
            }
            expected.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
            for (int i = 0, n = random.nextInt(expected.size() + 1); i < n; i++)
            {
                final long[] first = expected.remove(0);
                assertEquals(first[0], schedule.peekAt(), "instant of entry " + i + " of round " + round);
                assertEquals(first[1], schedule.peekPosition(), "key of entry " + i + " of round " + round);
                schedule.poll();
            }
            assertEquals(expected.size(), schedule.size());
        }
    }

    @Test
    void clearEmptiesItAndItTakesEntriesAgain()
    {
        final Schedule schedule = new Schedule();
        for (int i = 0; i < 100; i++)
        {
            schedule.add(100 - i, i);
        }
        schedule.clear();
        assertTrue(schedule.isEmpty());
        schedule.add(5, 1);
        assertFalse(schedule.isEmpty());
        assertEquals(5, schedule.peekAt());
        assertEquals(1, schedule.peekPosition());
    }

    @Test
    void schedulesSayWhetherAnythingIsDue()
    {
        final Schedules schedules = new Schedules();
        assertFalse(schedules.anyDue(Long.MAX_VALUE));
        schedules.birthdays.add(1_000, 3);
        assertFalse(schedules.anyDue(999));
        assertTrue(schedules.anyDue(1_000), "due at its instant");
        schedules.birthdays.poll();
        schedules.holdTimeouts.add(10, 7);
        assertTrue(schedules.anyDue(10));
    }
}
