package io.jifen.ledger.server;

import io.grpc.Status;
import io.jifen.ledger.api.v1.Balance;
import io.jifen.ledger.api.v1.CampaignPoints;
import io.jifen.ledger.api.v1.CheckTierResponse;
import io.jifen.ledger.api.v1.Earning;
import io.jifen.ledger.api.v1.ExpiringMember;
import io.jifen.ledger.api.v1.ExpiringPoints;
import io.jifen.ledger.api.v1.ListExpiringResponse;
import io.jifen.ledger.api.v1.ListLotsResponse;
import io.jifen.ledger.api.v1.Lot;
import io.jifen.ledger.api.v1.Member;
import io.jifen.ledger.api.v1.MemberStatus;
import io.jifen.ledger.api.v1.PendingPoints;
import io.jifen.ledger.api.v1.Segment;
import io.jifen.ledger.api.v1.Tier;
import io.jifen.ledger.api.v1.WriteResult;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.CommandValidator;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Limits;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;

/**
 * Translates outcomes ({@link Command} outputs, {@link ResultCode}s) into protobuf messages and gRPC statuses.
 */
final class Results
{
    private Results()
    {
    }

    static Status status(final Command c)
    {
        return status(c.result).withDescription(message(c.result, c));
    }

    private static Status status(final ResultCode rc)
    {
        switch (rc.category())
        {
            case 0: return Status.OK;
            case 1: return Status.INVALID_ARGUMENT;
            case 2: return Status.NOT_FOUND;
            case 3: return Status.FAILED_PRECONDITION;
            case 4: return Status.ALREADY_EXISTS;
            case 5: return Status.RESOURCE_EXHAUSTED;
            case 7: return Status.PERMISSION_DENIED;
            case 8: return Status.DEADLINE_EXCEEDED;
            default: return Status.UNAVAILABLE;
        }
    }

    /**
     * @return "field: reason" with the numbers that explain it.
     */
    static String message(final ResultCode rc, final Command c)
    {
        final String prefix = null == rc.field() ? "" : field(rc, c) + ": ";
        switch (rc)
        {
            case OVERLOADED:
                return rc.reason() + " (retry after about " + c.resultDetail + " ms)";
            case INSUFFICIENT_POINTS:
                return prefix + "insufficient points: " + c.resultDetail + " available, " + Math.abs(c.points) +
                    " requested";
            case POINTS_INVALID:
                return prefix + "out of range: " + c.points + describePointsRange(c);
            case LOTS_PER_MEMBER_MAX:
                return prefix + "member holds " + c.resultDetail + " open lots, the program's lotsPerMemberMax";
            case CAPTURE_EXCEEDS_HOLD:
                return prefix + c.points + " exceeds the " + c.resultDetail + " points held";
            case HOLD_TIMED_OUT:
                return prefix + "the hold timed out at " + java.time.Instant.ofEpochMilli(c.resultDetail) +
                    ": its points are released";
            case REVERSE_POINTS_EXCEED:
                return prefix + c.points + " exceeds the " + c.resultDetail + " points not yet reversed";
            case RECEIVER_OWES:
                return prefix + "the receiving member owes " + c.resultDetail + " points from a reversed earn: " +
                    "its own credits must pay them first";
            case RECEIVER_LOTS_MAX:
                return prefix + "the receiving member would hold more than " + c.resultDetail + " open lots " +
                    (c.type == CommandType.EXCHANGE ? "(its program's lotsPerMemberMax; an exchange gives one lot)" :
                    "(lotsPerMemberMax; a transfer gives one lot per expiry instant moved)");
            case PROGRAM_NOT_FOUND:
                return prefix + "no program named '" + c.programId + "' in the ledger";
            case TO_PROGRAM_NOT_FOUND:
                return prefix + "no program named '" + c.toProgramId + "' in the ledger";
            case PARTNER_DAILY_LIMIT:
                return prefix + c.points + " exceeds the " + c.resultDetail + " points left of today's exchange " +
                    "limit for '" + c.toProgramId + "' (dailyLimit)";
            case PARTNER_TOTAL_LIMIT:
                return prefix + c.points + " exceeds the " + c.resultDetail + " points left of the exchange limit " +
                    "for '" + c.toProgramId + "' (totalLimit)";
            case EXCHANGE_BELOW_MINIMUM:
                return prefix + c.points + " is below the " + c.resultDetail + " points an exchange to '" +
                    c.toProgramId + "' needs at least (minPoints)";
            case PURCHASE_CURRENCY_MISMATCH:
                return prefix + "the program earns points in " + (char)(c.resultDetail >> 16 & 0xFF) +
                    (char)(c.resultDetail >> 8 & 0xFF) + (char)(c.resultDetail & 0xFF) + ", not " + c.currency;
            case BALANCE_MAX:
                return prefix + "the member's balance would exceed " + Ledger.BALANCE_MAX + " points";
            case PROGRAM_VERSION_NOT_HIGHER:
                return prefix + "changes the program in force (version " + c.resultDetail + ") without raising its " +
                    "version: a changed program needs a higher version";
            case LIMIT_INVALID:
                return prefix + "out of range: " + c.limit + (null != c.type && c.type.isRead() ?
                    " (must be 1.." + CommandValidator.LIST_LOTS_LIMIT_MAX + ", 0 means " +
                    CommandValidator.LIST_LOTS_LIMIT_DEFAULT + ")" :
                    " (must be 1.." + CommandValidator.EXPIRE_TICK_LIMIT_MAX + ")");
            default:
                return prefix + rc.reason() + " [" + rc.name() + "]";
        }
    }

    /**
     * The request field as the API names it: a hold is named by hold_request_id and timed by timeout_seconds.
     */
    static String field(final ResultCode rc, final Command c)
    {
        final boolean closesHold = c.type == CommandType.CAPTURE_HOLD || c.type == CommandType.RELEASE_HOLD;
        if (closesHold && "original_request_id".equals(rc.field()))
        {
            return "hold_request_id";
        }
        return rc.field();
    }

    private static String describePointsRange(final Command c)
    {
        if (null == c.type)
        {
            return "";
        }
        switch (c.type)
        {
            case ADJUST: return " (must be non-zero, |points| <= " + Limits.POINTS_MAX + ")";
            case REVERSE:
            case CAPTURE_HOLD:
                return " (must be 0 for all, or 1.." + Limits.POINTS_MAX + ")";
            case RELEASE_HOLD: return " (must be 0: a release gives back all that is held)";
            case IMPORT: return " (must be 0.." + Limits.POINTS_MAX + ")";
            default: return " (must be 1.." + Limits.POINTS_MAX + ")";
        }
    }

    static WriteResult writeResult(final Command c)
    {
        final WriteResult.Builder result = WriteResult.newBuilder()
            .setRequestId(c.requestId)
            .setMemberId(c.memberId)
            .setReplay(c.replay)
            .setPoints(c.resultPoints)
            .setBalance(c.balance)
            .setTier(tier(c.tier))
            .setLifetimeEarned(c.lifetimeEarned)
            .setLotId(c.lotId)
            .setExpiresAtMs(c.expiresAt)
            .setExpired(c.expired)
            .setShortfall(c.shortfall)
            .setExchanged(c.exchanged)
            .setSequence(c.sequence)
            .setTimestampMs(c.timestamp)
            .setStatus(status(c.memberStatus))
            .setAlreadyExpired(c.alreadyExpired)
            .setOwed(c.owed)
            .setHeld(c.held)
            .setReleased(c.released)
            .setMaturesAtMs(c.maturesAt)
            .setBonusPoints(c.bonusPoints)
            .setReferrerBonusPoints(c.referrerBonusPoints)
            .setRestored(c.restored)
            .setReexpired(c.reexpired)
            .setGraced(c.graced)
            .setReclaimed(c.reclaimed);
        if (c.earning.isPresent())
        {
            result.setEarning(earning(c.earning));
        }
        return result.build();
    }

    static Earning earning(final Command.Earning e)
    {
        final Earning.Builder earning = Earning.newBuilder()
            .setBasePoints(e.basePoints)
            .setTierMultiplier(Program.multiplierText(e.tierMultiplierBp))
            .setTierPoints(e.tierPoints)
            .setCapCut(e.capCut);
        for (int i = 0; i < e.campaignCount(); i++)
        {
            earning.addCampaigns(CampaignPoints.newBuilder()
                .setCampaignId(e.campaignId(i))
                .setMultiplier(Program.multiplierText(e.multiplierBp(i)))
                .setPoints(e.points(i))
                .setBudgetCut(e.budgetCut(i)));
        }
        return earning.build();
    }

    static Balance balance(final Command c)
    {
        final Balance.Builder balance = Balance.newBuilder()
            .setMemberId(c.memberId)
            .setAvailable(c.balance)
            .setPending(c.pending)
            .setHeld(c.held)
            .setTier(tier(c.tier))
            .setLifetimeEarned(c.lifetimeEarned)
            .setNextExpiryPoints(c.nextExpiryPoints)
            .setNextExpiryAtMs(c.nextExpiryAt)
            .setStatus(status(c.memberStatus))
            .setOpenLots(c.openLots)
            .setAsOfMs(c.timestamp)
            .setOwed(c.owed)
            .setTierPoints(c.tierPoints)
            .setPointsToNextTier(c.nextTierPoints)
            .setNextEvaluationAtMs(c.nextEvaluationAt)
            .setTierFloorUntilMs(c.floorUntil);
        if (c.floorTier != 0)
        {
            balance.setTierFloor(tier(c.floorTier));
        }
        final Command.LotList pending = c.lots; // a balance read lists the member's pending earns there
        for (int i = 0; i < pending.size(); i++)
        {
            balance.addPendingPoints(PendingPoints.newBuilder()
                .setPoints(pending.amount(i))
                .setEarnedAtMs(pending.earnedAt(i))
                .setMaturesAtMs(pending.expiresAt(i)));
        }
        final Command.Outlook outlook = c.outlook;
        for (int i = 0; i < outlook.size(); i++)
        {
            balance.addExpiryOutlook(ExpiringPoints.newBuilder()
                .setExpiresAtMs(outlook.expiresAt(i))
                .setPoints(outlook.points(i)));
        }
        balance.setExpiryBatches(c.expiryBatches);
        return balance.build();
    }

    static Member member(final Command c)
    {
        final Member.Builder member = Member.newBuilder()
            .setMemberId(c.memberId)
            .setStatus(status(c.memberStatus))
            .setTier(tier(c.tier))
            .setSegment(Segment.forNumber(c.segment))
            .setEnrolledAtMs(c.enrolledAt)
            .setBirthday(CommandValidator.formatBirthday(c.birthday))
            .setLastEarnAtMs(c.lastEarnAt)
            .setEarnsInActiveWindow(c.recentEarns)
            .setTierPoints(c.tierPoints)
            .setNextEvaluationAtMs(c.nextEvaluationAt)
            .setAsOfMs(c.timestamp);
        if (null != c.referrerOut)
        {
            member.setReferrerId(c.referrerOut);
        }
        return member.build();
    }

    static CheckTierResponse checkTier(final Command c)
    {
        return CheckTierResponse.newBuilder()
            .setMemberId(c.memberId)
            .setTier(tier(c.tier))
            .setMeets(c.meets)
            .setStatus(status(c.memberStatus))
            .build();
    }

    static ListLotsResponse listLots(final Command c)
    {
        final ListLotsResponse.Builder builder = ListLotsResponse.newBuilder()
            .setMemberId(c.memberId)
            .setOpenLots(c.openLots)
            .setAsOfMs(c.timestamp);
        final Command.LotList lots = c.lots;
        for (int i = 0; i < lots.size(); i++)
        {
            builder.addLots(Lot.newBuilder()
                .setLotId(lots.lotId(i))
                .setAmount(lots.amount(i))
                .setRemaining(lots.remaining(i))
                .setEarnedAtMs(lots.earnedAt(i))
                .setExpiresAtMs(lots.expiresAt(i)));
        }
        return builder.build();
    }

    static ListExpiringResponse listExpiring(final Command c)
    {
        final ListExpiringResponse.Builder builder = ListExpiringResponse.newBuilder()
            .setNextPageToken(PageToken.next(c))
            .setExpiringBeforeMs(c.windowEnd)
            .setAsOfMs(c.timestamp);
        final Command.ExpiringMembers members = c.expiring;
        for (int i = 0; i < members.size(); i++)
        {
            builder.addMembers(ExpiringMember.newBuilder()
                .setMemberId(members.memberId(i))
                .setPoints(members.points(i))
                .setFirstExpiresAtMs(members.firstExpiresAt(i))
                .setAvailable(members.balance(i)));
        }
        return builder.build();
    }

    static Tier tier(final int code)
    {
        final Tier tier = Tier.forNumber(code);
        return null == tier ? Tier.TIER_UNSPECIFIED : tier;
    }

    static MemberStatus status(final int code)
    {
        final MemberStatus status = MemberStatus.forNumber(code);
        return null == status ? MemberStatus.MEMBER_STATUS_UNSPECIFIED : status;
    }
}
