package io.jifen.ledger.journal;

import java.util.ArrayList;
import java.util.List;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;

/**
 * One line of a member's statement (积分明细): what one journal record did to one member. Rendered from the record
 * alone by {@link Statements}; {@code ListHistory} answers with these, newest first.
 */
public final class StatementLine
{
    /** What the line is, for a person reading a statement (the record's type, seen from the member). */
    public enum Kind
    {
        ENROLL, EARN, PURCHASE_EARN, BONUS, REDEEM, HOLD, CAPTURE, RELEASE, REVERSE, TRANSFER_OUT, TRANSFER_IN,
        EXCHANGE_OUT, EXCHANGE_IN, ADJUST, EXPIRY, MATURITY, HOLD_TIMEOUT, TIER, STATUS, IMPORT
    }

    /** A lot-level effect on the member: its kind as {@code journal dump} names it, the lot, points and expiry. */
    public record Lot(String kind, long lotId, long points, long expiresAt)
    {
    }

    public long sequence;
    public long timestamp;
    public CommandType type;
    public Kind kind;
    /** The change of the member's available points: its effects' credits less their debits. */
    public long points;
    /** The change of the member's pending (not yet matured) points. */
    public long pendingPoints;
    /** False for records before version 3, which name no member's balances but the writer's result. */
    public boolean balancesKnown;
    public long balanceAfter;
    public long owedAfter;
    public long heldAfter;
    public long pendingAfter;
    public String requestId;
    public String orderId;
    public String reason;
    public String originalRequestId;
    /** The other member of a transfer, exchange or referral (its program: null for the ledger's first program). */
    public String counterpartyMemberId;
    public String counterpartyProgram;
    public final List<Lot> lots = new ArrayList<>();
    /** An import: when its points were earned in the system they came from (0 otherwise). */
    public long earnedAt;
    /** A purchase earn's computation (its purchase and earning); null otherwise. */
    public Command purchase;

    void clear()
    {
        sequence = 0;
        timestamp = 0;
        type = null;
        earnedAt = 0;
        kind = null;
        points = 0;
        pendingPoints = 0;
        balancesKnown = false;
        balanceAfter = 0;
        owedAfter = 0;
        heldAfter = 0;
        pendingAfter = 0;
        requestId = null;
        orderId = null;
        reason = null;
        originalRequestId = null;
        counterpartyMemberId = null;
        counterpartyProgram = null;
        lots.clear();
        purchase = null;
    }

    @Override
    public String toString()
    {
        return "#" + sequence + " " + kind + " " + points + (balancesKnown ? " -> " + balanceAfter : "") + " " + lots;
    }
}
