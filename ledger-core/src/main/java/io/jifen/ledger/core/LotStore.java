package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The lots of every member, in slots of primitive columns (one per field: the sweep and a debit touch few fields of
 * many lots), each kept in chunks ({@link LongColumn}, {@link IntColumn}) so that growth adds chunks instead of
 * copying every column on the writing thread. A lot's id (journal, API) is unique for the life of the ledger; its slot
 * is reused once the lot is closed (no points left) and older than the request retention window, when nothing can
 * refer to it any more. The store also keeps the open lots by expiry ({@link ExpiryQueue}) and each member's list of
 * open lots, sorted by (expiry, id): redemption takes from the front.
 * <p>
 * The columns are the store's: it allocates, grows, hashes and checks them, and frees slots. Handlers in this package
 * read and change a lot's fields in place, by slot.
 */
final class LotStore
{
    LongColumn ids;
    LongColumn amount;
    LongColumn remaining;
    LongColumn earnedAt;
    LongColumn expiresAt;
    IntColumn member;
    /** Points forfeited from each lot by expiry: a reversed earn does not claw back what already expired. */
    LongColumn expired;
    /** Points of this lot's earn that a reversal could not claw back (owed), not yet cancelled by a restore. */
    LongColumn shortfall;
    /** The same, where the program forgave the shortfall: restored points that cancel it are taken back at once. */
    LongColumn forgiven;
    /** Points of the lot in open holds: while any, the slot is not reused even if the lot has long been empty. */
    LongColumn held;
    /** When the lot last closed (remaining reached 0), or {@link Long#MAX_VALUE} while open or free. */
    LongColumn closedAt;
    /**
     * Each member's open lots form a list through these, by (expiry, id): redemption takes from the front, an earn
     * usually adds at the back, and a lot leaves from anywhere in constant time. The ends are the member's
     * ({@link MemberStore#firstLot}, {@link MemberStore#lastLot}); -1 ends the list; {@link #NOT_LISTED} marks a lot
     * in no list (closed or free). A list through the lots' own slots, not an array per member: no object per member
     * for the collector, and a snapshot writes and reads it with the lots.
     */
    IntColumn nextOpen;
    IntColumn prevOpen;
    static final int NOT_LISTED = -2;

    private final MemberStore members;
    private final ExpiryQueue expiryQueue;
    private long nextId;
    private int slots;
    private int[] freeSlots = new int[64];
    private int freeCount;
    /** Closed lots in closing order, waiting to leave the retention window: (slot, closedAt) pairs in a ring. */
    private int[] closedSlots = new int[1024];
    private long[] closedTimes = new long[1024];
    private long closedHead;
    private long closedTail;

    LotStore(final int expected, final MemberStore members)
    {
        this.members = members;
        ids = new LongColumn(expected);
        amount = new LongColumn(expected);
        remaining = new LongColumn(expected);
        earnedAt = new LongColumn(expected);
        expiresAt = new LongColumn(expected);
        member = new IntColumn(expected);
        expired = new LongColumn(expected);
        shortfall = new LongColumn(expected);
        forgiven = new LongColumn(expected);
        held = new LongColumn(expected);
        closedAt = new LongColumn(expected);
        nextOpen = new IntColumn(expected);
        prevOpen = new IntColumn(expected);
        expiryQueue = new ExpiryQueue(expected);
    }

    /** @return lots ever created. */
    long created()
    {
        return nextId;
    }

    /** @return slots in use: open lots, and closed ones still inside the retention window. */
    int slotsInUse()
    {
        return slots - freeCount;
    }

    /** @return lots in the expiry queue: exactly the open lots. */
    int queued()
    {
        return expiryQueue.size();
    }

    /** @return true if an open lot's expiry instant is at or before {@code now}. */
    boolean anyDue(final long now)
    {
        return !expiryQueue.isEmpty() && expiryQueue.peekAt() <= now;
    }

    /** @return the slot of the open lot that expires first (the queue must not be empty). */
    int firstToExpire()
    {
        return expiryQueue.peekSlot();
    }

    /**
     * Opens a new lot of the member and puts it in the member's list and the expiry queue.
     *
     * @return its slot.
     */
    int open(final int m, final long points, final long earned, final long expires)
    {
        final int lot = freeCount > 0 ? freeSlots[--freeCount] : slots++;
        if (lot == amount.capacity())
        {
            grow(lot + 1);
        }
        ids.set(lot, nextId++);
        closedAt.set(lot, Long.MAX_VALUE);
        expired.set(lot, 0);
        shortfall.set(lot, 0);
        forgiven.set(lot, 0);
        held.set(lot, 0);
        amount.set(lot, points);
        remaining.set(lot, points);
        earnedAt.set(lot, earned);
        expiresAt.set(lot, expires);
        member.set(lot, m);
        insertOpen(m, lot);
        expiryQueue.add(expires, ids.get(lot), lot);
        return lot;
    }

    private void grow(final int capacity)
    {
        ids.ensure(capacity);
        closedAt.ensure(capacity);
        amount.ensure(capacity);
        remaining.ensure(capacity);
        earnedAt.ensure(capacity);
        expiresAt.ensure(capacity);
        member.ensure(capacity);
        expired.ensure(capacity);
        shortfall.ensure(capacity);
        forgiven.ensure(capacity);
        held.ensure(capacity);
        nextOpen.ensure(capacity);
        prevOpen.ensure(capacity);
    }

    /**
     * An empty lot that was closed comes back (points given back to it): open again, in the member's list and the
     * expiry queue.
     */
    void reopen(final int m, final int lot)
    {
        assert remaining.get(lot) == 0 : "only an empty lot is reopened";
        insertOpen(m, lot);
        closedAt.set(lot, Long.MAX_VALUE);
        expiryQueue.add(expiresAt.get(lot), ids.get(lot), lot);
    }

    /**
     * A lot's remaining points reached zero at {@code now}: it leaves the expiry queue, and its slot is queued for
     * reuse once the request retention window has passed it. The caller takes it out of the member's list.
     */
    void close(final int lot, final long now)
    {
        expiryQueue.remove(lot);
        markClosed(lot, now);
    }

    /**
     * Records that an empty lot is closed as of {@code now} (again, when a capture refers to it later), so its slot is
     * reused only once every request that refers to it is forgotten.
     */
    void markClosed(final int lot, final long now)
    {
        closedAt.set(lot, now);
        if (closedTail - closedHead == closedSlots.length)
        {
            final int[] newSlots = new int[closedSlots.length << 1];
            final long[] newTimes = new long[closedSlots.length << 1];
            final int oldMask = closedSlots.length - 1;
            for (long p = closedHead; p < closedTail; p++)
            {
                newSlots[(int)(p & (newSlots.length - 1))] = closedSlots[(int)(p & oldMask)];
                newTimes[(int)(p & (newSlots.length - 1))] = closedTimes[(int)(p & oldMask)];
            }
            closedSlots = newSlots;
            closedTimes = newTimes;
        }
        final int i = (int)(closedTail++ & (closedSlots.length - 1));
        closedSlots[i] = lot;
        closedTimes[i] = now;
    }

    /**
     * Frees up to {@code max} slots of lots that closed before {@code cutoff} and stayed closed: every request that
     * could refer to such a lot (its earn, the redemptions that emptied it) is older still, so forgotten.
     */
    void reclaim(final long cutoff, final int max)
    {
        final int mask = closedSlots.length - 1;
        for (int n = 0; n < max && closedHead < closedTail; n++)
        {
            final int i = (int)(closedHead & mask);
            final long closed = closedTimes[i];
            if (closed >= cutoff)
            {
                return;
            }
            closedHead++;
            final int lot = closedSlots[i];
            // a lot with points in an open hold stays: the hold gives them back to it (it is marked closed again
            // when the hold closes)
            if (closedAt.get(lot) == closed && remaining.get(lot) == 0 && ids.get(lot) >= 0 && held.get(lot) == 0)
            {
                free(lot);
            }
        }
    }

    private void free(final int lot)
    {
        ids.set(lot, -1);
        closedAt.set(lot, Long.MAX_VALUE);
        amount.set(lot, 0);
        earnedAt.set(lot, 0);
        expiresAt.set(lot, 0);
        expired.set(lot, 0);
        shortfall.set(lot, 0);
        forgiven.set(lot, 0);
        member.set(lot, -1);
        nextOpen.set(lot, NOT_LISTED);
        prevOpen.set(lot, NOT_LISTED);
        if (freeCount == freeSlots.length)
        {
            freeSlots = Arrays.copyOf(freeSlots, freeCount << 1);
        }
        freeSlots[freeCount++] = lot;
    }

    // ------------------------------------------------------------------------------------------------ member lists

    /** @return the member's first open lot (the soonest to expire), or -1; the next is {@link #nextOpen}. */
    int firstOpen(final int m)
    {
        return members.firstLot(m);
    }

    /** @return how many of the member's open lots are due at {@code now} (they sit at the front of its list). */
    int dueCount(final int m, final long now)
    {
        int due = 0;
        for (int lot = members.firstLot(m); lot >= 0 && expiresAt.get(lot) <= now; lot = nextOpen.get(lot))
        {
            due++;
        }
        return due;
    }

    /** @return the points of the member's open lots that are due at {@code now}. */
    long dueSum(final int m, final long now)
    {
        long sum = 0;
        for (int lot = members.firstLot(m); lot >= 0 && expiresAt.get(lot) <= now; lot = nextOpen.get(lot))
        {
            sum += remaining.get(lot);
        }
        return sum;
    }

    /** @return the number of slots ever used: every lot's slot is below it (free ones hold no points). */
    int slotCount()
    {
        return slots;
    }

    /** @return true if lot {@code a} comes before lot {@code b} in a member's list: by expiry, then id. */
    boolean before(final int a, final int b)
    {
        return expiresAt.get(a) < expiresAt.get(b) || (expiresAt.get(a) == expiresAt.get(b) && ids.get(a) < ids.get(b));
    }

    /** Puts a lot in the member's list in its place, looking from the back (where an earn's new lot goes). */
    private void insertOpen(final int m, final int lot)
    {
        int after = members.lastLot(m);
        while (after >= 0 && before(lot, after))
        {
            after = prevOpen.get(after);
        }
        final int next = after < 0 ? members.firstLot(m) : nextOpen.get(after);
        prevOpen.set(lot, after);
        nextOpen.set(lot, next);
        if (after < 0)
        {
            members.firstLot(m, lot);
        }
        else
        {
            nextOpen.set(after, lot);
        }
        if (next < 0)
        {
            members.lastLot(m, lot);
        }
        else
        {
            prevOpen.set(next, lot);
        }
        members.addLotCount(m, 1);
    }

    /** Takes a lot that emptied out of the member's list, wherever it is. */
    void removeOpen(final int m, final int lot)
    {
        if (prevOpen.get(lot) == NOT_LISTED || member.get(lot) != m)
        {
            throw new IllegalStateException("lot " + lot + " is not open for member " + members.id[m]);
        }
        unlink(m, lot);
    }

    /** Takes the first {@code count} lots (emptied by a debit or expired) out of the member's list. */
    void removeFirstOpen(final int m, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            unlink(m, members.firstLot(m));
        }
    }

    private void unlink(final int m, final int lot)
    {
        final int prev = prevOpen.get(lot);
        final int next = nextOpen.get(lot);
        if (prev < 0)
        {
            members.firstLot(m, next);
        }
        else
        {
            nextOpen.set(prev, next);
        }
        if (next < 0)
        {
            members.lastLot(m, prev);
        }
        else
        {
            prevOpen.set(next, prev);
        }
        nextOpen.set(lot, NOT_LISTED);
        prevOpen.set(lot, NOT_LISTED);
        members.addLotCount(m, -1);
    }

    // ------------------------------------------------------------------------------------------------ hash, checks

    /** Mixes the counters into a state hash (the first build mixed the retention cutoff between these and the lots). */
    long hashCounts(final long seed)
    {
        return Hashing.mix(Hashing.mix(seed, nextId), slots);
    }

    /** Mixes every slot, the free slots and the closed ring into a state hash. */
    long hashSlots(final long seed)
    {
        long h = seed;
        for (int lot = 0; lot < slots; lot++)
        {
            h = Hashing.mix(h, ids.get(lot));
            h = Hashing.mix(h, closedAt.get(lot));
            h = Hashing.mix(h, amount.get(lot));
            h = Hashing.mix(h, remaining.get(lot));
            h = Hashing.mix(h, earnedAt.get(lot));
            h = Hashing.mix(h, expiresAt.get(lot));
            h = Hashing.mix(h, member.get(lot));
            h = Hashing.mix(h, expired.get(lot));
            h = Hashing.mix(h, shortfall.get(lot));
            h = Hashing.mix(h, forgiven.get(lot));
            h = Hashing.mix(h, held.get(lot));
        }
        for (int i = 0; i < freeCount; i++)
        {
            h = Hashing.mix(h, freeSlots[i]);
        }
        for (long p = closedHead; p < closedTail; p++)
        {
            h = Hashing.mix(h, closedSlots[(int)(p & (closedSlots.length - 1))]);
            h = Hashing.mix(h, closedTimes[(int)(p & (closedSlots.length - 1))]);
        }
        return h;
    }

    /**
     * @return true if the member's lists agree with its lots: its open lots are its own, sorted, each with points
     * left and no more than credited, summing to its available points, and grouped by expiry exactly as its expiry
     * groups say. (The store checks the rest of the member.)
     */
    boolean memberConsistent(final int m)
    {
        long sum = 0;
        int count = 0;
        int previous = -1;
        for (int lot = members.firstLot(m); lot >= 0; lot = nextOpen.get(lot))
        {
            if (remaining.get(lot) <= 0 || remaining.get(lot) > amount.get(lot) || member.get(lot) != m ||
                prevOpen.get(lot) != previous || ++count > members.lotCount(m))
            {
                return false;
            }
            if (previous >= 0 && !before(previous, lot))
            {
                return false;
            }
            sum += remaining.get(lot);
            previous = lot;
        }
        return count == members.lotCount(m) && members.lastLot(m) == previous && groupsAgree(m) &&
            sum == members.available(m);
    }

    private boolean groupsAgree(final int m)
    {
        final int groups = members.groupCount(m);
        int group = -1;
        long groupSum = 0;
        long at = 0;
        for (int lot = members.firstLot(m); lot >= 0; lot = nextOpen.get(lot))
        {
            if (group < 0 || expiresAt.get(lot) != at)
            {
                if (group >= 0 && members.groupPoints(m, group) != groupSum)
                {
                    return false;
                }
                group++;
                groupSum = 0;
                at = expiresAt.get(lot);
                if (group >= groups || members.groupAt(m, group) != at)
                {
                    return false;
                }
            }
            groupSum += remaining.get(lot);
        }
        return group + 1 == groups && (group < 0 || members.groupPoints(m, group) == groupSum);
    }

    /**
     * Checks every slot and the expiry queue against the members' open lots.
     *
     * @throws IllegalStateException naming the first thing broken.
     */
    void checkInvariants(final long openLots)
    {
        if (openLots != expiryQueue.size())
        {
            throw new IllegalStateException(
                "the expiry queue holds " + expiryQueue.size() + " lots, the members " + openLots + " open lots");
        }
        for (int lot = 0; lot < slots; lot++)
        {
            if (held.get(lot) < 0)
            {
                throw new IllegalStateException("lot " + lot + " held points out of range: " + held.get(lot));
            }
            if (remaining.get(lot) < 0 || remaining.get(lot) > amount.get(lot) ||
                (ids.get(lot) < 0 && remaining.get(lot) > 0))
            {
                throw new IllegalStateException("lot " + lot + " remaining out of range: " + remaining.get(lot));
            }
        }
    }

    /** The slots in use with every field, the free slots in reuse order, the closed ring, the number of open lots. */
    void writeTo(final SnapshotOutput out)
    {
        out.writeLong(nextId);
        out.writeInt(slots);
        ids.writeTo(out, slots);
        amount.writeTo(out, slots);
        remaining.writeTo(out, slots);
        earnedAt.writeTo(out, slots);
        expiresAt.writeTo(out, slots);
        member.writeTo(out, slots);
        expired.writeTo(out, slots);
        shortfall.writeTo(out, slots);
        forgiven.writeTo(out, slots);
        held.writeTo(out, slots);
        closedAt.writeTo(out, slots);
        nextOpen.writeTo(out, slots);
        out.writeInts(freeSlots, freeCount);
        out.writeRing(closedSlots, closedHead, closedTail);
        out.writeRing(closedTimes, 1, closedHead, closedTail);
        out.writeInt(expiryQueue.size()); // the queue itself is the members' open lots: rebuilt on reading
    }

    /**
     * Reads the lots back, then queues the members' open lots by expiry.
     *
     * @param expected lots to make room for, at least.
     */
    void readFrom(final SnapshotInput in, final int expected)
    {
        final long start = in.position();
        nextId = in.readLong();
        slots = in.readInt();
        ids = LongColumn.readFrom(in, expected);
        final int capacity = ids.capacity();
        if (!(slots >= 0 && slots <= capacity && in.used() == slots && nextId >= 0))
        {
            throw in.impossible(start, slots + " lot slots");
        }
        amount = slotColumn(in, start, capacity);
        remaining = slotColumn(in, start, capacity);
        earnedAt = slotColumn(in, start, capacity);
        expiresAt = slotColumn(in, start, capacity);
        member = IntColumn.readFrom(in, capacity);
        in.check(start, member.capacity() == capacity && in.used() == slots, "the lots' members");
        expired = slotColumn(in, start, capacity);
        shortfall = slotColumn(in, start, capacity);
        forgiven = slotColumn(in, start, capacity);
        held = slotColumn(in, start, capacity);
        closedAt = slotColumn(in, start, capacity);
        nextOpen = IntColumn.readFrom(in, capacity);
        in.check(start, nextOpen.capacity() == capacity && in.used() == slots, "the lots' lists");
        prevOpen = new IntColumn(capacity);
        for (int lot = 0; lot < slots; lot++)
        {
            if (!(ids.get(lot) < nextId && ids.get(lot) >= -1 && member.get(lot) >= (ids.get(lot) < 0 ? -1 : 0) &&
                member.get(lot) < members.count()))
            {
                throw in.impossible(start, "lot slot " + lot);
            }
        }
        freeSlots = in.readInts();
        freeCount = in.used();
        in.check(start, freeSlots.length > 0, "no room for free slots");
        for (int i = 0; i < freeCount; i++)
        {
            if (!(freeSlots[i] >= 0 && freeSlots[i] < slots))
            {
                throw in.impossible(start, "free slot " + freeSlots[i]);
            }
        }
        final long[] bounds = new long[2];
        closedSlots = in.readIntRing(bounds);
        closedHead = bounds[0];
        closedTail = bounds[1];
        closedTimes = in.readRing(1, bounds);
        in.check(start, closedTimes.length == closedSlots.length && bounds[0] == closedHead &&
            bounds[1] == closedTail, "the closed lots' rings differ");
        final long queuedAt = in.position();
        final int queued = in.readInt();
        rebuildExpiryQueue(in, queuedAt, queued);
    }

    /**
     * Follows every member's list of open lots, checking each is a lot of that member, in use, in no other list and
     * after the one before it, and that the list ends where and when the member says; links each back to the one
     * before, sums the member's expiry groups, and queues the lots by expiry.
     */
    private void rebuildExpiryQueue(final SnapshotInput in, final long at, final int queued)
    {
        for (int lot = 0; lot < prevOpen.capacity(); lot++)
        {
            prevOpen.set(lot, NOT_LISTED);
        }
        final long[] times = new long[Math.max(queued, 1)];
        final long[] lotIds = new long[times.length];
        final int[] lotSlots = new int[times.length];
        int count = 0;
        for (int m = 0; m < members.count(); m++)
        {
            int previous = -1;
            int listed = 0;
            for (int lot = members.firstLot(m); lot != -1; lot = nextOpen.get(lot))
            {
                if (!(lot >= 0 && lot < slots && member.get(lot) == m && ids.get(lot) >= 0 &&
                    prevOpen.get(lot) == NOT_LISTED && listed < members.lotCount(m) && count < queued &&
                    (previous < 0 || before(previous, lot))))
                {
                    throw in.impossible(at, "member " + members.id[m] + "'s open lot in slot " + lot);
                }
                prevOpen.set(lot, previous);
                members.addPoints(m, expiresAt.get(lot), remaining.get(lot));
                previous = lot;
                listed++;
                times[count] = expiresAt.get(lot);
                lotIds[count] = ids.get(lot);
                lotSlots[count] = lot;
                count++;
            }
            if (!(listed == members.lotCount(m) && members.lastLot(m) == previous))
            {
                throw in.impossible(at, "member " + members.id[m] + "'s " + members.lotCount(m) + " open lots");
            }
        }
        for (int lot = 0; lot < slots; lot++)
        {
            if (prevOpen.get(lot) == NOT_LISTED && nextOpen.get(lot) != NOT_LISTED)
            {
                throw in.impossible(at, "lot slot " + lot + " linked in no member's list");
            }
        }
        if (!(count == queued))
        {
            throw in.impossible(at, count + " open lots where " + queued + " were queued");
        }
        expiryQueue.rebuild(times, lotIds, lotSlots, count, amount.capacity(), amount.capacity());
        in.check(at, expiryQueue.slotsConsistent(), "a lot listed twice");
    }

    private LongColumn slotColumn(final SnapshotInput in, final long start, final int capacity)
    {
        final LongColumn values = LongColumn.readFrom(in, capacity);
        if (!(values.capacity() == capacity && in.used() == slots))
        {
            throw in.impossible(start, "a lot field of " + in.used() + " entries in " + values.capacity() +
                " slots, not " + slots + " in " + capacity);
        }
        return values;
    }
}
