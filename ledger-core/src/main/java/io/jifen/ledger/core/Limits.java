package io.jifen.ledger.core;

/**
 * Every limit a request or a program is held to, in one place: the validator, the program parser, the ledger and the
 * error messages read these, so a limit is never restated as a literal. Changing one changes what the ledger admits
 * (and, for the journal, what an older build may refuse to replay): treat them as part of the API.
 */
public final class Limits
{
    /** The largest number of points one command may move. */
    public static final long POINTS_MAX = 1_000_000_000_000L;
    /** The largest balance a member may hold: far from overflow however points are summed. */
    public static final long BALANCE_MAX = 1_000_000_000_000_000L;
    /** Request ids, member ids, order ids, program names, campaign ids: at most this many characters. */
    public static final int ID_LENGTH_MAX = 64;
    public static final int REASON_LENGTH_MAX = 256;
    public static final int LIST_LOTS_LIMIT_MAX = 1000;
    public static final int LIST_LOTS_LIMIT_DEFAULT = 100;
    /** ListExpiring: the longest window, in days (ten years). */
    public static final int WITHIN_DAYS_MAX = 3660;
    /** ListExpiring: the most members one page scans, so that a page holds the ledger's thread ~ a millisecond. */
    public static final int EXPIRING_SCAN_MAX = 65_536;
    public static final int EXPIRE_TICK_LIMIT_MAX = 1_000_000;
    public static final int PROGRAM_TEXT_LENGTH_MAX = 16 * 1024;
    /** A hold's timeout when the request gives none. */
    public static final int HOLD_TIMEOUT_DEFAULT_SECONDS = 15 * 60;
    public static final int HOLD_TIMEOUT_MAX_SECONDS = 7 * 24 * 3600;
    /** The largest purchase amount, in minor units of its currency. */
    public static final long PURCHASE_AMOUNT_MAX = 1_000_000_000_000L;
    public static final int CATEGORIES_MAX = 16;
    public static final int CATEGORY_LENGTH_MAX = 64;

    /** "1..64": the range of an id's length, as error messages state it. */
    static final String ID_LENGTH_RANGE = "1.." + ID_LENGTH_MAX;
    /** How error messages state the rule for a required id. */
    static final String ID_RULE = "must be " + ID_LENGTH_RANGE + " printable ASCII characters without spaces";
    /** How error messages state the rule for an optional id. */
    static final String OPTIONAL_ID_RULE =
        "must be at most " + ID_LENGTH_MAX + " printable ASCII characters without spaces";

    private Limits()
    {
    }
}
