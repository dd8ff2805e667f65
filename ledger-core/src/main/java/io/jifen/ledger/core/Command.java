package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * One command and its outcome: the pre-allocated, reused slot of the pipeline's ring. Inputs are set by whoever
 * submits the command, {@link #timestamp} by the sequencer, outputs by {@link Ledger#apply(Command)}.
 * Public fields, as in a Disruptor event: it is a message, not an object with behaviour.
 */
public final class Command
{
    // ---- inputs
    public CommandType type;
    public String requestId;
    public String memberId;
    public String orderId;
    public String reason;
    public String originalRequestId;
    public String referrerId;
    /** Transfer: the receiving member (journaled in the referrer_id slot). */
    public String toMemberId;
    /** The program of the member (and of every member the command names but the exchange's receiver): null or empty
     * for the ledger's first program. Member ids are unique within a program. */
    public String programId;
    /** Exchange: the program of the receiving member. */
    public String toProgramId;
    /** Earn/Redeem/Reverse: points asked for; Adjust: signed. */
    public long points;
    /** Enroll: month * 100 + day, 0 if unknown. */
    public int birthday;
    /** SetStatus: a {@link MemberStatus} code. */
    public int status;
    /** CheckTier: a {@link Tier} code. */
    public int minTier;
    /** ListLots: the most lots to return; ExpireTick: the most effects to make. */
    public int limit;
    /** ListExpiring, first page: the window in days from the read's instant (0 on later pages). */
    public int withinDays;
    /** ListExpiring, later pages: the end of the first page's window (epoch ms), from the page token. */
    public long expiringBefore;
    /** ListExpiring: the least points expiring within the window that lists a member. */
    public long minPoints;
    /** ListExpiring: the member position to scan from (0 on a first page, then from the page token). */
    public int cursor;
    /** Hold: its timeout in seconds (0: the program's default). */
    public int holdTimeoutSeconds;
    /** SetTier: the {@link Tier} code to set. */
    public int requestedTier;
    /** SetTier: the instant (epoch ms) until which evaluations keep the member at least at that tier (0: none). */
    public long requestedFloorUntil;
    /** Earn from a purchase: the amount in minor units of {@link #currency} (0: an earn of explicit points). */
    public long purchaseMinor;
    /** Earn from a purchase: ISO 4217 code. */
    public String currency;
    /** Earn from a purchase: a {@link Channel} code. */
    public int channel;
    /** Earn from a purchase: the categories of the basket, or null. */
    public String[] categories;
    /** Import: when the lot's points were earned in the system they come from (epoch ms, not after ledger time). */
    public long earnedAt;
    /** Import: when the lot expires (epoch ms, after ledger time and earnedAt; 0 with no points). */
    public long lotExpiresAt;
    /** Import: tier points counted in the month of {@link #earnedAt} (a program whose window is lifetime counts the
     * points themselves). */
    public long importTierPoints;
    /** SetProgram: the program's canonical text. */
    public String programText;
    /**
     * SetProgram put by an admin while serving: the program is matched by its own name and must raise the version of
     * the one it replaces. Never journaled: the ledger resolves it into the program id a start-up would have used.
     */
    public boolean putByName;
    /**
     * The id of the API key the write came with (null: a server without keys, or the server's own sweep): journaled
     * with every write (record version 4) so an audit can say who did what. Not part of what a retry is compared on:
     * request ids are scoped to a program, whichever of its keys sends them. Never read by the rules.
     */
    public String keyId;
    /**
     * Replay only: the expiry instants the journal recorded for the lots this command creates, in the order it created
     * them (none when live). The program's rule is computed with the JVM's time-zone data, which a JDK update may
     * change; the journal's instant is the fact, so a replay keeps it and counts where today's rule would differ.
     */
    private long[] recordedExpiries = new long[4];
    private int recordedCount;
    private int recordedUsed;

    // ---- stamped by the sequencer: ledger time in epoch milliseconds
    public long timestamp;

    // ---- outputs
    public ResultCode result = ResultCode.OK;
    /** For a failure, a number that explains it (e.g. the available balance when points are insufficient). */
    public long resultDetail;
    /** True when the result is the remembered outcome of an earlier identical request. */
    public boolean replay;
    /** The journal sequence of the write's record; 0 when nothing was journaled. */
    public long sequence;
    public long resultPoints;
    public long balance;
    public long lifetimeEarned;
    public int tier;
    public int memberStatus;
    public long lotId;
    public long expiresAt;
    public long expired;
    public long shortfall;
    /** Reverse of an earn: points of the earn that had expired already, so nothing was clawed back for them. */
    public long alreadyExpired;
    /** The member's points owed from clawback shortfalls, taken from its next credits. */
    public long owed;
    // reads
    public long pending;
    /** The member's points in open holds (after a write, or as of a read). */
    public long held;
    /** CaptureHold: the points of the hold released rather than captured; ReleaseHold: the same as resultPoints. */
    public long released;
    /** Exchange: the points the receiving member got in its program (resultPoints is what the sender gave). */
    public long exchanged;
    /** Earn under a pending period: the instant its points mature (become available as a lot). */
    public long maturesAt;
    /** Bonus points this write credited to the member (negative: clawed back); and to its referrer. */
    public long bonusPoints;
    public long referrerBonusPoints;
    /** GetBalance: tier points in the program's window, points still needed for the next tier, next evaluation. */
    public long tierPoints;
    public long nextTierPoints;
    public long nextEvaluationAt;
    /**
     * Reverse of a redemption or capture: points back in their lots (or as a new lot when they cancel a paid clawback
     * shortfall), points that expired again at once, and points given a grace period because their lot had expired.
     */
    public long restored;
    public long reexpired;
    public long graced;
    /**
     * Reverse of a redemption, or a hold's release: points that cancelled a forgiven shortfall of their lot, so did not
     * come back (a release's released points include them).
     */
    public long reclaimed;
    /** GetMember: the lifecycle segment code, enrollment, the latest qualifying earn, earns in the active window. */
    public int segment;
    public long enrolledAt;
    public long lastEarnAt;
    public int recentEarns;
    /** GetMember: the member's referrer (an output here, unlike Enroll's input). */
    public String referrerOut;
    /** GetBalance: the tier floor a SetTier put in place, and until when (0: none). */
    public int floorTier;
    public long floorUntil;
    public long nextExpiryPoints;
    public long nextExpiryAt;
    public int openLots;
    public boolean meets;
    /** Earn from a purchase: how the program computed the points (empty on a replay). */
    public final Earning earning = new Earning();
    public final EffectLog effects = new EffectLog();
    /** A journaled write: the members it touched, their balances after it, and the member of each effect. */
    public final TouchedMembers touched = new TouchedMembers();
    /**
     * The version of the record this command is journaled in: 0 for a new write (the current version); a replay
     * takes it from the record, so an older record re-encodes to its own bytes.
     */
    public int recordVersion;
    public final LotList lots = new LotList();
    /** GetBalance: the member's points by expiry instant, soonest first (at most 1000, the listing limit). */
    public final Outlook outlook = new Outlook();
    /** GetBalance: how many expiry instants the member's points have, all of them (the outlook may stop short). */
    public int expiryBatches;
    /** ListExpiring: the page's members; where the next page scans from (-1: none), and the window's end. */
    public final ExpiringMembers expiring = new ExpiringMembers();
    public int nextCursor;
    public long windowEnd;
    /** The slot of the lot an earn or an adjustment credited (-1: none), for the request log: not a result. */
    int creditedLot = -1;

    /**
     * Clears everything, inputs included, so a slot never leaks a field from its previous use.
     */
    public Command clear()
    {
        type = null;
        requestId = null;
        memberId = null;
        orderId = null;
        reason = null;
        originalRequestId = null;
        referrerId = null;
        toMemberId = null;
        programId = null;
        toProgramId = null;
        points = 0;
        birthday = 0;
        status = 0;
        minTier = 0;
        limit = 0;
        withinDays = 0;
        expiringBefore = 0;
        minPoints = 0;
        cursor = 0;
        holdTimeoutSeconds = 0;
        requestedTier = 0;
        requestedFloorUntil = 0;
        purchaseMinor = 0;
        currency = null;
        channel = 0;
        categories = null;
        earnedAt = 0;
        lotExpiresAt = 0;
        importTierPoints = 0;
        programText = null;
        putByName = false;
        keyId = null;
        recordVersion = 0;
        recordedCount = 0;
        recordedUsed = 0;
        timestamp = 0;
        resetResult();
        return this;
    }

    /** Replay: the journal recorded a lot this command creates expiring at {@code expiresAt} (the next one). */
    public void addRecordedExpiry(final long expiresAt)
    {
        if (recordedCount == recordedExpiries.length)
        {
            recordedExpiries = Arrays.copyOf(recordedExpiries, recordedCount << 1);
        }
        recordedExpiries[recordedCount++] = expiresAt;
    }

    /** @return the recorded expiry of the next lot created, or {@code computed} when none is recorded (live). */
    long nextExpiry(final long computed)
    {
        return recordedUsed < recordedCount ? recordedExpiries[recordedUsed++] : computed;
    }

    /** @return the recorded expiry of the first lot this command created (0 if none): for tests and tools. */
    public long firstRecordedExpiry()
    {
        return recordedCount > 0 ? recordedExpiries[0] : 0;
    }

    public void resetResult()
    {
        recordedUsed = 0;
        creditedLot = -1;
        result = ResultCode.OK;
        resultDetail = 0;
        replay = false;
        sequence = 0;
        resultPoints = 0;
        balance = 0;
        lifetimeEarned = 0;
        tier = 0;
        memberStatus = 0;
        lotId = 0;
        expiresAt = 0;
        expired = 0;
        shortfall = 0;
        alreadyExpired = 0;
        owed = 0;
        pending = 0;
        held = 0;
        released = 0;
        exchanged = 0;
        maturesAt = 0;
        bonusPoints = 0;
        referrerBonusPoints = 0;
        restored = 0;
        reexpired = 0;
        graced = 0;
        reclaimed = 0;
        segment = 0;
        enrolledAt = 0;
        lastEarnAt = 0;
        recentEarns = 0;
        referrerOut = null;
        tierPoints = 0;
        nextTierPoints = 0;
        nextEvaluationAt = 0;
        floorTier = 0;
        floorUntil = 0;
        nextExpiryPoints = 0;
        nextExpiryAt = 0;
        openLots = 0;
        meets = false;
        earning.reset();
        effects.reset();
        touched.reset();
        lots.reset();
        outlook.reset();
        expiryBatches = 0;
        expiring.reset();
        nextCursor = 0;
        windowEnd = 0;
    }

    /**
     * @return true when applying this command produced a journal record.
     */
    public boolean isJournaled()
    {
        return sequence > 0 && !replay;
    }

    /**
     * Gives back the memory of effect and lot buffers grown past {@code entriesKept} entries (after a large sweep or
     * listing), so a ring of reused commands does not keep its high-water mark forever.
     */
    public void trimBuffers(final int entriesKept)
    {
        effects.trim(entriesKept);
        touched.trim(entriesKept);
        lots.trim(entriesKept);
        outlook.trim(entriesKept);
        expiring.trim(entriesKept);
    }

    /**
     * Copies another command's inputs and outcome (with its earning, not its effects or lots): a snapshot that outlives
     * a reused slot.
     */
    public Command copyFrom(final Command other)
    {
        copyInputsFrom(other);
        result = other.result;
        resultDetail = other.resultDetail;
        replay = other.replay;
        sequence = other.sequence;
        resultPoints = other.resultPoints;
        balance = other.balance;
        lifetimeEarned = other.lifetimeEarned;
        tier = other.tier;
        memberStatus = other.memberStatus;
        lotId = other.lotId;
        expiresAt = other.expiresAt;
        expired = other.expired;
        shortfall = other.shortfall;
        alreadyExpired = other.alreadyExpired;
        owed = other.owed;
        pending = other.pending;
        held = other.held;
        released = other.released;
        exchanged = other.exchanged;
        maturesAt = other.maturesAt;
        bonusPoints = other.bonusPoints;
        restored = other.restored;
        reclaimed = other.reclaimed;
        reexpired = other.reexpired;
        graced = other.graced;
        segment = other.segment;
        enrolledAt = other.enrolledAt;
        lastEarnAt = other.lastEarnAt;
        recentEarns = other.recentEarns;
        referrerOut = other.referrerOut;
        referrerBonusPoints = other.referrerBonusPoints;
        tierPoints = other.tierPoints;
        nextTierPoints = other.nextTierPoints;
        nextEvaluationAt = other.nextEvaluationAt;
        floorTier = other.floorTier;
        floorUntil = other.floorUntil;
        nextExpiryPoints = other.nextExpiryPoints;
        nextExpiryAt = other.nextExpiryAt;
        openLots = other.openLots;
        meets = other.meets;
        earning.copyFrom(other.earning);
        return this;
    }

    /**
     * The journal record keeps one points slot, one status slot and one limit slot for every command (the layout of
     * docs/journal-format.md); the commands whose inputs have their own names journal them there. These say what goes
     * in each slot, and {@link #fromSlots} puts a record's slots back into the named inputs.
     *
     * @return the value of the points slot: SetTier's floor instant, else {@link #points}.
     */
    public long pointsSlot()
    {
        return type == CommandType.SET_TIER ? requestedFloorUntil : points;
    }

    /** @return the value of the status slot: SetTier's tier, else {@link #status}. */
    public int statusSlot()
    {
        return type == CommandType.SET_TIER ? requestedTier : status;
    }

    /** @return the value of the limit slot: a hold's timeout, else {@link #limit}. */
    public int limitSlot()
    {
        return type == CommandType.HOLD ? holdTimeoutSeconds : limit;
    }

    /** Sets the named inputs from a record's slots (the {@link #type} first). */
    public void fromSlots(final long pointsSlot, final int statusSlot, final int limitSlot)
    {
        if (type == CommandType.SET_TIER)
        {
            requestedFloorUntil = pointsSlot;
            requestedTier = statusSlot;
        }
        else
        {
            points = pointsSlot;
            status = statusSlot;
        }
        if (type == CommandType.HOLD)
        {
            holdTimeoutSeconds = limitSlot;
        }
        else
        {
            limit = limitSlot;
        }
    }

    /** Copies the inputs of another command (used by tests and tools). */
    public Command copyInputsFrom(final Command other)
    {
        type = other.type;
        requestId = other.requestId;
        memberId = other.memberId;
        orderId = other.orderId;
        reason = other.reason;
        originalRequestId = other.originalRequestId;
        referrerId = other.referrerId;
        toMemberId = other.toMemberId;
        programId = other.programId;
        toProgramId = other.toProgramId;
        points = other.points;
        birthday = other.birthday;
        status = other.status;
        minTier = other.minTier;
        limit = other.limit;
        withinDays = other.withinDays;
        expiringBefore = other.expiringBefore;
        minPoints = other.minPoints;
        cursor = other.cursor;
        holdTimeoutSeconds = other.holdTimeoutSeconds;
        requestedTier = other.requestedTier;
        requestedFloorUntil = other.requestedFloorUntil;
        purchaseMinor = other.purchaseMinor;
        currency = other.currency;
        channel = other.channel;
        categories = other.categories;
        earnedAt = other.earnedAt;
        lotExpiresAt = other.lotExpiresAt;
        importTierPoints = other.importTierPoints;
        programText = other.programText;
        putByName = other.putByName;
        keyId = other.keyId;
        recordVersion = other.recordVersion;
        recordedExpiries = other.recordedCount == 0 ? recordedExpiries : other.recordedExpiries.clone();
        recordedCount = other.recordedCount;
        recordedUsed = 0;
        timestamp = other.timestamp;
        return this;
    }

    /** What a log line may say of the command: no member id, no birthday (a member's personal data). */
    public String toLogString()
    {
        return "Command{" + type + " request=" + requestId + " t=" + timestamp + " -> " + result + " seq=" + sequence +
            "}";
    }

    @Override
    public String toString()
    {
        return "Command{" + type + " request=" + requestId + " member=" + memberId + " points=" + points +
            " original=" + originalRequestId + " t=" + timestamp + " -> " + result +
            (replay ? " (replay)" : "") + " seq=" + sequence + " balance=" + balance + "}";
    }

    /**
     * How a purchase earned its points: the base at the program's rate, the tier multiplier, each campaign's extra
     * points and what budgets and the member's daily cap cut. Fixed capacity (every campaign and the birthday line), no
     * allocation per earn.
     */
    public static final class Earning
    {
        /** The purchase amount at the program's rate, rounded: what the purchase earns before any multiplier. */
        public long basePoints;
        /** The member's tier multiplier, in ten-thousandths (10000 is ×1). */
        public long tierMultiplierBp;
        /** Points after the tier multiplier, before campaigns. */
        public long tierPoints;
        /** Points the member's daily cap cut from the total (taken from the last campaign's extra first). */
        public long capCut;
        private int count;
        private final String[] campaignIds = new String[Program.CAMPAIGNS_MAX + 1];
        private final long[] multiplierBp = new long[Program.CAMPAIGNS_MAX + 1];
        private final long[] points = new long[Program.CAMPAIGNS_MAX + 1];
        private final long[] budgetCut = new long[Program.CAMPAIGNS_MAX + 1];
        private final int[] campaignIndex = new int[Program.CAMPAIGNS_MAX + 1];

        public void reset()
        {
            basePoints = 0;
            tierMultiplierBp = 0;
            tierPoints = 0;
            capCut = 0;
            count = 0;
        }

        /** Copies another computation (the answer of a retry; a reference model's expected answer). */
        public void copyFrom(final Earning other)
        {
            basePoints = other.basePoints;
            tierMultiplierBp = other.tierMultiplierBp;
            tierPoints = other.tierPoints;
            capCut = other.capCut;
            count = other.count;
            System.arraycopy(other.campaignIds, 0, campaignIds, 0, count);
            System.arraycopy(other.multiplierBp, 0, multiplierBp, 0, count);
            System.arraycopy(other.points, 0, points, 0, count);
            System.arraycopy(other.budgetCut, 0, budgetCut, 0, count);
            System.arraycopy(other.campaignIndex, 0, campaignIndex, 0, count);
        }

        void add(final int index, final Program.Campaign campaign, final long extra, final long cut)
        {
            campaignIndex[count] = index;
            campaignIds[count] = campaign.id();
            multiplierBp[count] = campaign.multiplierBp();
            points[count] = extra;
            budgetCut[count] = cut;
            count++;
        }

        /** Restores a line read back from a journal record. */
        public void add(final String campaignId, final long multiplier, final long extra, final long cut)
        {
            campaignIndex[count] = -1;
            campaignIds[count] = campaignId;
            multiplierBp[count] = multiplier;
            points[count] = extra;
            budgetCut[count] = cut;
            count++;
        }

        /** @return true if the points were computed from a purchase (false on a replay or an explicit earn). */
        public boolean isPresent()
        {
            return tierMultiplierBp != 0;
        }

        public int campaignCount()
        {
            return count;
        }

        public String campaignId(final int i)
        {
            return campaignIds[i];
        }

        int campaignIndex(final int i)
        {
            return campaignIndex[i];
        }

        public long multiplierBp(final int i)
        {
            return multiplierBp[i];
        }

        /** @return the extra points campaign {@code i} gave (after its budget and the daily cap). */
        public long points(final int i)
        {
            return points[i];
        }

        void setPoints(final int i, final long value)
        {
            points[i] = value;
        }

        /** @return the extra points campaign {@code i}'s budget cut. */
        public long budgetCut(final int i)
        {
            return budgetCut[i];
        }
    }

    /**
     * Lots returned by a ListLots read.
     */
    public static final class LotList
    {
        private long[] values = new long[5 * 16];
        private int size;

        void reset()
        {
            size = 0;
        }

        void trim(final int entriesKept)
        {
            if (values.length > entriesKept * 5)
            {
                values = new long[5 * 16];
                size = 0;
            }
        }

        /** Appends a lot to the answer (the ledger's reads; a reference model's expected answer). */
        public void add(
            final long lotId, final long amount, final long remaining, final long earnedAt, final long expiresAt)
        {
            if ((size + 1) * 5 > values.length)
            {
                values = Arrays.copyOf(values, values.length << 1);
            }
            final int base = size * 5;
            values[base] = lotId;
            values[base + 1] = amount;
            values[base + 2] = remaining;
            values[base + 3] = earnedAt;
            values[base + 4] = expiresAt;
            size++;
        }

        public int size()
        {
            return size;
        }

        public long lotId(final int i)
        {
            return values[i * 5];
        }

        public long amount(final int i)
        {
            return values[i * 5 + 1];
        }

        public long remaining(final int i)
        {
            return values[i * 5 + 2];
        }

        public long earnedAt(final int i)
        {
            return values[i * 5 + 3];
        }

        public long expiresAt(final int i)
        {
            return values[i * 5 + 4];
        }
    }

    /**
     * Points by the instant they expire, soonest first: a balance read's expiry outlook.
     */
    public static final class Outlook
    {
        private long[] values = new long[2 * 16];
        private int size;

        void reset()
        {
            size = 0;
        }

        void trim(final int entriesKept)
        {
            if (values.length > entriesKept * 2)
            {
                values = new long[2 * 16];
                size = 0;
            }
        }

        /** Appends the points expiring at an instant (the ledger's reads; a reference model's expected answer). */
        public void add(final long expiresAt, final long points)
        {
            if ((size + 1) * 2 > values.length)
            {
                values = Arrays.copyOf(values, values.length << 1);
            }
            values[size * 2] = expiresAt;
            values[size * 2 + 1] = points;
            size++;
        }

        public int size()
        {
            return size;
        }

        public long expiresAt(final int i)
        {
            return values[i * 2];
        }

        public long points(final int i)
        {
            return values[i * 2 + 1];
        }
    }

    /**
     * Members a ListExpiring page found: each with the points expiring within the window, the first instant they
     * expire at, and its balance.
     */
    public static final class ExpiringMembers
    {
        private String[] ids = new String[16];
        private long[] values = new long[3 * 16];
        private int size;

        void reset()
        {
            Arrays.fill(ids, 0, size, null);
            size = 0;
        }

        void trim(final int entriesKept)
        {
            if (ids.length > entriesKept)
            {
                ids = new String[16];
                values = new long[3 * 16];
                size = 0;
            }
        }

        /** Appends a member to the page (the ledger's reads; a reference model's expected answer). */
        public void add(final String memberId, final long points, final long firstExpiresAt, final long balance)
        {
            if (size == ids.length)
            {
                ids = Arrays.copyOf(ids, size << 1);
                values = Arrays.copyOf(values, 3 * (size << 1));
            }
            ids[size] = memberId;
            values[3 * size] = points;
            values[3 * size + 1] = firstExpiresAt;
            values[3 * size + 2] = balance;
            size++;
        }

        public int size()
        {
            return size;
        }

        public String memberId(final int i)
        {
            return ids[i];
        }

        public long points(final int i)
        {
            return values[3 * i];
        }

        public long firstExpiresAt(final int i)
        {
            return values[3 * i + 1];
        }

        public long balance(final int i)
        {
            return values[3 * i + 2];
        }
    }
}
