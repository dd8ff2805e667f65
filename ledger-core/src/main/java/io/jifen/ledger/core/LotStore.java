package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The lots of every member, in slots of primitive arrays (one array per field: the sweep and a debit touch few fields
 * of many lots). A lot's id (journal, API) is unique for the life of the ledger; its slot is reused once the lot is
 * closed (no points left) and older than the request retention window, when nothing can refer to it any more. The
 * store also keeps the open lots by expiry ({@link ExpiryQueue}) and each member's list of open lots, sorted by
 * (expiry, id): redemption takes from the front.
 * <p>
 * The arrays are the store's: it allocates, grows, hashes and checks them, and frees slots. Handlers in this package
 * read and change a lot's fields in place, by slot; they never keep an array across a call that may add a lot (growth
 * replaces the arrays).
 */
final class LotStore
{
    long[] ids;
    long[] amount;
    long[] remaining;
    long[] earnedAt;
    long[] expiresAt;
    int[] member;
    /** Points forfeited from each lot by expiry: a reversed earn does not claw back what already expired. */
    long[] expired;
    /** Points of this lot's earn that a reversal could not claw back (owed), not yet cancelled by a restore. */
    long[] shortfall;
    /** The same, where the program forgave the shortfall: restored points that cancel it are taken back at once. */
    long[] forgiven;
    /** Points of the lot in open holds: while any, the slot is not reused even if the lot has long been empty. */
    long[] held;
    /** When the lot last closed (remaining reached 0), or {@link Long#MAX_VALUE} while open or free. */
    long[] closedAt;
    /**
     * Each member's open lots form a list through these, by (expiry, id): redemption takes from the front, an earn
     * usually adds at the back, and a lot leaves from anywhere in constant time. The ends are the member's
     * ({@link MemberStore#firstLot}, {@link MemberStore#lastLot}); -1 ends the list; {@link #NOT_LISTED} marks a lot
     * in no list (closed or free). A list through the lots' own slots, not an array per member: no object per member
     * for the collector, and a snapshot writes and reads it with the lots.
     */
    int[] nextOpen;
    int[] prevOpen;
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
        ids = new long[expected];
        amount = new long[expected];
        remaining = new long[expected];
        earnedAt = new long[expected];
        expiresAt = new long[expected];
        member = new int[expected];
        expired = new long[expected];
        shortfall = new long[expected];
        forgiven = new long[expected];
        held = new long[expected];
        closedAt = new long[expected];
        nextOpen = new int[expected];
        prevOpen = new int[expected];
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
        if (lot == amount.length)
        {
            grow((int)Math.min((long)lot << 1, LedgerContext.LOTS_MAX_LIMIT));
        }
        ids[lot] = nextId++;
        closedAt[lot] = Long.MAX_VALUE;
        expired[lot] = 0;
        shortfall[lot] = 0;
        forgiven[lot] = 0;
        held[lot] = 0;
        amount[lot] = points;
        remaining[lot] = points;
        earnedAt[lot] = earned;
        expiresAt[lot] = expires;
        member[lot] = m;
        insertOpen(m, lot);
        expiryQueue.add(expires, ids[lot], lot);
        return lot;
    }

    private void grow(final int capacity)
    {
        ids = Arrays.copyOf(ids, capacity);
        closedAt = Arrays.copyOf(closedAt, capacity);
        amount = Arrays.copyOf(amount, capacity);
        remaining = Arrays.copyOf(remaining, capacity);
        earnedAt = Arrays.copyOf(earnedAt, capacity);
        expiresAt = Arrays.copyOf(expiresAt, capacity);
        member = Arrays.copyOf(member, capacity);
        expired = Arrays.copyOf(expired, capacity);
        shortfall = Arrays.copyOf(shortfall, capacity);
        forgiven = Arrays.copyOf(forgiven, capacity);
        held = Arrays.copyOf(held, capacity);
        nextOpen = Arrays.copyOf(nextOpen, capacity);
        prevOpen = Arrays.copyOf(prevOpen, capacity);
    }

    /**
     * An empty lot that was closed comes back (points given back to it): open again, in the member's list and the
     * expiry queue.
     */
    void reopen(final int m, final int lot)
    {
        assert remaining[lot] == 0 : "only an empty lot is reopened";
        insertOpen(m, lot);
        closedAt[lot] = Long.MAX_VALUE;
        expiryQueue.add(expiresAt[lot], ids[lot], lot);
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
        closedAt[lot] = now;
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
            if (closedAt[lot] == closed && remaining[lot] == 0 && ids[lot] >= 0 && held[lot] == 0)
            {
                free(lot);
            }
        }
    }

    private void free(final int lot)
    {
        ids[lot] = -1;
        closedAt[lot] = Long.MAX_VALUE;
        amount[lot] = 0;
        earnedAt[lot] = 0;
        expiresAt[lot] = 0;
        expired[lot] = 0;
        shortfall[lot] = 0;
        forgiven[lot] = 0;
        member[lot] = -1;
        nextOpen[lot] = NOT_LISTED;
        prevOpen[lot] = NOT_LISTED;
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
        for (int lot = members.firstLot(m); lot >= 0 && expiresAt[lot] <= now; lot = nextOpen[lot])
        {
            due++;
        }
        return due;
    }

    /** @return the points of the member's open lots that are due at {@code now}. */
    long dueSum(final int m, final long now)
    {
        long sum = 0;
        for (int lot = members.firstLot(m); lot >= 0 && expiresAt[lot] <= now; lot = nextOpen[lot])
        {
            sum += remaining[lot];
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
        return expiresAt[a] < expiresAt[b] || (expiresAt[a] == expiresAt[b] && ids[a] < ids[b]);
    }

    /** Puts a lot in the member's list in its place, looking from the back (where an earn's new lot goes). */
    private void insertOpen(final int m, final int lot)
    {
        int after = members.lastLot(m);
        while (after >= 0 && before(lot, after))
        {
            after = prevOpen[after];
        }
        final int next = after < 0 ? members.firstLot(m) : nextOpen[after];
        prevOpen[lot] = after;
        nextOpen[lot] = next;
        if (after < 0)
        {
            members.firstLot(m, lot);
        }
        else
        {
            nextOpen[after] = lot;
        }
        if (next < 0)
        {
            members.lastLot(m, lot);
        }
        else
        {
            prevOpen[next] = lot;
        }
        members.addLotCount(m, 1);
    }

    /** Takes a lot that emptied out of the member's list, wherever it is. */
    void removeOpen(final int m, final int lot)
    {
        if (prevOpen[lot] == NOT_LISTED || member[lot] != m)
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
        final int prev = prevOpen[lot];
        final int next = nextOpen[lot];
        if (prev < 0)
        {
            members.firstLot(m, next);
        }
        else
        {
            nextOpen[prev] = next;
        }
        if (next < 0)
        {
            members.lastLot(m, prev);
        }
        else
        {
            prevOpen[next] = prev;
        }
        nextOpen[lot] = NOT_LISTED;
        prevOpen[lot] = NOT_LISTED;
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
            h = Hashing.mix(h, ids[lot]);
            h = Hashing.mix(h, closedAt[lot]);
            h = Hashing.mix(h, amount[lot]);
            h = Hashing.mix(h, remaining[lot]);
            h = Hashing.mix(h, earnedAt[lot]);
            h = Hashing.mix(h, expiresAt[lot]);
            h = Hashing.mix(h, member[lot]);
            h = Hashing.mix(h, expired[lot]);
            h = Hashing.mix(h, shortfall[lot]);
            h = Hashing.mix(h, forgiven[lot]);
            h = Hashing.mix(h, held[lot]);
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
        for (int lot = members.firstLot(m); lot >= 0; lot = nextOpen[lot])
        {
            if (remaining[lot] <= 0 || remaining[lot] > amount[lot] || member[lot] != m ||
                prevOpen[lot] != previous || ++count > members.lotCount(m))
            {
                return false;
            }
            if (previous >= 0 && !before(previous, lot))
            {
                return false;
            }
            sum += remaining[lot];
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
        for (int lot = members.firstLot(m); lot >= 0; lot = nextOpen[lot])
        {
            if (group < 0 || expiresAt[lot] != at)
            {
                if (group >= 0 && members.groupPoints(m, group) != groupSum)
                {
                    return false;
                }
                group++;
                groupSum = 0;
                at = expiresAt[lot];
                if (group >= groups || members.groupAt(m, group) != at)
                {
                    return false;
                }
            }
            groupSum += remaining[lot];
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
            if (held[lot] < 0)
            {
                throw new IllegalStateException("lot " + lot + " held points out of range: " + held[lot]);
            }
            if (remaining[lot] < 0 || remaining[lot] > amount[lot] || (ids[lot] < 0 && remaining[lot] > 0))
            {
                throw new IllegalStateException("lot " + lot + " remaining out of range: " + remaining[lot]);
            }
        }
    }

    /** The slots in use with every field, the free slots in reuse order, the closed ring, the number of open lots. */
    void writeTo(final SnapshotOutput out)
    {
        out.writeLong(nextId);
        out.writeInt(slots);
        out.writeLongs(ids, slots);
        out.writeLongs(amount, slots);
        out.writeLongs(remaining, slots);
        out.writeLongs(earnedAt, slots);
        out.writeLongs(expiresAt, slots);
        out.writeInts(member, slots);
        out.writeLongs(expired, slots);
        out.writeLongs(shortfall, slots);
        out.writeLongs(forgiven, slots);
        out.writeLongs(held, slots);
        out.writeLongs(closedAt, slots);
        out.writeInts(nextOpen, slots);
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
        ids = in.readLongs(expected);
        final int capacity = ids.length;
        if (!(slots >= 0 && slots <= capacity && in.used() == slots && nextId >= 0))
        {
            throw in.impossible(start, slots + " lot slots");
        }
        amount = slotArray(in, start, capacity);
        remaining = slotArray(in, start, capacity);
        earnedAt = slotArray(in, start, capacity);
        expiresAt = slotArray(in, start, capacity);
        member = in.readInts(capacity);
        in.check(start, member.length == capacity && in.used() == slots, "the lots' members");
        expired = slotArray(in, start, capacity);
        shortfall = slotArray(in, start, capacity);
        forgiven = slotArray(in, start, capacity);
        held = slotArray(in, start, capacity);
        closedAt = slotArray(in, start, capacity);
        nextOpen = in.readInts(capacity);
        in.check(start, nextOpen.length == capacity && in.used() == slots, "the lots' lists");
        prevOpen = new int[capacity];
        for (int lot = 0; lot < slots; lot++)
        {
            if (!(ids[lot] < nextId && ids[lot] >= -1 && member[lot] >= (ids[lot] < 0 ? -1 : 0) &&
                member[lot] < members.count()))
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
        Arrays.fill(prevOpen, NOT_LISTED);
        final long[] times = new long[Math.max(queued, 1)];
        final long[] lotIds = new long[times.length];
        final int[] lotSlots = new int[times.length];
        int count = 0;
        for (int m = 0; m < members.count(); m++)
        {
            int previous = -1;
            int listed = 0;
            for (int lot = members.firstLot(m); lot != -1; lot = nextOpen[lot])
            {
                if (!(lot >= 0 && lot < slots && member[lot] == m && ids[lot] >= 0 && prevOpen[lot] == NOT_LISTED &&
                    listed < members.lotCount(m) && count < queued && (previous < 0 || before(previous, lot))))
                {
                    throw in.impossible(at, "member " + members.id[m] + "'s open lot in slot " + lot);
                }
                prevOpen[lot] = previous;
                members.addPoints(m, expiresAt[lot], remaining[lot]);
                previous = lot;
                listed++;
                times[count] = expiresAt[lot];
                lotIds[count] = ids[lot];
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
            if (prevOpen[lot] == NOT_LISTED && nextOpen[lot] != NOT_LISTED)
            {
                throw in.impossible(at, "lot slot " + lot + " linked in no member's list");
            }
        }
        if (!(count == queued))
        {
            throw in.impossible(at, count + " open lots where " + queued + " were queued");
        }
        expiryQueue.rebuild(times, lotIds, lotSlots, count, amount.length, amount.length);
        in.check(at, expiryQueue.slotsConsistent(), "a lot listed twice");
    }

    private static long[] slotArray(final SnapshotInput in, final long start, final int capacity)
    {
        final long[] values = in.readLongs(capacity);
        if (!(values.length == capacity))
        {
            throw in.impossible(start, "a lot field of " + values.length + " slots, not " + capacity);
        }
        return values;
    }
}
