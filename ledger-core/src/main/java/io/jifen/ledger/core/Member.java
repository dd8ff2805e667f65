package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * A member. Open lots are kept sorted by (expiresAt, lotId): redemption takes from the front.
 */
final class Member
{
    /** Months of tier points a member keeps: 12 for the window, and one for a later program's zone being behind. */
    static final int MONTHS_KEPT = 13;
    static final int YEARS_KEPT = 3;
    /** A member's history array: months (ring), then years (newest first), then the latest earns (newest first). */
    static final int YEARS = MONTHS_KEPT;
    static final int RECENT = YEARS + YEARS_KEPT;
    static final int HISTORY = RECENT + Program.ACTIVE_EARNS_MAX;

    final String id;
    final int index;
    /** The slot of the member's program. */
    final int program;
    final int birthday;
    final int referrer;
    final long enrolledAt;
    int status = MemberStatus.ACTIVE.code();
    int tier;
    long available;
    /** Points a reversed earn could not claw back: taken from the next credits. */
    long owed;
    /** Points in the member's open holds: debited from its lots, not yet captured or released. */
    long held;
    long lifetimeEarned;
    /**
     * What the member's tiers and lifecycle segment are computed from, in one array allocated at its first earn
     * (one object, few cache lines on the earn path): tier points of the last 13 months (a ring up to lastMonth),
     * of the last three calendar years (newest first, from year), and the instants of its latest qualifying
     * earns (newest first, recentCount of them).
     */
    long[] history;
    int recentCount;

    long[] history()
    {
        if (null == history)
        {
            history = new long[HISTORY];
        }
        return history;
    }

    void addRecentEarn(final long at)
    {
        final long[] h = history();
        System.arraycopy(h, RECENT, h, RECENT + 1, Program.ACTIVE_EARNS_MAX - 1);
        h[RECENT] = at;
        recentCount = Math.min(recentCount + 1, Program.ACTIVE_EARNS_MAX);
    }

    /** The request position of the member's first qualifying earn (-1: none yet), and the bonuses it triggered. */
    long firstEarn = -1;
    int bonusLot = -1;
    long bonusLotId = -1;
    long bonusPoints;
    int referrerBonusLot = -1;
    long referrerBonusLotId = -1;
    long referrerBonusPoints;
    boolean bonusesReversed;
    long nextBirthdayAt = Long.MAX_VALUE;
    /** The last month and the last year tier points were counted in (see history). */
    int lastMonth = Integer.MIN_VALUE / 2;
    int year = Integer.MIN_VALUE / 2;
    long nextEvaluationAt;
    /** A tier set by hand is a floor for evaluations until floorUntil. */
    int floorTier;
    long floorUntil;
    /** Points of pending earns, and the earns: by maturity instant, then request position. */
    long pending;
    long[] pendingAt;
    long[] pendingPoints;
    long[] pendingEarnedAt;
    long[] pendingRequest;
    int pendingCount;

    void addPending(final long at, final long points, final long earnedAt, final long request)
    {
        if (null == pendingAt)
        {
            pendingAt = new long[2];
            pendingPoints = new long[2];
            pendingEarnedAt = new long[2];
            pendingRequest = new long[2];
        }
        if (pendingCount == pendingAt.length)
        {
            pendingAt = Arrays.copyOf(pendingAt, pendingCount << 1);
            pendingPoints = Arrays.copyOf(pendingPoints, pendingCount << 1);
            pendingEarnedAt = Arrays.copyOf(pendingEarnedAt, pendingCount << 1);
            pendingRequest = Arrays.copyOf(pendingRequest, pendingCount << 1);
        }
        int i = pendingCount;
        while (i > 0 && pendingAt[i - 1] > at) // a program change may shorten the pending period
        {
            i--;
        }
        final int tail = pendingCount - i;
        System.arraycopy(pendingAt, i, pendingAt, i + 1, tail);
        System.arraycopy(pendingPoints, i, pendingPoints, i + 1, tail);
        System.arraycopy(pendingEarnedAt, i, pendingEarnedAt, i + 1, tail);
        System.arraycopy(pendingRequest, i, pendingRequest, i + 1, tail);
        pendingAt[i] = at;
        pendingPoints[i] = points;
        pendingEarnedAt[i] = earnedAt;
        pendingRequest[i] = request;
        pendingCount++;
    }

    void removePending(final int i)
    {
        final int tail = pendingCount - i - 1;
        System.arraycopy(pendingAt, i + 1, pendingAt, i, tail);
        System.arraycopy(pendingPoints, i + 1, pendingPoints, i, tail);
        System.arraycopy(pendingEarnedAt, i + 1, pendingEarnedAt, i, tail);
        System.arraycopy(pendingRequest, i + 1, pendingRequest, i, tail);
        pendingCount--;
    }

    int findPending(final long request)
    {
        for (int i = 0; i < pendingCount; i++)
        {
            if (pendingRequest[i] == request)
            {
                return i;
            }
        }
        return -1;
    }

    /** The program-local day of the member's last purchase earn, and the points purchases earned that day. */
    int purchaseDay = Integer.MIN_VALUE;
    long purchaseDayPoints;
    int[] lots = new int[4];
    int lotCount;
    /**
     * Open points by expiry instant, ascending: what a balance read reports as expiring next without summing a
     * hot member's thousands of lots (all of a month's earns share one instant). Kept by {@link #addPoints}.
     */
    long[] groupAt = new long[4];
    long[] groupPoints = new long[4];
    int groupCount;

    void addPoints(final long at, final long delta)
    {
        int low = 0;
        int high = groupCount;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (groupAt[mid] < at)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        if (low < groupCount && groupAt[low] == at)
        {
            groupPoints[low] += delta;
            if (groupPoints[low] == 0)
            {
                System.arraycopy(groupAt, low + 1, groupAt, low, groupCount - low - 1);
                System.arraycopy(groupPoints, low + 1, groupPoints, low, groupCount - low - 1);
                groupCount--;
            }
            return;
        }
        if (groupCount == groupAt.length)
        {
            groupAt = Arrays.copyOf(groupAt, groupCount << 1);
            groupPoints = Arrays.copyOf(groupPoints, groupCount << 1);
        }
        System.arraycopy(groupAt, low, groupAt, low + 1, groupCount - low);
        System.arraycopy(groupPoints, low, groupPoints, low + 1, groupCount - low);
        groupAt[low] = at;
        groupPoints[low] = delta;
        groupCount++;
    }

    Member(final String id, final int index, final int birthday, final int referrer, final long enrolledAt,
        final int program)
    {
        this.program = program;
        this.id = id;
        this.index = index;
        this.birthday = birthday;
        this.referrer = referrer;
        this.enrolledAt = enrolledAt;
    }

    /** @return true while the member may earn and redeem (not frozen, not closed). */
    boolean isActive()
    {
        return status == MemberStatus.ACTIVE.code();
    }

    /** @return what the member holds in all: available, held and pending points (what balanceMax bounds). */
    long holdings()
    {
        return available + held + pending;
    }

    /** Mixes the member's state into a state hash, field by field in the order of the first build (journals). */
    long hash(final long seed)
    {
        long h = Hashing.mix(seed, id);
        if (program != 0)
        {
            h = Hashing.mix(h, program);
        }
        h = Hashing.mix(h, birthday);
        h = Hashing.mix(h, referrer);
        h = Hashing.mix(h, enrolledAt);
        h = Hashing.mix(h, status);
        h = Hashing.mix(h, tier);
        h = Hashing.mix(h, available);
        h = Hashing.mix(h, owed);
        h = Hashing.mix(h, held);
        h = Hashing.mix(h, lifetimeEarned);
        h = Hashing.mix(h, pending);
        for (int j = 0; j < pendingCount; j++)
        {
            h = Hashing.mix(h, pendingAt[j]);
            h = Hashing.mix(h, pendingPoints[j]);
            h = Hashing.mix(h, pendingEarnedAt[j]);
            h = Hashing.mix(h, pendingRequest[j]);
        }
        h = Hashing.mix(h, recentCount);
        h = Hashing.mix(h, firstEarn);
        h = Hashing.mix(h, bonusLotId);
        h = Hashing.mix(h, bonusPoints);
        h = Hashing.mix(h, referrerBonusLotId);
        h = Hashing.mix(h, referrerBonusPoints);
        h = Hashing.mix(h, bonusesReversed ? 1 : 0);
        h = Hashing.mix(h, nextBirthdayAt);
        h = Hashing.mix(h, lastMonth);
        if (null != history)
        {
            for (final long value : history)
            {
                h = Hashing.mix(h, value);
            }
        }
        h = Hashing.mix(h, year);
        h = Hashing.mix(h, nextEvaluationAt);
        h = Hashing.mix(h, floorTier);
        h = Hashing.mix(h, floorUntil);
        h = Hashing.mix(h, purchaseDay);
        h = Hashing.mix(h, purchaseDayPoints);
        h = Hashing.mix(h, lotCount);
        for (int j = 0; j < lotCount; j++)
        {
            h = Hashing.mix(h, lots[j]);
        }
        return h;
    }

    /** Every field but the ones {@link MemberStore} writes for the constructor (id, index, program, ...). */
    void writeTo(final SnapshotOutput out)
    {
        out.writeInt(status);
        out.writeInt(tier);
        out.writeLong(available);
        out.writeLong(owed);
        out.writeLong(held);
        out.writeLong(lifetimeEarned);
        out.writeBoolean(null != history);
        if (null != history)
        {
            out.writeLongs(history, history.length);
        }
        out.writeInt(recentCount);
        out.writeLong(firstEarn);
        out.writeInt(bonusLot);
        out.writeLong(bonusLotId);
        out.writeLong(bonusPoints);
        out.writeInt(referrerBonusLot);
        out.writeLong(referrerBonusLotId);
        out.writeLong(referrerBonusPoints);
        out.writeBoolean(bonusesReversed);
        out.writeLong(nextBirthdayAt);
        out.writeInt(lastMonth);
        out.writeInt(year);
        out.writeLong(nextEvaluationAt);
        out.writeInt(floorTier);
        out.writeLong(floorUntil);
        out.writeLong(pending);
        out.writeBoolean(null != pendingAt);
        if (null != pendingAt)
        {
            out.writeLongs(pendingAt, pendingCount);
            out.writeLongs(pendingPoints, pendingCount);
            out.writeLongs(pendingEarnedAt, pendingCount);
            out.writeLongs(pendingRequest, pendingCount);
        }
        out.writeInt(pendingCount);
        out.writeInt(purchaseDay);
        out.writeLong(purchaseDayPoints);
        out.writeInts(lots, lotCount);
        out.writeInt(lotCount);
        out.writeLongs(groupAt, groupCount);
        out.writeLongs(groupPoints, groupCount);
        out.writeInt(groupCount);
    }

    void readFrom(final SnapshotInput in)
    {
        final long start = in.position();
        status = in.readInt();
        tier = in.readInt();
        available = in.readLong();
        owed = in.readLong();
        held = in.readLong();
        lifetimeEarned = in.readLong();
        if (in.readBoolean())
        {
            history = in.readLongs();
            if (!(history.length == HISTORY))
            {
                throw in.impossible(start, "member " + id + "'s history of " + history.length);
            }
        }
        recentCount = in.readInt();
        firstEarn = in.readLong();
        bonusLot = in.readInt();
        bonusLotId = in.readLong();
        bonusPoints = in.readLong();
        referrerBonusLot = in.readInt();
        referrerBonusLotId = in.readLong();
        referrerBonusPoints = in.readLong();
        bonusesReversed = in.readBoolean();
        nextBirthdayAt = in.readLong();
        lastMonth = in.readInt();
        year = in.readInt();
        nextEvaluationAt = in.readLong();
        floorTier = in.readInt();
        floorUntil = in.readLong();
        pending = in.readLong();
        if (in.readBoolean())
        {
            pendingAt = in.readLongs();
            pendingPoints = in.readLongs();
            pendingEarnedAt = in.readLongs();
            pendingRequest = in.readLongs();
        }
        pendingCount = in.readInt();
        if (!(pendingCount >= 0 && (pendingCount == 0 || null != pendingAt && pendingCount <= pendingAt.length &&
            pendingAt.length == pendingPoints.length && pendingAt.length == pendingEarnedAt.length &&
            pendingAt.length == pendingRequest.length)))
        {
            throw in.impossible(start, "member " + id + "'s " + pendingCount + " pending earns");
        }
        purchaseDay = in.readInt();
        purchaseDayPoints = in.readLong();
        lots = in.readInts();
        lotCount = in.readInt();
        if (!(lotCount == in.used()))
        {
            throw in.impossible(start, "member " + id + "'s " + lotCount + " lots");
        }
        groupAt = in.readLongs();
        groupPoints = in.readLongs();
        groupCount = in.readInt();
        if (!(groupCount == in.used() && groupAt.length == groupPoints.length && groupAt.length > 0 && lots.length > 0))
        {
            throw in.impossible(start, "member " + id + "'s " + groupCount + " expiry groups");
        }
    }
}
