package io.jifen.ledger.core;

/**
 * The outcome of a command. Codes are grouped in numeric ranges by the kind of failure, each range mapping to one
 * gRPC status: 0 OK, 1xx invalid argument, 2xx not found, 3xx failed precondition, 4xx already exists,
 * 5xx resource exhausted, 6xx unavailable, 7xx permission denied (decided by the server before a command enters the
 * ledger: never journaled), 8xx deadline exceeded (a command skipped because its caller's deadline passed while it
 * waited: never applied). The {@link #field()} names the request field a 1xx code is about.
 */
public enum ResultCode
{
    OK(0, null, "ok"),

    REQUEST_ID_INVALID(101, "request_id", Limits.ID_RULE),
    MEMBER_ID_INVALID(102, "member_id", Limits.ID_RULE),
    POINTS_INVALID(103, "points", "out of range"),
    ORDER_ID_INVALID(104, "order_id", Limits.OPTIONAL_ID_RULE),
    REASON_INVALID(105, "reason", "must be at most " + Limits.REASON_LENGTH_MAX + " characters"),
    REASON_REQUIRED(106, "reason", "is required"),
    BIRTHDAY_INVALID(107, "birthday", "must be MM-DD, a valid day of the year"),
    REFERRER_ID_INVALID(108, "referrer_id",
        Limits.OPTIONAL_ID_RULE + " and not the member itself"),
    ORIGINAL_REQUEST_ID_INVALID(109, "original_request_id", Limits.ID_RULE),
    STATUS_INVALID(110, "status", "must be MEMBER_STATUS_ACTIVE, MEMBER_STATUS_FROZEN or MEMBER_STATUS_CLOSED"),
    MIN_TIER_INVALID(111, "min_tier", "must be a tier: TIER_MEMBER, TIER_SILVER, TIER_GOLD or TIER_PLATINUM"),
    LIMIT_INVALID(112, "limit", "out of range"),
    COMMAND_INVALID(115, "command", "unknown command"),
    HOLD_TIMEOUT_INVALID(116, "timeout_seconds",
        "must be 0 (the program's default) or 1.." + Limits.HOLD_TIMEOUT_MAX_SECONDS +
        " seconds, and shorter than the request retention window"),
    PURCHASE_AMOUNT_INVALID(118, "purchase.amount_minor",
        "must be 1.." + Limits.PURCHASE_AMOUNT_MAX + " minor units of the currency"),
    PURCHASE_CURRENCY_INVALID(119, "purchase.currency", "must be an ISO 4217 code of three capital letters"),
    PURCHASE_CHANNEL_INVALID(120, "purchase.channel", "must be CHANNEL_STORE, CHANNEL_ONLINE or CHANNEL_APP"),
    PURCHASE_CATEGORIES_INVALID(121, "purchase.categories",
        "at most " + Limits.CATEGORIES_MAX + " categories, each 1.." + Limits.CATEGORY_LENGTH_MAX +
        " characters without ',' and without surrounding spaces"),
    POINTS_WITH_PURCHASE(122, "points", "must be 0 with a purchase: the program computes the points"),
    TIER_INVALID(124, "tier", "must be a tier: TIER_MEMBER, TIER_SILVER, TIER_GOLD or TIER_PLATINUM"),
    FLOOR_UNTIL_INVALID(125, "floor_until_ms", "must be 0 (no floor) or an instant in epoch milliseconds"),
    TO_MEMBER_ID_INVALID(126, "to_member_id", Limits.ID_RULE),
    TRANSFER_TO_SELF(127, "to_member_id", "must differ from member_id"),
    PROGRAM_ID_INVALID(128, "program_id",
        "must be at most " + Limits.ID_LENGTH_MAX +
        " characters without control characters: a program's name (empty: the ledger's first)"),
    TO_PROGRAM_ID_INVALID(129, "to_program_id",
        "must be " + Limits.ID_LENGTH_RANGE +
        " characters without control characters, and another program than program_id"),
    MIN_POINTS_INVALID(132, "min_points", "must be 1.." + Limits.POINTS_MAX),
    WITHIN_DAYS_INVALID(133, "within_days", "must be 1.." + Limits.WITHIN_DAYS_MAX + " days"),
    PAGE_TOKEN_INVALID(134, "page_token", "is not a token this ledger gave for this listing"),
    EARNED_AT_INVALID(135, "earned_at_ms", "must be an instant in epoch milliseconds, not after ledger time"),
    LOT_EXPIRES_AT_INVALID(136, "expires_at_ms",
        "must be after earned_at_ms and after ledger time (0 for a row without points): " +
        "an expired lot is not imported"),
    TIER_POINTS_INVALID(137, "tier_points", "must be 0.." + Limits.POINTS_MAX),

    MEMBER_NOT_FOUND(201, "member_id", "member not found"),
    ORIGINAL_REQUEST_NOT_FOUND(202, "original_request_id",
        "not found (never seen, rejected, or older than the retention window)"),
    REFERRER_NOT_FOUND(203, "referrer_id", "member not found"),
    RECEIVER_NOT_FOUND(204, "to_member_id", "member not found"),
    PROGRAM_NOT_FOUND(205, "program_id", "no such program in the ledger"),
    TO_PROGRAM_NOT_FOUND(206, "to_program_id", "no such program in the ledger"),

    INSUFFICIENT_POINTS(301, "points", "insufficient points"),
    MEMBER_FROZEN(302, "member_id", "member is frozen"),
    MEMBER_CLOSED(303, "member_id", "member is closed"),
    LOTS_PER_MEMBER_MAX(304, "member_id", "member holds the maximum number of open lots (lotsPerMemberMax)"),
    NOTHING_TO_REVERSE(305, "original_request_id", "already fully reversed"),
    REVERSE_POINTS_EXCEED(306, "points", "exceeds the points not yet reversed"),
    BALANCE_MAX(307, "points", "the balance would exceed balanceMax"),
    HOLD_CLOSED(308, "hold_request_id", "the hold was already captured or released"),
    HOLD_TIMED_OUT(309, "hold_request_id", "the hold timed out: its points are released"),
    CAPTURE_EXCEEDS_HOLD(310, "points", "exceeds the points held"),
    PURCHASE_CURRENCY_MISMATCH(311, "purchase.currency", "the program earns points in another currency"),
    RECEIVER_NOT_ACTIVE(312, "to_member_id", "the receiving member is frozen or closed"),
    RECEIVER_OWES(313, "to_member_id",
        "the receiving member owes points from a reversed earn: its own credits must pay them first"),
    RECEIVER_LOTS_MAX(314, "to_member_id",
        "the receiving member would hold more open lots than lotsPerMemberMax (one per expiry instant moved)"),
    RECEIVER_BALANCE_MAX(315, "to_member_id", "the receiving member's balance would exceed balanceMax"),
    NOT_A_PARTNER(316, "to_program_id",
        "the programs are not partners: each must list the other under partners"),
    PARTNER_DAILY_LIMIT(317, "points", "exceeds what is left of the partner's daily exchange limit"),
    PARTNER_TOTAL_LIMIT(318, "points", "exceeds what is left of the partner's total exchange limit"),
    EXCHANGE_BELOW_MINIMUM(319, "points", "is below the partner's minimum exchange"),
    PROGRAM_VERSION_NOT_HIGHER(320, "program_yaml",
        "changes the program in force without raising its version (two rule sets under one version would make " +
        "the journal's history ambiguous)"),
    // moved from 1xx (INVALID_ARGUMENT): each depends on the ledger's state or a program's rules, not on the request
    // alone (docs/errors.md)
    REVERSE_ORIGINAL_NOT_REVERSIBLE(321, "original_request_id", "is not an Earn, a Redeem or a CaptureHold"),
    NOT_A_HOLD(322, "hold_request_id", "is not a Hold"),
    EXCHANGE_TOO_SMALL(323, "points", "gives less than one point of the partner program at the exchange rate"),
    EXCHANGE_TOO_LARGE(324, "points",
        "gives more points of the partner program than one write may credit (" + Limits.POINTS_MAX +
        ") at the exchange rate"),
    REVERSE_MEMBER_MISMATCH(325, "member_id", "does not match the member of original_request_id"),
    PURCHASE_POINTS_TOO_LARGE(326, "purchase.amount_minor",
        "earns more points than one earn may credit (" + Limits.POINTS_MAX + ")"),

    REQUEST_ID_CONFLICT(401, "request_id", "already used for a different request"),
    MEMBER_EXISTS(402, "member_id", "already enrolled"),

    RING_FULL(501, null, "the ledger is at capacity, retry with the same request_id"),
    REQUEST_IDS_MAX(502, null, "request ids within the retention window reached requestIdsMax"),
    MEMBERS_MAX(503, null, "members reached membersMax"),
    LOTS_MAX(504, null, "lots reached lotsMax"),
    PROGRAMS_MAX(505, null, "the ledger holds the most programs it can (" + Ledger.PROGRAMS_MAX + ")"),
    OVERLOADED(506, null, "the ledger's queue would not reach this call within its deadline or the server's " +
        "queue bound (--max-queue-ms): not applied; retry with the same request_id after the hint"),

    SHUTTING_DOWN(601, null, "the ledger is shutting down, retry with the same request_id"),
    LEDGER_FAILED(602, null, "the ledger stopped after a journal or internal failure and must be restarted; " +
        "retry with the same request_id once it is back"),

    ROLE_NOT_ALLOWED(701, null, "the role of the caller's API key does not allow this call"),
    PROGRAM_NOT_ALLOWED(702, "program_id", "the caller's API key may not act on this program"),
    TO_PROGRAM_NOT_ALLOWED(703, "to_program_id", "the caller's API key may not act on this program"),

    DEADLINE_PASSED(801, null, "the call's deadline passed before the ledger reached it: not applied, nothing " +
        "journaled; retry with the same request_id");

    private static final ResultCode[] BY_CODE = new ResultCode[900];

    static
    {
        for (final ResultCode rc : values())
        {
            BY_CODE[rc.code] = rc;
        }
    }

    private final int code;
    private final String field;
    private final String reason;

    ResultCode(final int code, final String field, final String reason)
    {
        this.code = code;
        this.field = field;
        this.reason = reason;
    }

    public int code()
    {
        return code;
    }

    /**
     * @return the request field the outcome is about, or null.
     */
    public String field()
    {
        return field;
    }

    public String reason()
    {
        return reason;
    }

    /**
     * @return the range: 0 ok, 1 invalid argument, 2 not found, 3 failed precondition, 4 already exists,
     * 5 resource exhausted, 6 unavailable, 7 permission denied.
     */
    public int category()
    {
        return code / 100;
    }

    public boolean isOk()
    {
        return this == OK;
    }

    public static ResultCode fromCode(final int code)
    {
        final ResultCode rc = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (null == rc)
        {
            throw new IllegalArgumentException("unknown result code " + code);
        }
        return rc;
    }
}
