package io.jifen.ledger.core;

/**
 * The edge checks of a command's fields: everything that can be decided without the ledger's state. The server calls
 * it before a command enters the ring; the state machine calls it again, so a command from any source (a replayed
 * journal, a test, a future replicated log) is held to the same limits.
 */
public final class CommandValidator
{
    // the limits are Limits'; these names stay for the callers that read them here
    public static final int ID_LENGTH_MAX = Limits.ID_LENGTH_MAX;
    public static final int REASON_LENGTH_MAX = Limits.REASON_LENGTH_MAX;
    public static final int LIST_LOTS_LIMIT_MAX = Limits.LIST_LOTS_LIMIT_MAX;
    public static final int LIST_LOTS_LIMIT_DEFAULT = Limits.LIST_LOTS_LIMIT_DEFAULT;
    public static final int EXPIRE_TICK_LIMIT_MAX = Limits.EXPIRE_TICK_LIMIT_MAX;
    public static final int PROGRAM_TEXT_LENGTH_MAX = Limits.PROGRAM_TEXT_LENGTH_MAX;
    /** A hold's timeout when the request gives none. */
    public static final int HOLD_TIMEOUT_DEFAULT_SECONDS = Limits.HOLD_TIMEOUT_DEFAULT_SECONDS;
    public static final int HOLD_TIMEOUT_MAX_SECONDS = Limits.HOLD_TIMEOUT_MAX_SECONDS;
    public static final long PURCHASE_AMOUNT_MAX = Limits.PURCHASE_AMOUNT_MAX;
    public static final int CATEGORIES_MAX = Limits.CATEGORIES_MAX;
    public static final int CATEGORY_LENGTH_MAX = Limits.CATEGORY_LENGTH_MAX;

    private CommandValidator()
    {
    }

    /**
     * @return {@link ResultCode#OK} or the first problem found.
     */
    public static ResultCode validate(final Command c)
    {
        if (null == c.type)
        {
            return ResultCode.COMMAND_INVALID;
        }
        if (null != c.programId && !isProgramId(c.programId))
        {
            return ResultCode.PROGRAM_ID_INVALID;
        }
        return switch (c.type)
        {
            case ENROLL -> validateEnroll(c);
            case EARN -> isPurchase(c) ? validatePurchase(c) : validateRedeem(c); // explicit points: like a redeem
            case REDEEM -> validateRedeem(c);
            case HOLD -> validateHold(c);
            case CAPTURE_HOLD, RELEASE_HOLD -> validateCloseHold(c);
            case REVERSE -> validateReverse(c);
            case ADJUST -> validateAdjust(c);
            case SET_STATUS -> validateSetStatus(c);
            case SET_TIER -> validateSetTier(c);
            case TRANSFER -> validateTransfer(c);
            case EXCHANGE -> validateExchange(c);
            case IMPORT -> validateImport(c);
            case GET_BALANCE, GET_MEMBER -> isId(c.memberId) ? ResultCode.OK : ResultCode.MEMBER_ID_INVALID;
            case CHECK_TIER -> !isId(c.memberId) ? ResultCode.MEMBER_ID_INVALID :
                Tier.isValidCode(c.minTier) ? ResultCode.OK : ResultCode.MIN_TIER_INVALID;
            case LIST_LOTS -> !isId(c.memberId) ? ResultCode.MEMBER_ID_INVALID :
                c.limit >= 1 && c.limit <= LIST_LOTS_LIMIT_MAX ? ResultCode.OK : ResultCode.LIMIT_INVALID;
            case LIST_EXPIRING -> validateListExpiring(c);
            case EXPIRE_TICK ->
                c.limit >= 1 && c.limit <= EXPIRE_TICK_LIMIT_MAX ? ResultCode.OK : ResultCode.LIMIT_INVALID;
            case SET_PROGRAM -> null != c.programText && c.programText.length() <= PROGRAM_TEXT_LENGTH_MAX ?
                ResultCode.OK : ResultCode.COMMAND_INVALID;
        };
    }

    /** A first page names its window in days; a later page carries the first page's window end and a position. */
    private static ResultCode validateListExpiring(final Command c)
    {
        if (c.limit < 1 || c.limit > LIST_LOTS_LIMIT_MAX) return ResultCode.LIMIT_INVALID;
        if (c.minPoints < 1 || c.minPoints > Limits.POINTS_MAX) return ResultCode.MIN_POINTS_INVALID;
        if (c.expiringBefore == 0)
        {
            return c.cursor == 0 ? c.withinDays >= 1 && c.withinDays <= Limits.WITHIN_DAYS_MAX ? ResultCode.OK :
                ResultCode.WITHIN_DAYS_INVALID : ResultCode.PAGE_TOKEN_INVALID;
        }
        return c.expiringBefore > 0 && c.cursor > 0 && c.withinDays == 0 ? ResultCode.OK :
            ResultCode.PAGE_TOKEN_INVALID;
    }

    private static boolean isPurchase(final Command c)
    {
        return c.purchaseMinor != 0 || null != c.currency || c.channel != 0 || null != c.categories;
    }

    /** @return the first problem with the request id and member id every write has, or OK. */
    private static ResultCode validateWrite(final Command c)
    {
        if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
        if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
        return ResultCode.OK;
    }

    private static boolean isPoints(final long points)
    {
        return points >= 1 && points <= Ledger.POINTS_MAX;
    }

    private static ResultCode validateEnroll(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (c.birthday != 0 && !isBirthday(c.birthday)) return ResultCode.BIRTHDAY_INVALID;
        if (!isOptionalId(c.referrerId) || c.memberId.equals(c.referrerId)) return ResultCode.REFERRER_ID_INVALID;
        return ResultCode.OK;
    }

    /** An import row: the instants are checked against ledger time where it is known, in the handler. */
    private static ResultCode validateImport(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (c.points < 0 || c.points > Limits.POINTS_MAX) return ResultCode.POINTS_INVALID;
        if (c.birthday != 0 && !isBirthday(c.birthday)) return ResultCode.BIRTHDAY_INVALID;
        if (c.earnedAt <= 0) return ResultCode.EARNED_AT_INVALID;
        if (c.points > 0 ? c.lotExpiresAt <= c.earnedAt : c.lotExpiresAt != 0) return ResultCode.LOT_EXPIRES_AT_INVALID;
        if (c.importTierPoints < 0 || c.importTierPoints > Limits.POINTS_MAX) return ResultCode.TIER_POINTS_INVALID;
        if (!isOptionalId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateRedeem(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (!isPoints(c.points)) return ResultCode.POINTS_INVALID;
        if (!isOptionalId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateHold(final Command c)
    {
        final ResultCode asRedeem = validateRedeem(c);
        if (asRedeem != ResultCode.OK) return asRedeem;
        if (c.holdTimeoutSeconds < 0 || c.holdTimeoutSeconds > HOLD_TIMEOUT_MAX_SECONDS)
        {
            return ResultCode.HOLD_TIMEOUT_INVALID;
        }
        return ResultCode.OK;
    }

    private static ResultCode validateCloseHold(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (!isId(c.originalRequestId)) return ResultCode.ORIGINAL_REQUEST_ID_INVALID;
        if (c.type == CommandType.RELEASE_HOLD ? c.points != 0 : c.points < 0 || c.points > Ledger.POINTS_MAX)
        {
            return ResultCode.POINTS_INVALID;
        }
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateReverse(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (!isId(c.originalRequestId)) return ResultCode.ORIGINAL_REQUEST_ID_INVALID;
        if (c.points < 0 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateAdjust(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (c.points == 0 || c.points < -Ledger.POINTS_MAX || c.points > Ledger.POINTS_MAX)
        {
            return ResultCode.POINTS_INVALID;
        }
        if (null == c.reason || c.reason.isBlank()) return ResultCode.REASON_REQUIRED;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateSetStatus(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (!MemberStatus.isValidCode(c.status)) return ResultCode.STATUS_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateSetTier(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (!Tier.isValidCode(c.requestedTier)) return ResultCode.TIER_INVALID;
        if (c.requestedFloorUntil < 0) return ResultCode.FLOOR_UNTIL_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateTransfer(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (!isId(c.toMemberId)) return ResultCode.TO_MEMBER_ID_INVALID;
        if (c.toMemberId.equals(c.memberId)) return ResultCode.TRANSFER_TO_SELF;
        if (!isPoints(c.points)) return ResultCode.POINTS_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validateExchange(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (null == c.toProgramId || c.toProgramId.isEmpty() || !isProgramId(c.toProgramId))
        {
            return ResultCode.TO_PROGRAM_ID_INVALID;
        }
        if (!isId(c.toMemberId)) return ResultCode.TO_MEMBER_ID_INVALID;
        if (!isPoints(c.points)) return ResultCode.POINTS_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    private static ResultCode validatePurchase(final Command c)
    {
        final ResultCode write = validateWrite(c);
        if (write != ResultCode.OK) return write;
        if (c.points != 0) return ResultCode.POINTS_WITH_PURCHASE;
        if (c.purchaseMinor < 1 || c.purchaseMinor > PURCHASE_AMOUNT_MAX) return ResultCode.PURCHASE_AMOUNT_INVALID;
        if (!isCurrency(c.currency)) return ResultCode.PURCHASE_CURRENCY_INVALID;
        if (!Channel.isValidCode(c.channel)) return ResultCode.PURCHASE_CHANNEL_INVALID;
        if (null != c.categories)
        {
            if (c.categories.length > CATEGORIES_MAX) return ResultCode.PURCHASE_CATEGORIES_INVALID;
            for (final String category : c.categories)
            {
                if (!isCategory(category)) return ResultCode.PURCHASE_CATEGORIES_INVALID;
            }
        }
        if (!isOptionalId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
        if (!isReason(c.reason)) return ResultCode.REASON_INVALID;
        return ResultCode.OK;
    }

    /**
     * @return true for three capital ASCII letters (an ISO 4217 code's shape).
     */
    public static boolean isCurrency(final String s)
    {
        if (null == s || s.length() != 3)
        {
            return false;
        }
        for (int i = 0; i < 3; i++)
        {
            if (s.charAt(i) < 'A' || s.charAt(i) > 'Z')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true for a purchase category: 1..64 characters, no ',' (the journal joins categories with it), no
     * control characters and no surrounding spaces.
     */
    public static boolean isCategory(final String s)
    {
        if (null == s || s.isEmpty() || s.length() > CATEGORY_LENGTH_MAX || s.strip().length() != s.length())
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) == ',' || s.charAt(i) < 0x20)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true for 1..64 printable ASCII characters without spaces.
     */
    public static boolean isId(final String s)
    {
        return null != s && !s.isEmpty() && isOptionalId(s);
    }

    /**
     * @return true for null, empty, or a valid id.
     */
    public static boolean isOptionalId(final String s)
    {
        if (null == s)
        {
            return true;
        }
        final int length = s.length();
        if (length > ID_LENGTH_MAX)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final char ch = s.charAt(i);
            if (ch < 0x21 || ch > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    public static boolean isReason(final String s)
    {
        return null == s || s.length() <= REASON_LENGTH_MAX;
    }

    /**
     * @return true for month * 100 + day naming a day that exists in a leap year (02-29 is a birthday).
     */
    public static boolean isBirthday(final int mmdd)
    {
        final int month = mmdd / 100;
        final int day = mmdd % 100;
        if (month < 1 || month > 12 || day < 1)
        {
            return false;
        }
        final int daysInMonth = month == 2 ? 29 : (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
        return day <= daysInMonth;
    }

    /**
     * Parses "MM-DD" into month * 100 + day; empty or null is 0; anything malformed is -1.
     */
    public static int parseBirthday(final String s)
    {
        if (null == s || s.isEmpty())
        {
            return 0;
        }
        if (s.length() != 5 || s.charAt(2) != '-')
        {
            return -1;
        }
        for (final int i : new int[] {0, 1, 3, 4})
        {
            if (s.charAt(i) < '0' || s.charAt(i) > '9')
            {
                return -1;
            }
        }
        final int mmdd = ((s.charAt(0) - '0') * 10 + (s.charAt(1) - '0')) * 100 +
            (s.charAt(3) - '0') * 10 + (s.charAt(4) - '0');
        return isBirthday(mmdd) ? mmdd : -1;
    }

    public static String formatBirthday(final int mmdd)
    {
        return mmdd == 0 ? "" : String.format("%02d-%02d", mmdd / 100, mmdd % 100);
    }

    /** A program's name as a request names it: at most 64 characters, none of them a control character. */
    public static boolean isProgramId(final String id)
    {
        if (id.length() > ID_LENGTH_MAX)
        {
            return false;
        }
        for (int i = 0; i < id.length(); i++)
        {
            if (Character.isISOControl(id.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }
}
