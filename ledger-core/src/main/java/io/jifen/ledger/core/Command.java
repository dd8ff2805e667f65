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
    /** Earn/Redeem/Reverse: points asked for; Adjust: signed. */
    public long points;
    /** Enroll: month * 100 + day, 0 if unknown. */
    public int birthday;
    /** SetStatus: a {@link MemberStatus} code. */
    public int status;
    /** CheckTier: a {@link Tier} code. */
    public int minTier;
    /** ListLots: the most lots to return; ExpireTick: the most lots to expire. */
    public int limit;
    /** SetProgram: the program's canonical text. */
    public String programText;
    /**
     * Replay only: the expiry instant the journal recorded for the lot this command creates (0 when live). The
     * program's rule is computed with the JVM's time-zone data, which a JDK update may change; the journal's instant
     * is the fact, so a replay keeps it and counts where today's rule would differ.
     */
    public long recordedExpiresAt;

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
    public long nextExpiryPoints;
    public long nextExpiryAt;
    public int openLots;
    public boolean meets;
    public final EffectLog effects = new EffectLog();
    public final LotList lots = new LotList();

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
        points = 0;
        birthday = 0;
        status = 0;
        minTier = 0;
        limit = 0;
        programText = null;
        recordedExpiresAt = 0;
        timestamp = 0;
        resetResult();
        return this;
    }

    public void resetResult()
    {
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
        nextExpiryPoints = 0;
        nextExpiryAt = 0;
        openLots = 0;
        meets = false;
        effects.reset();
        lots.reset();
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
        lots.trim(entriesKept);
    }

    /**
     * Copies another command's inputs and outcome (not its effects or lots): a snapshot that outlives a reused slot.
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
        nextExpiryPoints = other.nextExpiryPoints;
        nextExpiryAt = other.nextExpiryAt;
        openLots = other.openLots;
        meets = other.meets;
        return this;
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
        points = other.points;
        birthday = other.birthday;
        status = other.status;
        minTier = other.minTier;
        limit = other.limit;
        programText = other.programText;
        recordedExpiresAt = other.recordedExpiresAt;
        timestamp = other.timestamp;
        return this;
    }

    @Override
    public String toString()
    {
        return "Command{" + type + " request=" + requestId + " member=" + memberId + " points=" + points +
            " original=" + originalRequestId + " t=" + timestamp + " -> " + result +
            (replay ? " (replay)" : "") + " seq=" + sequence + " balance=" + balance + "}";
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

        void add(final long lotId, final long amount, final long remaining, final long earnedAt, final long expiresAt)
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
}
