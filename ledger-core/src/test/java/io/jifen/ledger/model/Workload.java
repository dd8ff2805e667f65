package io.jifen.ledger.model;

import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.MemberStatus;
import io.jifen.ledger.model.ReferenceModel.Model;
import io.jifen.ledger.model.ReferenceModel.ModelProgram;
import io.jifen.ledger.model.ReferenceModel.ModelRules;

/**
 * The seeded workload of {@link LedgerRandomizedTest}: the programs a run's ledger lives under (one of four versions of
 * the main program, and a partner program) and, one at a time, the commands sent to both the ledger and the model.
 * It asks the model, as an oracle, what is worth trying (a member's usable points, requests still remembered, open
 * holds, the next expiry or campaign edge), so that boundary cases are met often; it never looks at the ledger.
 */
final class Workload
{
    static final long MINUTE_MS = 60_000L;
    static final long HOUR_MS = 3_600_000L;
    static final long DAY_MS = 86_400_000L;
    static final int MEMBER_POOL = 30;
    /** The name of the second program of every run's ledger: the coalition partner of the main program. */
    static final String PARTNER = ReferenceModel.PARTNER;
    /** The name of every version of the main program (the ledger's first). */
    static final String MAIN = "main";

    final Random random;
    final ModelProgram[] programs;
    final ModelProgram initialProgram;
    final ModelProgram partner;
    /** The next command, filled in by {@link #next()}. */
    final Command in = new Command();
    /** Ledger time: only moves forward. */
    long now;
    private Model model;
    private final List<Command> writes = new ArrayList<>();
    /** Earns and redeems that succeeded: what reversals mostly aim at. */
    private final List<Command> reversibles = new ArrayList<>();
    private final List<Command> holds = new ArrayList<>();
    private int commandsAtThisInstant;
    private long pendingExpiryInstant = Long.MIN_VALUE;
    private int nextRequest;
    /**
     * Draws of the reuse of an id in the other program, apart from {@link #random}, so adding them left the rest of
     * each seed's commands as they were (the rarest outcomes are reached by the seeds as they are).
     */
    private final Random crossProgram;
    /** Which API key sends each command (journaled, never read by the rules): apart from {@link #random} too. */
    private final Random keys;
    private static final String[] KEY_IDS = {null, "pos-shanghai-01", "admin", "finance.import-2"};

    Workload(final long seed)
    {
        this.random = new Random(seed);
        this.crossProgram = new Random(~seed);
        this.keys = new Random(seed * 0x9E3779B97F4A7C15L);
        final int retentionDays = new int[] {1, 2, 35, 100}[random.nextInt(4)];
        final long t0 = Instant.parse("2023-06-15T04:00:00Z").toEpochMilli() + random.nextInt(40) * DAY_MS;
        programs = new ModelProgram[] {
            new ModelProgram(MAIN, "Asia/Shanghai", 12, 1_000, 5_000, 20_000, 10_000, retentionDays,
                new ModelRules(1, 100, RoundingMode.FLOOR, "1", "1.2", "1.5", "2", 0)
                    .pendingDays(Math.min(7, retentionDays - 1))
                    .bonuses(20, 50, 100, 30, "1.5", 0, true)
                    .campaign("double", "2", t0 + 2 * DAY_MS, t0 + 200 * DAY_MS, "online app", "", 1, 0)
                    .campaign("coffee", "1.5", t0, t0 + 400 * DAY_MS, "", "coffee", 1, 5_000)
                    .segments("new atRisk")
                    .lifecycle(10, 30, 3, 90)
                    .partner(PARTNER, 5_000, 20, 3_000, 8_000)),
            new ModelProgram(MAIN, "UTC", 1, 300, 900, 2_000, 6, retentionDays,
                new ModelRules(3, 200, RoundingMode.HALF_UP, "1", "1.25", "1.25", "1.75", 800)
                    .tiers("rolling12", 0, 200, 700, 1_500, 1)
                    .campaign("loyal", "1.1", t0 + DAY_MS, t0 + 300 * DAY_MS, "", "", 2, 2_000)
                    .segments("active")
                    .graceDays(14)
                    .partner(PARTNER, 25_000, 1, 400, 0)),
            new ModelProgram(MAIN, "America/New_York", 0, 100, 100, 5_000, 4, retentionDays,
                new ModelRules(1, 10, RoundingMode.HALF_EVEN, "1", "1", "1", "1", 3_000)
                    .tiers("calendarYear", 101, 100, 100, 4_000, 2)
                    .pendingDays(Math.min(1, retentionDays - 1))
                    .bonuses(0, 0, 40, 0, "1", 25, false)
                    .graceDays(1)
                    .campaign("flash-a", "2", t0 + 3 * DAY_MS, t0 + 60 * DAY_MS, "", "", 1, 700)
                    .campaign("flash-b", "2", t0 + 3 * DAY_MS, t0 + 500 * DAY_MS, "store", "tea coffee", 1, 300)
                    .partner(PARTNER, 700, 1, 0, 0)),
            new ModelProgram(MAIN, "Asia/Kolkata", 3, 0, 500, 1_500, 20, retentionDays,
                new ModelRules(7, 1000, RoundingMode.CEILING, "1", "1", "1.3333", "1", 0)
                    .tiers("rolling12", 701, 0, 500, 1_500, 3)
                    .bonuses(0, 10, 0, 0, "3", 5, true)
                    .forgive()),
        };
        // the coalition partner: a second program of the ledger (put in force first), lifetime tiers, no bonuses,
        // listing the main program back (whose versions keep its name: partners name it); the fourth version
        // does not list the partner, so exchanges either way are refused while it is in force
        partner = new ModelProgram(PARTNER, "Europe/Paris", 2, 500, 1_000, 2_000, 5, retentionDays,
            new ModelRules(1, 100, RoundingMode.HALF_UP, "1", "1", "1", "1", 0)
                .partner(MAIN, 25_000, 10, 200, 20_000));
        initialProgram = programs[random.nextInt(programs.length)];
        now = t0;
    }

    /** The model the workload asks what is worth trying (created from {@link #programs}). */
    void bind(final Model oracle)
    {
        this.model = oracle;
    }

    /** Moves time on and fills {@link #in} with the next command, stamped. */
    void next()
    {
        advanceTime();
        generate();
        in.keyId = KEY_IDS[keys.nextInt(KEY_IDS.length)];
        in.timestamp = now;
    }

    /** Remembers a command run (a copy of its inputs) and the ledger's answer, for retries and reversals later. */
    void observe(final Command copy, final Command actual)
    {
        if (in.type.isIdempotentWrite())
        {
            writes.add(copy);
            if ((in.type == CommandType.EARN || in.type == CommandType.REDEEM ||
                in.type == CommandType.CAPTURE_HOLD) && actual.isJournaled())
            {
                reversibles.add(copy);
            }
            if (in.type == CommandType.HOLD && actual.isJournaled())
            {
                holds.add(copy);
            }
        }
    }

    /**
     * Mostly small steps, some long gaps, and jumps to the millisecond before the next expiry instant, where time
     * stays for a few commands (redeems there draw on the lots about to expire), then to the instant itself for a
     * few more, so that boundary cases meet every command type.
     */
    private void advanceTime()
    {
        if (commandsAtThisInstant > 0)
        {
            commandsAtThisInstant--;
            return;
        }
        if (pendingExpiryInstant != Long.MIN_VALUE)
        {
            now = Math.max(now, pendingExpiryInstant);
            pendingExpiryInstant = Long.MIN_VALUE;
            commandsAtThisInstant = random.nextInt(10);
            return;
        }
        final double r = random.nextDouble();
        if (r < 0.6)
        {
            now += (long)(random.nextDouble() * 20 * MINUTE_MS);
        }
        else if (r < 0.9)
        {
            now += (long)(random.nextDouble() * 4 * HOUR_MS);
        }
        else if (r < 0.97)
        {
            now += (long)(random.nextDouble() * 2 * DAY_MS);
        }
        else if (r < 0.98)
        {
            final long edge = model.nextCampaignEdgeAfter(now);
            if (edge != Long.MAX_VALUE)
            {
                now = Math.max(now, edge - 1);
                commandsAtThisInstant = random.nextInt(4);
                pendingExpiryInstant = edge;
            }
        }
        else if (r < 0.995)
        {
            final long next = model.nextExpiryAfter(now);
            if (next != Long.MAX_VALUE)
            {
                now = Math.max(now, next - 1);
                commandsAtThisInstant = random.nextInt(8);
                pendingExpiryInstant = next;
            }
        }
        else
        {
            now += 10 * DAY_MS + (long)(random.nextDouble() * 30 * DAY_MS);
        }
    }

    private void generate()
    {
        in.clear();
        final int r = random.nextInt(106);
        if (r >= 104)
        {
            importRow();
        }
        else if (r >= 100)
        {
            exchange();
        }
        else if (r < 6)
        {
            enroll();
        }
        else if (r < 28)
        {
            write(CommandType.EARN, pickMember());
            if (random.nextInt(8) == 0)
            {
                inPartner();
            }
            if (random.nextInt(5) < 2)
            {
                purchase();
            }
            else
            {
                in.points = earnPoints();
            }
            in.orderId = random.nextInt(4) == 0 ? "order-" + random.nextInt(1000) : null;
        }
        else if (r < 37)
        {
            final String member = pickMember();
            write(CommandType.REDEEM, member);
            final long usable = model.usable(member, now);
            in.points = random.nextInt(10) < 7 && usable > 0 ? 1 + (long)(random.nextDouble() * usable) :
                1 + random.nextInt(1000);
        }
        else if (r < 40)
        {
            final String member = pickMember();
            write(CommandType.HOLD, member);
            final long usable = model.usable(member, now);
            in.points = random.nextInt(10) < 7 && usable > 0 ? 1 + (long)(random.nextDouble() * usable) :
                1 + random.nextInt(1000);
            in.orderId = "order-" + random.nextInt(1000);
            // mostly short timeouts, so the sweep and captures racing it meet; the default; now and then too long
            final int t = random.nextInt(20);
            in.holdTimeoutSeconds = t < 8 ? 1 + random.nextInt(120) : t < 17 ? 0 : t < 19 ? 2 * 86_400 : -1;
        }
        else if (r < 44)
        {
            closeHold();
        }
        else if (r < 53)
        {
            reverse();
        }
        else if (r < 60)
        {
            write(CommandType.ADJUST, pickMember());
            in.points = (1 + random.nextInt(500)) * (random.nextBoolean() ? 1 : -1);
            in.reason = random.nextInt(20) == 0 ? (random.nextBoolean() ? null : " ") : "correction";
        }
        else if (r < 64)
        {
            write(CommandType.SET_STATUS, pickMember());
            final int s = random.nextInt(20);
            in.status = s == 0 ? MemberStatus.CLOSED.code() : s < 5 ? MemberStatus.FROZEN.code() :
                MemberStatus.ACTIVE.code();
        }
        else if (r == 64 && random.nextBoolean())
        {
            write(CommandType.SET_TIER, pickMember());
            in.requestedTier = random.nextInt(12) == 0 ? 5 : 1 + random.nextInt(4);
            in.requestedFloorUntil = random.nextBoolean() ? 0 : now + (long)(random.nextDouble() * 500 * DAY_MS);
        }
        else if (r < 67)
        {
            write(CommandType.TRANSFER, pickMember());
            in.toMemberId = random.nextInt(15) == 0 ? in.memberId : pickMember();
            final long usable = model.usable(in.memberId, now);
            in.points = usable > 0 && random.nextInt(4) > 0 ? 1 + (long)(random.nextDouble() * usable) :
                1 + random.nextInt(500);
        }
        else if (r < 70)
        {
            read(CommandType.GET_BALANCE);
        }
        else if (r < 72)
        {
            read(CommandType.GET_MEMBER);
        }
        else if (r < 75)
        {
            read(CommandType.CHECK_TIER);
            in.minTier = 1 + random.nextInt(4);
        }
        else if (r < 78)
        {
            read(CommandType.LIST_LOTS);
            in.limit = 1 + random.nextInt(5);
        }
        else if (r < 83)
        {
            in.type = CommandType.EXPIRE_TICK;
            in.limit = random.nextInt(10) == 0 ? 1000 : 1 + random.nextInt(3);
        }
        else if (r < 91)
        {
            retry();
        }
        else if (r < 95)
        {
            conflictingReuse();
        }
        else if (r < 96)
        {
            setProgram();
        }
        else
        {
            invalid();
        }
    }

    private void enroll()
    {
        String member = "m" + random.nextInt(MEMBER_POOL);
        for (int attempt = 0; attempt < 3 && model.memberIds.contains(member); attempt++)
        {
            member = "m" + random.nextInt(MEMBER_POOL);
        }
        write(CommandType.ENROLL, member);
        if (random.nextInt(5) == 0)
        {
            // the same ids in the partner program are other members
            in.programId = PARTNER;
            in.memberId = "m" + random.nextInt(MEMBER_POOL / 2);
        }
        if (random.nextInt(3) == 0)
        {
            in.referrerId = random.nextInt(10) == 0 ? in.memberId : "m" + random.nextInt(MEMBER_POOL);
        }
        final int month = 1 + random.nextInt(12);
        in.birthday = random.nextInt(3) == 0 ? 0 : random.nextInt(20) == 0 ? 229 :
            month * 100 + 1 + random.nextInt(java.time.YearMonth.of(2024, month).lengthOfMonth());
    }

    private void reverse()
    {
        final int r = random.nextInt(10);
        final Command rare = r < 3 ? model.reversibleOfInterest(random, now) : null;
        final Command original;
        if (null != rare)
        {
            original = rare;
        }
        else if (r < 8 && !reversibles.isEmpty())
        {
            Command pick = recent(reversibles);
            for (int attempt = 0; attempt < 4 && !model.remembers(pick, now); attempt++)
            {
                pick = recent(reversibles);
            }
            original = pick;
        }
        else if (r < 9 && !writes.isEmpty())
        {
            original = recent(writes);
        }
        else
        {
            original = null;
        }
        write(CommandType.REVERSE, null != original && random.nextInt(20) != 0 ? original.memberId : pickMember());
        if (null != original && random.nextInt(20) != 0)
        {
            in.programId = original.programId;
        }
        in.originalRequestId = null != original ? original.requestId : "unknown-" + random.nextInt(100);
        final long points = null != original ? Math.max(1, original.points) : 100;
        in.points = random.nextInt(10) < 4 ? 0 : 1 + (long)(random.nextDouble() * points * 1.1);
    }

    private void closeHold()
    {
        // mostly a hold still open (captures and releases that succeed), else any recent one (closed, timed out)
        final Command open = random.nextInt(10) < 7 ? model.openHold(random, now) : null;
        final Command hold = null != open ? open : holds.isEmpty() || random.nextInt(20) == 0 ? null :
            recent(holds);
        final boolean capture = random.nextInt(3) != 0;
        write(capture ? CommandType.CAPTURE_HOLD : CommandType.RELEASE_HOLD,
            null != hold && random.nextInt(20) != 0 ? hold.memberId : pickMember());
        if (null != hold && random.nextInt(20) != 0)
        {
            in.programId = hold.programId;
        }
        in.originalRequestId = null != hold ? hold.requestId :
            random.nextBoolean() && !writes.isEmpty() ? recent(writes).requestId : "unknown-" + random.nextInt(100);
        if (capture)
        {
            final long points = null != hold ? Math.max(1, hold.points) : 100;
            in.points = random.nextInt(10) < 4 ? 0 : 1 + (long)(random.nextDouble() * points * 1.1);
        }
    }

    private void retry()
    {
        if (writes.isEmpty())
        {
            read(CommandType.GET_BALANCE);
            return;
        }
        final Command original = recent(writes);
        in.copyInputsFrom(original);
    }

    private void conflictingReuse()
    {
        if (writes.isEmpty())
        {
            read(CommandType.GET_BALANCE);
            return;
        }
        final Command original = recent(writes);
        in.copyInputsFrom(original);
        switch (random.nextInt(3))
        {
            case 0:
                in.memberId = pickMember();
                break;
            case 1:
                in.reason = "other " + random.nextInt(10);
                break;
            default:
                if (in.type == CommandType.ENROLL)
                {
                    in.birthday = in.birthday == 0 ? 101 : 0;
                }
                else if (in.type == CommandType.SET_STATUS)
                {
                    in.status = in.status == 1 ? 2 : 1;
                }
                else if (in.type == CommandType.SET_TIER)
                {
                    in.requestedFloorUntil = in.requestedFloorUntil == -1 ? -2 : in.requestedFloorUntil + 1;
                }
                else
                {
                    in.points = in.points == -1 ? -2 : in.points + 1;
                }
        }
        if (crossProgram.nextInt(4) == 0)
        {
            // the same id in the other program: a request of its own there (ids are scoped by program)
            final boolean toPartner = !PARTNER.equals(in.programId);
            in.programId = toPartner ? PARTNER : null;
            final List<String> there = toPartner ? model.partnerIds : model.memberIds;
            in.memberId = there.isEmpty() ? "m0" : there.get(crossProgram.nextInt(there.size()));
            in.toProgramId = in.type == CommandType.EXCHANGE ? (toPartner ? model.mainName() : PARTNER) : null;
        }
    }

    private void setProgram()
    {
        in.type = CommandType.SET_PROGRAM;
        if (random.nextInt(5) == 0)
        {
            final String[] bad = {"bogus = 1\n", "tier.silver = 9000\n", "expiry.zone = Mars/Olympus\n",
                "expiry.months = -1\n", "limits.lotsPerMemberMax = 0\n", "name = a\nname = b\n"};
            in.programText = bad[random.nextInt(bad.length)];
        }
        else
        {
            in.programText = programs[random.nextInt(programs.length)].text;
        }
    }

    private void invalid()
    {
        switch (random.nextInt(10))
        {
            case 0:
                write(CommandType.EARN, pickMember());
                in.points = 0;
                break;
            case 1:
                write(CommandType.REDEEM, pickMember());
                in.points = Ledger.POINTS_MAX + 1;
                break;
            case 2:
                write(CommandType.EARN, pickMember());
                in.requestId = "q".repeat(65);
                in.points = 1;
                break;
            case 3:
                write(CommandType.EARN, "m 1");
                in.points = 1;
                break;
            case 4:
                write(CommandType.REDEEM, pickMember());
                in.points = 1;
                in.reason = "x".repeat(257);
                break;
            case 5:
                read(CommandType.LIST_LOTS);
                in.limit = random.nextBoolean() ? 0 : 1001;
                break;
            case 6:
                in.type = CommandType.EXPIRE_TICK;
                in.limit = 0;
                break;
            case 7:
                write(CommandType.ENROLL, "m" + random.nextInt(MEMBER_POOL));
                in.birthday = 230;
                break;
            case 8:
                if (random.nextBoolean())
                {
                    write(CommandType.REVERSE, pickMember());
                    in.originalRequestId = "q1";
                    in.points = -1;
                    break;
                }
                write(CommandType.EARN, pickMember());
                purchase();
                switch (random.nextInt(4))
                {
                    case 0:
                        in.points = 1;
                        break;
                    case 1:
                        in.channel = 4;
                        break;
                    case 2:
                        in.categories = new String[] {"tea,coffee"};
                        break;
                    default:
                        in.purchaseMinor = 0;
                }
                break;
            default:
                read(CommandType.CHECK_TIER);
                in.minTier = random.nextBoolean() ? 0 : 5;
        }
    }

    private void write(final CommandType type, final String memberId)
    {
        in.type = type;
        in.requestId = "q" + nextRequest++;
        in.memberId = memberId;
    }

    private void read(final CommandType type)
    {
        in.type = type;
        in.memberId = pickMember();
        final int r = random.nextInt(50);
        if (r < 6)
        {
            inPartner();
        }
        else if (r == 6)
        {
            in.programId = random.nextBoolean() ? "tea" : model.mainName(); // unknown, or the first by name
        }
    }

    /** Makes the command one on a member of the partner program. */
    private void inPartner()
    {
        in.programId = PARTNER;
        in.memberId = pickPartnerMember();
    }

    private String pickPartnerMember()
    {
        final List<String> enrolled = model.partnerIds;
        if (enrolled.isEmpty() || random.nextInt(10) == 0)
        {
            return "m" + random.nextInt(MEMBER_POOL / 2);
        }
        return enrolled.get(random.nextInt(enrolled.size()));
    }

    /** Exchanges between the main program and its partner, both ways; now and then to a program not a partner. */
    /**
     * A migrated row: mostly a member the ledger does not know yet, lots earned up to 400 days ago that expire within
     * two years (some already expired, some earned in the future, some with an expiry before their earning), and tier
     * points of their own.
     */
    private void importRow()
    {
        final boolean known = random.nextInt(4) == 0;
        write(CommandType.IMPORT, known ? pickMember() : "m" + random.nextInt(MEMBER_POOL));
        if (random.nextInt(6) == 0)
        {
            in.programId = PARTNER;
            in.memberId = known ? pickPartnerMember() : "m" + random.nextInt(MEMBER_POOL / 2);
        }
        in.points = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(5000);
        final int e = random.nextInt(40);
        in.earnedAt = e == 0 ? now + 1 + random.nextInt(1000) : e == 1 ? 0 :
            now - (long)(random.nextDouble() * 400 * DAY_MS);
        final int x = random.nextInt(30);
        in.lotExpiresAt = in.points == 0 ? (x == 0 ? now + DAY_MS : 0) :
            x == 0 ? in.earnedAt : x == 1 ? now - random.nextInt(1000) : x == 2 ? now :
            now + 1 + (long)(random.nextDouble() * 730 * DAY_MS);
        in.importTierPoints = random.nextInt(5) == 0 ? 0 : random.nextInt(50) == 0 ? -1 : random.nextInt(8000);
        in.birthday = random.nextInt(3) == 0 ? 101 + 100 * random.nextInt(12) : 0;
        in.reason = random.nextBoolean() ? "migrated" : null;
    }

    private void exchange()
    {
        final boolean fromPartner = random.nextInt(3) == 0;
        write(CommandType.EXCHANGE, fromPartner ? pickPartnerMember() : pickMember());
        in.programId = fromPartner ? PARTNER : random.nextBoolean() ? null : model.mainName();
        final int t = random.nextInt(20);
        in.toProgramId = t == 0 ? "tea" : t == 1 ? (fromPartner ? PARTNER : model.mainName()) :
            fromPartner ? model.mainName() : PARTNER;
        in.toMemberId = fromPartner ? pickMember() : pickPartnerMember();
        final long usable = model.usable(fromPartner, in.memberId, now);
        in.points = usable > 0 && random.nextInt(4) > 0 ? 1 + (long)(random.nextDouble() * usable) :
            1 + random.nextInt(800);
    }

    private String pickMember()
    {
        final List<String> enrolled = model.memberIds;
        if (enrolled.isEmpty() || random.nextInt(10) == 0)
        {
            return "m" + random.nextInt(MEMBER_POOL);
        }
        return enrolled.get(random.nextInt(enrolled.size()));
    }

    private static final String[][] BASKETS = {null, {"coffee"}, {"tea"}, {"tea", "coffee"}, {"cups"}};

    private void purchase()
    {
        final int r = random.nextInt(100);
        in.purchaseMinor = r < 10 ? 1 + random.nextInt(150) : r < 90 ? 1 + random.nextInt(30_000) :
            1 + random.nextInt(2_000_000);
        in.currency = random.nextInt(40) == 0 ? "USD" : "CNY";
        in.channel = 1 + random.nextInt(3);
        in.categories = BASKETS[random.nextInt(BASKETS.length)];
    }

    private long earnPoints()
    {
        final int r = random.nextInt(100);
        if (r < 70)
        {
            return 1 + random.nextInt(300);
        }
        if (r < 95)
        {
            return 1 + random.nextInt(3_000);
        }
        return 1 + random.nextInt(50_000);
    }

    private Command recent(final List<Command> list)
    {
        final int window = random.nextInt(10) < 7 ? 10 : 200;
        final int from = Math.max(0, list.size() - window);
        return list.get(from + random.nextInt(list.size() - from));
    }
}
