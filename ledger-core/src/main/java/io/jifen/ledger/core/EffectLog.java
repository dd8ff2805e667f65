package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The lot-level effects of one command, in the order they happened: the facts a journal record carries.
 * Reused across commands: {@link #reset()} keeps the arrays, which only grow.
 */
public final class EffectLog
{
    /** A lot was created: amount credited, expiresAt set. */
    public static final byte CREDIT = 1;
    /** Points left a lot to pay for a redemption or a negative adjustment. */
    public static final byte DEBIT = 2;
    /** What remained of a lot at its expiry instant was forfeited (breakage). */
    public static final byte EXPIRE = 3;
    /** Points of a reversed redemption went back into the lot they came from. */
    public static final byte RESTORE = 4;
    /** Points of a reversed earn were taken back from a lot. */
    public static final byte CLAWBACK = 5;
    /** Points left a lot into a hold (reserved for an order, not yet redeemed). */
    public static final byte HOLD = 6;
    /** Held points of a lot were captured: redeemed for good. */
    public static final byte CAPTURE = 7;
    /** Held points went back into the lot they came from (a release, a timeout, the rest of a partial capture). */
    public static final byte RELEASE = 8;
    /** Points earned as pending: not a lot yet (lot id -1); expiresAt is the instant they mature. */
    public static final byte PENDING = 9;
    /** Pending points matured into a new lot (its id, the points, its expiry): they are available from now. */
    public static final byte MATURE = 10;
    /** Pending points of a reversed earn were cancelled before they matured (lot id -1; expiresAt: maturity). */
    public static final byte PENDING_CANCEL = 11;
    /** A tier evaluation of the member: lot id -1, amount the tier code after it, expiresAt the evaluation instant. */
    public static final byte TIER = 12;
    /** A lot created for the record's member by a program bonus (welcome, first purchase, referral, birthday). */
    public static final byte BONUS = 13;
    /** A lot created for the referrer of the record's member: the member's first qualifying earn landed. */
    public static final byte REFERRER_BONUS = 14;
    /**
     * Points of a referrer's bonus lot taken: the referred member's first earn was reversed, or they paid what the
     * referrer owed.
     */
    public static final byte REFERRER_CLAWBACK = 15;
    /** Points left a lot of the record's member for another member (a transfer). */
    public static final byte TRANSFER_OUT = 16;
    /** A lot created for the record's receiving member with transferred points, keeping their expiry. */
    public static final byte TRANSFER_IN = 17;
    /**
     * A lot created with points a reversed redemption gave back to lots that had expired meanwhile: they stay usable
     * for the program's grace period (its expiry).
     */
    public static final byte GRACE = 18;
    /**
     * A reversal took back more than the member had: the shortfall it now owes (lot id: the reversed earn's lot). No
     * lot changes; the member's debt grows.
     */
    public static final byte SHORTFALL = 19;
    /** Points of a lot paid what the member owed. */
    public static final byte SETTLE = 20;
    /**
     * A new lot with restored points that cancel the clawback shortfall of their own lot's reversed earn, which the
     * member's later credits had paid: they come back to the member.
     */
    public static final byte RESTORE_LOT = 21;
    /** The same for released held points. */
    public static final byte RELEASE_LOT = 22;
    /**
     * A reversal's shortfall the program forgave (lot id: the reversed earn's or bonus's lot): recorded, not owed; no
     * points move.
     */
    public static final byte FORGIVE = 23;
    /** Restored points that cancel a forgiven shortfall of their lot: taken as that clawback, late. */
    public static final byte RECLAIM = 24;
    /** The same for released held points. */
    public static final byte RECLAIM_HELD = 25;
    /** Points left a lot of the record's member for a member of a partner program (exchange). */
    public static final byte EXCHANGE_OUT = 26;
    /** A lot created for the exchange's receiving member, in its own program, with the exchanged points. */
    public static final byte EXCHANGE_IN = 27;

    private byte[] kinds = new byte[16];
    private long[] lotIds = new long[16];
    private long[] amounts = new long[16];
    private long[] expiresAts = new long[16];
    /** The member each effect is of, as the writer knows its members (the ledger: a member index). */
    private int[] members = new int[16];
    private int size;

    public void reset()
    {
        size = 0;
    }

    /**
     * Appends an effect on a lot (or on the pending points or tier) of {@code member}: a key the writer gives its
     * members (the ledger's member index), which it turns into the record's member table.
     */
    public void add(final byte kind, final long lotId, final long amount, final long expiresAt, final int member)
    {
        assert amount > 0 : "effect amount must be positive: " + amount;
        if (size == kinds.length)
        {
            final int capacity = size << 1;
            kinds = Arrays.copyOf(kinds, capacity);
            lotIds = Arrays.copyOf(lotIds, capacity);
            amounts = Arrays.copyOf(amounts, capacity);
            expiresAts = Arrays.copyOf(expiresAts, capacity);
            members = Arrays.copyOf(members, capacity);
        }
        kinds[size] = kind;
        lotIds[size] = lotId;
        amounts[size] = amount;
        expiresAts[size] = expiresAt;
        members[size] = member;
        size++;
    }

    /**
     * Drops arrays grown past {@code entriesKept} entries (and their contents) back to the initial size.
     */
    public void trim(final int entriesKept)
    {
        if (kinds.length > entriesKept)
        {
            kinds = new byte[16];
            lotIds = new long[16];
            amounts = new long[16];
            expiresAts = new long[16];
            members = new int[16];
            size = 0;
        }
    }

    public int size()
    {
        return size;
    }

    public byte kind(final int i)
    {
        return kinds[i];
    }

    public long lotId(final int i)
    {
        return lotIds[i];
    }

    public long amount(final int i)
    {
        return amounts[i];
    }

    public long expiresAt(final int i)
    {
        return expiresAts[i];
    }

    /** @return the writer's key of the member effect {@code i} is of. */
    public int member(final int i)
    {
        return members[i];
    }

    /**
     * @return the sum of the amounts of effects of one kind.
     */
    public long total(final byte kind)
    {
        long total = 0;
        for (int i = 0; i < size; i++)
        {
            if (kinds[i] == kind)
            {
                total += amounts[i];
            }
        }
        return total;
    }

    /** @return true for the kinds that create a lot (whose expiry a replay takes from the journal). */
    public static boolean createsLot(final byte kind)
    {
        switch (kind)
        {
            case CREDIT:
            case MATURE:
            case BONUS:
            case REFERRER_BONUS:
            case TRANSFER_IN:
            case EXCHANGE_IN:
            case GRACE:
            case RESTORE_LOT:
            case RELEASE_LOT:
                return true;
            default:
                return false;
        }
    }

    public static String kindName(final byte kind)
    {
        switch (kind)
        {
            case CREDIT: return "credit";
            case DEBIT: return "debit";
            case EXPIRE: return "expire";
            case RESTORE: return "restore";
            case CLAWBACK: return "clawback";
            case HOLD: return "hold";
            case CAPTURE: return "capture";
            case RELEASE: return "release";
            case PENDING: return "pending";
            case MATURE: return "mature";
            case PENDING_CANCEL: return "pending_cancel";
            case TIER: return "tier";
            case BONUS: return "bonus";
            case REFERRER_BONUS: return "referrer_bonus";
            case REFERRER_CLAWBACK: return "referrer_clawback";
            case TRANSFER_OUT: return "transfer_out";
            case TRANSFER_IN: return "transfer_in";
            case GRACE: return "grace";
            case SHORTFALL: return "shortfall";
            case SETTLE: return "settle";
            case RESTORE_LOT: return "restore_lot";
            case RELEASE_LOT: return "release_lot";
            case FORGIVE: return "forgive";
            case RECLAIM: return "reclaim";
            case RECLAIM_HELD: return "reclaim_held";
            case EXCHANGE_OUT: return "exchange_out";
            case EXCHANGE_IN: return "exchange_in";
            default: return "unknown(" + kind + ")";
        }
    }
}
