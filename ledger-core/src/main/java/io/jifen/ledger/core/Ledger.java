package io.jifen.ledger.core;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;


/**
 * The points ledger: members, their lots, the remembered requests. Single-threaded by design: exactly one thread
 * (the pipeline's state machine stage, or a replay) calls {@link #apply(Command)}.
 * <p>
 * Every write first checks everything it needs, then changes state: a rejected command changes nothing. Before a
 * write touches a member, that member's due lots are expired, so a lot never pays for anything at or after its
 * expiry instant; reads subtract due lots the same way without changing state.
 * <p>
 * Invariants (asserted with {@code -ea}, checked in full by {@link #checkInvariants()}): a member's available balance
 * is the sum of its open lots' remaining points; no lot has negative remaining or more than it was credited;
 * credited - debited - expired over the ledger equals the sum of available balances.
 */
public final class Ledger implements LedgerStateMachine
{
    /** The largest number of points one command may move. */
    public static final long POINTS_MAX = 1_000_000_000_000L;
    /** The largest available balance a member may hold: far from overflow however points are summed. */
    public static final long BALANCE_MAX = 1_000_000_000_000_000L;
    /** Months of tier points a member keeps: 12 for the window, and one for a later program's zone being behind. */
    static final int MONTHS_KEPT = 13;
    static final int YEARS_KEPT = 3;
    /** A member's history array: months (ring), then years (newest first), then the latest earns (newest first). */
    static final int YEARS = MONTHS_KEPT;
    static final int RECENT = YEARS + YEARS_KEPT;
    static final int HISTORY = RECENT + Program.ACTIVE_EARNS_MAX;
    /** Requests forgotten per write once past the retention window: bounded work, faster than arrivals. */
    static final int EVICTIONS_PER_WRITE = 8;

    /** Programs one ledger holds: each a membership program with its own members, rules and accounts. */
    public static final int PROGRAMS_MAX = Program.PARTNERS_MAX + 1;

    private final Context context;
    /** The programs, by slot in the order they were first put in force; slot 0 is the ledger's first program. */
    private final Program[] programs = new Program[PROGRAMS_MAX];
    private int programCount;
    /**
     * The program of the member a command is changing or reading, and its slot: set from the command's program id
     * before a command runs, and from each member's own program by the sweep and by an exchange's receiving side.
     */
    private Program program;
    private int slot;
    /** Request ids are remembered for the longest retention window of the programs. */
    private long retentionMs;
    private long lastTimestamp = Long.MIN_VALUE;
    private long lastSequence;

    private final IdIndex memberIndexById;
    private final IdIndex.PositionToId memberIdAt = this::memberIdAt;
    private Member[] members;
    private int memberCount;

    // Lots live in slots. A lot's id (journal, API) is unique for the life of the ledger; its slot is reused once the
    // lot is closed (no points left) and older than the request retention window, when nothing can refer to it.
    private long[] lotIds;
    private long[] lotAmount;
    private long[] lotRemaining;
    private long[] lotEarnedAt;
    private long[] lotExpiresAt;
    private int[] lotMember;
    /** Points forfeited from each lot by expiry: a reversed earn does not claw back what already expired. */
    private long[] lotExpired;
    /** Points of this lot's earn that a reversal could not claw back (owed), not yet cancelled by a restore. */
    private long[] lotShortfall;
    /** The same, where the program forgave the shortfall: restored points that cancel it are taken back at once. */
    private long[] lotForgiven;
    /** Points of the lot in open holds: while any, the slot is not reused even if the lot has long been empty. */
    private long[] lotHeld;
    /** When the lot last closed (remaining reached 0), or {@link Long#MAX_VALUE} while open or free. */
    private long[] lotClosedAt;
    private long nextLotId;
    private int lotSlots;
    private int[] freeSlots = new int[64];
    private int freeCount;
    /** Closed lots in closing order, waiting to leave the retention window: (slot, closedAt) pairs in a ring. */
    private int[] closedSlots = new int[1024];
    private long[] closedTimes = new long[1024];
    private long closedHead;
    private long closedTail;
    /** Requests stamped before this are forgotten even if the retention window grows later (no revival). */
    private long forgottenBefore = Long.MIN_VALUE;
    private int lastCreditedSlot;
    /** The slot of the last exchange's receiving program: its receiving lot posts to that program's accounts. */
    private int exchangeTarget;
    /** What the last {@link #clawBack} could not take: points that had expired, and the shortfall now owed. */
    private long clawAlreadyExpired;
    private long clawShortfall;
    private long expiryRuleDrift;

    private final ExpiryQueue expiryQueue;
    private final RequestLog requests;

    private final WideCounter totalCredited = new WideCounter();
    private final WideCounter totalDebited = new WideCounter();
    private final WideCounter totalExpired = new WideCounter();
    private final Accounts[] accounts = new Accounts[PROGRAMS_MAX];
    /** Open holds by timeout instant, for the sweep. */
    private final HoldQueue holds = new HoldQueue();
    /** Points in open holds, over all members (part of what was debited, not yet redeemed for good). */
    private long heldTotal;
    /** Members by next birthday (the position is the member index), for the sweep's birthday gifts. */
    private final HoldQueue birthdays = new HoldQueue();
    /** Members by next tier evaluation (the position is the member index), for the sweep. */
    private final HoldQueue evaluations = new HoldQueue();
    /** Pending earns by maturity instant, for the sweep. */
    private final HoldQueue maturities = new HoldQueue();
    /** Points earned as pending and not yet matured, over all members (not credited yet). */
    private long pendingTotal;
    /** Extra points each campaign of the current program has given, by campaign index (budgets are exact). */
    private long[] campaignGiven;
    /** The same for every program, by slot. */
    private final long[][] campaignGivenBySlot = new long[PROGRAMS_MAX][];
    /** What campaigns of earlier versions of each program had given, by id (sorted, for the state hash). */
    @SuppressWarnings("unchecked")
    private final java.util.TreeMap<String, Long>[] givenByCampaignId = new java.util.TreeMap[PROGRAMS_MAX];
    /** Points each program's members sent each partner program, by partner name: {day, that day's, all time}. */
    @SuppressWarnings("unchecked")
    private final java.util.TreeMap<String, long[]>[] sentToPartner = new java.util.TreeMap[PROGRAMS_MAX];
    private boolean capacityLimitsEnforced = true;

    public Ledger(final Program program, final Context context)
    {
        this.context = context.conclude();
        addProgram(program);
        use(0);
        this.requests = new RequestLog(context.requestIdsMax(), context.expectedRequests());
        // Tables sized up front for the expected scale: doubling a large table copies it on the writer's thread.
        memberIndexById = new IdIndex(context.expectedMembers());
        members = new Member[context.expectedMembers()];
        final int lots = context.expectedLots();
        lotIds = new long[lots];
        lotAmount = new long[lots];
        lotRemaining = new long[lots];
        lotEarnedAt = new long[lots];
        lotExpiresAt = new long[lots];
        lotMember = new int[lots];
        lotExpired = new long[lots];
        lotShortfall = new long[lots];
        lotForgiven = new long[lots];
        lotHeld = new long[lots];
        lotClosedAt = new long[lots];
        expiryQueue = new ExpiryQueue(lots);
    }

    public Ledger(final Program program)
    {
        this(program, new Context());
    }

    /**
     * Capacity limits (members, lots, remembered request ids) protect the heap of a running server: a replay turns
     * them off, since every journaled command was admitted when it ran and a replay must rebuild it whatever the
     * limits are today. Rejections for capacity are never journaled, so this cannot change a replay's outcome.
     */
    public void capacityLimitsEnforced(final boolean enforced)
    {
        this.capacityLimitsEnforced = enforced;
    }

    /** @return the ledger's first program (slot 0): the one requests without a program id name. */
    public Program program()
    {
        return programs[0];
    }

    /** @return how many programs the ledger holds. */
    public int programCount()
    {
        return programCount;
    }

    /** @return the program in a slot (0 .. programCount - 1), in the order programs were first put in force. */
    public Program program(final int programSlot)
    {
        return programs[programSlot];
    }

    /** @return the slot of the program a request names (null or empty: the first program), or -1 if none. */
    public int programSlot(final String programId)
    {
        if (null == programId || programId.isEmpty())
        {
            return 0;
        }
        for (int i = 0; i < programCount; i++)
        {
            if (programs[i].name().equals(programId))
            {
                return i;
            }
        }
        return -1;
    }

    private void addProgram(final Program added)
    {
        final int s = programCount++;
        programs[s] = added;
        campaignGivenBySlot[s] = new long[added.campaignCount()];
        givenByCampaignId[s] = new java.util.TreeMap<>();
        sentToPartner[s] = new java.util.TreeMap<>();
        accounts[s] = new Accounts();
        retentionMs = Math.max(retentionMs, added.requestRetentionMs());
    }

    /** Makes a program the current one: the rules, budgets and accounts the next steps use. */
    private void use(final int programSlot)
    {
        slot = programSlot;
        program = programs[programSlot];
        campaignGiven = campaignGivenBySlot[programSlot];
    }

    /** Makes the command's program current: @return false, with the result set, if the ledger has no such program. */
    private boolean useProgramOf(final Command c)
    {
        final int named = programSlot(c.programId);
        if (named < 0)
        {
            c.result = ResultCode.PROGRAM_NOT_FOUND;
            return false;
        }
        use(named);
        return true;
    }

    @Override
    public long lastSequence()
    {
        return lastSequence;
    }

    @Override
    public long lastTimestamp()
    {
        return lastTimestamp;
    }

    public int memberCount()
    {
        return memberCount;
    }

    /**
     * @return how many replayed lots kept a recorded expiry that today's program rule (time-zone data) would put
     * elsewhere: not part of the state, a warning for the operator.
     */
    public long expiryRuleDrift()
    {
        return expiryRuleDrift;
    }

    /** @return lots in the expiry queue: exactly the open lots. */
    int queuedLots()
    {
        return expiryQueue.size();
    }

    /** @return lots ever created. */
    public long lotCount()
    {
        return nextLotId;
    }

    /** @return lot slots in use: open lots, and closed ones still inside the retention window. */
    public int lotSlotsInUse()
    {
        return lotSlots - freeCount;
    }

    public int rememberedRequests()
    {
        return requests.size();
    }

    @Override
    public void apply(final Command c)
    {
        c.resetResult();
        if (c.timestamp < lastTimestamp)
        {
            throw new IllegalStateException(
                "ledger time went backwards: " + c.timestamp + " < " + lastTimestamp + " for " + c);
        }
        lastTimestamp = c.timestamp;

        final ResultCode invalid = CommandValidator.validate(c);
        if (invalid != ResultCode.OK)
        {
            c.result = invalid;
            return;
        }

        if (c.type != CommandType.EXPIRE_TICK && c.type != CommandType.SET_PROGRAM && !c.type.isIdempotentWrite() &&
            !useProgramOf(c))
        {
            return;
        }
        switch (c.type)
        {
            case GET_BALANCE:
                getBalance(c);
                return;
            case GET_MEMBER:
                getMember(c);
                return;
            case CHECK_TIER:
                checkTier(c);
                return;
            case LIST_LOTS:
                listLots(c);
                return;
            case EXPIRE_TICK:
                expireTick(c);
                return;
            case SET_PROGRAM:
                setProgram(c);
                return;
            default:
                write(c);
        }
    }

    // ------------------------------------------------------------------------------------------------ writes

    private void write(final Command c)
    {
        // A request older than the retention window is forgotten whether or not its entry is evicted yet; entries are
        // evicted only by a write that succeeds, so rejected and replayed writes change nothing (not even the
        // request log) and a journal replay, which sees only the journaled writes, rebuilds the same state.
        final long cutoff = retentionCutoff(c.timestamp);
        lastCreditedSlot = -1;
        if (null != c.programId && c.programId.equals(programs[0].name()))
        {
            // the first program named by its name is the first program: one request, one record of version 1
            c.programId = null;
        }
        final long fingerprint = fingerprint(c);
        final long position = requests.find(c.requestId, cutoff);
        if (position >= 0)
        {
            if (requests.fingerprint(position) != fingerprint)
            {
                c.result = ResultCode.REQUEST_ID_CONFLICT;
                return;
            }
            requests.fillResult(position, c);
            c.replay = true;
            return;
        }
        if (capacityLimitsEnforced && !requests.hasCapacity(cutoff))
        {
            c.result = ResultCode.REQUEST_IDS_MAX;
            return;
        }
        if (!useProgramOf(c))
        {
            return;
        }

        final long allocStart = requests.allocTail();
        final int memberIndex;
        switch (c.type)
        {
            case ENROLL:
                memberIndex = enroll(c);
                break;
            case EARN:
                memberIndex = earn(c);
                break;
            case REDEEM:
                memberIndex = redeem(c);
                break;
            case REVERSE:
                memberIndex = reverse(c);
                break;
            case ADJUST:
                memberIndex = adjust(c);
                break;
            case SET_STATUS:
                memberIndex = setStatus(c);
                break;
            case SET_TIER:
                memberIndex = setTier(c);
                break;
            case TRANSFER:
                memberIndex = transfer(c);
                break;
            case EXCHANGE:
                memberIndex = exchange(c);
                break;
            case HOLD:
                memberIndex = hold(c);
                break;
            case CAPTURE_HOLD:
            case RELEASE_HOLD:
                memberIndex = closeHold(c);
                break;
            default:
                throw new IllegalStateException("not a write: " + c.type);
        }

        if (c.result != ResultCode.OK)
        {
            c.earning.reset();
            assert c.effects.size() == 0 : "a rejected command must not have effects: " + c;
            assert requests.allocTail() == allocStart : "a rejected command must not allocate: " + c;
            return;
        }

        final Member m = members[memberIndex];
        c.balance = m.available;
        c.owed = m.owed;
        c.lifetimeEarned = m.lifetimeEarned;
        c.tier = m.tier;
        c.memberStatus = m.status;
        if (c.type == CommandType.HOLD || c.type == CommandType.CAPTURE_HOLD || c.type == CommandType.RELEASE_HOLD)
        {
            c.held = m.held;
        }
        c.sequence = ++lastSequence;
        if (c.type == CommandType.EXCHANGE)
        {
            // the last effect is the receiving lot, in the partner program's accounts; the rest are the sender's
            accounts[slot].post(c.effects, 0, c.effects.size() - 1);
            accounts[exchangeTarget].post(c.effects, c.effects.size() - 1, c.effects.size());
        }
        else
        {
            accounts[slot].post(c.effects, 0, c.effects.size());
        }
        requests.evictOlderThan(cutoff, EVICTIONS_PER_WRITE);
        reclaimLots(cutoff, EVICTIONS_PER_WRITE);
        requests.append(c, fingerprint, memberIndex, allocStart, lastCreditedSlot);
        assert memberInvariantsHold(m) : "member invariants broken by " + c;
    }

    private int enroll(final Command c)
    {
        if (memberIndex(c.memberId) >= 0)
        {
            c.result = ResultCode.MEMBER_EXISTS;
            return -1;
        }
        int referrer = -1;
        if (null != c.referrerId && !c.referrerId.isEmpty())
        {
            referrer = memberIndex(c.referrerId);
            if (referrer < 0)
            {
                c.result = ResultCode.REFERRER_NOT_FOUND;
                return -1;
            }
        }
        if (capacityLimitsEnforced && memberCount >= context.membersMax())
        {
            c.result = ResultCode.MEMBERS_MAX;
            return -1;
        }

        final int index = memberCount++;
        if (index == members.length)
        {
            members = Arrays.copyOf(members, index << 1);
        }
        final Member m = new Member(c.memberId, index, c.birthday, referrer, c.timestamp, slot);
        m.tier = program.tierFor(0).code();
        m.nextEvaluationAt = program.firstEvaluation(c.timestamp);
        if (program.tierWindow() != Program.TierWindow.LIFETIME)
        {
            evaluations.add(m.nextEvaluationAt, index);
        }
        if (c.birthday != 0)
        {
            m.nextBirthdayAt = program.nextBirthday(c.birthday, c.timestamp);
            if (program.birthdayGift() > 0)
            {
                birthdays.add(m.nextBirthdayAt, index);
            }
        }
        members[index] = m;
        memberIndexById.put(c.memberId, memberHash(c.memberId), index, memberIdAt);
        if (program.welcomeBonus() > 0)
        {
            bonus(c, m, program.welcomeBonus());
        }
        return index;
    }

    private int earn(final Command c)
    {
        final Member m = activeMember(c, false);
        if (null == m)
        {
            return -1;
        }
        final boolean purchase = c.purchaseMinor > 0;
        final long points = purchase ? purchasePoints(c, m) : c.points;
        if (points < 0)
        {
            return -1;
        }
        final boolean first = points > 0 && m.firstEarn < 0;
        final long ownBonus =
            first ? program.firstPurchaseBonus() + (m.referrer >= 0 ? program.referredBonus() : 0) : 0;
        if (points > 0 && !canCredit(c, m, points + ownBonus, ownBonus > 0 ? 2 : 1))
        {
            return -1;
        }
        if (m.lifetimeEarned > Long.MAX_VALUE / 2 - points)
        {
            c.result = ResultCode.BALANCE_MAX;
            return -1;
        }

        c.expired = settleDue(c, m, c.timestamp);
        if (points > 0 && program.pendingMs() > 0)
        {
            addPending(c, m, points);
        }
        else if (points > 0)
        {
            credit(c, m, points);
            settleOwed(c, m);
        }
        else
        {
            c.lotId = -1; // a purchase too small for a point (or capped to none) creates no lot
        }
        if (purchase)
        {
            countPurchase(c, m, points);
        }
        if (first)
        {
            firstEarnBonuses(c, m, ownBonus);
        }
        m.lifetimeEarned += points;
        addTierPoints(m, c.timestamp, points);
        if (points > 0)
        {
            m.addRecentEarn(c.timestamp);
        }
        final int reached = program.tierFor(tierPoints(m, c.timestamp)).code();
        if (reached > m.tier)
        {
            m.tier = reached; // an upgrade the moment a threshold is crossed; downgrades wait for an evaluation
        }
        c.resultPoints = points;
        return m.index;
    }

    /**
     * Computes what a purchase earns under the program, into {@code c.earning}, changing nothing: the amount at the
     * program's rate times the member's tier multiplier; then, in the program's order, each campaign that applies adds
     * {@code points so far × (multiplier − 1)}, cut to what is left of its budget; then the member's daily cap cuts
     * the total, from the last campaign's extra backwards. Every step is rounded by the program's rule.
     *
     * @return the points, or -1 with {@code c.result} set.
     */
    private long purchasePoints(final Command c, final Member m)
    {
        final Program p = program;
        if (!p.currency().equals(c.currency))
        {
            c.result = ResultCode.PURCHASE_CURRENCY_MISMATCH;
            final String currency = p.currency();
            c.resultDetail = currency.charAt(0) << 16 | currency.charAt(1) << 8 | currency.charAt(2);
            return -1;
        }
        final Command.Earning e = c.earning;
        final Program.Rounding rounding = p.rounding();
        final Segment segment = p.campaignCount() > 0 ? segmentOf(m, c.timestamp) : Segment.ACTIVE;
        final long rated = c.purchaseMinor * p.ratePoints();
        e.basePoints = Program.mulDiv(rated, 1, p.ratePerMinor(), rounding);
        e.tierMultiplierBp = p.tierMultiplierBp(m.tier);
        long total = Program.mulDiv(rated, e.tierMultiplierBp, p.ratePerMinor() * Program.MULTIPLIER_ONE, rounding);
        e.tierPoints = total;
        for (int i = 0, n = p.campaignCount(); i < n && total <= POINTS_MAX; i++)
        {
            final Program.Campaign campaign = p.campaign(i);
            if (campaign.applies(c.timestamp, c.channel, m.tier, segment, c.categories))
            {
                long extra = Program.mulDiv(
                    total, campaign.multiplierBp() - Program.MULTIPLIER_ONE, Program.MULTIPLIER_ONE, rounding);
                long cut = 0;
                if (campaign.budgetPoints() > 0)
                {
                    // never below zero: a new program version may lower a budget below what was given already
                    final long left = Math.max(0, campaign.budgetPoints() - campaignGiven[i]);
                    if (extra > left)
                    {
                        cut = extra - left;
                        extra = left;
                    }
                }
                e.add(i, campaign, extra, cut);
                total = extra > POINTS_MAX ? extra : total + extra;
            }
        }
        if (p.birthdayMultiplierBp() > Program.MULTIPLIER_ONE && m.birthday != 0 && total <= POINTS_MAX &&
            m.birthday / 100 == Math.floorMod(p.monthOf(c.timestamp), 12) + 1)
        {
            final long extra = Program.mulDiv(
                total, p.birthdayMultiplierBp() - Program.MULTIPLIER_ONE, Program.MULTIPLIER_ONE, rounding);
            e.add(Program.BIRTHDAY_LINE, p.birthdayMultiplierBp(), extra, 0);
            total = extra > POINTS_MAX ? extra : total + extra;
        }
        if (total > POINTS_MAX)
        {
            c.result = ResultCode.PURCHASE_POINTS_TOO_LARGE;
            e.reset();
            return -1;
        }
        final long cap = p.memberDailyPoints();
        if (cap > 0)
        {
            final long today = m.purchaseDay == p.dayOf(c.timestamp) ? m.purchaseDayPoints : 0;
            final long room = Math.max(0, cap - today);
            if (total > room)
            {
                e.capCut = total - room;
                total = room;
                long cut = e.capCut;
                for (int k = e.campaignCount() - 1; k >= 0 && cut > 0; k--)
                {
                    final long take = Math.min(cut, e.points(k));
                    e.setPoints(k, e.points(k) - take);
                    cut -= take;
                }
            }
        }
        return total;
    }

    /**
     * Earns points as pending: not redeemable, and not a lot yet. They mature into a lot at {@code now +
     * pending.days} (by the sweep, or the member's next write), or a reversal cancels them before.
     */
    private void addPending(final Command c, final Member m, final long points)
    {
        final long at = c.timestamp + program.pendingMs();
        final long position = requests.nextPosition();
        m.addPending(at, points, c.timestamp, position);
        m.pending += points;
        pendingTotal += points;
        maturities.add(at, position);
        c.effects.add(EffectLog.PENDING, -1, points, at);
        c.lotId = -1;
        c.releaseAt = at;
    }

    /**
     * Matures the member's pending earns that are due, then expires its due lots.
     *
     * @return the points expired.
     */
    private long settleDue(final Command c, final Member m, final long now)
    {
        evaluateDue(c, m, now);
        long expired = expireDue(m, now, c.effects);
        birthdayDue(c, m, now);
        if (m.pendingCount > 0 && m.pendingAt[0] <= now)
        {
            while (m.pendingCount > 0 && m.pendingAt[0] <= now)
            {
                mature(c, m);
            }
            // a lot that matured late (the sweep lagged past its expiry) expires at once, before it pays any debt
            expired += expireDue(m, now, c.effects);
            settleOwed(c, m);
        }
        return expired;
    }

    /**
     * The member's earliest pending earn becomes a lot, expiring by the program's rule applied at its maturity
     * instant (the caller then settles what the member owes from it).
     */
    private void mature(final Command c, final Member m)
    {
        final long at = m.pendingAt[0];
        final long points = m.pendingPoints[0];
        final long position = m.pendingRequest[0];
        m.removePending(0);
        m.pending -= points;
        pendingTotal -= points;
        final int lot = newLot(m, points, at, program.expiresAt(at), EffectLog.MATURE, c);
        requests.setMatured(position, lotIds[lot], lot);
    }

    /**
     * @return the points a write could take from the member now: its available points less those of lots due to
     * expire, plus those of pending earns due to mature (less what they would pay of the member's debt).
     */
    private long usable(final Member m, final long now)
    {
        long usable = m.available - dueSum(m, now);
        if (m.pendingCount > 0 && m.pendingAt[0] <= now)
        {
            for (int i = 0; i < m.pendingCount && m.pendingAt[i] <= now; i++)
            {
                if (program.expiresAt(m.pendingAt[i]) > now)
                {
                    usable += m.pendingPoints[i];
                }
            }
            usable -= Math.min(m.owed, usable);
        }
        return usable;
    }

    /**
     * Cancels pending points of a reversed earn before they mature: they never become available.
     */
    private void cancelPending(final Command c, final Member m, final int i, final long amount)
    {
        assert amount <= m.pendingPoints[i];
        final long earnedAt = m.pendingEarnedAt[i];
        c.effects.add(EffectLog.PENDING_CANCEL, -1, amount, m.pendingAt[i]);
        m.pendingPoints[i] -= amount;
        if (m.pendingPoints[i] == 0)
        {
            m.removePending(i);
        }
        m.pending -= amount;
        pendingTotal -= amount;
        assert m.lifetimeEarned >= amount;
        m.lifetimeEarned -= amount;
        addTierPoints(m, earnedAt, -amount);
        c.resultPoints = amount;
    }

    /**
     * Credits a bonus to the member as a lot of its own (which then pays first what the member owes).
     */
    private int bonus(final Command c, final Member m, final long points)
    {
        final int lot = newLot(m, points, c.timestamp, program.expiresAt(c.timestamp), EffectLog.BONUS, c);
        c.bonusPoints += points;
        settleOwed(c, m);
        return lot;
    }

    /**
     * A member's first qualifying earn: its first-purchase (and, if referred, its referral) bonus, and the referrer's
     * bonus if the referrer is active and has room for a lot. Each once, for the life of the member.
     */
    private void firstEarnBonuses(final Command c, final Member m, final long ownBonus)
    {
        m.firstEarn = requests.nextPosition();
        if (ownBonus > 0)
        {
            final int lot = bonus(c, m, ownBonus);
            m.bonusLot = lot;
            m.bonusLotId = lotIds[lot];
            m.bonusPoints = ownBonus;
        }
        if (m.referrer >= 0 && program.referrerBonus() > 0)
        {
            final Member r = members[m.referrer];
            final long points = program.referrerBonus();
            if (r.status == MemberStatus.ACTIVE.code() && r.owed == 0 &&
                r.lotCount - dueCount(r, c.timestamp) + r.pendingCount < program.lotsPerMemberMax() &&
                r.available + r.held + r.pending <= BALANCE_MAX - points)
            {
                final int lot = newLot(
                    r, points, c.timestamp, program.expiresAt(c.timestamp), EffectLog.REFERRER_BONUS, c);
                m.referrerBonusLot = lot;
                m.referrerBonusLotId = lotIds[lot];
                m.referrerBonusPoints = points;
                c.referrerBonusPoints = points;
            }
        }
    }

    /**
     * The member's first qualifying earn was reversed in full: the bonuses it triggered are clawed back. The member's
     * own from their lot first, then from its other points, and what it does not have is owed, like a reversed earn;
     * the referrer's only from what is left in its bonus lot (the referrer did nothing wrong).
     */
    private void reverseFirstEarnBonuses(final Command c, final Member m)
    {
        m.bonusesReversed = true;
        if (m.bonusPoints > 0)
        {
            assert lotIds[m.bonusLot] == m.bonusLotId : "a bonus lot's slot was reused within the window";
            c.bonusPoints = -clawBack(c, m, m.bonusLot, m.bonusPoints, 0);
            c.alreadyExpired += clawAlreadyExpired;
            c.shortfall += clawShortfall;
        }
        if (m.referrerBonusPoints > 0)
        {
            final Member r = members[m.referrer];
            final int lot = m.referrerBonusLot;
            if (lotIds[lot] == m.referrerBonusLotId && lotRemaining[lot] > 0 && lotExpiresAt[lot] > c.timestamp)
            {
                final long take = Math.min(lotRemaining[lot], m.referrerBonusPoints);
                lotRemaining[lot] -= take;
                r.addPoints(lotExpiresAt[lot], -take);
                r.available -= take;
                totalDebited.add(take);
                c.effects.add(EffectLog.REFERRER_CLAWBACK, lotIds[lot], take, lotExpiresAt[lot]);
                if (lotRemaining[lot] == 0)
                {
                    removeOpenLot(r, lot);
                    closeLot(lot);
                }
                c.referrerBonusPoints = -take;
            }
        }
    }

    /**
     * Counts an applied purchase against the member's day and the campaigns' budgets.
     */
    private void countPurchase(final Command c, final Member m, final long points)
    {
        final int day = program.dayOf(c.timestamp);
        if (m.purchaseDay != day)
        {
            m.purchaseDay = day;
            m.purchaseDayPoints = 0;
        }
        m.purchaseDayPoints += points;
        final Command.Earning e = c.earning;
        for (int k = 0; k < e.campaignCount(); k++)
        {
            if (e.campaignIndex(k) >= 0) // not the birthday line
            {
                campaignGiven[e.campaignIndex(k)] += e.points(k);
            }
        }
    }

    private int redeem(final Command c)
    {
        final Member m = activeMember(c, false);
        if (null == m)
        {
            return -1;
        }
        final long usable = usable(m, c.timestamp);
        if (usable < c.points)
        {
            c.result = ResultCode.INSUFFICIENT_POINTS;
            c.resultDetail = usable;
            return -1;
        }

        c.expired = settleDue(c, m, c.timestamp);
        debitSoonestFirst(m, c.points, EffectLog.DEBIT, c.effects, true);
        c.resultPoints = c.points;
        return m.index;
    }

    private int adjust(final Command c)
    {
        final Member m = activeMember(c, true);
        if (null == m)
        {
            return -1;
        }
        if (c.points > 0)
        {
            if (!canCredit(c, m, c.points))
            {
                return -1;
            }
            c.expired = settleDue(c, m, c.timestamp);
            credit(c, m, c.points);
            settleOwed(c, m);
        }
        else
        {
            final long usable = usable(m, c.timestamp);
            if (usable < -c.points)
            {
                c.result = ResultCode.INSUFFICIENT_POINTS;
                c.resultDetail = usable;
                return -1;
            }
            c.expired = settleDue(c, m, c.timestamp);
            debitSoonestFirst(m, -c.points, EffectLog.DEBIT, c.effects, false);
        }
        c.resultPoints = c.points;
        return m.index;
    }

    private int setTier(final Command c)
    {
        final Member m = openMember(c);
        if (null == m)
        {
            return -1;
        }
        c.expired = settleDue(c, m, c.timestamp);
        m.tier = c.status;
        m.floorTier = c.points > c.timestamp ? c.status : 0;
        m.floorUntil = c.points > c.timestamp ? c.points : 0;
        return m.index;
    }

    // ------------------------------------------------------------------------------------------------ transfers

    /**
     * Moves points to another member of the program (family pooling): taken from the sender's lots soonest-expiring
     * first, and given to the receiver as one new lot per expiry instant moved, so every point keeps its expiry. The
     * receiver is not settled (its due lots expire at its own next write or the sweep); the moved points are not due.
     */
    private int transfer(final Command c)
    {
        final Member m = activeMember(c, false);
        if (null == m)
        {
            return -1;
        }
        final Member r = receiver(c, memberIndex(c.toMemberId));
        if (null == r)
        {
            return -1;
        }
        final long now = c.timestamp;
        final long usable = usable(m, now);
        if (usable < c.points)
        {
            c.result = ResultCode.INSUFFICIENT_POINTS;
            c.resultDetail = usable;
            return -1;
        }
        if (!receiverHasRoom(c, r, c.points, expiriesToMove(m, now, c.points)))
        {
            return -1;
        }

        c.expired = settleDue(c, m, now);
        final int first = c.effects.size();
        debitSoonestFirst(m, c.points, EffectLog.TRANSFER_OUT, c.effects, false);
        final int last = c.effects.size();
        for (int i = first; i < last; )
        {
            final long expiresAt = c.effects.expiresAt(i);
            long points = 0;
            while (i < last && c.effects.expiresAt(i) == expiresAt)
            {
                points += c.effects.amount(i++);
            }
            newLot(r, points, now, expiresAt, EffectLog.TRANSFER_IN, c);
        }
        c.resultPoints = c.points;
        return m.index;
    }

    /**
     * Converts points of the member's program into points of a partner program (积分互通): the sender's points leave
     * its lots soonest-expiring first into the program's clearing account for the partner; the receiver, a member of
     * the partner program, gets the points at the sending program's rate for that partner (rounded by its rule) as one
     * new lot under its own program's expiry rule, out of the partner program's clearing account for the sender's.
     * Both programs must list each other as partners; the sending program's limits for the partner (a minimum, a
     * daily and a total limit in its own points) are counters in the ledger, so they hold exactly. One record, both
     * sides or neither. An exchange is final: it is not reversible (a new exchange back is, where the partners allow).
     */
    private int exchange(final Command c)
    {
        final Member m = activeMember(c, false);
        if (null == m)
        {
            return -1;
        }
        final int source = slot;
        final Program from = program;
        final int target = programSlot(c.toProgramId);
        if (target < 0)
        {
            c.result = ResultCode.TO_PROGRAM_NOT_FOUND;
            return -1;
        }
        if (target == source)
        {
            c.result = ResultCode.TO_PROGRAM_ID_INVALID;
            return -1;
        }
        final Program to = programs[target];
        final Program.Partner partner = from.partner(to.name());
        if (null == partner || null == to.partner(from.name()))
        {
            c.result = ResultCode.NOT_A_PARTNER;
            return -1;
        }
        if (c.points < partner.minPoints())
        {
            c.result = ResultCode.EXCHANGE_BELOW_MINIMUM;
            c.resultDetail = partner.minPoints();
            return -1;
        }
        final long received = Program.mulDiv(c.points, partner.rateBp(), Program.MULTIPLIER_ONE, from.rounding());
        if (received < 1)
        {
            c.result = ResultCode.EXCHANGE_TOO_SMALL;
            return -1;
        }
        if (received > POINTS_MAX)
        {
            c.result = ResultCode.EXCHANGE_TOO_LARGE;
            return -1;
        }
        final long now = c.timestamp;
        final long[] sent = sentToPartner[source].get(to.name());
        final int day = from.dayOf(now);
        final long sentToday = null != sent && sent[0] == day ? sent[1] : 0;
        if (partner.dailyLimit() > 0 && c.points > partner.dailyLimit() - sentToday)
        {
            c.result = ResultCode.PARTNER_DAILY_LIMIT;
            c.resultDetail = Math.max(0, partner.dailyLimit() - sentToday);
            return -1;
        }
        final long sentInAll = null == sent ? 0 : sent[2];
        if (partner.totalLimit() > 0 && c.points > partner.totalLimit() - sentInAll)
        {
            c.result = ResultCode.PARTNER_TOTAL_LIMIT;
            c.resultDetail = Math.max(0, partner.totalLimit() - sentInAll);
            return -1;
        }
        final long usable = usable(m, now);
        if (usable < c.points)
        {
            c.result = ResultCode.INSUFFICIENT_POINTS;
            c.resultDetail = usable;
            return -1;
        }

        use(target);
        final Member r = receiver(c, memberIndex(c.toMemberId));
        final boolean mayTake = null != r && receiverHasRoom(c, r, received, 1);
        use(source);
        if (!mayTake)
        {
            return -1;
        }

        c.expired = settleDue(c, m, now);
        debitSoonestFirst(m, c.points, EffectLog.EXCHANGE_OUT, c.effects, false);
        use(target);
        final int lot = newLot(r, received, now, to.expiresAt(now), EffectLog.EXCHANGE_IN, c);
        use(source);
        c.lotId = lotIds[lot];
        c.expiresAt = lotExpiresAt[lot];
        exchangeTarget = target;
        accounts[source].clear(to.name(), c.points, 0);
        accounts[target].clear(from.name(), 0, received);
        if (null == sent)
        {
            sentToPartner[source].put(to.name(), new long[] {day, c.points, c.points});
        }
        else
        {
            sent[1] = sent[0] == day ? sent[1] + c.points : c.points;
            sent[0] = day;
            sent[2] += c.points;
        }
        c.resultPoints = c.points;
        c.exchanged = received;
        return m.index;
    }

    /**
     * The receiving member of a transfer or an exchange, in the current program: @return it if it exists, is active
     * and owes nothing (its own credits pay a debt: another member's points do not settle it), else null with the
     * result set.
     */
    private Member receiver(final Command c, final int index)
    {
        if (index < 0)
        {
            c.result = ResultCode.RECEIVER_NOT_FOUND;
            return null;
        }
        final Member r = members[index];
        if (r.status != MemberStatus.ACTIVE.code())
        {
            c.result = ResultCode.RECEIVER_NOT_ACTIVE;
            return null;
        }
        if (r.owed > 0)
        {
            c.result = ResultCode.RECEIVER_OWES;
            c.resultDetail = r.owed;
            return null;
        }
        return r;
    }

    /**
     * @return true if the receiver, under the current program, has room for {@code points} as {@code lots} new lots
     * (its lotsPerMemberMax, the ledger's lot capacity, balanceMax), else false with the result set.
     */
    private boolean receiverHasRoom(final Command c, final Member r, final long points, final int lots)
    {
        final long now = c.timestamp;
        if (r.lotCount - dueCount(r, now) + r.pendingCount + lots > program.lotsPerMemberMax())
        {
            c.result = ResultCode.RECEIVER_LOTS_MAX;
            c.resultDetail = program.lotsPerMemberMax();
            return false;
        }
        if (lotSlotsInUse() + lots > (capacityLimitsEnforced ? context.lotsMax() : Context.LOTS_MAX_LIMIT))
        {
            c.result = ResultCode.LOTS_MAX;
            return false;
        }
        if (r.available + r.held + r.pending - dueSum(r, now) > BALANCE_MAX - points)
        {
            c.result = ResultCode.RECEIVER_BALANCE_MAX;
            return false;
        }
        return true;
    }

    /**
     * @return the lots a transfer of {@code points} gives the receiver: the distinct expiry instants of the
     * soonest-expiring {@code points} of the sender's lots as they will be once it is settled (due lots expired, due
     * pending earns matured, and then its debt paid), counted without changing anything, since the transfer may still
     * be refused. Not the hot path: it may allocate.
     */
    private int expiriesToMove(final Member m, final long now, final long points)
    {
        final int due = dueCount(m, now);
        int matured = 0;
        while (matured < m.pendingCount && m.pendingAt[matured] <= now)
        {
            matured++;
        }
        // the lots after settling: open ones by (expiry, lot id); then a birthday gift and matured earns as newer lots,
        // each paying the debt from the soonest-expiring points first
        final long[] at = new long[m.lotCount - due + matured + 1];
        final long[] remaining = new long[at.length];
        int n = 0;
        for (int i = due; i < m.lotCount; i++)
        {
            at[n] = lotExpiresAt[m.lots[i]];
            remaining[n++] = lotRemaining[m.lots[i]];
        }
        long debt = m.owed;
        if (m.nextBirthdayAt <= now && mayHaveGift(m))
        {
            n = insertByExpiry(at, remaining, n, program.expiresAt(now), program.birthdayGift());
            debt = payFront(remaining, n, debt);
        }
        if (matured > 0)
        {
            for (int i = 0; i < matured; i++)
            {
                final long expiresAt = program.expiresAt(m.pendingAt[i]);
                if (expiresAt > now)
                {
                    n = insertByExpiry(at, remaining, n, expiresAt, m.pendingPoints[i]);
                }
            }
            payFront(remaining, n, debt);
        }
        long left = points;
        int expiries = 0;
        long lastAt = Long.MIN_VALUE;
        for (int i = 0; i < n && left > 0; i++)
        {
            final long take = Math.min(remaining[i], left);
            if (take > 0)
            {
                if (at[i] != lastAt)
                {
                    expiries++;
                    lastAt = at[i];
                }
                left -= take;
            }
        }
        return expiries;
    }

    /** Inserts a newer lot after the lots expiring no later: @return the new count. */
    private static int insertByExpiry(
        final long[] at, final long[] remaining, final int n, final long expiresAt, final long points)
    {
        int j = n;
        while (j > 0 && at[j - 1] > expiresAt)
        {
            at[j] = at[j - 1];
            remaining[j] = remaining[j - 1];
            j--;
        }
        at[j] = expiresAt;
        remaining[j] = points;
        return n + 1;
    }

    /** Pays a debt from the front: @return what is left of it. */
    private static long payFront(final long[] remaining, final int n, final long debt)
    {
        long left = debt;
        for (int i = 0; i < n && left > 0; i++)
        {
            final long paid = Math.min(left, remaining[i]);
            remaining[i] -= paid;
            left -= paid;
        }
        return left;
    }

    // ------------------------------------------------------------------------------------------------ tier points

    /**
     * Counts tier points (negative for a reversal) in the month and the year of {@code at}, the earn's instant.
     */
    private void addTierPoints(final Member m, final long at, final long points)
    {
        final int month = program.monthOf(at);
        final long[] h = m.history();
        if (month > m.lastMonth)
        {
            for (int k = Math.max(m.lastMonth + 1, month - MONTHS_KEPT + 1); k <= month; k++)
            {
                h[Math.floorMod(k, MONTHS_KEPT)] = 0;
            }
            m.lastMonth = month;
        }
        if (month > m.lastMonth - MONTHS_KEPT)
        {
            h[Math.floorMod(month, MONTHS_KEPT)] += points;
        }
        final int year = Math.floorDiv(month, 12);
        if (year > m.year)
        {
            final int shift = (int)Math.min(year - (long)m.year, YEARS_KEPT);
            System.arraycopy(h, YEARS, h, YEARS + shift, YEARS_KEPT - shift);
            Arrays.fill(h, YEARS, YEARS + shift, 0);
            m.year = year;
        }
        if (year > m.year - YEARS_KEPT)
        {
            h[YEARS + m.year - year] += points;
        }
    }

    /**
     * @return the member's qualifying points at {@code at} in the program's window: all of them, those of the 12
     * months ending with the month of {@code at}, or those of its calendar year.
     */
    private long tierPoints(final Member m, final long at)
    {
        switch (program.tierWindow())
        {
            case ROLLING_12:
                return monthsPoints(m, program.monthOf(at));
            case CALENDAR_YEAR:
                return yearPoints(m, Math.floorDiv(program.monthOf(at), 12));
            default:
                return m.lifetimeEarned;
        }
    }

    /**
     * @return the tier points of the 12 months ending with {@code lastMonth}. Thirteen months are kept: a program put
     * in force later may have a zone hours behind the one points were counted in, so its month may be one earlier.
     */
    private static long monthsPoints(final Member m, final int lastMonth)
    {
        long sum = 0;
        if (null != m.history)
        {
            final int from = Math.max(lastMonth - 11, m.lastMonth - MONTHS_KEPT + 1);
            for (int k = from; k <= Math.min(lastMonth, m.lastMonth); k++)
            {
                sum += m.history[Math.floorMod(k, MONTHS_KEPT)];
            }
        }
        return sum;
    }

    /**
     * @return the tier points of a calendar year (years since 1970). Three years are kept, for the same reason as
     * thirteen months: an evaluation's last complete year may be two before the year last counted in another zone.
     */
    private static long yearPoints(final Member m, final int year)
    {
        return null != m.history && year <= m.year && year > m.year - YEARS_KEPT ?
            m.history[YEARS + m.year - year] : 0;
    }

    /**
     * The member's due tier evaluation, if the program qualifies tiers in a window: the tier its window's points
     * reach, or its tier kept if they reach the keep-level threshold, or at most maxDrop tiers down; never below a
     * floor set by hand. Missed evaluations are not made up: the latest due one is made. Journaled as a tier effect.
     * Called first in every write on the member and by the sweep, so no write of the member is later than an
     * evaluation instant still to be made.
     */
    private void evaluateDue(final Command c, final Member m, final long now)
    {
        if (m.nextEvaluationAt > now)
        {
            return;
        }
        long at = m.nextEvaluationAt;
        long next = program.nextEvaluation(at);
        while (next <= now)
        {
            at = next;
            next = program.nextEvaluation(at);
        }
        if (program.tierWindow() == Program.TierWindow.LIFETIME)
        {
            // no evaluation under lifetime tiers, but the schedule moves on with the member's writes, so a window
            // put in force later never evaluates at an instant the member has written after (its months are intact)
            m.nextEvaluationAt = next; // not queued: the sweep makes no evaluations now (see setProgram)
            return;
        }
        final long points;
        if (program.tierWindow() == Program.TierWindow.ROLLING_12)
        {
            points = monthsPoints(m, program.monthOf(at));
        }
        else
        {
            points = yearPoints(m, Math.floorDiv(program.monthOf(at), 12) - 1); // the last complete calendar year
        }
        final int qualified = program.tierFor(points).code();
        int tier = m.tier;
        if (qualified >= tier)
        {
            tier = qualified;
        }
        else if (points < program.keepThreshold(tier))
        {
            tier = Math.max(qualified, tier - program.maxDrop());
        }
        if (m.floorUntil > at)
        {
            tier = Math.max(tier, m.floorTier);
        }
        m.tier = tier;
        m.nextEvaluationAt = next;
        evaluations.add(next, m.index);
        c.effects.add(EffectLog.TIER, -1, tier, at);
    }

    /**
     * The member's birthday gift, if its birthday has come (the latest one only: missed years are not made up). The
     * schedule moves on with the member's writes even when the program gives no gift.
     */
    private void birthdayDue(final Command c, final Member m, final long now)
    {
        if (m.nextBirthdayAt > now)
        {
            return;
        }
        long next = program.nextBirthday(m.birthday, m.nextBirthdayAt);
        while (next <= now)
        {
            next = program.nextBirthday(m.birthday, next);
        }
        m.nextBirthdayAt = next;
        if (program.birthdayGift() > 0)
        {
            birthdays.add(next, m.index); // otherwise not queued: the sweep gives no gifts now (see setProgram)
        }
        if (mayHaveGift(m))
        {
            bonus(c, m, program.birthdayGift());
        }
    }

    /**
     * @return true if the program gives a birthday gift and the member may take it: it is active. Only a write can
     * change that, so a member the sweep passes over stays passed over until its next write moves its schedule on.
     * (A gift is a lot even for a member at lotsPerMemberMax, like a maturing earn.)
     */
    private boolean mayHaveGift(final Member m)
    {
        return program.birthdayGift() > 0 && m.status == MemberStatus.ACTIVE.code();
    }

    private int setStatus(final Command c)
    {
        final Member m = openMember(c);
        if (null == m)
        {
            return -1;
        }
        c.expired = settleDue(c, m, c.timestamp);
        m.status = c.status;
        return m.index;
    }

    private int reverse(final Command c)
    {
        final Member m = activeMember(c, true);
        if (null == m)
        {
            return -1;
        }
        final long original = originalOf(c, m);
        if (original < 0)
        {
            return -1;
        }
        final int originalType = requests.type(original);
        if (originalType != CommandType.EARN.code() && originalType != CommandType.REDEEM.code() &&
            originalType != CommandType.CAPTURE_HOLD.code())
        {
            c.result = ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE;
            return -1;
        }
        final long left = requests.points(original) - requests.reversed(original);
        if (left == 0)
        {
            c.result = ResultCode.NOTHING_TO_REVERSE;
            return -1;
        }
        final long amount = c.points == 0 ? left : c.points;
        if (amount > left)
        {
            c.result = ResultCode.REVERSE_POINTS_EXCEED;
            c.resultDetail = left;
            return -1;
        }

        if (originalType == CommandType.EARN.code())
        {
            c.expired = settleDue(c, m, c.timestamp);
            final int pending = m.findPending(original);
            if (pending >= 0)
            {
                cancelPending(c, m, pending, amount);
            }
            else
            {
                reverseEarn(c, m, original, amount);
            }
            if (amount == left && original == m.firstEarn && program.reverseBonuses() && !m.bonusesReversed &&
                (m.bonusPoints > 0 || m.referrerBonusPoints > 0))
            {
                reverseFirstEarnBonuses(c, m);
            }
        }
        else
        {
            if (m.available + m.held + m.pending - dueSum(m, c.timestamp) > BALANCE_MAX - amount)
            {
                c.result = ResultCode.BALANCE_MAX;
                return -1;
            }
            reverseRedeem(c, m, original, amount);
        }
        requests.addReversed(original, amount);
        return m.index;
    }

    /**
     * The remembered write {@code c.originalRequestId} names, which must be the member's own.
     *
     * @return its position, or -1 with the result set.
     */
    private long originalOf(final Command c, final Member m)
    {
        final long original = requests.find(c.originalRequestId, retentionCutoff(c.timestamp));
        if (original < 0)
        {
            c.result = ResultCode.ORIGINAL_REQUEST_NOT_FOUND;
            return -1;
        }
        if (requests.member(original) != m.index)
        {
            c.result = ResultCode.REVERSE_MEMBER_MISMATCH;
            return -1;
        }
        return original;
    }

    /**
     * Claws back an earn: from the earn's own lot first. Of what that lot no longer holds, the share that expired is
     * not clawed again (the member already lost it); the share that was spent is taken soonest-expiring first from the
     * member's other lots, and what the member does not have is the shortfall, owed against future credits. The
     * earn's tier points go in full.
     */
    private void reverseEarn(final Command c, final Member m, final long original, final long amount)
    {
        final int lot = requests.lotSlot(original);
        assert lotIds[lot] == requests.earnLotId(original) : "the earn's lot slot was reused within the window";
        c.resultPoints = clawBack(c, m, lot, amount, requests.forgiven(original));
        requests.addForgiven(original, clawAlreadyExpired);
        assert m.lifetimeEarned >= amount;
        m.lifetimeEarned -= amount;
        addTierPoints(m, requests.timestamp(original), -amount);
        c.alreadyExpired = clawAlreadyExpired;
        c.shortfall = clawShortfall;
    }

    /**
     * Takes back {@code amount} points credited as {@code lot}: from that lot first; of what it no longer holds, the
     * share that expired (beyond {@code forgiven}, already set against earlier reversals) is not taken again; the
     * share that was spent is taken soonest-expiring first from the member's other lots, and what the member does not
     * have is the shortfall, owed against future credits.
     *
     * @return the points clawed back; {@link #clawAlreadyExpired} and {@link #clawShortfall} say the rest.
     */
    private long clawBack(final Command c, final Member m, final int lot, final long amount, final long forgiven)
    {
        long clawed = 0;
        final long fromLot = Math.min(lotRemaining[lot], amount);
        if (fromLot > 0)
        {
            lotRemaining[lot] -= fromLot;
            m.addPoints(lotExpiresAt[lot], -fromLot);
            m.available -= fromLot;
            totalDebited.add(fromLot);
            c.effects.add(EffectLog.CLAWBACK, lotIds[lot], fromLot, lotExpiresAt[lot]);
            if (lotRemaining[lot] == 0)
            {
                removeOpenLot(m, lot);
                closeLot(lot);
            }
            clawed = fromLot;
        }
        final long alreadyExpired = Math.min(amount - clawed, lotExpired[lot] - forgiven);
        final long fromOthers = Math.min(amount - clawed - alreadyExpired, m.available);
        if (fromOthers > 0)
        {
            debitSoonestFirst(m, fromOthers, EffectLog.CLAWBACK, c.effects, false);
            clawed += fromOthers;
        }
        final long shortfall = amount - clawed - alreadyExpired;
        if (shortfall > 0 && program.forgiveShortfall())
        {
            c.effects.add(EffectLog.FORGIVE, lotIds[lot], shortfall, lotExpiresAt[lot]);
            lotForgiven[lot] += shortfall;
        }
        else if (shortfall > 0)
        {
            c.effects.add(EffectLog.SHORTFALL, lotIds[lot], shortfall, lotExpiresAt[lot]);
            m.owed += shortfall;
            lotShortfall[lot] += shortfall;
        }
        clawAlreadyExpired = alreadyExpired;
        clawShortfall = shortfall;
        return clawed;
    }

    /**
     * Returns redeemed points (of a Redeem or a CaptureHold) to the lots that paid for them, latest-expiring first;
     * points whose lot has expired meanwhile first pay what the member owes, and the rest expire again at once.
     */
    private void reverseRedeem(final Command c, final Member m, final long original, final long amount)
    {
        c.expired = settleDue(c, m, c.timestamp);
        giveBack(c, m, original, amount, EffectLog.RESTORE);
        c.resultPoints = amount;
        settleOwed(c, m);
    }

    /**
     * Gives {@code amount} of the points a redemption or a hold took back to the lots that paid for them,
     * latest-expiring first, as {@code kind} effects (restore or release). Points whose lot has expired meanwhile
     * first pay what the member owes and otherwise expire again at once (added to {@code c.expired}).
     */
    private void giveBack(final Command c, final Member m, final long original, final long amount, final byte kind)
    {
        final long now = c.timestamp;
        final boolean restore = kind == EffectLog.RESTORE;
        final long graceMs = restore ? program.restoreGraceMs() : 0;
        long left = amount;
        long refunds = 0;
        long graced = 0;
        final long start = requests.allocStart(original);
        for (long p = start + requests.allocCount(original) - 1; p >= start && left > 0; p--)
        {
            final long give = Math.min(requests.allocAmount(p) - requests.allocRestored(p), left);
            if (give <= 0)
            {
                continue;
            }
            final int lot = requests.allocLot(p);
            requests.addAllocRestored(p, give);
            left -= give;
            if (kind == EffectLog.RELEASE)
            {
                lotHeld[lot] -= give;
                if (lotRemaining[lot] == 0 && lotExpiresAt[lot] <= now)
                {
                    markClosed(lot); // stays empty: its points lapse below
                }
            }
            // points back in the lot of an earn whose reversal left a shortfall are that clawback, late: an owed one
            // below; a forgiven one here, taken back at once
            final long cancels = Math.min(give, lotShortfall[lot]);
            lotShortfall[lot] -= cancels;
            final long late = Math.min(give - cancels, lotForgiven[lot]);
            if (late > 0)
            {
                lotForgiven[lot] -= late;
                c.effects.add(restore ? EffectLog.RECLAIM : EffectLog.RECLAIM_HELD, lotIds[lot], late,
                    lotExpiresAt[lot]);
                c.reclaimed += late;
            }
            final long back = give - late;
            if (lotExpiresAt[lot] <= now)
            {
                // The lot has expired meanwhile. The share that cancels its earn's shortfall pays what the member
                // owes, or, if later credits paid that already, comes back as a new lot; the rest pays any other
                // debt, then lapses. So reversing the earn and the redeem of a return ends the same in either order.
                final long fromOwed = Math.min(m.owed, cancels);
                final long refund = cancels - fromOwed;
                final long settled = Math.min(m.owed - fromOwed, back - cancels);
                final long lapsed = back - cancels - settled;
                // with a grace period, restored points that would lapse come back as a new lot instead
                final long toGrace = graceMs > 0 ? lapsed : 0;
                if (back - refund - toGrace > 0)
                {
                    totalCredited.add(back - refund - toGrace);
                    c.effects.add(kind, lotIds[lot], back - refund - toGrace, lotExpiresAt[lot]);
                }
                if (fromOwed + settled > 0)
                {
                    m.owed -= fromOwed + settled;
                    totalDebited.add(fromOwed + settled);
                    c.effects.add(EffectLog.SETTLE, lotIds[lot], fromOwed + settled, lotExpiresAt[lot]);
                }
                if (lapsed - toGrace > 0)
                {
                    totalExpired.add(lapsed - toGrace);
                    lotExpired[lot] += lapsed - toGrace;
                    c.expired += lapsed - toGrace;
                    c.effects.add(EffectLog.EXPIRE, lotIds[lot], lapsed - toGrace, lotExpiresAt[lot]);
                }
                if (restore)
                {
                    c.reexpired += lapsed - toGrace;
                }
                graced += toGrace;
                refunds += refund;
            }
            else if (back > 0)
            {
                if (restore)
                {
                    c.restored += back;
                }
                totalCredited.add(back);
                c.effects.add(kind, lotIds[lot], back, lotExpiresAt[lot]);
                if (lotRemaining[lot] == 0)
                {
                    insertOpenLot(m, lot);
                    lotClosedAt[lot] = Long.MAX_VALUE;
                    expiryQueue.add(lotExpiresAt[lot], lotIds[lot], lot);
                }
                lotRemaining[lot] += back;
                m.addPoints(lotExpiresAt[lot], back);
                m.available += back;
            }
            else if (kind == EffectLog.RELEASE && lotRemaining[lot] == 0)
            {
                markClosed(lot); // all reclaimed: it stays empty, and its slot may go once nothing is held in it
            }
        }
        if (refunds > 0)
        {
            final int lot = newLot(m, refunds, now, program.expiresAt(now),
                restore ? EffectLog.RESTORE_LOT : EffectLog.RELEASE_LOT, c);
            c.lotId = lotIds[lot];
            c.expiresAt = lotExpiresAt[lot];
            if (restore)
            {
                c.restored += refunds;
            }
        }
        if (graced > 0)
        {
            newLot(m, graced, now, now + graceMs, EffectLog.GRACE, c);
            c.graced = graced;
        }
        assert left == 0 : "allocations must cover the points given back";
    }

    // ------------------------------------------------------------------------------------------------ holds

    /**
     * Reserves points for an order: taken from the member's lots soonest-expiring first like a redemption (and
     * counted as debited), remembered with their lots, and held until captured, released or timed out.
     */
    private int hold(final Command c)
    {
        final Member m = activeMember(c, false);
        if (null == m)
        {
            return -1;
        }
        final long timeoutMs = (c.limit == 0 ? program.holdTimeoutSeconds() : c.limit) * 1000L;
        if (timeoutMs >= program.requestRetentionMs())
        {
            // the hold must close while its request is remembered: its allocations live there
            c.result = ResultCode.HOLD_TIMEOUT_INVALID;
            return -1;
        }
        final long usable = usable(m, c.timestamp);
        if (usable < c.points)
        {
            c.result = ResultCode.INSUFFICIENT_POINTS;
            c.resultDetail = usable;
            return -1;
        }
        c.expired = settleDue(c, m, c.timestamp);
        debitSoonestFirst(m, c.points, EffectLog.HOLD, c.effects, true);
        m.held += c.points;
        heldTotal += c.points;
        c.resultPoints = c.points;
        c.expiresAt = c.timestamp + timeoutMs;
        holds.add(c.expiresAt, requests.nextPosition());
        return m.index;
    }

    /**
     * CaptureHold redeems all or part of an open hold, soonest-expiring lots first, and releases the rest;
     * ReleaseHold releases all of it. Either closes the hold. A capture at or after the hold's timeout is refused
     * (the sweep releases it); a release then is allowed and ends the same as the sweep would.
     */
    private int closeHold(final Command c)
    {
        final Member m = activeMember(c, true);
        if (null == m)
        {
            return -1;
        }
        final long hold = originalOf(c, m);
        if (hold < 0)
        {
            return -1;
        }
        if (requests.type(hold) != CommandType.HOLD.code())
        {
            c.result = ResultCode.NOT_A_HOLD;
            return -1;
        }
        final long held = requests.points(hold) - requests.reversed(hold);
        if (held == 0)
        {
            c.result = ResultCode.HOLD_CLOSED;
            return -1;
        }
        final boolean capture = c.type == CommandType.CAPTURE_HOLD;
        if (capture && c.timestamp >= requests.expiresAt(hold))
        {
            c.result = ResultCode.HOLD_TIMED_OUT;
            c.resultDetail = requests.expiresAt(hold);
            return -1;
        }
        final long captured = capture ? (c.points == 0 ? held : c.points) : 0;
        if (captured > held)
        {
            c.result = ResultCode.CAPTURE_EXCEEDS_HOLD;
            c.resultDetail = held;
            return -1;
        }

        c.expired = settleDue(c, m, c.timestamp);
        if (captured > 0)
        {
            captureAllocations(c, hold, captured);
            m.held -= captured;
            heldTotal -= captured;
        }
        final long released = held - captured;
        if (released > 0)
        {
            release(c, m, hold, released);
        }
        requests.addReversed(hold, held);
        c.resultPoints = capture ? captured : released;
        c.released = released;
        // a lot a release may have refunded into is not this write's to report (lot_id is the earn's field)
        c.lotId = 0;
        c.expiresAt = 0;
        return m.index;
    }

    /**
     * Turns {@code amount} of a hold's allocations into the current capture's own, soonest-expiring first, so the
     * capture can be reversed like a redemption. A lot the capture leaves referred to counts as closed from now: its
     * slot is not reused while the capture is remembered.
     */
    private void captureAllocations(final Command c, final long hold, final long amount)
    {
        long left = amount;
        final long start = requests.allocStart(hold);
        for (long p = start, end = start + requests.allocCount(hold); p < end && left > 0; p++)
        {
            final long take = Math.min(requests.allocAmount(p) - requests.allocRestored(p), left);
            if (take <= 0)
            {
                continue;
            }
            final int lot = requests.allocLot(p);
            requests.addAllocRestored(p, take);
            requests.addAllocation(lot, take);
            lotHeld[lot] -= take;
            c.effects.add(EffectLog.CAPTURE, lotIds[lot], take, lotExpiresAt[lot]);
            if (lotRemaining[lot] == 0)
            {
                markClosed(lot);
            }
            left -= take;
        }
        assert left == 0 : "allocations of a hold must cover its points";
    }

    /**
     * Releases {@code amount} of an open hold back to its lots, then lets the points pay what the member owes.
     */
    private void release(final Command c, final Member m, final long hold, final long amount)
    {
        m.held -= amount;
        heldTotal -= amount;
        giveBack(c, m, hold, amount, EffectLog.RELEASE);
        settleOwed(c, m);
    }

    // ------------------------------------------------------------------------------------------------ sweep, program

    private void expireTick(final Command c)
    {
        final long now = c.timestamp;
        int budget = c.limit;
        long expired = 0;
        while (budget > 0 && !expiryQueue.isEmpty() && expiryQueue.peekAt() <= now)
        {
            // the queue holds exactly the open lots; expire all of the earliest one's member's due lots at once
            // (they sit at the front of its list: one array move), which takes them out of the queue
            final int lot = expiryQueue.peekSlot();
            final int before = c.effects.size();
            final Member due = members[lotMember[lot]];
            use(due.program);
            expired += settleDue(c, due, now);
            post(c, before, due);
            final int count = c.effects.size() - before;
            if (count == 0)
            {
                throw new IllegalStateException("due lot " + lotIds[lot] + " did not expire");
            }
            budget -= count;
        }
        c.expired = expired;
        long released = 0;
        while (budget > 0 && !holds.isEmpty() && holds.peekAt() <= now)
        {
            final long hold = holds.peekPosition();
            holds.poll();
            final long held = requests.isLive(hold) ? requests.points(hold) - requests.reversed(hold) : 0;
            if (held <= 0)
            {
                continue; // captured or released before its timeout
            }
            final Member m = members[requests.member(hold)];
            final int before = c.effects.size();
            use(m.program);
            c.expired += settleDue(c, m, now);
            release(c, m, hold, held);
            post(c, before, m);
            requests.addReversed(hold, held);
            released += held;
            budget -= c.effects.size() - before;
        }
        c.released = released;
        while (budget > 0 && !maturities.isEmpty() && maturities.peekAt() <= now)
        {
            final long position = maturities.peekPosition();
            maturities.poll();
            if (!requests.isLive(position))
            {
                continue;
            }
            final Member m = members[requests.member(position)];
            if (m.findPending(position) < 0)
            {
                continue; // matured already (at a write of the member, or with an earlier one), or cancelled
            }
            final int before = c.effects.size();
            use(m.program);
            c.expired += settleDue(c, m, now);
            post(c, before, m);
            budget -= c.effects.size() - before;
        }
        while (budget > 0 && !evaluations.isEmpty() && evaluations.peekAt() <= now)
        {
            final Member m = members[(int)evaluations.peekPosition()];
            final long at = evaluations.peekAt();
            evaluations.poll();
            if (m.nextEvaluationAt != at || programs[m.program].tierWindow() == Program.TierWindow.LIFETIME)
            {
                // rescheduled by a write of the member: its entry at the new instant takes its turn; or its program
                // stopped evaluating (one that starts again queues all its members afresh: see setProgram)
                continue;
            }
            final int before = c.effects.size();
            use(m.program);
            c.expired += settleDue(c, m, now);
            post(c, before, m);
            budget -= c.effects.size() - before;
        }
        while (budget > 0 && !birthdays.isEmpty() && birthdays.peekAt() <= now)
        {
            final Member m = members[(int)birthdays.peekPosition()];
            final long at = birthdays.peekAt();
            birthdays.poll();
            use(m.program);
            if (m.nextBirthdayAt != at || !mayHaveGift(m))
            {
                // moved on at a write of the member; or no gift for it (frozen, closed, full): the sweep changes
                // nothing it would not journal, and the member's next write moves its schedule on
                continue;
            }
            final int before = c.effects.size();
            c.expired += settleDue(c, m, now);
            post(c, before, m);
            budget -= c.effects.size() - before;
        }
        c.resultPoints = c.expired;
        if (c.effects.size() > 0)
        {
            c.sequence = ++lastSequence;
        }
    }

    /** Posts a sweep's effects from {@code from} on, all of one member, to its program's accounts. */
    private void post(final Command c, final int from, final Member m)
    {
        accounts[m.program].post(c.effects, from, c.effects.size());
    }

    /**
     * @return true if some open lot is due (its expiry instant is at or before now) and not yet expired.
     */
    public boolean hasDueLots(final long now)
    {
        return (!expiryQueue.isEmpty() && expiryQueue.peekAt() <= now) || (!holds.isEmpty() && holds.peekAt() <= now) ||
            (!maturities.isEmpty() && maturities.peekAt() <= now) ||
            (!evaluations.isEmpty() && evaluations.peekAt() <= now) ||
            (!birthdays.isEmpty() && birthdays.peekAt() <= now);
    }

    /**
     * Puts a program in force. Without a program id the command replaces the ledger's first program (whatever its
     * name: journals written before several programs rename it freely). With one, it replaces the program of that name,
     * or adds a program of that name; either way the program's own name must be the id, and names stay unique.
     */
    private void setProgram(final Command c)
    {
        final Program next;
        try
        {
            next = Program.parse(c.programText);
        }
        catch (final IllegalArgumentException ex)
        {
            c.result = ResultCode.COMMAND_INVALID;
            return;
        }
        final boolean named = null != c.programId && !c.programId.isEmpty();
        int target = named ? programSlot(c.programId) : 0;
        if (named && !next.name().equals(c.programId))
        {
            c.result = ResultCode.PROGRAM_ID_INVALID; // the program's name is its id
            return;
        }
        final int sameName = programSlot(next.name());
        if (sameName >= 0 && sameName != target && target >= 0)
        {
            c.result = ResultCode.PROGRAM_ID_INVALID; // another program has that name already
            return;
        }
        if (target == 0 && programCount > 1 && !next.name().equals(programs[0].name()))
        {
            c.result = ResultCode.PROGRAM_ID_INVALID; // partners, their limits and clearing name the first program
            return;
        }
        if (target < 0 && programCount == PROGRAMS_MAX)
        {
            c.result = ResultCode.COMMAND_INVALID;
            return;
        }
        // what the old window had forgotten stays forgotten, even if the new window is longer
        forgottenBefore = Math.max(forgottenBefore, retentionCutoff(c.timestamp));
        final boolean wasEvaluating;
        final boolean wasGifting;
        if (target < 0)
        {
            target = programCount;
            addProgram(next);
            wasEvaluating = false;
            wasGifting = false;
        }
        else
        {
            final Program before = programs[target];
            wasEvaluating = before.tierWindow() != Program.TierWindow.LIFETIME;
            wasGifting = before.birthdayGift() > 0;
            // what a campaign has given is kept by id for the life of the ledger: no program change refills a budget,
            // not even one that drops a campaign and a later one that brings it back
            final java.util.TreeMap<String, Long> given = givenByCampaignId[target];
            for (int j = 0; j < before.campaignCount(); j++)
            {
                given.put(before.campaign(j).id(), campaignGivenBySlot[target][j]);
            }
            final long[] kept = new long[next.campaignCount()];
            for (int i = 0; i < kept.length; i++)
            {
                kept[i] = given.getOrDefault(next.campaign(i).id(), 0L);
            }
            campaignGivenBySlot[target] = kept;
            programs[target] = next;
            retentionMs = 0;
            for (int i = 0; i < programCount; i++)
            {
                retentionMs = Math.max(retentionMs, programs[i].requestRetentionMs());
            }
        }
        use(target);
        // the sweep's schedules hold members only while their program acts on them; a program that starts to needs
        // all its members queued: the schedules are rebuilt (stale entries of other members are dropped on the way)
        if (!wasEvaluating && next.tierWindow() != Program.TierWindow.LIFETIME)
        {
            evaluations.clear();
            for (int i = 0; i < memberCount; i++)
            {
                if (programs[members[i].program].tierWindow() != Program.TierWindow.LIFETIME)
                {
                    evaluations.add(members[i].nextEvaluationAt, i);
                }
            }
        }
        if (!wasGifting && next.birthdayGift() > 0)
        {
            birthdays.clear();
            for (int i = 0; i < memberCount; i++)
            {
                if (members[i].nextBirthdayAt != Long.MAX_VALUE && programs[members[i].program].birthdayGift() > 0)
                {
                    birthdays.add(members[i].nextBirthdayAt, i);
                }
            }
        }
        c.sequence = ++lastSequence;
    }

    // ------------------------------------------------------------------------------------------------ reads

    private void getBalance(final Command c)
    {
        final Member m = member(c);
        if (null == m)
        {
            return;
        }
        final long now = c.timestamp;
        final int due = dueCount(m, now);
        c.balance = m.available - dueSum(m, now);
        c.owed = m.owed;
        c.held = m.held;
        // pending earns as of their last settlement: one that is due matures at the member's next write or the next
        // sweep (every 50 ms in a running server)
        c.pending = m.pending;
        for (int i = 0; i < m.pendingCount && c.lots.size() < CommandValidator.LIST_LOTS_LIMIT_MAX; i++)
        {
            c.lots.add(-1, m.pendingPoints[i], m.pendingPoints[i], m.pendingEarnedAt[i], m.pendingAt[i]);
        }
        c.tier = m.tier;
        c.lifetimeEarned = m.lifetimeEarned;
        c.memberStatus = m.status;
        c.openLots = m.lotCount - due;
        c.tierPoints = tierPoints(m, now);
        c.nextTierPoints = m.tier < Tier.PLATINUM.code() ?
            Math.max(0, program.threshold(m.tier + 1) - c.tierPoints) : 0;
        c.nextEvaluationAt = program.tierWindow() == Program.TierWindow.LIFETIME ? 0 : m.nextEvaluationAt;
        if (m.floorUntil > now)
        {
            c.floorTier = m.floorTier;
            c.floorUntil = m.floorUntil;
        }
        int group = 0;
        while (group < m.groupCount && m.groupAt[group] <= now)
        {
            group++;
        }
        if (group < m.groupCount)
        {
            c.nextExpiryAt = m.groupAt[group];
            c.nextExpiryPoints = m.groupPoints[group];
        }
    }

    private void getMember(final Command c)
    {
        final Member m = member(c);
        if (null == m)
        {
            return;
        }
        final long now = c.timestamp;
        c.tier = m.tier;
        c.memberStatus = m.status;
        c.birthday = m.birthday;
        c.referrerOut = m.referrer >= 0 ? members[m.referrer].id : null;
        c.enrolledAt = m.enrolledAt;
        c.segment = segmentOf(m, now).code();
        c.lastEarnAt = m.recentCount > 0 ? m.history[RECENT] : 0;
        c.recentEarns = program.earnsInActiveWindow(m.history, RECENT, m.recentCount, now);
        c.tierPoints = tierPoints(m, now);
        c.nextEvaluationAt = program.tierWindow() == Program.TierWindow.LIFETIME ? 0 : m.nextEvaluationAt;
    }

    private Segment segmentOf(final Member m, final long now)
    {
        return program.segment(m.enrolledAt, m.history, RECENT, m.recentCount, now);
    }

    private void checkTier(final Command c)
    {
        final Member m = member(c);
        if (null == m)
        {
            return;
        }
        c.tier = m.tier;
        c.memberStatus = m.status;
        c.meets = m.status == MemberStatus.ACTIVE.code() && m.tier >= c.minTier;
    }

    private void listLots(final Command c)
    {
        final Member m = member(c);
        if (null == m)
        {
            return;
        }
        final int due = dueCount(m, c.timestamp);
        c.openLots = m.lotCount - due;
        for (int i = due; i < m.lotCount && c.lots.size() < c.limit; i++)
        {
            final int lot = m.lots[i];
            c.lots.add(lotIds[lot], lotAmount[lot], lotRemaining[lot], lotEarnedAt[lot], lotExpiresAt[lot]);
        }
        c.balance = m.available - dueSum(m, c.timestamp);
    }

    // ------------------------------------------------------------------------------------------------ lots

    /** @return the id of the member at an index if it is a member of the current program (ids are per program). */
    private String memberIdAt(final long index)
    {
        final Member m = members[(int)index];
        return m.program == slot ? m.id : null;
    }

    /** @return the index of the current program's member with this id, or -1. */
    private int memberIndex(final String memberId)
    {
        return (int)memberIndexById.find(memberId, memberHash(memberId), memberIdAt);
    }

    /** A member's key is (program, id): the first program's members hash as the id alone. */
    private long memberHash(final String memberId)
    {
        final long h = IdIndex.hash(memberId);
        return slot == 0 ? h : Hashing.mix(h, slot);
    }

    private Member member(final Command c)
    {
        final int index = memberIndex(c.memberId);
        if (index < 0)
        {
            c.result = ResultCode.MEMBER_NOT_FOUND;
            return null;
        }
        return members[index];
    }

    /**
     * @return the member named by the command if it is not closed (frozen or active), or null with the result set.
     */
    private Member openMember(final Command c)
    {
        final Member m = member(c);
        if (null != m && m.status == MemberStatus.CLOSED.code())
        {
            c.result = ResultCode.MEMBER_CLOSED;
            return null;
        }
        return m;
    }

    /**
     * @param frozenAllowed corrections and reversals still apply to a frozen member; earning and redeeming do not.
     */
    private Member activeMember(final Command c, final boolean frozenAllowed)
    {
        final Member m = member(c);
        if (null == m)
        {
            return null;
        }
        if (m.status == MemberStatus.CLOSED.code())
        {
            c.result = ResultCode.MEMBER_CLOSED;
            return null;
        }
        if (m.status == MemberStatus.FROZEN.code() && !frozenAllowed)
        {
            c.result = ResultCode.MEMBER_FROZEN;
            return null;
        }
        return m;
    }

    private boolean canCredit(final Command c, final Member m, final long points)
    {
        return canCredit(c, m, points, 1);
    }

    private boolean canCredit(final Command c, final Member m, final long points, final int lots)
    {
        final int due = dueCount(m, c.timestamp);
        if (m.lotCount - due + m.pendingCount + lots > program.lotsPerMemberMax())
        {
            c.result = ResultCode.LOTS_PER_MEMBER_MAX;
            c.resultDetail = program.lotsPerMemberMax();
            return false;
        }
        if (lotSlotsInUse() >= (capacityLimitsEnforced ? context.lotsMax() : Context.LOTS_MAX_LIMIT))
        {
            c.result = ResultCode.LOTS_MAX;
            return false;
        }
        if (m.available + m.held + m.pending - dueSum(m, c.timestamp) > BALANCE_MAX - points)
        {
            c.result = ResultCode.BALANCE_MAX;
            return false;
        }
        return true;
    }

    private void credit(final Command c, final Member m, final long points)
    {
        final long now = c.timestamp;
        final int lot = newLot(m, points, now, program.expiresAt(now), EffectLog.CREDIT, c);
        c.lotId = lotIds[lot];
        lastCreditedSlot = lot;
        c.expiresAt = lotExpiresAt[lot];
    }

    /**
     * Creates an open lot of the member, as a {@code kind} effect (credit, or the maturity of pending points).
     *
     * @return its slot.
     */
    private int newLot(
        final Member m, final long points, final long earnedAt, final long ruledExpiresAt, final byte kind,
        final Command c)
    {
        final long expiresAt = c.nextExpiry(ruledExpiresAt);
        if (expiresAt != ruledExpiresAt)
        {
            expiryRuleDrift++;
        }
        final int lot = freeCount > 0 ? freeSlots[--freeCount] : lotSlots++;
        if (lot == lotAmount.length)
        {
            final int capacity = (int)Math.min((long)lot << 1, Context.LOTS_MAX_LIMIT);
            lotIds = Arrays.copyOf(lotIds, capacity);
            lotClosedAt = Arrays.copyOf(lotClosedAt, capacity);
            lotAmount = Arrays.copyOf(lotAmount, capacity);
            lotRemaining = Arrays.copyOf(lotRemaining, capacity);
            lotEarnedAt = Arrays.copyOf(lotEarnedAt, capacity);
            lotExpiresAt = Arrays.copyOf(lotExpiresAt, capacity);
            lotMember = Arrays.copyOf(lotMember, capacity);
            lotExpired = Arrays.copyOf(lotExpired, capacity);
            lotShortfall = Arrays.copyOf(lotShortfall, capacity);
            lotForgiven = Arrays.copyOf(lotForgiven, capacity);
            lotHeld = Arrays.copyOf(lotHeld, capacity);
        }
        lotIds[lot] = nextLotId++;
        lotClosedAt[lot] = Long.MAX_VALUE;
        lotExpired[lot] = 0;
        lotShortfall[lot] = 0;
        lotForgiven[lot] = 0;
        lotHeld[lot] = 0;
        lotAmount[lot] = points;
        lotRemaining[lot] = points;
        m.addPoints(expiresAt, points);
        lotEarnedAt[lot] = earnedAt;
        lotExpiresAt[lot] = expiresAt;
        lotMember[lot] = m.index;
        insertOpenLot(m, lot);
        expiryQueue.add(expiresAt, lotIds[lot], lot);
        m.available += points;
        totalCredited.add(points);
        c.effects.add(kind, lotIds[lot], points, expiresAt);
        return lot;
    }

    /**
     * Pays what the member owes from an earlier clawback shortfall out of its available points, soonest-expiring
     * first, as clawback effects: after every credit, so points a reversal could not take are taken when they come.
     */
    private void settleOwed(final Command c, final Member m)
    {
        final long settled = Math.min(m.owed, m.available);
        if (settled > 0)
        {
            debitSoonestFirst(m, settled, EffectLog.SETTLE, c.effects, false);
            m.owed -= settled;
        }
    }

    /**
     * Debits soonest-expiring first. The caller has checked the member has the points and expired due lots.
     */
    private void debitSoonestFirst(
        final Member m, final long points, final byte kind, final EffectLog effects, final boolean recordAllocations)
    {
        long left = points;
        int emptied = 0;
        for (int i = 0; i < m.lotCount && left > 0; i++)
        {
            final int lot = m.lots[i];
            final long take = Math.min(lotRemaining[lot], left);
            lotRemaining[lot] -= take;
            m.addPoints(lotExpiresAt[lot], -take);
            left -= take;
            effects.add(kind, lotIds[lot], take, lotExpiresAt[lot]);
            if (recordAllocations)
            {
                requests.addAllocation(lot, take);
            }
            if (kind == EffectLog.HOLD)
            {
                lotHeld[lot] += take;
            }
            if (lotRemaining[lot] == 0)
            {
                closeLot(lot);
                emptied++;
            }
        }
        assert left == 0 : "debit beyond the member's lots";
        removeFirstOpenLots(m, emptied);
        m.available -= points;
        totalDebited.add(points);
    }

    /**
     * Expires the member's lots whose expiry instant is at or before now.
     *
     * @return the points expired.
     */
    private long expireDue(final Member m, final long now, final EffectLog effects)
    {
        long expired = 0;
        int due = 0;
        while (due < m.lotCount && lotExpiresAt[m.lots[due]] <= now)
        {
            final int lot = m.lots[due];
            final long remaining = lotRemaining[lot];
            lotRemaining[lot] = 0;
            m.addPoints(lotExpiresAt[lot], -remaining);
            lotExpired[lot] += remaining;
            expired += remaining;
            effects.add(EffectLog.EXPIRE, lotIds[lot], remaining, lotExpiresAt[lot]);
            closeLot(lot);
            due++;
        }
        if (due > 0)
        {
            removeFirstOpenLots(m, due);
            m.available -= expired;
            totalExpired.add(expired);
        }
        return expired;
    }

    /**
     * A lot's remaining points reached zero at the current ledger time: queue its slot for reuse once the request
     * retention window has passed it.
     */
    private void closeLot(final int lot)
    {
        expiryQueue.remove(lot);
        markClosed(lot);
    }

    /**
     * Records that an empty lot is closed as of the current ledger time (again, when a capture refers to it later),
     * so its slot is reused only once every request that refers to it is forgotten.
     */
    private void markClosed(final int lot)
    {
        lotClosedAt[lot] = lastTimestamp;
        if (closedTail - closedHead == closedSlots.length)
        {
            final int[] slots = new int[closedSlots.length << 1];
            final long[] times = new long[closedSlots.length << 1];
            final int oldMask = closedSlots.length - 1;
            for (long p = closedHead; p < closedTail; p++)
            {
                slots[(int)(p & (slots.length - 1))] = closedSlots[(int)(p & oldMask)];
                times[(int)(p & (slots.length - 1))] = closedTimes[(int)(p & oldMask)];
            }
            closedSlots = slots;
            closedTimes = times;
        }
        final int i = (int)(closedTail++ & (closedSlots.length - 1));
        closedSlots[i] = lot;
        closedTimes[i] = lastTimestamp;
    }

    /**
     * Frees up to {@code max} slots of lots that closed before {@code cutoff} and stayed closed: every request that
     * could refer to such a lot (its earn, the redemptions that emptied it) is older still, so forgotten.
     */
    private void reclaimLots(final long cutoff, final int max)
    {
        final int mask = closedSlots.length - 1;
        for (int n = 0; n < max && closedHead < closedTail; n++)
        {
            final int i = (int)(closedHead & mask);
            final long closedAt = closedTimes[i];
            if (closedAt >= cutoff)
            {
                return;
            }
            closedHead++;
            final int lot = closedSlots[i];
            // a lot with points in an open hold stays: the hold gives them back to it (it is marked closed again
            // when the hold closes)
            if (lotClosedAt[lot] == closedAt && lotRemaining[lot] == 0 && lotIds[lot] >= 0 && lotHeld[lot] == 0)
            {
                lotIds[lot] = -1;
                lotClosedAt[lot] = Long.MAX_VALUE;
                lotAmount[lot] = 0;
                lotEarnedAt[lot] = 0;
                lotExpiresAt[lot] = 0;
                lotExpired[lot] = 0;
                lotShortfall[lot] = 0;
                lotForgiven[lot] = 0;
                lotMember[lot] = -1;
                if (freeCount == freeSlots.length)
                {
                    freeSlots = Arrays.copyOf(freeSlots, freeCount << 1);
                }
                freeSlots[freeCount++] = lot;
            }
        }
    }

    /**
     * @return the earliest request time still remembered at {@code now}.
     */
    private long retentionCutoff(final long now)
    {
        return Math.max(forgottenBefore, now - retentionMs);
    }

    private int dueCount(final Member m, final long now)
    {
        int due = 0;
        while (due < m.lotCount && lotExpiresAt[m.lots[due]] <= now)
        {
            due++;
        }
        return due;
    }

    private long dueSum(final Member m, final long now)
    {
        long sum = 0;
        for (int i = 0; i < m.lotCount && lotExpiresAt[m.lots[i]] <= now; i++)
        {
            sum += lotRemaining[m.lots[i]];
        }
        return sum;
    }

    private boolean lotBefore(final int a, final int b)
    {
        return lotExpiresAt[a] < lotExpiresAt[b] || (lotExpiresAt[a] == lotExpiresAt[b] && lotIds[a] < lotIds[b]);
    }

    private void insertOpenLot(final Member m, final int lot)
    {
        if (m.lotCount == m.lots.length)
        {
            m.lots = Arrays.copyOf(m.lots, m.lotCount << 1);
        }
        int i = m.lotCount;
        while (i > 0 && lotBefore(lot, m.lots[i - 1]))
        {
            i--;
        }
        System.arraycopy(m.lots, i, m.lots, i + 1, m.lotCount - i);
        m.lots[i] = lot;
        m.lotCount++;
    }

    private void removeOpenLot(final Member m, final int lot)
    {
        for (int i = 0; i < m.lotCount; i++)
        {
            if (m.lots[i] == lot)
            {
                System.arraycopy(m.lots, i + 1, m.lots, i, m.lotCount - i - 1);
                m.lotCount--;
                return;
            }
        }
        throw new IllegalStateException("lot " + lot + " is not open for member " + m.id);
    }

    private static void removeFirstOpenLots(final Member m, final int count)
    {
        if (count > 0)
        {
            System.arraycopy(m.lots, count, m.lots, 0, m.lotCount - count);
            m.lotCount -= count;
        }
    }

    // ------------------------------------------------------------------------------------------------ hashing, checks

    /**
     * A fingerprint of what a write asks for, to tell a retry from a reuse of its request id.
     */
    static long fingerprint(final Command c)
    {
        long h = Hashing.mix(0x4A6966656EL, c.type.code());
        h = Hashing.mix(h, c.memberId);
        h = Hashing.mix(h, c.points);
        h = Hashing.mix(h, c.orderId);
        h = Hashing.mix(h, c.reason);
        h = Hashing.mix(h, c.originalRequestId);
        h = Hashing.mix(h, c.referrerId);
        h = Hashing.mix(h, c.birthday);
        h = Hashing.mix(h, c.status);
        if (c.type == CommandType.HOLD)
        {
            h = Hashing.mix(h, c.limit);
        }
        if (c.type == CommandType.TRANSFER || c.type == CommandType.EXCHANGE)
        {
            h = Hashing.mix(h, c.toMemberId);
        }
        if (null != c.programId && !c.programId.isEmpty()) // none and empty are alike: the first program
        {
            h = Hashing.mix(h, c.programId);
        }
        if (c.type == CommandType.EXCHANGE)
        {
            h = Hashing.mix(h, c.toProgramId);
        }
        if (c.purchaseMinor != 0)
        {
            h = Hashing.mix(h, c.purchaseMinor);
            h = Hashing.mix(h, c.currency);
            h = Hashing.mix(h, c.channel);
            h = Hashing.mix(h, null == c.categories ? 0 : c.categories.length); // none and an empty list are alike
            if (null != c.categories)
            {
                for (final String category : c.categories)
                {
                    h = Hashing.mix(h, category);
                }
            }
        }
        return h;
    }

    @Override
    public long stateHash()
    {
        long h = Hashing.mix(17, lastSequence);
        h = Hashing.mix(h, programs[0].toText());
        for (int i = 1; i < programCount; i++)
        {
            h = Hashing.mix(h, programs[i].toText());
        }
        h = Hashing.mix(h, memberCount);
        for (int i = 0; i < memberCount; i++)
        {
            final Member m = members[i];
            h = Hashing.mix(h, m.id);
            if (m.program != 0)
            {
                h = Hashing.mix(h, m.program);
            }
            h = Hashing.mix(h, m.birthday);
            h = Hashing.mix(h, m.referrer);
            h = Hashing.mix(h, m.enrolledAt);
            h = Hashing.mix(h, m.status);
            h = Hashing.mix(h, m.tier);
            h = Hashing.mix(h, m.available);
            h = Hashing.mix(h, m.owed);
            h = Hashing.mix(h, m.held);
            h = Hashing.mix(h, m.lifetimeEarned);
            h = Hashing.mix(h, m.pending);
            for (int j = 0; j < m.pendingCount; j++)
            {
                h = Hashing.mix(h, m.pendingAt[j]);
                h = Hashing.mix(h, m.pendingPoints[j]);
                h = Hashing.mix(h, m.pendingEarnedAt[j]);
                h = Hashing.mix(h, m.pendingRequest[j]);
            }
            h = Hashing.mix(h, m.recentCount);
            h = Hashing.mix(h, m.firstEarn);
            h = Hashing.mix(h, m.bonusLotId);
            h = Hashing.mix(h, m.bonusPoints);
            h = Hashing.mix(h, m.referrerBonusLotId);
            h = Hashing.mix(h, m.referrerBonusPoints);
            h = Hashing.mix(h, m.bonusesReversed ? 1 : 0);
            h = Hashing.mix(h, m.nextBirthdayAt);
            h = Hashing.mix(h, m.lastMonth);
            if (null != m.history)
            {
                for (final long value : m.history)
                {
                    h = Hashing.mix(h, value);
                }
            }
            h = Hashing.mix(h, m.year);
            h = Hashing.mix(h, m.nextEvaluationAt);
            h = Hashing.mix(h, m.floorTier);
            h = Hashing.mix(h, m.floorUntil);
            h = Hashing.mix(h, m.purchaseDay);
            h = Hashing.mix(h, m.purchaseDayPoints);
            h = Hashing.mix(h, m.lotCount);
            for (int j = 0; j < m.lotCount; j++)
            {
                h = Hashing.mix(h, m.lots[j]);
            }
        }
        h = Hashing.mix(h, nextLotId);
        h = Hashing.mix(h, lotSlots);
        h = Hashing.mix(h, forgottenBefore);
        for (int lot = 0; lot < lotSlots; lot++)
        {
            h = Hashing.mix(h, lotIds[lot]);
            h = Hashing.mix(h, lotClosedAt[lot]);
            h = Hashing.mix(h, lotAmount[lot]);
            h = Hashing.mix(h, lotRemaining[lot]);
            h = Hashing.mix(h, lotEarnedAt[lot]);
            h = Hashing.mix(h, lotExpiresAt[lot]);
            h = Hashing.mix(h, lotMember[lot]);
            h = Hashing.mix(h, lotExpired[lot]);
            h = Hashing.mix(h, lotShortfall[lot]);
            h = Hashing.mix(h, lotForgiven[lot]);
            h = Hashing.mix(h, lotHeld[lot]);
        }
        for (int i = 0; i < freeCount; i++)
        {
            h = Hashing.mix(h, freeSlots[i]);
        }
        for (long p = closedHead; p < closedTail; p++)
        {
            h = Hashing.mix(h, closedSlots[(int)(p & (closedSlots.length - 1))]);
            h = Hashing.mix(h, closedTimes[(int)(p & (closedSlots.length - 1))]);
        }
        h = requests.hash(h);
        h = totalCredited.hash(h);
        h = totalDebited.hash(h);
        h = totalExpired.hash(h);
        // not the hold queue: it is derived from the request log, and a sweep that found only closed holds (not
        // journaled) may have dropped them from it
        h = Hashing.mix(h, heldTotal);
        h = Hashing.mix(h, pendingTotal);
        for (int p = 0; p < programCount; p++)
        {
            h = accounts[p].hash(h);
            for (final long given : campaignGivenBySlot[p])
            {
                h = Hashing.mix(h, given);
            }
            for (final Map.Entry<String, Long> given : givenByCampaignId[p].entrySet())
            {
                h = Hashing.mix(h, given.getKey());
                h = Hashing.mix(h, given.getValue());
            }
            for (final Map.Entry<String, long[]> sent : sentToPartner[p].entrySet())
            {
                h = Hashing.mix(h, sent.getKey());
                for (final long value : sent.getValue())
                {
                    h = Hashing.mix(h, value);
                }
            }
        }
        return h;
    }

    private boolean memberInvariantsHold(final Member m)
    {
        long sum = 0;
        for (int i = 0; i < m.lotCount; i++)
        {
            final int lot = m.lots[i];
            if (lotRemaining[lot] <= 0 || lotRemaining[lot] > lotAmount[lot] || lotMember[lot] != m.index)
            {
                return false;
            }
            if (i > 0 && !lotBefore(m.lots[i - 1], lot))
            {
                return false;
            }
            sum += lotRemaining[lot];
        }
        int group = -1;
        long groupSum = 0;
        for (int i = 0; i < m.lotCount; i++)
        {
            final long at = lotExpiresAt[m.lots[i]];
            if (i == 0 || at != lotExpiresAt[m.lots[i - 1]])
            {
                if (group >= 0 && m.groupPoints[group] != groupSum)
                {
                    return false;
                }
                group++;
                groupSum = 0;
                if (group >= m.groupCount || m.groupAt[group] != at)
                {
                    return false;
                }
            }
            groupSum += lotRemaining[m.lots[i]];
        }
        if (group + 1 != m.groupCount || (group >= 0 && m.groupPoints[group] != groupSum))
        {
            return false;
        }
        long pending = 0;
        for (int i = 0; i < m.pendingCount; i++)
        {
            if (m.pendingPoints[i] <= 0 || (i > 0 && m.pendingAt[i - 1] > m.pendingAt[i]))
            {
                return false;
            }
            pending += m.pendingPoints[i];
        }
        return pending == m.pending &&
            sum == m.available && m.available >= 0 && m.owed >= 0 && m.held >= 0 && m.lifetimeEarned >= 0 &&
            (m.owed == 0 || m.available == 0);
    }

    /**
     * Checks every invariant over the whole ledger.
     *
     * @throws IllegalStateException naming the first one broken.
     */
    private void checkAccount(final int p, final Accounts.Account account, final BigInteger members)
    {
        if (!accounts[p].balance(account).equals(members))
        {
            throw new IllegalStateException("program '" + programs[p].name() + "' account " + account + " holds " +
                accounts[p].balance(account) + " but its members " + members +
                ": a change of a balance was not journaled as its effect");
        }
    }

    public void checkInvariants()
    {
        BigInteger balances = BigInteger.ZERO;
        long openLots = 0;
        long held = 0;
        for (int i = 0; i < memberCount; i++)
        {
            final Member m = members[i];
            if (!memberInvariantsHold(m))
            {
                throw new IllegalStateException("member invariants broken for " + m.id);
            }
            balances = balances.add(BigInteger.valueOf(m.available));
            openLots += m.lotCount;
            held += m.held;
        }
        long pending = 0;
        for (int i = 0; i < memberCount; i++)
        {
            pending += members[i].pending;
        }
        for (int p = 0; p < programCount; p++)
        {
            BigInteger available = BigInteger.ZERO;
            BigInteger owed = BigInteger.ZERO;
            long programPending = 0;
            long programHeld = 0;
            for (int i = 0; i < memberCount; i++)
            {
                final Member m = members[i];
                if (m.program == p)
                {
                    available = available.add(BigInteger.valueOf(m.available));
                    owed = owed.add(BigInteger.valueOf(m.owed));
                    programPending += m.pending;
                    programHeld += m.held;
                }
            }
            checkAccount(p, Accounts.Account.MEMBERS_AVAILABLE, available);
            checkAccount(p, Accounts.Account.MEMBERS_PENDING, BigInteger.valueOf(programPending));
            checkAccount(p, Accounts.Account.MEMBERS_HELD, BigInteger.valueOf(programHeld));
            checkAccount(p, Accounts.Account.MEMBERS_OWED, owed.negate());
            checkAccount(p, Accounts.Account.TRANSIT, BigInteger.ZERO);
            if (accounts[p].total().signum() != 0)
            {
                throw new IllegalStateException("program '" + programs[p].name() + "' accounts sum to " +
                    accounts[p].total() + ", not zero");
            }
            accounts[p].checkClearing();
        }
        if (pending != pendingTotal)
        {
            throw new IllegalStateException("members have " + pending + " pending points, the ledger counts " +
                pendingTotal);
        }
        if (held != heldTotal)
        {
            throw new IllegalStateException("members hold " + held + " points, the ledger counts " + heldTotal);
        }
        if (openLots != expiryQueue.size())
        {
            throw new IllegalStateException(
                "the expiry queue holds " + expiryQueue.size() + " lots, the members " + openLots + " open lots");
        }
        for (int lot = 0; lot < lotSlots; lot++)
        {
            if (lotHeld[lot] < 0)
            {
                throw new IllegalStateException("lot " + lot + " held points out of range: " + lotHeld[lot]);
            }
            if (lotRemaining[lot] < 0 || lotRemaining[lot] > lotAmount[lot] ||
                (lotIds[lot] < 0 && lotRemaining[lot] > 0))
            {
                throw new IllegalStateException("lot " + lot + " remaining out of range: " + lotRemaining[lot]);
            }
        }
        if (!totalCredited.value().subtract(totalDebited.value()).subtract(totalExpired.value()).equals(balances))
        {
            throw new IllegalStateException("credited " + totalCredited + " - debited " + totalDebited +
                " - expired " + totalExpired + " != balances " + balances);
        }
    }

    /**
     * Points in open holds now: debited from lots (so counted in {@link #debited()}) but not yet redeemed for good;
     * they come back if released.
     */
    public long held()
    {
        return heldTotal;
    }

    /** @return the double entry of the first program: its accounts and its members', as posted from every effect. */
    public Accounts accounts()
    {
        return accounts[0];
    }

    /** @return the double entry of the program in a slot (each program's accounts balance on their own). */
    public Accounts accounts(final int programSlot)
    {
        return accounts[programSlot];
    }

    /**
     * @return points the program in a slot has sent the partner program named {@code partner} in all (exchanges out
     * of it), or 0.
     */
    public long sentToPartner(final int programSlot, final String partner)
    {
        final long[] sent = sentToPartner[programSlot].get(partner);
        return null == sent ? 0 : sent[2];
    }

    /** @return points earned as pending and not matured yet, over all members: not credited until they mature. */
    public long pending()
    {
        return pendingTotal;
    }

    /** Points ever credited (earns, positive adjustments, restores), exact. */
    public BigInteger credited()
    {
        return totalCredited.value();
    }

    /** Points ever debited (redemptions, negative adjustments, clawbacks), exact. */
    public BigInteger debited()
    {
        return totalDebited.value();
    }

    /** Points ever forfeited by expiry (breakage), exact. */
    public BigInteger expired()
    {
        return totalExpired.value();
    }

    /** @return {@link #credited()} as a long, for tests and tools that know it fits. */
    public long totalCredited()
    {
        return totalCredited.value().longValueExact();
    }

    public long totalDebited()
    {
        return totalDebited.value().longValueExact();
    }

    public long totalExpired()
    {
        return totalExpired.value().longValueExact();
    }

    /**
     * Outstanding points as of a moment, exact: available balances less what is due at that moment but not yet
     * journaled as expired (the sweep runs shortly after an expiry instant, so a month-end report must not count
     * points that were already dead at midnight).
     */
    public BigInteger outstandingAt(final long now)
    {
        BigInteger outstanding = BigInteger.ZERO;
        for (int i = 0; i < memberCount; i++)
        {
            final Member m = members[i];
            // points in open holds are still the member's until captured
            outstanding = outstanding.add(BigInteger.valueOf(m.available + m.held - dueSum(m, now)));
        }
        return outstanding;
    }

    /**
     * A member. Open lots are kept sorted by (expiresAt, lotId): redemption takes from the front.
     */
    private static final class Member
    {
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
    }

    /**
     * Capacity limits: how much the ledger may hold in memory. Business limits live in the {@link Program}.
     */
    public static final class Context
    {
        /** What the arrays can address: lot, member and request tables double in size up to this. */
        public static final int LOTS_MAX_LIMIT = 1 << 30;
        public static final int MEMBERS_MAX_LIMIT = 1 << 29;
        /** The request log keeps {@code RequestLog.STRIDE} longs per entry in one array: 2^26 entries fit. */
        public static final int REQUEST_IDS_MAX_LIMIT = 1 << 26;

        private int membersMax = 100_000_000;
        private int expectedRequests = 1024;
        private int expectedLots = 1024;
        private int expectedMembers = 1024;
        private int lotsMax = LOTS_MAX_LIMIT;
        private int requestIdsMax = 8_000_000;

        public Context membersMax(final int membersMax)
        {
            this.membersMax = membersMax;
            return this;
        }

        public int membersMax()
        {
            return membersMax;
        }

        public Context lotsMax(final int lotsMax)
        {
            this.lotsMax = lotsMax;
            return this;
        }

        public int lotsMax()
        {
            return lotsMax;
        }

        public Context requestIdsMax(final int requestIdsMax)
        {
            this.requestIdsMax = requestIdsMax;
            return this;
        }

        public int requestIdsMax()
        {
            return requestIdsMax;
        }

        /**
         * Remembered requests to size the request tables for at start (rounded up to a power of two): growing past it
         * doubles a table on the state machine's thread, a pause proportional to its size.
         */
        public Context expectedRequests(final int expectedRequests)
        {
            this.expectedRequests = expectedRequests;
            return this;
        }

        public int expectedRequests()
        {
            return expectedRequests;
        }

        /** Members to size the member tables for at start. */
        public Context expectedMembers(final int expectedMembers)
        {
            this.expectedMembers = expectedMembers;
            return this;
        }

        public int expectedMembers()
        {
            return expectedMembers;
        }

        /** Lots (open, and closed within the retention window) to size the lot tables for at start. */
        public Context expectedLots(final int expectedLots)
        {
            this.expectedLots = expectedLots;
            return this;
        }

        public int expectedLots()
        {
            return expectedLots;
        }

        public Context conclude()
        {
            if (expectedRequests < 16 || expectedRequests > REQUEST_IDS_MAX_LIMIT || expectedLots < 16 ||
                expectedLots > LOTS_MAX_LIMIT || expectedMembers < 16 || expectedMembers > MEMBERS_MAX_LIMIT)
            {
                throw new IllegalArgumentException("invalid expected sizes: requests " + expectedRequests +
                    ", lots " + expectedLots + ", members " + expectedMembers);
            }
            // a size to expect never exceeds the limit: no table is sized past what it may ever hold
            expectedRequests = Math.max(16, Math.min(expectedRequests, requestIdsMax));
            expectedMembers = Math.max(16, Math.min(expectedMembers, membersMax));
            expectedLots = Math.max(16, Math.min(expectedLots, lotsMax));
            if (membersMax < 1 || membersMax > MEMBERS_MAX_LIMIT || lotsMax < 1 || lotsMax > LOTS_MAX_LIMIT ||
                requestIdsMax < 1 || requestIdsMax > REQUEST_IDS_MAX_LIMIT)
            {
                throw new IllegalArgumentException("invalid ledger limits: membersMax=" + membersMax +
                    " lotsMax=" + lotsMax + " requestIdsMax=" + requestIdsMax);
            }
            return this;
        }
    }
}
