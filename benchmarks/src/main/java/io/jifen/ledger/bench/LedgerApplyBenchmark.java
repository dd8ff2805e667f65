package io.jifen.ledger.bench;

import java.util.concurrent.TimeUnit;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The state machine alone, on one thread: {@link Ledger#apply(Command)} with no ring, journal or network.
 * <pre>
 *   benchmark thread --apply--> Ledger (members, lots, request log)
 * </pre>
 * Request ids are generated before the run and reused only after the ledger has forgotten them (ledger time
 * advances 100 ms per command and the program remembers ids for one day), so every apply is a real new write.
 * A fresh ledger per iteration keeps lot storage bounded. Run with {@code -prof gc} for allocation per apply.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class LedgerApplyBenchmark
{
    private static final int IDS = 1 << 21;
    private static final long STEP_MS = 100;
    /** More writes than one iteration makes at the rates measured here (about a million a second). */
    private static final int EXPECTED_WRITES = 1 << 22;
    /** Requests remembered at most: one day of ledger time at one write per 100 ms (864,000). */
    private static final int REMEMBERED_MAX = 1 << 20;
    /**
     * Tier multipliers, a daily cap some members reach, and four campaigns: double points online and in the app, ×1.5
     * on coffee with a budget, ×3 for gold members (whom few are) and one that has ended. Explicit-points earns are
     * not affected by any of it.
     */
    static final String PROGRAM = String.join("\n",
        "limits: {requestRetentionDays: 1}",
        "earning: {tierMultipliers: {silver: 1.2, gold: 1.5, platinum: 2}}",
        "caps: {memberDailyPoints: 2000}",
        "campaigns:",
        "  - {id: app-double, multiplier: 2, start: 2026-01-01T00:00, end: 2027-01-01T00:00, channels: [online, app]}",
        "  - {id: coffee, multiplier: 1.5, start: 2026-01-01T00:00, end: 2027-01-01T00:00, categories: [coffee],",
        "     budgetPoints: 1000000000000}",
        "  - {id: gold-triple, multiplier: 3, start: 2026-01-01T00:00, end: 2027-01-01T00:00, minTier: gold}",
        "  - {id: last-year, multiplier: 2, start: 2025-01-01T00:00, end: 2026-01-01T00:00}",
        "partners:",
        "  - {program: airline, rate: 0.5}",
        "");
    /** The ledger's second program, the first program's coalition partner; its members have the same ids. */
    static final String PARTNER = String.join("\n",
        "name: airline",
        "limits: {requestRetentionDays: 1}",
        "partners:",
        "  - {program: default, rate: 2}",
        "");
    private static final String[][] BASKETS = {null, {"coffee"}, {"tea", "cups"}, {"beans", "coffee"}};

    @Param({"100000"})
    public int members;

    private String[] requestIds;
    private String[] memberIds;
    private Ledger ledger;
    private final Command command = new Command();
    private long now;
    private int next;
    private int reads;

    @Setup(Level.Trial)
    public void generateIds()
    {
        requestIds = new String[IDS];
        for (int i = 0; i < IDS; i++)
        {
            requestIds[i] = "req-" + Integer.toHexString(i * 0x9E3779B1) + "-" + i;
        }
        memberIds = new String[members];
        for (int i = 0; i < members; i++)
        {
            memberIds[i] = "member-" + i;
        }
    }

    @Setup(Level.Iteration)
    public void freshLedger(final BenchmarkParams params)
    {
        // tables sized for an iteration's writes up front, as a server is with --expected-*: the benchmark measures
        // applying commands, not doubling arrays (growth copies whole tables and dominated allocation and noise)
        ledger = new Ledger(Program.parse(PROGRAM), new LedgerContext()
            .expectedMembers(2 * members).expectedLots(EXPECTED_WRITES).expectedRequests(REMEMBERED_MAX));
        now = 1_767_225_600_000L; // 2026-01-01T00:00Z
        final Command partner = command.clear();
        partner.type = CommandType.SET_PROGRAM;
        partner.programId = "airline";
        partner.programText = PARTNER;
        partner.timestamp = now;
        ledger.apply(partner);
        accepted(partner, "the partner program");
        for (int i = 0; i < members; i++)
        {
            apply(CommandType.ENROLL, memberIds[i], 0);
            write(CommandType.ENROLL, memberIds[i]).programId = "airline";
            ledger.apply(command);
            accepted(command, "a partner member's enrollment");
        }
        for (int i = 0; i < members; i++)
        {
            apply(CommandType.EARN, memberIds[i], 1_000);
        }
        if (params.getBenchmark().endsWith(".earnFromPurchase"))
        {
            // warm what the measured purchases use: the first purchase sizes the request log's earning lines, once
            earnFromPurchase();
        }
        reads = 0;
    }

    /** A write with the next unused request id, ledger time moved on; the caller fills the rest and applies. */
    private Command write(final CommandType type, final String memberId)
    {
        final Command c = command;
        c.clear();
        c.type = type;
        c.requestId = requestIds[next];
        next = (next + 1) & (IDS - 1);
        c.memberId = memberId;
        c.timestamp = now += STEP_MS;
        return c;
    }

    /** A read of the next member in turn. */
    private Command read(final CommandType type)
    {
        final Command c = command;
        c.clear();
        c.type = type;
        c.memberId = memberIds[reads++ % members];
        c.timestamp = now;
        return c;
    }

    /** @return the result, which must be OK: a benchmark of refusals would measure the wrong thing. */
    private static ResultCode accepted(final Command c, final String what)
    {
        if (c.result != ResultCode.OK)
        {
            throw new IllegalStateException(what + " was refused, the benchmark would measure refusals: " + c);
        }
        return c.result;
    }

    private ResultCode apply(final CommandType type, final String memberId, final long points)
    {
        final Command c = write(type, memberId);
        c.points = points;
        ledger.apply(c);
        return c.result;
    }

    /** A purchase: one new lot. */
    @Benchmark
    public ResultCode earn()
    {
        return apply(CommandType.EARN, memberIds[next % members], 100);
    }

    /**
     * A purchase the program prices: rate, tier multiplier, four campaigns to match (two apply to most purchases, one
     * with a budget), the member's daily cap; amounts of 10 to 520 yuan over the three channels. One new lot.
     */
    @Benchmark
    public ResultCode earnFromPurchase()
    {
        final int i = next;
        final Command c = write(CommandType.EARN, memberIds[i % members]);
        c.purchaseMinor = 10_00 + (i & 511) * 100;
        c.currency = "CNY";
        c.channel = 1 + i % 3;
        c.categories = BASKETS[i & 3];
        ledger.apply(c);
        return accepted(c, "a purchase");
    }

    /** An earn of a member of the ledger's second program: the program named by the request, the same member ids. */
    @Benchmark
    public ResultCode earnInSecondProgram()
    {
        final Command c = write(CommandType.EARN, memberIds[next % members]);
        c.points = 100;
        c.programId = "airline";
        ledger.apply(c);
        return accepted(c, "an earn");
    }

    /**
     * Coalition exchange: earn, then exchange the points into the partner program (its member of the same id gets
     * half as many). Two applies per invocation.
     */
    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode earnThenExchange()
    {
        final String member = memberIds[next % members];
        apply(CommandType.EARN, member, 100);
        final Command c = write(CommandType.EXCHANGE, member);
        c.points = 100;
        c.toProgramId = "airline";
        c.toMemberId = member;
        ledger.apply(c);
        return accepted(c, "an exchange");
    }

    /**
     * A checkout: earn on the paid amount, redeem at the next visit. Two applies per invocation; the member's lots
     * stay few, as in steady state.
     */
    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode earnThenRedeem()
    {
        final String member = memberIds[next % members];
        apply(CommandType.EARN, member, 100);
        return apply(CommandType.REDEEM, member, 100);
    }

    /**
     * A checkout with a hold: earn, hold the points, capture the hold. Three applies per invocation.
     */
    @Benchmark
    @OperationsPerInvocation(3)
    public ResultCode earnHoldCapture()
    {
        final String member = memberIds[next % members];
        apply(CommandType.EARN, member, 100);
        final String holdId = requestIds[next];
        apply(CommandType.HOLD, member, 100);
        final Command c = write(CommandType.CAPTURE_HOLD, member);
        c.originalRequestId = holdId;
        ledger.apply(c);
        return c.result;
    }

    /** A new member: the id index and a member slot. Member ids are the (unique) request ids. */
    @Benchmark
    public ResultCode enroll()
    {
        return apply(CommandType.ENROLL, requestIds[next], 0);
    }

    /**
     * A return: an earn and its reversal (the lot clawed back). Two applies per invocation.
     */
    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode earnThenReverse()
    {
        final String member = memberIds[next % members];
        final String earnId = requestIds[next];
        apply(CommandType.EARN, member, 100);
        final Command c = write(CommandType.REVERSE, member);
        c.originalRequestId = earnId;
        c.points = 100;
        c.reason = "return";
        ledger.apply(c);
        return c.result;
    }

    /** A customer-service goodwill credit (an adjustment with a reason). */
    @Benchmark
    public ResultCode adjust()
    {
        final Command c = write(CommandType.ADJUST, memberIds[next % members]);
        c.points = 10;
        c.reason = "goodwill";
        ledger.apply(c);
        return c.result;
    }

    /** A tier check at the POS (is this member gold?). */
    @Benchmark
    public boolean checkTier()
    {
        final Command c = read(CommandType.CHECK_TIER);
        c.minTier = 2;
        ledger.apply(c);
        return c.meets;
    }

    /** A member's open lots, soonest-expiring first (the app's points page). */
    @Benchmark
    public int listLots()
    {
        final Command c = read(CommandType.LIST_LOTS);
        c.limit = 10;
        ledger.apply(c);
        return c.openLots;
    }

    /** A balance read at the POS. */
    @Benchmark
    public long getBalance()
    {
        final Command c = read(CommandType.GET_BALANCE);
        ledger.apply(c);
        return c.balance;
    }
}
