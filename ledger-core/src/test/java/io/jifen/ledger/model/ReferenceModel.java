package io.jifen.ledger.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.jifen.ledger.core.Accounts;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.MemberStatus;
import io.jifen.ledger.core.ResultCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference model of the ledger: what the documentation (ledger.proto, docs/, the program reference) says the
 * ledger does, in the plainest code (plain collections, java.time, BigDecimal), sharing no logic with the production
 * code. It uses the ledger's public types only to be driven and read the way a client would: commands in, answers
 * out; being in a package of its own, it cannot reach anything else.
 * {@link LedgerRandomizedTest} drives it and the ledger with the same commands and compares every answer.
 */
final class ReferenceModel
{
    static final long DAY_MS = 86_400_000L;
    /** The name of the ledger's second program in every run: the coalition partner of the main program. */
    static final String PARTNER = "partner";
    /** Outcomes reached, by kind, over every run of this JVM: proof that the workload reaches each of them. */
    static final Map<String, Long> REACHED = new java.util.concurrent.ConcurrentHashMap<>();

    private ReferenceModel()
    {
    }

    /**
     * A program as the model understands it: the rules and the text that puts them in force.
     */
    static final class ModelProgram
    {
        final String name;
        final String text;
        final ModelRules rules;
        final ZoneId zone;
        final int expiryMonths;
        final long silver;
        final long gold;
        final long platinum;
        final int lotsPerMemberMax;
        final long retentionMs;

        ModelProgram(
            final String name,
            final String zone,
            final int expiryMonths,
            final long silver,
            final long gold,
            final long platinum,
            final int lotsPerMemberMax,
            final int retentionDays,
            final ModelRules rules)
        {
            this.name = name;
            this.rules = rules;
            this.zone = ZoneId.of(zone);
            this.expiryMonths = expiryMonths;
            this.silver = silver;
            this.gold = gold;
            this.platinum = platinum;
            this.lotsPerMemberMax = lotsPerMemberMax;
            this.retentionMs = retentionDays * DAY_MS;
            this.text = "name: " + name + "\nzone: " + zone + "\nexpiry: {months: " + expiryMonths + "}\n" +
                "tiers: {silver: " + silver + ", gold: " + gold + ", platinum: " + platinum + rules.tierYaml() + "}\n" +
                "limits: {lotsPerMemberMax: " + lotsPerMemberMax + ", requestRetentionDays: " + retentionDays +
                "}\n" + rules.yaml();
        }

        int tierFor(final long lifetime)
        {
            return lifetime >= platinum ? 4 : lifetime >= gold ? 3 : lifetime >= silver ? 2 : 1;
        }

        long threshold(final int tier)
        {
            return tier == 4 ? platinum : tier == 3 ? gold : tier == 2 ? silver : 0;
        }

        long keep(final int tier)
        {
            return rules.keepGiven ? Math.min(rules.keep[tier - 1], threshold(tier)) : threshold(tier);
        }

        boolean windowed()
        {
            return !"lifetime".equals(rules.window);
        }

        java.time.LocalDate day(final long at)
        {
            return Instant.ofEpochMilli(at).atZone(zone).toLocalDate();
        }

        long startOf(final java.time.LocalDate day)
        {
            return day.atStartOfDay(zone).toInstant().toEpochMilli();
        }

        long firstEvaluation(final long enrolledAt)
        {
            final java.time.LocalDate yearLater = day(enrolledAt).plusYears(1);
            if (rules.evaluation == 0)
            {
                return startOf(yearLater);
            }
            java.time.LocalDate date = java.time.LocalDate.of(
                yearLater.getYear(), rules.evaluation / 100, rules.evaluation % 100);
            return startOf(date.isBefore(yearLater) ? date.plusYears(1) : date);
        }

        long nextBirthday(final int mmdd, final long after)
        {
            for (int year = day(after).getYear(); ; year++)
            {
                final YearMonth month = YearMonth.of(year, mmdd / 100);
                final long at = startOf(month.atDay(Math.min(mmdd % 100, month.lengthOfMonth())));
                if (at > after)
                {
                    return at;
                }
            }
        }

        long nextEvaluation(final long at)
        {
            final java.time.LocalDate d = day(at);
            return startOf(rules.evaluation == 0 ? d.plusYears(1) :
                java.time.LocalDate.of(d.getYear() + 1, rules.evaluation / 100, rules.evaluation % 100));
        }

        /** Start of the month that is expiry.months + 1 months after the earning month, in the program's zone. */
        long expiresAt(final long earnedAt)
        {
            final YearMonth earned = YearMonth.from(Instant.ofEpochMilli(earnedAt).atZone(zone));
            return earned.plusMonths(expiryMonths + 1L).atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }
    }

    /**
     * Purchase earning as the model understands it: the rate, rounding, tier multipliers, daily cap and campaigns,
     * and the YAML that says so.
     */
    static final class ModelRules
    {
        final long ratePoints;
        final long ratePer;
        final RoundingMode rounding;
        final BigDecimal[] tierMultipliers;
        final long dailyCap;
        final List<ModelCampaign> campaigns = new ArrayList<>();
        long pendingMs;
        int graceDays;
        boolean forgive;
        int newDays = 30;
        int activeDays = 90;
        int activeEarns = 2;
        int atRiskDays = 180;
        long welcome;
        long firstPurchase;
        long referrerBonus;
        long referredBonus;
        BigDecimal birthdayMultiplier = BigDecimal.ONE;
        long birthdayGift;
        boolean reverseBonuses = true;
        String window = "lifetime";
        /** 0: the anniversary; else month * 100 + day. */
        int evaluation;
        final long[] keep = new long[4];
        int maxDrop = 1;
        boolean keepGiven;
        /** Coalition partners by program name: {rate in ten-thousandths, minPoints, dailyLimit, totalLimit}. */
        final Map<String, long[]> partners = new java.util.LinkedHashMap<>();

        ModelRules(
            final long ratePoints,
            final long ratePer,
            final RoundingMode rounding,
            final String member,
            final String silver,
            final String gold,
            final String platinum,
            final long dailyCap)
        {
            this.ratePoints = ratePoints;
            this.ratePer = ratePer;
            this.rounding = rounding;
            this.tierMultipliers = new BigDecimal[] {
                new BigDecimal(member), new BigDecimal(silver), new BigDecimal(gold), new BigDecimal(platinum)};
            this.dailyCap = dailyCap;
        }

        ModelRules tiers(
            final String window, final int evaluation, final long keepSilver, final long keepGold,
            final long keepPlatinum, final int maxDrop)
        {
            this.window = window;
            this.evaluation = evaluation;
            this.keep[1] = keepSilver;
            this.keep[2] = keepGold;
            this.keep[3] = keepPlatinum;
            this.maxDrop = maxDrop;
            this.keepGiven = true;
            return this;
        }

        String tierYaml()
        {
            if (!keepGiven)
            {
                return "";
            }
            return ", window: " + window + ", evaluation: " + (evaluation == 0 ? "anniversary" :
                String.format("'%02d-%02d'", evaluation / 100, evaluation % 100)) + ", keep: {silver: " + keep[1] +
                ", gold: " + keep[2] + ", platinum: " + keep[3] + "}, maxDrop: " + maxDrop;
        }

        ModelRules bonuses(
            final long welcome, final long firstPurchase, final long referrer, final long referred,
            final String birthdayMultiplier, final long birthdayGift, final boolean reverse)
        {
            this.welcome = welcome;
            this.firstPurchase = firstPurchase;
            this.referrerBonus = referrer;
            this.referredBonus = referred;
            this.birthdayMultiplier = new BigDecimal(birthdayMultiplier);
            this.birthdayGift = birthdayGift;
            this.reverseBonuses = reverse;
            return this;
        }

        ModelRules lifecycle(final int newDays, final int activeDays, final int activeEarns, final int atRiskDays)
        {
            this.newDays = newDays;
            this.activeDays = activeDays;
            this.activeEarns = activeEarns;
            this.atRiskDays = atRiskDays;
            return this;
        }

        ModelRules forgive()
        {
            forgive = true;
            return this;
        }

        ModelRules graceDays(final int days)
        {
            graceDays = days;
            return this;
        }

        ModelRules pendingDays(final int days)
        {
            pendingMs = days * DAY_MS;
            return this;
        }

        ModelRules segments(final String segments)
        {
            campaigns.get(campaigns.size() - 1).segments = segments.isEmpty() ? List.of() :
                List.of(segments.split(" "));
            return this;
        }

        ModelRules campaign(
            final String id,
            final String multiplier,
            final long start,
            final long end,
            final String channels,
            final String categories,
            final int minTier,
            final long budget)
        {
            campaigns.add(new ModelCampaign(id, new BigDecimal(multiplier), start, end, channels, categories, minTier,
                budget));
            return this;
        }

        ModelRules partner(final String program, final long rateBp, final long minPoints, final long dailyLimit,
            final long totalLimit)
        {
            partners.put(program, new long[] {rateBp, minPoints, dailyLimit, totalLimit});
            return this;
        }

        String yaml()
        {
            final StringBuilder sb = new StringBuilder();
            sb.append("earning:\n  currency: CNY\n  points: ").append(ratePoints)
                .append("\n  perMinorUnits: ").append(ratePer)
                .append("\n  rounding: ").append(rounding.name().toLowerCase())
                .append("\n  tierMultipliers: {member: ").append(tierMultipliers[0])
                .append(", silver: ").append(tierMultipliers[1])
                .append(", gold: ").append(tierMultipliers[2])
                .append(", platinum: ").append(tierMultipliers[3]).append("}\n");
            sb.append("caps:\n  memberDailyPoints: ").append(dailyCap).append('\n');
            sb.append("pending:\n  days: ").append(pendingMs / DAY_MS).append('\n');
            sb.append("returns: {graceDays: ").append(graceDays).append(", shortfall: ")
                .append(forgive ? "forgive" : "owe").append("}\n");
            sb.append("lifecycle: {newDays: ").append(newDays).append(", activeDays: ").append(activeDays)
                .append(", activeEarns: ").append(activeEarns).append(", atRiskDays: ").append(atRiskDays)
                .append("}\n");
            sb.append("bonuses:\n  welcome: ").append(welcome).append("\n  firstPurchase: ").append(firstPurchase)
                .append("\n  referrer: ").append(referrerBonus).append("\n  referred: ").append(referredBonus)
                .append("\n  birthdayMultiplier: ").append(birthdayMultiplier)
                .append("\n  birthdayGift: ").append(birthdayGift)
                .append("\n  reverseWithFirstPurchase: ").append(reverseBonuses).append('\n');
            if (!partners.isEmpty())
            {
                sb.append("partners:\n");
            }
            for (final Map.Entry<String, long[]> p : partners.entrySet())
            {
                sb.append("  - {program: ").append(p.getKey()).append(", rate: ")
                    .append(BigDecimal.valueOf(p.getValue()[0], 4).stripTrailingZeros().toPlainString())
                    .append(", minPoints: ").append(p.getValue()[1]).append(", dailyLimit: ").append(p.getValue()[2])
                    .append(", totalLimit: ").append(p.getValue()[3]).append("}\n");
            }
            if (!campaigns.isEmpty())
            {
                sb.append("campaigns:\n");
            }
            final String[] tiers = {"member", "silver", "gold", "platinum"};
            for (final ModelCampaign c : campaigns)
            {
                sb.append("  - id: ").append(c.id)
                    .append("\n    multiplier: ").append(c.multiplier)
                    .append("\n    start: ").append(Instant.ofEpochMilli(c.start))
                    .append("\n    end: ").append(Instant.ofEpochMilli(c.end))
                    .append("\n    channels: [").append(String.join(", ", c.channels)).append(']')
                    .append("\n    categories: [").append(String.join(", ", c.categories)).append(']')
                    .append("\n    minTier: ").append(tiers[c.minTier - 1])
                    .append("\n    budgetPoints: ").append(c.budget)
                    .append("\n    segments: [").append(String.join(", ", c.segments)).append("]\n");
            }
            return sb.toString();
        }
    }

    static final class ModelCampaign
    {
        final String id;
        final BigDecimal multiplier;
        final long start;
        final long end;
        final List<String> channels;
        final List<String> categories;
        final int minTier;
        final long budget;
        List<String> segments = List.of();

        ModelCampaign(
            final String id,
            final BigDecimal multiplier,
            final long start,
            final long end,
            final String channels,
            final String categories,
            final int minTier,
            final long budget)
        {
            this.id = id;
            this.multiplier = multiplier;
            this.start = start;
            this.end = end;
            this.channels = channels.isEmpty() ? List.of() : List.of(channels.split(" "));
            this.categories = categories.isEmpty() ? List.of() : List.of(categories.split(" "));
            this.minTier = minTier;
            this.budget = budget;
        }

        boolean applies(final Command c, final int tier, final String segment)
        {
            final String channel = new String[] {"store", "online", "app"}[c.channel - 1];
            if (!segments.isEmpty() && !segments.contains(segment))
            {
                if (c.timestamp >= start && c.timestamp < end)
                {
                    REACHED.merge("campaign passed over for the member's segment", 1L, Long::sum);
                }
                return false;
            }
            if (c.timestamp < start || c.timestamp >= end || tier < minTier ||
                (!channels.isEmpty() && !channels.contains(channel)))
            {
                return false;
            }
            if (categories.isEmpty())
            {
                return true;
            }
            return null != c.categories && Arrays.stream(c.categories).anyMatch(categories::contains);
        }
    }

    static final class ModelPending
    {
        final long at;
        long points;
        final long earnedAt;
        final ModelRequest request;

        ModelPending(final long at, final long points, final long earnedAt, final ModelRequest request)
        {
            this.at = at;
            this.points = points;
            this.earnedAt = earnedAt;
            this.request = request;
        }
    }

    static final class ModelLot
    {
        final int id;
        final String memberId;
        final long amount;
        final long earnedAt;
        final long expiresAt;
        long remaining;
        /** Points forfeited from this lot by expiry, however they got there. */
        long expired;
        /** Points of this lot's earn its reversal could not claw back, not yet cancelled by a restore. */
        long shortfall;
        /** The same when the program forgave them. */
        long forgiven;

        ModelLot(final int id, final String memberId, final long amount, final long earnedAt, final long expiresAt)
        {
            this.id = id;
            this.memberId = memberId;
            this.amount = amount;
            this.earnedAt = earnedAt;
            this.expiresAt = expiresAt;
            this.remaining = amount;
        }
    }

    private static String keyOf(final boolean inPartner, final String id)
    {
        return inPartner ? PARTNER + '\u0000' + id : id;
    }

    private static final Comparator<ModelLot> SOONEST_FIRST =
        Comparator.<ModelLot>comparingLong(l -> l.expiresAt).thenComparingInt(l -> l.id);

    static final class ModelMember
    {
        final String id;
        final List<ModelLot> lots = new ArrayList<>();
        int status = 1;
        int tier;
        long lifetime;
        /** Clawback shortfalls not yet taken from later credits. */
        long owed;
        /** Points in open holds. */
        long held;
        /** Enrollment and every qualifying earn's instant: the lifecycle segment's input. */
        long enrolledAt;
        final List<Long> earns = new ArrayList<>();
        /** Bonuses: the first qualifying earn, the lots its bonuses made, birthday and the next birthday. */
        int birthday;
        String referrer;
        ModelRequest firstEarn;
        boolean earned;
        ModelLot bonusLot;
        long bonusPoints;
        ModelLot referrerBonusLot;
        long referrerBonusPoints;
        boolean bonusesReversed;
        long nextBirthday = Long.MAX_VALUE;
        /** Tier points by calendar month of the program's zone at the time; the next evaluation; a floor. */
        final Map<YearMonth, Long> months = new HashMap<>();
        long nextEvaluation;
        int index;
        int floorTier;
        long floorUntil;
        /** Pending earns not matured yet: (maturity instant, points, earned at, the earn's request). */
        final List<ModelPending> pending = new ArrayList<>();
        /** The day (in the program's zone at the time) of the last purchase, and what purchases earned that day. */
        LocalDate purchaseDay;
        long purchaseDayPoints;

        /** A member of the partner program (else of the main program), and its key: ids are unique per program. */
        final boolean inPartner;
        final String key;

        ModelMember(final String id, final boolean inPartner)
        {
            this.id = id;
            this.inPartner = inPartner;
            this.key = keyOf(inPartner, id);
        }
    }

    /**
     * A remembered successful write: its content (to tell a retry from a reuse), its outcome (to answer a retry) and
     * what a reversal needs.
     */
    static final class ModelRequest
    {
        final Command content;
        final long timestamp;
        final long sequence;
        final long resultPoints;
        final long balance;
        final long lifetime;
        final int tier;
        final int status;
        final long lotId;
        final long expiresAt;
        final long expired;
        final long shortfall;
        final long alreadyExpired;
        final long owed;
        final long held;
        final long released;
        final List<long[]> allocations;
        long reversed;
        /** Of an earn: points of its expired share already set against its reversals. */
        long forgiven;
        /** Of a pending earn: the lot its points matured into, once they have. */
        long maturedLotId = -1;
        final long maturesAt;
        final long bonusPoints;
        final long referrerBonusPoints;
        final long exchanged;
        final Command.Earning earning = new Command.Earning();
        final long restored;
        final long reexpired;
        final long graced;
        final long reclaimed;
        /** The member's key (its program and id), set once the write is remembered. */
        String memberKey;

        ModelRequest(final Command c, final List<long[]> allocations)
        {
            content = new Command().copyInputsFrom(c);
            timestamp = c.timestamp;
            sequence = c.sequence;
            resultPoints = c.resultPoints;
            balance = c.balance;
            lifetime = c.lifetimeEarned;
            tier = c.tier;
            status = c.memberStatus;
            lotId = c.lotId;
            expiresAt = c.expiresAt;
            expired = c.expired;
            shortfall = c.shortfall;
            alreadyExpired = c.alreadyExpired;
            owed = c.owed;
            held = c.held;
            released = c.released;
            maturesAt = c.maturesAt;
            bonusPoints = c.bonusPoints;
            referrerBonusPoints = c.referrerBonusPoints;
            exchanged = c.exchanged;
            earning.copyFrom(c.earning);
            restored = c.restored;
            reexpired = c.reexpired;
            graced = c.graced;
            reclaimed = c.reclaimed;
            this.allocations = allocations;
        }
    }

    /**
     * The reference model: what the documentation says the ledger does, in the plainest code.
     */
    static final class Model
    {
        private final int requestIdsMax;
        private final ModelProgram[] programs;
        private final Map<String, ModelMember> members = new HashMap<>();
        /** Every member by its index: the key its effects name it by. */
        private final List<ModelMember> byIndex = new ArrayList<>();
        final List<String> memberIds = new ArrayList<>();
        private final List<ModelLot> lots = new ArrayList<>();
        private final Map<String, ModelRequest> requests = new HashMap<>();
        private final List<ModelRequest> requestsInOrder = new ArrayList<>();
        private int firstRemembered;
        /** The program of the member being changed or read: the main program or the partner. */
        private ModelProgram program;
        /** The ledger's first program (changed by set_program), and its coalition partner. */
        private ModelProgram main;
        private final ModelProgram partner;
        final List<String> partnerIds = new ArrayList<>();
        /** What each side sent the other by exchanges, by partner name: {day, that day's, all time}. */
        private final Map<String, long[]> sentFromMain = new HashMap<>();
        private final Map<String, long[]> sentFromPartner = new HashMap<>();
        /** Each program's clearing balance by partner name, and its breakage. */
        private final Map<String, Long> clearingMain = new HashMap<>();
        private final Map<String, Long> clearingPartner = new HashMap<>();
        private long expiredMain;
        /** A member whose first qualifying earn is being applied. */
        private ModelMember firstEarnOf;
        /** A pending earn being applied, remembered with its request once the write succeeds. */
        private ModelPending pendingToRemember;
        private ModelMember pendingOf;
        /** Extra points each campaign has given, by id, for the life of the ledger. */
        private final Map<String, Long> campaignGiven = new HashMap<>();
        long sequence;
        private long credited;
        private long debited;
        private long expiredTotal;

        Model(final ModelProgram[] programs, final ModelProgram program, final ModelProgram partner,
            final int requestIdsMax)
        {
            this.programs = programs;
            this.program = program;
            this.main = program;
            this.partner = partner;
            this.requestIdsMax = requestIdsMax;
        }

        private boolean partnerKnown;

        /** @return the program a request's program id names (null: none such), the first program for none. */
        private ModelProgram named(final String programId)
        {
            if (isEmpty(programId) || programId.equals(main.name))
            {
                return main;
            }
            return partnerKnown && PARTNER.equals(programId) ? partner : null;
        }

        private ModelProgram programOf(final ModelMember m)
        {
            return m.inPartner ? partner : main;
        }

        /** @return the member of the current program with this id, or null. */
        private ModelMember find(final String id)
        {
            return null == id ? null : members.get(keyOf(program == partner, id));
        }

        String mainName()
        {
            return main.name;
        }

        void apply(final Command c)
        {
            program = main;
            try
            {
                applyInProgram(c);
            }
            finally
            {
                program = main;
            }
        }

        private void applyInProgram(final Command c)
        {
            final ResultCode invalid = validate(c);
            if (invalid != ResultCode.OK)
            {
                c.result = invalid;
                return;
            }
            if (!c.type.isIdempotentWrite() && c.type != CommandType.EXPIRE_TICK && c.type != CommandType.SET_PROGRAM)
            {
                program = named(c.programId);
                if (null == program)
                {
                    c.result = ResultCode.PROGRAM_NOT_FOUND;
                    return;
                }
            }
            switch (c.type)
            {
                case GET_BALANCE:
                    getBalance(c);
                    break;
                case CHECK_TIER:
                    checkTier(c);
                    break;
                case LIST_LOTS:
                    listLots(c);
                    break;
                case GET_MEMBER:
                    getMember(c);
                    break;
                case EXPIRE_TICK:
                    expireTick(c);
                    break;
                case SET_PROGRAM:
                    setProgram(c);
                    break;
                default:
                    write(c);
            }
        }

        // ---------------------------------------------------------------------------------------- validation

        private static ResultCode validate(final Command c)
        {
            if (null != c.programId && c.programId.length() > 64)
            {
                return ResultCode.PROGRAM_ID_INVALID;
            }
            switch (c.type)
            {
                case EXCHANGE:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (isEmpty(c.toProgramId) || c.toProgramId.length() > 64) return ResultCode.TO_PROGRAM_ID_INVALID;
                    if (!isId(c.toMemberId)) return ResultCode.TO_MEMBER_ID_INVALID;
                    if (c.points < 1 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case ENROLL:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.birthday != 0 && !isBirthday(c.birthday)) return ResultCode.BIRTHDAY_INVALID;
                    if (!isEmpty(c.referrerId) && (!isId(c.referrerId) || c.referrerId.equals(c.memberId)))
                    {
                        return ResultCode.REFERRER_ID_INVALID;
                    }
                    return ResultCode.OK;
                case EARN:
                case REDEEM:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.type == CommandType.EARN && (c.purchaseMinor != 0 || null != c.currency))
                    {
                        if (c.points != 0) return ResultCode.POINTS_WITH_PURCHASE;
                        if (c.purchaseMinor < 1 || c.purchaseMinor > 1_000_000_000_000L)
                        {
                            return ResultCode.PURCHASE_AMOUNT_INVALID;
                        }
                        if (null == c.currency || !c.currency.matches("[A-Z]{3}"))
                        {
                            return ResultCode.PURCHASE_CURRENCY_INVALID;
                        }
                        if (c.channel < 1 || c.channel > 3) return ResultCode.PURCHASE_CHANNEL_INVALID;
                        if (null != c.categories && (c.categories.length > 16 || Arrays.stream(c.categories)
                            .anyMatch(k -> k.isEmpty() || k.length() > 64 || !k.strip().equals(k) ||
                                k.chars().anyMatch(ch -> ch == ',' || ch < 0x20))))
                        {
                            return ResultCode.PURCHASE_CATEGORIES_INVALID;
                        }
                        if (!isEmpty(c.orderId) && !isId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
                        if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                        return ResultCode.OK;
                    }
                    if (c.points < 1 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (!isEmpty(c.orderId) && !isId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case HOLD:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.points < 1 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (!isEmpty(c.orderId) && !isId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    if (c.holdTimeoutSeconds < 0 || c.holdTimeoutSeconds > 7 * 86_400)
                    {
                        return ResultCode.HOLD_TIMEOUT_INVALID;
                    }
                    return ResultCode.OK;
                case CAPTURE_HOLD:
                case RELEASE_HOLD:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (!isId(c.originalRequestId)) return ResultCode.ORIGINAL_REQUEST_ID_INVALID;
                    if (c.type == CommandType.RELEASE_HOLD && c.points != 0) return ResultCode.POINTS_INVALID;
                    if (c.points < 0 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case REVERSE:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (!isId(c.originalRequestId)) return ResultCode.ORIGINAL_REQUEST_ID_INVALID;
                    if (c.points < 0 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case ADJUST:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.points == 0 || Math.abs(c.points) > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (null == c.reason || c.reason.trim().isEmpty()) return ResultCode.REASON_REQUIRED;
                    if (c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case TRANSFER:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (!isId(c.toMemberId)) return ResultCode.TO_MEMBER_ID_INVALID;
                    if (c.toMemberId.equals(c.memberId)) return ResultCode.TRANSFER_TO_SELF;
                    if (c.points < 1 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case SET_TIER:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.requestedTier < 1 || c.requestedTier > 4) return ResultCode.TIER_INVALID;
                    if (c.requestedFloorUntil < 0) return ResultCode.FLOOR_UNTIL_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case SET_STATUS:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.status < 1 || c.status > 3) return ResultCode.STATUS_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                case GET_BALANCE:
                    return isId(c.memberId) ? ResultCode.OK : ResultCode.MEMBER_ID_INVALID;
                case CHECK_TIER:
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    return c.minTier >= 1 && c.minTier <= 4 ? ResultCode.OK : ResultCode.MIN_TIER_INVALID;
                case GET_MEMBER:
                    return isId(c.memberId) ? ResultCode.OK : ResultCode.MEMBER_ID_INVALID;
                case LIST_LOTS:
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    return c.limit >= 1 && c.limit <= 1000 ? ResultCode.OK : ResultCode.LIMIT_INVALID;
                case EXPIRE_TICK:
                    return c.limit >= 1 && c.limit <= 1_000_000 ? ResultCode.OK : ResultCode.LIMIT_INVALID;
                case SET_PROGRAM:
                    return null != c.programText ? ResultCode.OK : ResultCode.COMMAND_INVALID;
                case IMPORT:
                    if (!isId(c.requestId)) return ResultCode.REQUEST_ID_INVALID;
                    if (!isId(c.memberId)) return ResultCode.MEMBER_ID_INVALID;
                    if (c.points < 0 || c.points > Ledger.POINTS_MAX) return ResultCode.POINTS_INVALID;
                    if (c.birthday != 0 && !isBirthday(c.birthday)) return ResultCode.BIRTHDAY_INVALID;
                    if (c.earnedAt < 1) return ResultCode.EARNED_AT_INVALID;
                    if (c.points == 0 && c.lotExpiresAt != 0 || c.points > 0 && c.lotExpiresAt <= c.earnedAt)
                    {
                        return ResultCode.LOT_EXPIRES_AT_INVALID;
                    }
                    if (c.importTierPoints < 0 || c.importTierPoints > Ledger.POINTS_MAX)
                    {
                        return ResultCode.TIER_POINTS_INVALID;
                    }
                    if (!isEmpty(c.orderId) && !isId(c.orderId)) return ResultCode.ORDER_ID_INVALID;
                    if (null != c.reason && c.reason.length() > 256) return ResultCode.REASON_INVALID;
                    return ResultCode.OK;
                default:
                    return ResultCode.COMMAND_INVALID;
            }
        }

        private static boolean isId(final String s)
        {
            return null != s && s.matches("[\\x21-\\x7E]{1,64}");
        }

        private static boolean isEmpty(final String s)
        {
            return null == s || s.isEmpty();
        }

        private static boolean isBirthday(final int mmdd)
        {
            try
            {
                MonthDay.of(mmdd / 100, mmdd % 100);
                return mmdd > 0;
            }
            catch (final RuntimeException ex)
            {
                return false;
            }
        }

        // ---------------------------------------------------------------------------------------- writes

        private void write(final Command c)
        {
            if (null != c.programId && c.programId.equals(main.name))
            {
                c.programId = null; // the first program by its name is the first program: the same request
            }
            final long now = c.timestamp;
            final long cutoff = now - program.retentionMs;
            program = named(c.programId);
            if (null == program)
            {
                c.result = ResultCode.PROGRAM_NOT_FOUND;
                return;
            }
            // request ids are the program's own: another program's clients neither see nor block them
            final ModelRequest remembered = remembered(c.requestId, cutoff);
            final ModelProgram other = program == partner ? main : partner;
            if (null == remembered && null != requests.get(scopedKey(other, c.requestId)))
            {
                REACHED.merge("request id of the other program reused", 1L, Long::sum);
            }
            if (null != remembered)
            {
                if (!sameContent(remembered.content, c))
                {
                    c.result = ResultCode.REQUEST_ID_CONFLICT;
                    return;
                }
                c.replay = true;
                c.sequence = remembered.sequence;
                c.timestamp = remembered.timestamp;
                c.resultPoints = remembered.resultPoints;
                c.balance = remembered.balance;
                c.lifetimeEarned = remembered.lifetime;
                c.tier = remembered.tier;
                c.memberStatus = remembered.status;
                c.lotId = remembered.lotId;
                c.expiresAt = remembered.expiresAt;
                c.expired = remembered.expired;
                c.shortfall = remembered.shortfall;
                c.alreadyExpired = remembered.alreadyExpired;
                c.owed = remembered.owed;
                c.held = remembered.held;
                c.released = remembered.released;
                c.maturesAt = remembered.maturesAt;
                c.exchanged = remembered.exchanged;
                // the retry answers as the write did: its bonuses, how a purchase was priced, what a reversal gave back
                c.bonusPoints = remembered.bonusPoints;
                c.referrerBonusPoints = remembered.referrerBonusPoints;
                c.earning.copyFrom(remembered.earning);
                c.restored = remembered.restored;
                c.reexpired = remembered.reexpired;
                c.graced = remembered.graced;
                c.reclaimed = remembered.reclaimed;
                return;
            }
            while (firstRemembered < requestsInOrder.size() &&
                requestsInOrder.get(firstRemembered).timestamp < cutoff)
            {
                firstRemembered++;
            }
            if (requestsInOrder.size() - firstRemembered >= requestIdsMax)
            {
                c.result = ResultCode.REQUEST_IDS_MAX;
                return;
            }

            final List<long[]> allocations = new ArrayList<>();
            pendingToRemember = null;
            pendingOf = null;
            firstEarnOf = null;
            final ModelMember m;
            switch (c.type)
            {
                case ENROLL:
                    m = enroll(c);
                    break;
                case EARN:
                    m = earn(c);
                    break;
                case REDEEM:
                    m = redeem(c, allocations);
                    break;
                case REVERSE:
                    m = reverse(c, cutoff);
                    break;
                case ADJUST:
                    m = adjust(c);
                    break;
                case SET_STATUS:
                    m = setStatus(c);
                    break;
                case SET_TIER:
                    m = setTier(c);
                    break;
                case TRANSFER:
                    m = transfer(c);
                    break;
                case EXCHANGE:
                    m = exchange(c);
                    break;
                case HOLD:
                    m = hold(c, allocations);
                    break;
                case CAPTURE_HOLD:
                case RELEASE_HOLD:
                    m = closeHold(c, cutoff, allocations);
                    break;
                case IMPORT:
                    m = importRow(c);
                    break;
                default:
                    throw new IllegalStateException(c.type.toString());
            }
            if (c.result != ResultCode.OK)
            {
                return;
            }
            c.sequence = ++sequence;
            c.balance = usable(m, now);
            c.owed = m.owed;
            c.lifetimeEarned = m.lifetime;
            c.tier = m.tier;
            c.memberStatus = m.status;
            if (c.type == CommandType.HOLD || c.type == CommandType.CAPTURE_HOLD || c.type == CommandType.RELEASE_HOLD)
            {
                c.held = m.held;
            }
            final ModelRequest request = new ModelRequest(c, allocations);
            request.memberKey = m.key;
            requests.put(scopedKey(program, c.requestId), request);
            requestsInOrder.add(request);
            if (null != firstEarnOf)
            {
                firstEarnOf.firstEarn = request;
            }
            if (null != pendingToRemember)
            {
                pendingOf.pending.add(new ModelPending(
                    pendingToRemember.at, pendingToRemember.points, pendingToRemember.earnedAt, request));
            }
            fillTouched(c, m);
        }

        /** A request id of the program being written (the first program's ids are their own key). */
        private ModelRequest remembered(final String requestId, final long cutoff)
        {
            final ModelRequest request = requests.get(scopedKey(program, requestId));
            return null != request && request.timestamp >= cutoff ? request : null;
        }

        private String scopedKey(final ModelProgram of, final String requestId)
        {
            return of == partner ? "\u0000" + requestId : requestId; // the first program's ids are their own key
        }

        /** The key a remembered request is under: its program's. */
        private String scopedKey(final ModelRequest request)
        {
            return null == request.content.programId ? request.content.requestId :
                scopedKey(named(request.content.programId), request.content.requestId);
        }

        private static boolean sameContent(final Command a, final Command b)
        {
            final boolean samePurchase = a.purchaseMinor == b.purchaseMinor && same(a.currency, b.currency) &&
                a.channel == b.channel && Arrays.equals(
                    null == a.categories ? new String[0] : a.categories,
                    null == b.categories ? new String[0] : b.categories);
            return samePurchase && same(a.toMemberId, b.toMemberId) && a.type == b.type &&
                same(a.programId, b.programId) &&
                (a.type != CommandType.EXCHANGE || same(a.toProgramId, b.toProgramId)) &&
                a.memberId.equals(b.memberId) && a.points == b.points &&
                a.birthday == b.birthday && a.status == b.status && same(a.orderId, b.orderId) &&
                same(a.reason, b.reason) && same(a.originalRequestId, b.originalRequestId) &&
                same(a.referrerId, b.referrerId) && a.requestedTier == b.requestedTier &&
                a.requestedFloorUntil == b.requestedFloorUntil && a.holdTimeoutSeconds == b.holdTimeoutSeconds &&
                a.earnedAt == b.earnedAt && a.lotExpiresAt == b.lotExpiresAt &&
                a.importTierPoints == b.importTierPoints;
        }

        private static boolean same(final String a, final String b)
        {
            return (null == a ? "" : a).equals(null == b ? "" : b);
        }

        private ModelMember enroll(final Command c)
        {
            if (null != find(c.memberId))
            {
                c.result = ResultCode.MEMBER_EXISTS;
                return null;
            }
            if (!isEmpty(c.referrerId) && null == find(c.referrerId))
            {
                c.result = ResultCode.REFERRER_NOT_FOUND;
                return null;
            }
            final ModelMember m = admit(c, isEmpty(c.referrerId) ? null : c.referrerId);
            if (program.rules.welcome > 0)
            {
                bonusLot(c, m, program.rules.welcome, EffectLog.BONUS);
                c.bonusPoints += program.rules.welcome;
                settleOwed(c, m);
            }
            members.put(m.key, m);
            (m.inPartner ? partnerIds : memberIds).add(c.memberId);
            return m;
        }

        /** A new member of the current program at its first tier, with its evaluation and birthday ahead. */
        private ModelMember admit(final Command c, final String referrer)
        {
            final ModelMember m = new ModelMember(c.memberId, program == partner);
            m.tier = program.tierFor(0);
            m.index = members.size();
            byIndex.add(m);
            m.enrolledAt = c.timestamp;
            m.nextEvaluation = program.firstEvaluation(c.timestamp);
            m.birthday = c.birthday;
            m.referrer = referrer;
            if (c.birthday != 0)
            {
                m.nextBirthday = program.nextBirthday(c.birthday, c.timestamp);
            }
            return m;
        }

        /**
         * A migrated row: the member enrolled if absent (first tier, no welcome bonus); the points one lot with the
         * row's own earned-at and expiry; the tier points counted in the month they were earned; no bonus of any kind,
         * and the member has had its first earn.
         */
        private ModelMember importRow(final Command c)
        {
            if (c.earnedAt > c.timestamp)
            {
                c.result = ResultCode.EARNED_AT_INVALID;
                return null;
            }
            if (c.points > 0 && c.lotExpiresAt <= c.timestamp)
            {
                c.result = ResultCode.LOT_EXPIRES_AT_INVALID;
                return null;
            }
            ModelMember m = find(c.memberId);
            REACHED.merge(null != m ? "import to a member" : "import enrolled", 1L, Long::sum);
            if (null != m)
            {
                m = member(c, false);
                if (null == m || (c.points > 0 && !mayCredit(c, m, c.points, 1)))
                {
                    return null;
                }
                c.expired = settle(c, m, c.timestamp);
            }
            else
            {
                m = admit(c, null);
                members.put(m.key, m);
                (m.inPartner ? partnerIds : memberIds).add(c.memberId);
            }
            if (c.points > 0)
            {
                final ModelLot lot = new ModelLot(lots.size(), m.key, c.points, c.earnedAt, c.lotExpiresAt);
                lots.add(lot);
                m.lots.add(lot);
                credited += c.points;
                c.effects.add(EffectLog.CREDIT, lot.id, c.points, lot.expiresAt, indexOf(lot.memberId));
                c.lotId = lot.id;
                c.expiresAt = lot.expiresAt;
                settleOwed(c, m);
                m.earned = true;
            }
            else
            {
                c.lotId = -1;
            }
            m.lifetime += c.points;
            m.months.merge(YearMonth.from(program.day(c.earnedAt)), c.importTierPoints, Long::sum);
            final int tier = program.tierFor(tierPoints(m, c.timestamp));
            if (tier > m.tier)
            {
                REACHED.merge("import raised the tier", 1L, Long::sum);
                m.tier = tier;
            }
            c.resultPoints = c.points;
            return m;
        }

        private ModelMember earn(final Command c)
        {
            final ModelMember m = member(c, false);
            if (null == m)
            {
                return null;
            }
            final long points = c.purchaseMinor > 0 ? price(c, m) : c.points;
            final boolean first = points > 0 && !m.earned;
            final long ownBonus = first ?
                program.rules.firstPurchase + (null != m.referrer ? program.rules.referredBonus : 0) : 0;
            if (points < 0 || (points > 0 && !mayCredit(c, m, points + ownBonus, ownBonus > 0 ? 2 : 1)))
            {
                c.earning.reset();
                return null;
            }
            c.expired = settle(c, m, c.timestamp);
            if (points > 0 && program.rules.pendingMs > 0)
            {
                c.maturesAt = c.timestamp + program.rules.pendingMs;
                c.effects.add(EffectLog.PENDING, -1, points, c.maturesAt, m.index);
                c.lotId = -1;
                pendingToRemember = new ModelPending(c.maturesAt, points, c.timestamp, null);
                pendingOf = m;
            }
            else if (points > 0)
            {
                credit(c, m, points);
                settleOwed(c, m);
            }
            else
            {
                c.lotId = -1;
            }
            if (c.purchaseMinor > 0)
            {
                final LocalDate day = Instant.ofEpochMilli(c.timestamp).atZone(program.zone).toLocalDate();
                if (!day.equals(m.purchaseDay))
                {
                    m.purchaseDay = day;
                    m.purchaseDayPoints = 0;
                }
                m.purchaseDayPoints += points;
                for (int k = 0; k < c.earning.campaignCount(); k++)
                {
                    if (!"birthday".equals(c.earning.campaignId(k)))
                    {
                        campaignGiven.merge(c.earning.campaignId(k), c.earning.points(k), Long::sum);
                    }
                }
            }
            if (first)
            {
                m.earned = true;
                firstEarnOf = m;
                if (ownBonus > 0)
                {
                    m.bonusLot = bonusLot(c, m, ownBonus, EffectLog.BONUS);
                    m.bonusPoints = ownBonus;
                    c.bonusPoints += ownBonus;
                    settleOwed(c, m);
                }
                final ModelMember r = null == m.referrer ? null : members.get(keyOf(m.inPartner, m.referrer));
                if (null != r && program.rules.referrerBonus > 0 && r.status == MemberStatus.ACTIVE.code() &&
                    r.owed == 0 && open(r, c.timestamp).size() + r.pending.size() < program.lotsPerMemberMax)
                {
                    m.referrerBonusLot = bonusLot(c, r, program.rules.referrerBonus, EffectLog.REFERRER_BONUS);
                    m.referrerBonusPoints = program.rules.referrerBonus;
                    c.referrerBonusPoints = program.rules.referrerBonus;
                }
            }
            m.lifetime += points;
            m.months.merge(YearMonth.from(program.day(c.timestamp)), points, Long::sum);
            if (points > 0)
            {
                m.earns.add(c.timestamp);
            }
            m.tier = Math.max(m.tier, program.tierFor(tierPoints(m, c.timestamp)));
            c.resultPoints = points;
            return m;
        }

        /**
         * What a purchase earns, in decimals: amount × rate × tier multiplier, then each campaign on the points so
         * far, each step rounded; budgets by campaign id; the daily cap last, cut from the last campaign first.
         */
        private long price(final Command c, final ModelMember m)
        {
            if (!"CNY".equals(c.currency))
            {
                c.result = ResultCode.PURCHASE_CURRENCY_MISMATCH;
                c.resultDetail = 'C' << 16 | 'N' << 8 | 'Y';
                return -1;
            }
            final ModelRules rules = program.rules;
            c.earning.basePoints = roundedRatio(c.purchaseMinor * rules.ratePoints, 1, rules.ratePer, rules.rounding);
            final BigDecimal tierMultiplier = rules.tierMultipliers[m.tier - 1];
            c.earning.tierMultiplierBp = tierMultiplier.movePointRight(4).longValueExact();
            long total = roundedRatio(c.purchaseMinor * rules.ratePoints, c.earning.tierMultiplierBp,
                rules.ratePer * 10_000, rules.rounding);
            c.earning.tierPoints = total;
            for (final ModelCampaign campaign : rules.campaigns)
            {
                if (!campaign.applies(c, m.tier, segment(m, c.timestamp)))
                {
                    continue;
                }
                final long bp = campaign.multiplier.movePointRight(4).longValueExact();
                long extra = roundedRatio(total, bp - 10_000, 10_000, rules.rounding);
                long cut = 0;
                if (campaign.budget > 0)
                {
                    final long left = campaign.budget - campaignGiven.getOrDefault(campaign.id, 0L);
                    cut = Math.max(0, extra - left);
                    extra -= cut;
                }
                c.earning.add(campaign.id, bp, extra, cut);
                total += extra;
            }
            if (rules.birthdayMultiplier.compareTo(BigDecimal.ONE) > 0 && m.birthday != 0 &&
                program.day(c.timestamp).getMonthValue() == m.birthday / 100)
            {
                final long bp = rules.birthdayMultiplier.movePointRight(4).longValueExact();
                final long extra = roundedRatio(total, bp - 10_000, 10_000, rules.rounding);
                c.earning.add("birthday", bp, extra, 0);
                total += extra;
            }
            if (rules.dailyCap > 0)
            {
                final LocalDate day = Instant.ofEpochMilli(c.timestamp).atZone(program.zone).toLocalDate();
                final long today = day.equals(m.purchaseDay) ? m.purchaseDayPoints : 0;
                final long room = Math.max(0, rules.dailyCap - today);
                if (total > room)
                {
                    c.earning.capCut = total - room;
                    long cut = total - room;
                    total = room;
                    final List<long[]> cuts = new ArrayList<>();
                    for (int k = c.earning.campaignCount() - 1; k >= 0; k--)
                    {
                        final long take = Math.min(cut, c.earning.points(k));
                        cuts.add(new long[] {k, take});
                        cut -= take;
                    }
                    rebuildWithCuts(c.earning, cuts);
                }
            }
            return total;
        }

        /** round(a × b / d) by the rule, with BigDecimal's rounding modes. */
        private static long roundedRatio(final long a, final long b, final long d, final RoundingMode rounding)
        {
            return new BigDecimal(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)))
                .divide(new BigDecimal(d), 0, rounding).longValueExact();
        }

        /** The earning's campaign lines again, each less what the daily cap took from it. */
        private static void rebuildWithCuts(final Command.Earning e, final List<long[]> cuts)
        {
            final int count = e.campaignCount();
            final String[] ids = new String[count];
            final long[] bps = new long[count];
            final long[] points = new long[count];
            final long[] budgetCuts = new long[count];
            for (int k = 0; k < count; k++)
            {
                ids[k] = e.campaignId(k);
                bps[k] = e.multiplierBp(k);
                points[k] = e.points(k);
                budgetCuts[k] = e.budgetCut(k);
            }
            for (final long[] cut : cuts)
            {
                points[(int)cut[0]] -= cut[1];
            }
            final long base = e.basePoints;
            final long tierBp = e.tierMultiplierBp;
            final long tierPoints = e.tierPoints;
            final long capCut = e.capCut;
            e.reset();
            e.basePoints = base;
            e.tierMultiplierBp = tierBp;
            e.tierPoints = tierPoints;
            e.capCut = capCut;
            for (int k = 0; k < count; k++)
            {
                e.add(ids[k], bps[k], points[k], budgetCuts[k]);
            }
        }

        private ModelMember redeem(final Command c, final List<long[]> allocations)
        {
            final ModelMember m = member(c, false);
            if (null == m)
            {
                return null;
            }
            final long usable = writable(m, c.timestamp);
            if (usable < c.points)
            {
                c.result = ResultCode.INSUFFICIENT_POINTS;
                c.resultDetail = usable;
                return null;
            }
            c.expired = settle(c, m, c.timestamp);
            debit(c, m, c.points, EffectLog.DEBIT, allocations);
            c.resultPoints = c.points;
            return m;
        }

        private ModelMember adjust(final Command c)
        {
            final ModelMember m = member(c, true);
            if (null == m)
            {
                return null;
            }
            if (c.points > 0)
            {
                if (!mayCredit(c, m))
                {
                    return null;
                }
                c.expired = settle(c, m, c.timestamp);
                credit(c, m, c.points);
                settleOwed(c, m);
            }
            else
            {
                final long usable = writable(m, c.timestamp);
                if (usable < -c.points)
                {
                    c.result = ResultCode.INSUFFICIENT_POINTS;
                    c.resultDetail = usable;
                    return null;
                }
                c.expired = settle(c, m, c.timestamp);
                debit(c, m, -c.points, EffectLog.DEBIT, null);
            }
            c.resultPoints = c.points;
            return m;
        }

        private ModelMember setStatus(final Command c)
        {
            final ModelMember m = member(c, true); // a frozen member's status and tier may still be set
            if (null == m)
            {
                return null;
            }
            c.expired = settle(c, m, c.timestamp);
            m.status = c.status;
            return m;
        }

        private ModelMember reverse(final Command c, final long cutoff)
        {
            final ModelMember m = member(c, true);
            if (null == m)
            {
                return null;
            }
            final ModelRequest original = remembered(c.originalRequestId, cutoff);
            if (null == original)
            {
                c.result = ResultCode.ORIGINAL_REQUEST_NOT_FOUND;
                return null;
            }
            if (!original.memberKey.equals(m.key))
            {
                c.result = ResultCode.REVERSE_MEMBER_MISMATCH;
                return null;
            }
            final CommandType type = original.content.type;
            if (type != CommandType.EARN && type != CommandType.REDEEM && type != CommandType.CAPTURE_HOLD)
            {
                c.result = ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE;
                return null;
            }
            final long left = original.resultPoints - original.reversed;
            if (left == 0)
            {
                c.result = ResultCode.NOTHING_TO_REVERSE;
                return null;
            }
            final long amount = c.points == 0 ? left : c.points;
            if (amount > left)
            {
                c.result = ResultCode.REVERSE_POINTS_EXCEED;
                c.resultDetail = left;
                return null;
            }
            final long now = c.timestamp;
            if (type != CommandType.EARN && usable(m, now) + m.held + amount > Ledger.BALANCE_MAX)
            {
                c.result = ResultCode.BALANCE_MAX;
                return null;
            }

            c.expired = settle(c, m, now);
            final ModelPending pending = m.pending.stream().filter(p -> p.request == original).findFirst()
                .orElse(null);
            if (null != pending)
            {
                // a return in the window: the pending points go before they are ever available
                c.effects.add(EffectLog.PENDING_CANCEL, -1, amount, pending.at, m.index);
                pending.points -= amount;
                if (pending.points == 0)
                {
                    m.pending.remove(pending);
                }
                m.lifetime -= amount;
                m.months.merge(YearMonth.from(program.day(pending.earnedAt)), -amount, Long::sum);
                c.resultPoints = amount;
            }
            else if (type == CommandType.EARN)
            {
                final ModelLot own = lots.get((int)(original.lotId >= 0 ? original.lotId : original.maturedLotId));
                final long fromOwn = Math.min(own.remaining, amount);
                if (fromOwn > 0)
                {
                    own.remaining -= fromOwn;
                    debited += fromOwn;
                    c.effects.add(EffectLog.CLAWBACK, own.id, fromOwn, own.expiresAt, indexOf(own.memberId));
                }
                // what expired from the earn's lot was lost already: forgiven, once, across partial reversals
                final long alreadyExpired = Math.min(amount - fromOwn, own.expired - original.forgiven);
                original.forgiven += alreadyExpired;
                final long fromOthers = Math.min(amount - fromOwn - alreadyExpired, usable(m, now));
                if (fromOthers > 0)
                {
                    debit(c, m, fromOthers, EffectLog.CLAWBACK, null);
                }
                m.lifetime -= amount;
                m.months.merge(YearMonth.from(program.day(original.timestamp)), -amount, Long::sum);
                c.resultPoints = fromOwn + fromOthers;
                c.alreadyExpired = alreadyExpired;
                c.shortfall = amount - c.resultPoints - alreadyExpired;
                owe(c, m, own, c.shortfall);
            }
            else
            {
                giveBack(c, m, original, amount, EffectLog.RESTORE);
                c.resultPoints = amount;
                settleOwed(c, m);
            }
            if (type == CommandType.EARN && amount == left && original == m.firstEarn &&
                program.rules.reverseBonuses && !m.bonusesReversed &&
                (m.bonusPoints > 0 || m.referrerBonusPoints > 0))
            {
                reverseBonuses(c, m);
            }
            original.reversed += amount;
            return m;
        }

        /**
         * Gives back points a redemption (restore) or a hold (release) took, by the rules of program.md "Returns" and
         * the effect table of journal-format.md. The lots that paid get them back latest-expiring first, which is the
         * request's allocations in reverse. Within one lot the points answer, in this order: the open shortfall of the
         * lot's own reversed earn (they cancel it), then its forgiven shortfall (taken back at once: reclaim). The rest
         * is the lot's again if the lot is still open. If it has expired, the cancelling points pay what the member
         * owes or, owed no more, come back in one new lot per request (restore_lot, release_lot); the others pay what
         * the member still owes, then lapse, or, for a reversal under grace days, come back in one grace lot.
         */
        private void giveBack(final Command c, final ModelMember m, final ModelRequest original, final long amount,
            final byte kind)
        {
            final boolean restore = kind == EffectLog.RESTORE;
            final boolean grace = restore && program.rules.graceDays > 0;
            long unreturned = amount;
            long refunds = 0;
            long graced = 0;
            for (int i = original.allocations.size() - 1; i >= 0 && unreturned > 0; i--)
            {
                final long[] allocation = original.allocations.get(i);
                final long points = Math.min(allocation[1] - allocation[2], unreturned);
                if (points <= 0)
                {
                    continue;
                }
                allocation[2] += points;
                unreturned -= points;
                final ModelLot lot = lots.get((int)allocation[0]);
                final long cancelling = Math.min(points, lot.shortfall);
                lot.shortfall -= cancelling;
                final long reclaimed = Math.min(points - cancelling, lot.forgiven);
                lot.forgiven -= reclaimed;
                if (reclaimed > 0)
                {
                    c.effects.add(restore ? EffectLog.RECLAIM : EffectLog.RECLAIM_HELD, lot.id, reclaimed,
                        lot.expiresAt, indexOf(lot.memberId));
                    c.reclaimed += reclaimed;
                }
                final long own = points - cancelling - reclaimed;
                if (lot.expiresAt > c.timestamp)
                {
                    reopen(c, lot, cancelling + own, kind);
                    continue;
                }
                final long cancelPays = Math.min(m.owed, cancelling);
                final long ownPays = Math.min(m.owed - cancelPays, own);
                final long lapsing = own - ownPays;
                final long lapses = grace ? 0 : lapsing;
                refunds += cancelling - cancelPays;
                graced += grace ? lapsing : 0;
                // through the expired lot: what pays the debt and what lapses; the refund and grace skip it
                if (cancelPays + ownPays + lapses > 0)
                {
                    credited += cancelPays + ownPays + lapses;
                    c.effects.add(kind, lot.id, cancelPays + ownPays + lapses, lot.expiresAt, indexOf(lot.memberId));
                }
                if (cancelPays + ownPays > 0)
                {
                    m.owed -= cancelPays + ownPays;
                    debited += cancelPays + ownPays;
                    c.effects.add(EffectLog.SETTLE, lot.id, cancelPays + ownPays, lot.expiresAt, indexOf(lot.memberId));
                }
                if (lapses > 0)
                {
                    expiredTotal += lapses;
                    expiredMain += m.inPartner ? 0 : lapses;
                    lot.expired += lapses;
                    c.expired += lapses;
                    c.effects.add(EffectLog.EXPIRE, lot.id, lapses, lot.expiresAt, indexOf(lot.memberId));
                }
                c.reexpired += restore ? lapses : 0;
            }
            if (refunds > 0)
            {
                final ModelLot lot = newLot(c, m, refunds, program.expiresAt(c.timestamp),
                    restore ? EffectLog.RESTORE_LOT : EffectLog.RELEASE_LOT);
                c.lotId = lot.id;
                c.expiresAt = lot.expiresAt;
                c.restored += restore ? refunds : 0;
            }
            if (graced > 0)
            {
                newLot(c, m, graced, c.timestamp + program.rules.graceDays * DAY_MS, EffectLog.GRACE);
                c.graced = graced;
            }
        }

        /** Points given back to a lot that is still open are its own again. */
        private void reopen(final Command c, final ModelLot lot, final long points, final byte kind)
        {
            if (points > 0)
            {
                c.restored += kind == EffectLog.RESTORE ? points : 0;
                credited += points;
                c.effects.add(kind, lot.id, points, lot.expiresAt, indexOf(lot.memberId));
                lot.remaining += points;
            }
        }

        private ModelLot newLot(final Command c, final ModelMember m, final long points, final long expiresAt,
            final byte kind)
        {
            final ModelLot lot = new ModelLot(lots.size(), m.key, points, c.timestamp, expiresAt);
            lots.add(lot);
            m.lots.add(lot);
            credited += points;
            c.effects.add(kind, lot.id, points, lot.expiresAt, m.index);
            return lot;
        }

        private ModelMember hold(final Command c, final List<long[]> allocations)
        {
            final ModelMember m = member(c, false);
            if (null == m)
            {
                return null;
            }
            final long timeoutMs = (c.holdTimeoutSeconds == 0 ? 900 : c.holdTimeoutSeconds) * 1000L;
            if (timeoutMs >= program.retentionMs)
            {
                c.result = ResultCode.HOLD_TIMEOUT_INVALID;
                return null;
            }
            final long usable = writable(m, c.timestamp);
            if (usable < c.points)
            {
                c.result = ResultCode.INSUFFICIENT_POINTS;
                c.resultDetail = usable;
                return null;
            }
            c.expired = settle(c, m, c.timestamp);
            debit(c, m, c.points, EffectLog.HOLD, allocations);
            m.held += c.points;
            c.resultPoints = c.points;
            c.expiresAt = c.timestamp + timeoutMs;
            return m;
        }

        private ModelMember closeHold(final Command c, final long cutoff, final List<long[]> allocations)
        {
            final ModelMember m = member(c, true);
            if (null == m)
            {
                return null;
            }
            final ModelRequest hold = remembered(c.originalRequestId, cutoff);
            if (null == hold)
            {
                c.result = ResultCode.ORIGINAL_REQUEST_NOT_FOUND;
                return null;
            }
            if (!hold.memberKey.equals(m.key))
            {
                c.result = ResultCode.REVERSE_MEMBER_MISMATCH;
                return null;
            }
            if (hold.content.type != CommandType.HOLD)
            {
                c.result = ResultCode.NOT_A_HOLD;
                return null;
            }
            final long held = hold.resultPoints - hold.reversed;
            if (held == 0)
            {
                c.result = ResultCode.HOLD_CLOSED;
                return null;
            }
            final boolean capture = c.type == CommandType.CAPTURE_HOLD;
            if (capture && c.timestamp >= hold.expiresAt)
            {
                c.result = ResultCode.HOLD_TIMED_OUT;
                c.resultDetail = hold.expiresAt;
                return null;
            }
            final long captured = capture ? (c.points == 0 ? held : c.points) : 0;
            if (captured > held)
            {
                c.result = ResultCode.CAPTURE_EXCEEDS_HOLD;
                c.resultDetail = held;
                return null;
            }
            c.expired = settle(c, m, c.timestamp);
            long left = captured;
            for (final long[] allocation : hold.allocations)
            {
                final long take = Math.min(allocation[1] - allocation[2], left);
                if (take <= 0)
                {
                    continue;
                }
                allocation[2] += take;
                allocations.add(new long[] {allocation[0], take, 0});
                final ModelLot lot = lots.get((int)allocation[0]);
                c.effects.add(EffectLog.CAPTURE, lot.id, take, lot.expiresAt, indexOf(lot.memberId));
                left -= take;
            }
            m.held -= captured;
            final long released = held - captured;
            if (released > 0)
            {
                release(c, m, hold, released);
            }
            hold.reversed += held;
            c.resultPoints = capture ? captured : released;
            c.released = released;
            c.lotId = 0;
            c.expiresAt = 0;
            return m;
        }

        private void release(final Command c, final ModelMember m, final ModelRequest hold, final long amount)
        {
            m.held -= amount;
            giveBack(c, m, hold, amount, EffectLog.RELEASE);
            settleOwed(c, m);
        }

        private ModelMember member(final Command c, final boolean frozenAllowed)
        {
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
            }
            else if (m.status == MemberStatus.CLOSED.code())
            {
                c.result = ResultCode.MEMBER_CLOSED;
            }
            else if (m.status == MemberStatus.FROZEN.code() && !frozenAllowed)
            {
                c.result = ResultCode.MEMBER_FROZEN;
            }
            return c.result == ResultCode.OK ? m : null;
        }

        private boolean mayCredit(final Command c, final ModelMember m)
        {
            return mayCredit(c, m, c.points);
        }

        private boolean mayCredit(final Command c, final ModelMember m, final long points)
        {
            return mayCredit(c, m, points, 1);
        }

        private boolean mayCredit(final Command c, final ModelMember m, final long points, final int newLots)
        {
            if (open(m, c.timestamp).size() + m.pending.size() + newLots > program.lotsPerMemberMax)
            {
                c.result = ResultCode.LOTS_PER_MEMBER_MAX;
                c.resultDetail = program.lotsPerMemberMax;
                return false;
            }
            if (usable(m, c.timestamp) + m.held + points > Ledger.BALANCE_MAX)
            {
                c.result = ResultCode.BALANCE_MAX;
                return false;
            }
            return true;
        }

        private void credit(final Command c, final ModelMember m, final long points)
        {
            final ModelLot lot = new ModelLot(
                lots.size(), m.key, points, c.timestamp, program.expiresAt(c.timestamp));
            lots.add(lot);
            m.lots.add(lot);
            credited += points;
            c.effects.add(EffectLog.CREDIT, lot.id, points, lot.expiresAt, indexOf(lot.memberId));
            c.lotId = lot.id;
            c.expiresAt = lot.expiresAt;
        }

        private void debit(
            final Command c, final ModelMember m, final long points, final byte kind, final List<long[]> allocations)
        {
            long left = points;
            for (final ModelLot lot : open(m, c.timestamp))
            {
                if (left == 0)
                {
                    break;
                }
                final long take = Math.min(lot.remaining, left);
                lot.remaining -= take;
                left -= take;
                c.effects.add(kind, lot.id, take, lot.expiresAt, indexOf(lot.memberId));
                if (null != allocations)
                {
                    allocations.add(new long[] {lot.id, take, 0});
                }
            }
            assertEquals(0, left, "model: debit beyond the balance");
            debited += points;
        }

        /** What the member owes is taken from what it has, soonest-expiring first, after every credit or restore. */
        private void settleOwed(final Command c, final ModelMember m)
        {
            final long settled = Math.min(m.owed, usable(m, c.timestamp));
            if (settled > 0)
            {
                debit(c, m, settled, EffectLog.SETTLE, null);
                m.owed -= settled;
            }
        }

        /**
         * Before a write on a member: its due lots expire; then its pending earns that are due mature into lots
         * (expiring by the rule at their maturity instant), lots that matured already expired go at once, and the
         * member's debt is paid from what remains.
         */
        private long settle(final Command c, final ModelMember m, final long now)
        {
            evaluate(c, m, now);
            long expired = expireDue(m, now, c);
            birthday(c, m, now);
            final List<ModelPending> due = new ArrayList<>();
            for (final ModelPending p : m.pending)
            {
                if (p.at <= now)
                {
                    due.add(p);
                }
            }
            if (due.isEmpty())
            {
                return expired;
            }
            due.sort(Comparator.<ModelPending>comparingLong(p -> p.at).thenComparingLong(p -> p.request.sequence));
            for (final ModelPending p : due)
            {
                m.pending.remove(p);
                final ModelLot lot = new ModelLot(lots.size(), m.key, p.points, p.at, program.expiresAt(p.at));
                lots.add(lot);
                m.lots.add(lot);
                credited += p.points;
                c.effects.add(EffectLog.MATURE, lot.id, p.points, lot.expiresAt, indexOf(lot.memberId));
                p.request.maturedLotId = lot.id;
            }
            expired += expireDue(m, now, c);
            settleOwed(c, m);
            return expired;
        }

        private long earnsInWindow(final ModelMember m, final long now)
        {
            return m.earns.stream().filter(t -> t > now - program.rules.activeDays * DAY_MS).count();
        }

        /** new, active, atRisk or dormant: recency and frequency of qualifying earns. */
        private String segment(final ModelMember m, final long now)
        {
            final ModelRules rules = program.rules;
            if (now - m.enrolledAt < rules.newDays * DAY_MS)
            {
                return "new";
            }
            if (earnsInWindow(m, now) >= rules.activeEarns)
            {
                return "active";
            }
            return !m.earns.isEmpty() && m.earns.get(m.earns.size() - 1) > now - rules.atRiskDays * DAY_MS ?
                "atRisk" : "dormant";
        }

        private void getMember(final Command c)
        {
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
                return;
            }
            c.tier = m.tier;
            c.memberStatus = m.status;
            c.birthday = m.birthday;
            c.referrerOut = m.referrer;
            c.enrolledAt = m.enrolledAt;
            c.segment = List.of("new", "active", "atRisk", "dormant").indexOf(segment(m, c.timestamp)) + 1;
            REACHED.merge("segment " + segment(m, c.timestamp), 1L, Long::sum);
            c.lastEarnAt = m.earns.isEmpty() ? 0 : m.earns.get(m.earns.size() - 1);
            c.recentEarns = (int)Math.min(earnsInWindow(m, c.timestamp), 8);
            c.tierPoints = tierPoints(m, c.timestamp);
            c.nextEvaluationAt = program.windowed() ? m.nextEvaluation : 0;
        }

        /** Moves points to another member: soonest-expiring first, one receiver lot per expiry instant. */
        private ModelMember transfer(final Command c)
        {
            final ModelMember m = member(c, false);
            if (null == m)
            {
                return null;
            }
            final ModelMember r = receiver(c);
            if (null == r)
            {
                return null;
            }
            final long now = c.timestamp;
            final long writable = writable(m, now);
            if (writable < c.points)
            {
                c.result = ResultCode.INSUFFICIENT_POINTS;
                c.resultDetail = writable;
                return null;
            }
            if (open(r, now).size() + r.pending.size() + expiriesMoved(m, now, c.points) > program.lotsPerMemberMax)
            {
                c.result = ResultCode.RECEIVER_LOTS_MAX;
                c.resultDetail = program.lotsPerMemberMax;
                return null;
            }
            c.expired = settle(c, m, now);
            final int first = c.effects.size();
            debit(c, m, c.points, EffectLog.TRANSFER_OUT, null);
            final Map<Long, Long> byExpiry = new java.util.TreeMap<>();
            for (int i = first; i < c.effects.size(); i++)
            {
                byExpiry.merge(c.effects.expiresAt(i), c.effects.amount(i), Long::sum);
            }
            for (final Map.Entry<Long, Long> group : byExpiry.entrySet())
            {
                final ModelLot lot = new ModelLot(lots.size(), r.key, group.getValue(), now, group.getKey());
                lots.add(lot);
                r.lots.add(lot);
                credited += group.getValue();
                c.effects.add(EffectLog.TRANSFER_IN, lot.id, group.getValue(), lot.expiresAt, indexOf(lot.memberId));
            }
            c.resultPoints = c.points;
            return m;
        }

        /** The receiver of a transfer or an exchange in the current program: if it exists, is active, owes nothing. */
        private ModelMember receiver(final Command c)
        {
            final ModelMember r = find(c.toMemberId);
            if (null == r)
            {
                c.result = ResultCode.RECEIVER_NOT_FOUND;
            }
            else if (r.status != MemberStatus.ACTIVE.code())
            {
                c.result = ResultCode.RECEIVER_NOT_ACTIVE;
            }
            else if (r.owed > 0)
            {
                c.result = ResultCode.RECEIVER_OWES;
                c.resultDetail = r.owed;
            }
            return c.result == ResultCode.OK ? r : null;
        }

        /**
         * Coalition exchange, as docs/program.md says: both programs list each other; the sending program's entry for
         * the partner gives the rate (rounded by its rule) and the limits, in its own points; the sender's points leave
         * soonest-expiring first, the receiver (not settled) gets one lot under its program's expiry rule.
         */
        private ModelMember exchange(final Command c)
        {
            final ModelMember m = member(c, false);
            if (null == m)
            {
                return null;
            }
            final ModelProgram from = program;
            final ModelProgram to = c.toProgramId.equals(main.name) ? main :
                partnerKnown && PARTNER.equals(c.toProgramId) ? partner : null;
            if (null == to)
            {
                c.result = ResultCode.TO_PROGRAM_NOT_FOUND;
                return null;
            }
            if (to == from)
            {
                c.result = ResultCode.TO_PROGRAM_ID_INVALID;
                return null;
            }
            final long[] terms = from.rules.partners.get(to.name);
            if (null == terms || !to.rules.partners.containsKey(from.name))
            {
                c.result = ResultCode.NOT_A_PARTNER;
                return null;
            }
            if (c.points < terms[1])
            {
                c.result = ResultCode.EXCHANGE_BELOW_MINIMUM;
                c.resultDetail = terms[1];
                return null;
            }
            final long received = BigDecimal.valueOf(c.points).multiply(BigDecimal.valueOf(terms[0]))
                .divide(BigDecimal.valueOf(10_000), 0, from.rules.rounding).longValueExact();
            if (received < 1)
            {
                c.result = ResultCode.EXCHANGE_TOO_SMALL;
                return null;
            }
            final long now = c.timestamp;
            final Map<String, long[]> sentBy = from == partner ? sentFromPartner : sentFromMain;
            final long[] sent = sentBy.computeIfAbsent(to.name, k -> new long[] {Long.MIN_VALUE, 0, 0});
            final long day = from.day(now).toEpochDay();
            final long sentToday = sent[0] == day ? sent[1] : 0;
            if (terms[2] > 0 && sentToday + c.points > terms[2])
            {
                c.result = ResultCode.PARTNER_DAILY_LIMIT;
                c.resultDetail = Math.max(0, terms[2] - sentToday);
                return null;
            }
            if (terms[3] > 0 && sent[2] + c.points > terms[3])
            {
                c.result = ResultCode.PARTNER_TOTAL_LIMIT;
                c.resultDetail = Math.max(0, terms[3] - sent[2]);
                return null;
            }
            final long writable = writable(m, now);
            if (writable < c.points)
            {
                c.result = ResultCode.INSUFFICIENT_POINTS;
                c.resultDetail = writable;
                return null;
            }
            program = to;
            final ModelMember r = receiver(c);
            program = from;
            if (null == r)
            {
                return null;
            }
            if (open(r, now).size() + r.pending.size() + 1 > to.lotsPerMemberMax)
            {
                c.result = ResultCode.RECEIVER_LOTS_MAX;
                c.resultDetail = to.lotsPerMemberMax;
                return null;
            }
            c.expired = settle(c, m, now);
            debit(c, m, c.points, EffectLog.EXCHANGE_OUT, null);
            final ModelLot lot = new ModelLot(lots.size(), r.key, received, now, to.expiresAt(now));
            lots.add(lot);
            r.lots.add(lot);
            credited += received;
            c.effects.add(EffectLog.EXCHANGE_IN, lot.id, received, lot.expiresAt, indexOf(lot.memberId));
            c.lotId = lot.id;
            c.expiresAt = lot.expiresAt;
            sent[1] = sent[0] == day ? sent[1] + c.points : c.points;
            sent[0] = day;
            sent[2] += c.points;
            (from == partner ? clearingPartner : clearingMain).merge(to.name, c.points, Long::sum);
            (to == partner ? clearingPartner : clearingMain).merge(from.name, -received, Long::sum);
            c.resultPoints = c.points;
            c.exchanged = received;
            return m;
        }

        /**
         * The receiver lots a transfer makes: the expiry instants of the points it would take once the sender is
         * settled (lots not due, plus due pending earns matured as newer lots, less the debt they pay).
         */
        private long expiriesMoved(final ModelMember m, final long now, final long points)
        {
            final List<long[]> after = new ArrayList<>(); // (expiry, id, points)
            for (final ModelLot lot : open(m, now))
            {
                after.add(new long[] {lot.expiresAt, lot.id, lot.remaining});
            }
            final Comparator<long[]> order = Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]);
            long id = lots.size();
            long debt = m.owed;
            if (m.nextBirthday <= now && mayHaveGift(m, now))
            {
                after.add(new long[] {program.expiresAt(now), id++, program.rules.birthdayGift});
                after.sort(order);
                debt = pay(after, debt);
            }
            final List<ModelPending> due = new ArrayList<>();
            for (final ModelPending p : m.pending)
            {
                if (p.at <= now)
                {
                    due.add(p);
                }
            }
            due.sort(Comparator.<ModelPending>comparingLong(p -> p.at).thenComparingLong(p -> p.request.sequence));
            for (final ModelPending p : due)
            {
                final long expiresAt = program.expiresAt(p.at);
                if (expiresAt > now)
                {
                    after.add(new long[] {expiresAt, id, p.points});
                }
                id++;
            }
            after.sort(order);
            if (!due.isEmpty())
            {
                pay(after, debt);
            }
            long left = points;
            final java.util.Set<Long> expiries = new java.util.HashSet<>();
            for (final long[] e : after)
            {
                final long take = Math.min(e[2], left);
                if (take > 0)
                {
                    expiries.add(e[0]);
                    left -= take;
                }
            }
            return expiries.size();
        }

        /** Pays a debt from the soonest-expiring points of (expiry, id, points) entries: returns what is left. */
        private static long pay(final List<long[]> entries, final long debt)
        {
            long left = debt;
            for (final long[] e : entries)
            {
                final long paid = Math.min(left, e[2]);
                e[2] -= paid;
                left -= paid;
            }
            return left;
        }

        /** A lot made by a bonus (for the record's member, or its referrer). */
        private ModelLot bonusLot(final Command c, final ModelMember owner, final long points, final byte kind)
        {
            final ModelLot lot = new ModelLot(lots.size(), owner.key, points, c.timestamp,
                program.expiresAt(c.timestamp));
            lots.add(lot);
            owner.lots.add(lot);
            credited += points;
            c.effects.add(kind, lot.id, points, lot.expiresAt, owner.index);
            return lot;
        }

        private boolean mayHaveGift(final ModelMember m, final long now)
        {
            return program.rules.birthdayGift > 0 && m.status == MemberStatus.ACTIVE.code();
        }

        /** The birthday gift, if the member's birthday has come (the latest one only). */
        private void birthday(final Command c, final ModelMember m, final long now)
        {
            if (m.nextBirthday > now)
            {
                return;
            }
            // one gift for the latest birthday that has come (missed years are not made up); the next is the first
            // birthday after now, in the zone of the program in force
            m.nextBirthday = program.nextBirthday(m.birthday, now);
            if (mayHaveGift(m, now))
            {
                bonusLot(c, m, program.rules.birthdayGift, EffectLog.BONUS);
                c.bonusPoints += program.rules.birthdayGift;
                settleOwed(c, m);
            }
        }

        /** A first earn reversed in full: its bonuses go back (the member's like an earn, the referrer's if left). */
        private void reverseBonuses(final Command c, final ModelMember m)
        {
            m.bonusesReversed = true;
            final long now = c.timestamp;
            if (m.bonusPoints > 0)
            {
                final ModelLot own = m.bonusLot;
                final long fromOwn = Math.min(own.remaining, m.bonusPoints);
                if (fromOwn > 0)
                {
                    own.remaining -= fromOwn;
                    debited += fromOwn;
                    c.effects.add(EffectLog.CLAWBACK, own.id, fromOwn, own.expiresAt, indexOf(own.memberId));
                }
                final long alreadyExpired = Math.min(m.bonusPoints - fromOwn, own.expired);
                final long fromOthers = Math.min(m.bonusPoints - fromOwn - alreadyExpired, usable(m, now));
                if (fromOthers > 0)
                {
                    debit(c, m, fromOthers, EffectLog.CLAWBACK, null);
                }
                final long shortfall = m.bonusPoints - fromOwn - fromOthers - alreadyExpired;
                c.bonusPoints = -(fromOwn + fromOthers + shortfall); // all but what had expired
                c.alreadyExpired += alreadyExpired;
                c.shortfall += shortfall;
                owe(c, m, own, shortfall);
            }
            if (m.referrerBonusPoints > 0)
            {
                final ModelLot lot = m.referrerBonusLot;
                if (lot.remaining > 0 && lot.expiresAt > now)
                {
                    final long take = Math.min(lot.remaining, m.referrerBonusPoints);
                    lot.remaining -= take;
                    debited += take;
                    c.effects.add(EffectLog.REFERRER_CLAWBACK, lot.id, take, lot.expiresAt, indexOf(lot.memberId));
                    c.referrerBonusPoints = -take;
                }
            }
        }

        /** A reversal's shortfall: owed (a negative balance), or recorded and forgiven, as the program says. */
        private void owe(final Command c, final ModelMember m, final ModelLot own, final long shortfall)
        {
            if (shortfall <= 0)
            {
                return;
            }
            if (program.rules.forgive)
            {
                c.effects.add(EffectLog.FORGIVE, own.id, shortfall, own.expiresAt, m.index);
                own.forgiven += shortfall;
                return;
            }
            c.effects.add(EffectLog.SHORTFALL, own.id, shortfall, own.expiresAt, m.index);
            m.owed += shortfall;
            own.shortfall += shortfall;
        }

        /** Tier points at an instant: lifetime, the 12 calendar months ending with its month, or its year. */
        private long tierPoints(final ModelMember m, final long at)
        {
            final YearMonth month = YearMonth.from(program.day(at));
            switch (program.rules.window)
            {
                case "rolling12":
                    return m.months.entrySet().stream()
                        .filter(e -> !e.getKey().isAfter(month) && e.getKey().isAfter(month.minusMonths(12)))
                        .mapToLong(Map.Entry::getValue).sum();
                case "calendarYear":
                    return yearPoints(m, month.getYear());
                default:
                    return m.lifetime;
            }
        }

        private static long yearPoints(final ModelMember m, final int year)
        {
            return m.months.entrySet().stream().filter(e -> e.getKey().getYear() == year)
                .mapToLong(Map.Entry::getValue).sum();
        }

        /** The member's due evaluation (the latest due one), if tiers qualify in a window. */
        private void evaluate(final Command c, final ModelMember m, final long now)
        {
            if (m.nextEvaluation > now)
            {
                return;
            }
            long at = m.nextEvaluation;
            while (program.nextEvaluation(at) <= now)
            {
                at = program.nextEvaluation(at);
            }
            if (!program.windowed())
            {
                m.nextEvaluation = program.nextEvaluation(at); // lifetime tiers: the schedule only moves on
                return;
            }
            final long points = "rolling12".equals(program.rules.window) ? tierPoints(m, at) :
                yearPoints(m, program.day(at).getYear() - 1);
            final int qualified = program.tierFor(points);
            int tier = m.tier;
            if (qualified >= tier)
            {
                tier = qualified;
            }
            else if (points < program.keep(tier))
            {
                tier = Math.max(qualified, tier - program.rules.maxDrop);
            }
            if (m.floorUntil > at)
            {
                tier = Math.max(tier, m.floorTier);
            }
            REACHED.merge(tier < m.tier ? "downgraded at an evaluation" : "kept at an evaluation", 1L, Long::sum);
            m.tier = tier;
            m.nextEvaluation = program.nextEvaluation(at);
            c.effects.add(EffectLog.TIER, -1, tier, at, m.index);
        }

        private ModelMember setTier(final Command c)
        {
            final ModelMember m = member(c, true); // a frozen member's status and tier may still be set
            if (null == m)
            {
                return null;
            }
            c.expired = settle(c, m, c.timestamp);
            m.tier = c.requestedTier;
            m.floorTier = c.requestedFloorUntil > c.timestamp ? c.requestedTier : 0;
            m.floorUntil = c.requestedFloorUntil > c.timestamp ? c.requestedFloorUntil : 0;
            return m;
        }

        /** What a write could take now: usable points, and pending points due to mature (less the debt they pay). */
        private long writable(final ModelMember m, final long now)
        {
            long writable = usable(m, now);
            if (m.pending.stream().anyMatch(p -> p.at <= now))
            {
                for (final ModelPending p : m.pending)
                {
                    if (p.at <= now && program.expiresAt(p.at) > now)
                    {
                        writable += p.points;
                    }
                }
                writable -= Math.min(m.owed, writable);
            }
            return writable;
        }

        private long expireDue(final ModelMember m, final long now, final Command c)
        {
            final List<ModelLot> due = new ArrayList<>();
            for (final ModelLot lot : m.lots)
            {
                if (lot.remaining > 0 && lot.expiresAt <= now)
                {
                    due.add(lot);
                }
            }
            due.sort(SOONEST_FIRST);
            long expired = 0;
            for (final ModelLot lot : due)
            {
                c.effects.add(EffectLog.EXPIRE, lot.id, lot.remaining, lot.expiresAt, indexOf(lot.memberId));
                expired += lot.remaining;
                lot.expired += lot.remaining;
                lot.remaining = 0;
            }
            expiredTotal += expired;
            expiredMain += m.inPartner ? 0 : expired;
            return expired;
        }

        // ---------------------------------------------------------------------------------------- sweep, program

        private void expireTick(final Command c)
        {
            final List<ModelLot> due = new ArrayList<>();
            for (final ModelLot lot : lots)
            {
                if (lot.remaining > 0 && lot.expiresAt <= c.timestamp)
                {
                    due.add(lot);
                }
            }
            due.sort(SOONEST_FIRST);
            // the soonest due lot names a member, whose due lots all go at once, each one using up the budget
            // (which may end below zero); lots emptied by an earlier member's turn in this tick are passed over
            long expired = 0;
            long budget = c.limit;
            for (int i = 0; i < due.size() && budget > 0; i++)
            {
                final ModelLot first = due.get(i);
                if (first.remaining == 0)
                {
                    continue;
                }
                // the member is settled: its due lots expire (and its due pending earns mature)
                final int before = c.effects.size();
                final ModelMember owner = members.get(first.memberId);
                program = programOf(owner);
                expired += settle(c, owner, c.timestamp);
                budget -= c.effects.size() - before;
            }
            c.expired = expired;
            // then holds past their timeout, earliest first (ties in request order), each member's due lots first;
            // every effect uses up the budget
            final List<ModelRequest> dueHolds = new ArrayList<>();
            for (final ModelRequest request : requestsInOrder)
            {
                if (request.content.type == CommandType.HOLD && request.resultPoints > request.reversed &&
                    request.expiresAt <= c.timestamp)
                {
                    dueHolds.add(request);
                }
            }
            dueHolds.sort(Comparator.<ModelRequest>comparingLong(r -> r.expiresAt).thenComparingLong(r -> r.sequence));
            long released = 0;
            for (int i = 0; i < dueHolds.size() && budget > 0; i++)
            {
                final ModelRequest hold = dueHolds.get(i);
                final long held = hold.resultPoints - hold.reversed;
                final ModelMember m = members.get(hold.memberKey);
                program = programOf(m);
                final int before = c.effects.size();
                c.expired += settle(c, m, c.timestamp);
                release(c, m, hold, held);
                hold.reversed += held;
                released += held;
                budget -= c.effects.size() - before;
            }
            c.released = released;
            // then pending earns due to mature, earliest first (ties in request order), each member settled at once
            final List<ModelPending> duePending = new ArrayList<>();
            for (final ModelMember m : members.values())
            {
                for (final ModelPending p : m.pending)
                {
                    if (p.at <= c.timestamp)
                    {
                        duePending.add(p);
                    }
                }
            }
            duePending.sort(
                Comparator.<ModelPending>comparingLong(p -> p.at).thenComparingLong(p -> p.request.sequence));
            for (int i = 0; i < duePending.size() && budget > 0; i++)
            {
                final ModelPending p = duePending.get(i);
                final ModelMember m = members.get(p.request.memberKey);
                if (!m.pending.contains(p))
                {
                    continue;
                }
                program = programOf(m);
                final int before = c.effects.size();
                c.expired += settle(c, m, c.timestamp);
                budget -= c.effects.size() - before;
            }
            // then tier evaluations due, then birthday gifts due (to members who may have one): each earliest first,
            // ties in enrollment order
            // (each of a program that acts on them: the partner's tiers are for life and it gives no gifts)
            budget = settleInTurn(c, budget, m -> programOf(m).windowed() ? m.nextEvaluation : Long.MAX_VALUE,
                m -> true);
            budget = settleInTurn(c, budget, m -> programOf(m).rules.birthdayGift > 0 ? m.nextBirthday :
                Long.MAX_VALUE, m -> mayHaveGift(m, c.timestamp));
            c.resultPoints = c.expired;
            if (c.effects.size() > 0)
            {
                c.sequence = ++sequence;
                fillTouched(c, null);
            }
        }

        /**
         * The sweep's turn for members due at {@code dueAt}: earliest first, ties in enrollment order, each eligible
         * one settled while the budget lasts (every effect uses it up). @return the budget left.
         */
        private long settleInTurn(final Command c, final long budget,
            final java.util.function.ToLongFunction<ModelMember> dueAt,
            final java.util.function.Predicate<ModelMember> eligible)
        {
            final List<ModelMember> due = new ArrayList<>();
            for (final ModelMember m : members.values())
            {
                if (dueAt.applyAsLong(m) <= c.timestamp)
                {
                    due.add(m);
                }
            }
            due.sort(Comparator.comparingLong(dueAt).thenComparingInt(m -> m.index));
            long left = budget;
            for (int i = 0; i < due.size() && left > 0; i++)
            {
                program = programOf(due.get(i));
                if (eligible.test(due.get(i)))
                {
                    final int before = c.effects.size();
                    c.expired += settle(c, due.get(i), c.timestamp);
                    left -= c.effects.size() - before;
                }
            }
            return left;
        }

        /** @return the index of the member with this key (program and id): what its effects name it by. */
        private int indexOf(final String key)
        {
            return members.get(key).index;
        }

        /**
         * A journaled record's member table: the write's own member, then each effect's member in order of first
         * touch, each with its balances after the record (the points in its lots, owed, held, pending).
         */
        private void fillTouched(final Command c, final ModelMember own)
        {
            c.touched.reset();
            if (null != own)
            {
                addTouched(c, own);
            }
            for (int i = 0; i < c.effects.size(); i++)
            {
                final int entry = c.touched.entryOf(c.effects.member(i));
                c.touched.addEffectEntry(entry >= 0 ? entry : addTouched(c, byIndex.get(c.effects.member(i))));
            }
        }

        private int addTouched(final Command c, final ModelMember m)
        {
            long pending = 0;
            for (final ModelPending p : m.pending)
            {
                pending += p.points;
            }
            // the points of its lots, a lot past its expiry included until a record expires it
            long inLots = 0;
            for (final ModelLot lot : m.lots)
            {
                inLots += lot.remaining;
            }
            return c.touched.add(m.index, m.inPartner ? PARTNER : main.name, m.id, inLots, m.owed, m.held, pending);
        }

        private void setProgram(final Command c)
        {
            if (PARTNER.equals(c.programId) && partner.text.equals(c.programText))
            {
                partnerKnown = true;
                c.sequence = ++sequence;
                fillTouched(c, null);
                return;
            }
            for (final ModelProgram candidate : programs)
            {
                if (candidate.text.equals(c.programText) && isEmpty(c.programId))
                {
                    main = candidate;
                    program = candidate;
                    c.sequence = ++sequence;
                    fillTouched(c, null);
                    return;
                }
            }
            c.result = ResultCode.COMMAND_INVALID;
        }

        // ---------------------------------------------------------------------------------------- reads

        private void getBalance(final Command c)
        {
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
                return;
            }
            final List<ModelLot> open = open(m, c.timestamp);
            c.balance = usable(m, c.timestamp);
            c.owed = m.owed;
            c.held = m.held;
            c.tierPoints = tierPoints(m, c.timestamp);
            c.nextTierPoints = m.tier < 4 ? Math.max(0, program.threshold(m.tier + 1) - c.tierPoints) : 0;
            c.nextEvaluationAt = program.windowed() ? m.nextEvaluation : 0;
            if (m.floorUntil > c.timestamp)
            {
                c.floorTier = m.floorTier;
                c.floorUntil = m.floorUntil;
            }
            final List<ModelPending> pending = new ArrayList<>(m.pending);
            pending.sort(Comparator.<ModelPending>comparingLong(p -> p.at).thenComparingLong(p -> p.request.sequence));
            for (final ModelPending p : pending)
            {
                c.pending += p.points;
                c.lots.add(-1, p.points, p.points, p.earnedAt, p.at);
            }
            c.tier = m.tier;
            c.lifetimeEarned = m.lifetime;
            c.memberStatus = m.status;
            c.openLots = open.size();
            if (!open.isEmpty())
            {
                c.nextExpiryAt = open.get(0).expiresAt;
                for (final ModelLot lot : open)
                {
                    if (lot.expiresAt == c.nextExpiryAt)
                    {
                        c.nextExpiryPoints += lot.remaining;
                    }
                }
            }
            // the outlook: remaining points summed by expiry instant, soonest first, instants with none left out
            final TreeMap<Long, Long> byInstant = new TreeMap<>();
            for (final ModelLot lot : open)
            {
                byInstant.merge(lot.expiresAt, lot.remaining, Long::sum);
            }
            byInstant.values().removeIf(points -> points == 0);
            c.expiryBatches = byInstant.size();
            byInstant.entrySet().stream().limit(1000).forEach(e -> c.outlook.add(e.getKey(), e.getValue()));
        }

        private void checkTier(final Command c)
        {
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
                return;
            }
            c.tier = m.tier;
            c.memberStatus = m.status;
            c.meets = m.status == MemberStatus.ACTIVE.code() && m.tier >= c.minTier;
        }

        private void listLots(final Command c)
        {
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
                return;
            }
            final List<ModelLot> open = open(m, c.timestamp);
            c.openLots = open.size();
            for (int i = 0; i < open.size() && i < c.limit; i++)
            {
                final ModelLot lot = open.get(i);
                c.lots.add(lot.id, lot.amount, lot.remaining, lot.earnedAt, lot.expiresAt);
            }
            c.balance = usable(m, c.timestamp);
        }

        // ---------------------------------------------------------------------------------------- queries

        /**
         * ListExpiring with all its pages together: the program's members in enrollment order, closed ones left out,
         * whose points expiring after {@code now} and at or before {@code end} come to at least {@code min}; each as
         * "id points first-expiry usable".
         */
        List<String> expiring(final boolean inPartner, final long now, final long end, final long min)
        {
            final List<String> found = new ArrayList<>();
            for (final String id : inPartner ? partnerIds : memberIds)
            {
                final ModelMember m = members.get(keyOf(inPartner, id));
                if (m.status == MemberStatus.CLOSED.code())
                {
                    continue;
                }
                long points = 0;
                long first = Long.MAX_VALUE;
                for (final ModelLot lot : m.lots)
                {
                    if (lot.remaining > 0 && lot.expiresAt > now && lot.expiresAt <= end)
                    {
                        points += lot.remaining;
                        first = Math.min(first, lot.expiresAt);
                    }
                }
                if (points >= min)
                {
                    found.add(id + " " + points + " " + first + " " + usable(m, now));
                }
            }
            return found;
        }

        /** The member's lots with points usable at {@code now}, soonest-expiring first. */
        private static List<ModelLot> open(final ModelMember m, final long now)
        {
            final List<ModelLot> open = new ArrayList<>();
            for (final ModelLot lot : m.lots)
            {
                if (lot.remaining > 0 && lot.expiresAt > now)
                {
                    open.add(lot);
                }
            }
            open.sort(SOONEST_FIRST);
            return open;
        }

        private static long usable(final ModelMember m, final long now)
        {
            long sum = 0;
            for (final ModelLot lot : m.lots)
            {
                if (lot.expiresAt > now)
                {
                    sum += lot.remaining;
                }
            }
            return sum;
        }

        long usable(final String memberId, final long now)
        {
            return usable(false, memberId, now);
        }

        long usable(final boolean inPartner, final String memberId, final long now)
        {
            final ModelMember m = members.get(keyOf(inPartner, memberId));
            return null == m ? 0 : usable(m, now);
        }

        /**
         * @return the content of a random hold not yet captured, released or timed out at {@code now}, or null.
         */
        Command openHold(final Random random, final long now)
        {
            final List<Command> open = new ArrayList<>();
            for (int i = firstRemembered; i < requestsInOrder.size(); i++)
            {
                final ModelRequest request = requestsInOrder.get(i);
                if (request.content.type == CommandType.HOLD && request.reversed < request.resultPoints &&
                    request.expiresAt > now && requests.get(scopedKey(request)) == request)
                {
                    open.add(request.content);
                }
            }
            return open.isEmpty() ? null : open.get(random.nextInt(open.size()));
        }

        /** The type of a remembered request of a program (its name; null or the first's name: the first). */
        CommandType typeOf(final String programId, final String requestId)
        {
            final ModelProgram of = named(programId);
            final ModelRequest request = null == of ? null : requests.get(scopedKey(of, requestId));
            return null == request ? null : request.content.type;
        }

        boolean remembers(final Command content, final long now)
        {
            final ModelProgram of = named(content.programId);
            final ModelRequest request = null == of ? null : requests.get(scopedKey(of, content.requestId));
            return null != request && request.timestamp >= now - program.retentionMs;
        }

        /**
         * Reversals that random picks seldom meet: of an earn some of whose lot's points expired (what expired is
         * forgiven), and of a redeem of a member who owes (the restored points settle the debt).
         *
         * @return the content of such a remembered write, not fully reversed; or null if there is none.
         */
        Command reversibleOfInterest(final Random random, final long now)
        {
            final long cutoff = now - program.retentionMs;
            final List<Command> candidates = new ArrayList<>();
            for (int i = firstRemembered; i < requestsInOrder.size(); i++)
            {
                final ModelRequest request = requestsInOrder.get(i);
                final Command content = request.content;
                final boolean interesting = content.type == CommandType.EARN ?
                    request.lotId >= 0 && lots.get((int)request.lotId).expired > 0 :
                    content.type == CommandType.REDEEM && members.get(request.memberKey).owed > 0;
                if (interesting && request.timestamp >= cutoff && request.reversed < request.resultPoints &&
                    requests.get(scopedKey(request)) == request)
                {
                    candidates.add(request.content);
                }
            }
            return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
        }

        long nextCampaignEdgeAfter(final long now)
        {
            long next = Long.MAX_VALUE;
            for (final ModelCampaign c : program.rules.campaigns)
            {
                next = Math.min(next, c.start > now ? c.start : c.end > now ? c.end : Long.MAX_VALUE);
            }
            return next;
        }

        long nextExpiryAfter(final long now)
        {
            long next = Long.MAX_VALUE;
            for (final ModelLot lot : lots)
            {
                if (lot.remaining > 0 && lot.expiresAt > now)
                {
                    next = Math.min(next, lot.expiresAt);
                }
            }
            return next;
        }

        void checkTotals(final Ledger ledger, final long now)
        {
            assertEquals(BigInteger.ZERO, ledger.accounts().total(), "the accounts sum to zero");
            assertEquals(BigInteger.ZERO, ledger.accounts(1).total(), "the partner's accounts sum to zero");
            assertEquals(BigInteger.valueOf(expiredMain), ledger.accounts().balance(Accounts.Account.EXPIRED),
                "breakage account");
            assertEquals(BigInteger.valueOf(expiredTotal - expiredMain),
                ledger.accounts(1).balance(Accounts.Account.EXPIRED), "the partner's breakage account");
            for (final Map.Entry<String, Long> clearing : clearingMain.entrySet())
            {
                assertEquals(BigInteger.valueOf(clearing.getValue()), ledger.accounts().clearing(clearing.getKey()),
                    "clearing with " + clearing.getKey());
            }
            for (final Map.Entry<String, Long> clearing : clearingPartner.entrySet())
            {
                assertEquals(BigInteger.valueOf(clearing.getValue()), ledger.accounts(1).clearing(clearing.getKey()),
                    "the partner's clearing with " + clearing.getKey());
            }
            for (final Map.Entry<String, long[]> sent : sentFromMain.entrySet())
            {
                assertEquals(sent.getValue()[2], ledger.sentToPartner(0, sent.getKey()), "sent to " + sent.getKey());
            }
            assertEquals(credited, ledger.totalCredited(), "total credited");
            assertEquals(debited, ledger.totalDebited(), "total debited");
            assertEquals(expiredTotal, ledger.totalExpired(), "total expired");
            assertEquals(BigInteger.valueOf(credited), ledger.credited(), "credited");
            assertEquals(BigInteger.valueOf(debited), ledger.debited(), "debited");
            assertEquals(BigInteger.valueOf(expiredTotal), ledger.expired(), "expired");
            assertEquals(memberIds.size() + partnerIds.size(), ledger.memberCount(), "member count");
            assertEquals(lots.size(), ledger.lotCount(), "lot count");
            long held = 0;
            for (final ModelLot lot : lots)
            {
                held += lot.remaining;
            }
            assertEquals(credited - debited - expiredTotal, held, "model: credited - debited - expired");
            long outstanding = 0;
            long inHolds = 0;
            for (final ModelMember m : members.values())
            {
                inHolds += m.held;
                outstanding += usable(m, now) + m.held;
                final long memberHeld = m.lots.stream().mapToLong(lot -> lot.remaining).sum();
                assertTrue(m.owed >= 0 && (m.owed == 0 || memberHeld == 0),
                    () -> "model: " + m.id + " owes " + m.owed + " and holds " + memberHeld);
            }
            assertEquals(inHolds, ledger.held(), "points in open holds");
            assertEquals(BigInteger.valueOf(outstanding), ledger.outstandingAt(now), "outstanding at " + now);
            for (final long later : new long[] {nextExpiryAfter(now), now + 400 * DAY_MS})
            {
                if (later != Long.MAX_VALUE)
                {
                    long outstandingLater = 0;
                    for (final ModelMember m : members.values())
                    {
                        outstandingLater += usable(m, later) + m.held;
                    }
                    assertEquals(BigInteger.valueOf(outstandingLater), ledger.outstandingAt(later),
                        "outstanding at " + later);
                }
            }
        }
    }
}
