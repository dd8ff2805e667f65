package io.jifen.ledger.server;

import io.jifen.ledger.api.v1.AdjustRequest;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.ExchangeRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.GetMemberRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.ImportRequest;
import io.jifen.ledger.api.v1.ListExpiringRequest;
import io.jifen.ledger.api.v1.ListLotsRequest;
import io.jifen.ledger.api.v1.Purchase;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReleaseHoldRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.api.v1.SetMemberStatusRequest;
import io.jifen.ledger.api.v1.SetTierRequest;
import io.jifen.ledger.api.v1.TransferRequest;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.CommandValidator;

/**
 * Translates API requests into commands. Fields are copied as given; {@link CommandValidator} judges them.
 */
final class Commands
{
    private Commands()
    {
    }

    static Command enroll(final EnrollRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.ENROLL;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.referrerId = r.getReferrerId();
        c.birthday = birthday(r.getBirthday());
        return c;
    }

    /** "MM-DD" as month * 100 + day, 0 for none, 1300 for text that is no day (13-00: the validator names it). */
    private static int birthday(final String text)
    {
        final int birthday = CommandValidator.parseBirthday(text);
        return birthday < 0 ? 1300 : birthday;
    }

    static Command earn(final EarnRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.EARN;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.points = r.getPoints();
        c.orderId = r.getOrderId();
        c.reason = r.getReason();
        if (r.hasPurchase())
        {
            final Purchase p = r.getPurchase();
            c.purchaseMinor = p.getAmountMinor();
            c.currency = p.getCurrency();
            c.channel = p.getChannelValue();
            c.categories = p.getCategoriesCount() == 0 ? null : p.getCategoriesList().toArray(new String[0]);
        }
        return c;
    }

    static Command importRow(final ImportRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.IMPORT;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.points = r.getPoints();
        c.earnedAt = r.getEarnedAtMs();
        c.lotExpiresAt = r.getExpiresAtMs();
        c.importTierPoints = r.getTierPoints();
        c.birthday = birthday(r.getBirthday());
        c.orderId = r.getOrderId();
        c.reason = r.getReason();
        return c;
    }

    static Command redeem(final RedeemRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.REDEEM;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.points = r.getPoints();
        c.orderId = r.getOrderId();
        c.reason = r.getReason();
        return c;
    }

    static Command hold(final HoldRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.HOLD;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.points = r.getPoints();
        c.orderId = r.getOrderId();
        c.holdTimeoutSeconds = r.getTimeoutSeconds();
        c.reason = r.getReason();
        return c;
    }

    static Command captureHold(final CaptureHoldRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.CAPTURE_HOLD;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.originalRequestId = r.getHoldRequestId();
        c.points = r.getPoints();
        c.reason = r.getReason();
        return c;
    }

    static Command releaseHold(final ReleaseHoldRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.RELEASE_HOLD;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.originalRequestId = r.getHoldRequestId();
        c.reason = r.getReason();
        return c;
    }

    static Command reverse(final ReverseRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.REVERSE;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.originalRequestId = r.getOriginalRequestId();
        c.points = r.getPoints();
        c.reason = r.getReason();
        return c;
    }

    static Command adjust(final AdjustRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.ADJUST;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.points = r.getPoints();
        c.reason = r.getReason();
        return c;
    }

    static Command setStatus(final SetMemberStatusRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.SET_STATUS;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.status = r.getStatusValue();
        c.reason = r.getReason();
        return c;
    }

    static Command transfer(final TransferRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.TRANSFER;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.toMemberId = r.getToMemberId();
        c.points = r.getPoints();
        c.reason = r.getReason();
        return c;
    }

    static Command exchange(final ExchangeRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.EXCHANGE;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.toProgramId = r.getToProgramId();
        c.toMemberId = r.getToMemberId();
        c.points = r.getPoints();
        c.reason = r.getReason();
        return c;
    }

    static Command setTier(final SetTierRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.SET_TIER;
        c.requestId = r.getRequestId();
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.requestedTier = r.getTierValue();
        c.requestedFloorUntil = r.getFloorUntilMs();
        c.reason = r.getReason();
        return c;
    }

    static Command getBalance(final GetBalanceRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.GET_BALANCE;
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        return c;
    }

    static Command getMember(final GetMemberRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.GET_MEMBER;
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        return c;
    }

    static Command checkTier(final CheckTierRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.CHECK_TIER;
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.minTier = r.getMinTierValue();
        return c;
    }

    static Command listLots(final ListLotsRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.LIST_LOTS;
        c.memberId = r.getMemberId();
        c.programId = r.getProgramId();
        c.limit = r.getLimit() == 0 ? CommandValidator.LIST_LOTS_LIMIT_DEFAULT : r.getLimit();
        return c;
    }

    static Command listExpiring(final ListExpiringRequest r, final Command c)
    {
        c.clear();
        c.type = CommandType.LIST_EXPIRING;
        c.programId = r.getProgramId();
        c.minPoints = r.getMinPoints();
        c.limit = r.getLimit() == 0 ? CommandValidator.LIST_LOTS_LIMIT_DEFAULT : r.getLimit();
        if (r.getPageToken().isEmpty())
        {
            c.withinDays = r.getWithinDays();
        }
        else if (!PageToken.read(r.getPageToken(), c))
        {
            c.cursor = -1; // refused by the validator: not a token this server gave
            c.expiringBefore = -1;
        }
        return c;
    }
}
