package io.jifen.ledger.bench;

import java.util.concurrent.TimeUnit;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state machine in steady state: one ledger for the whole trial, with one-day request retention and a
 * one-month expiry so remembered requests, lot slots and expiry entries are released as fast as they are taken.
 * After warm-up the structures have stopped growing, so {@code -prof gc} shows what an apply itself allocates.
 * <pre>
 *   benchmark thread --apply--&gt; Ledger (earn then redeem the same member, 100 ms of ledger time per command)
 * </pre>
 * Each benchmark leaves a member's points as it found them (what it earns it redeems, reverses, captures or adjusts
 * back), so every kind of write can be measured at 0 bytes per apply, as issue 14 asks (reads change nothing:
 * {@link LedgerApplyBenchmark} measures them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class LedgerSteadyStateBenchmark
{
    private static final int IDS = 1 << 22;
    private static final int MEMBERS = 100_000;
    private static final long STEP_MS = 100;

    private String[] requestIds;
    private String[] memberIds;
    private Ledger ledger;
    private final Command command = new Command();
    private long now;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        requestIds = new String[IDS];
        for (int i = 0; i < IDS; i++)
        {
            requestIds[i] = "req-" + Integer.toHexString(i * 0x9E3779B1) + "-" + i;
        }
        memberIds = new String[MEMBERS];
        for (int i = 0; i < MEMBERS; i++)
        {
            memberIds[i] = "member-" + i;
        }
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1\nexpiry.months = 0"));
        now = 1_767_225_600_000L;
        for (int i = 0; i < MEMBERS; i++)
        {
            apply(CommandType.ENROLL, memberIds[i], 0);
        }
    }

    private ResultCode apply(final CommandType type, final String memberId, final long points)
    {
        final Command c = write(type, memberId, points);
        ledger.apply(c);
        return c.result;
    }

    /** A write with the next request id, ledger time moved on; the caller fills the rest and applies. */
    private Command write(final CommandType type, final String memberId, final long points)
    {
        final Command c = command;
        c.clear();
        c.type = type;
        c.requestId = requestIds[next];
        next = (next + 1) & (IDS - 1);
        c.memberId = memberId;
        c.points = points;
        c.timestamp = now += STEP_MS;
        return c;
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode earnThenRedeem()
    {
        final String member = memberIds[next % MEMBERS];
        apply(CommandType.EARN, member, 100);
        return apply(CommandType.REDEEM, member, 100);
    }

    /** A purchase the program prices (earn rate, rounding), then a redeem of what it earned. */
    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode purchaseThenRedeem()
    {
        final String member = memberIds[next % MEMBERS];
        final Command c = write(CommandType.EARN, member, 0);
        c.purchaseMinor = 10_00 + (next & 511) * 100;
        c.currency = "CNY";
        c.channel = 1 + next % 3;
        ledger.apply(c);
        return apply(CommandType.REDEEM, member, c.resultPoints);
    }

    /** A checkout with a hold: earn, hold, capture. */
    @Benchmark
    @OperationsPerInvocation(3)
    public ResultCode earnHoldCapture()
    {
        final String member = memberIds[next % MEMBERS];
        apply(CommandType.EARN, member, 100);
        final String holdId = requestIds[next];
        apply(CommandType.HOLD, member, 100);
        final Command c = write(CommandType.CAPTURE_HOLD, member, 0);
        c.originalRequestId = holdId;
        ledger.apply(c);
        return c.result;
    }

    /** A return: an earn and its reversal. */
    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode earnThenReverse()
    {
        final String member = memberIds[next % MEMBERS];
        final String earnId = requestIds[next];
        apply(CommandType.EARN, member, 100);
        final Command c = write(CommandType.REVERSE, member, 100);
        c.originalRequestId = earnId;
        c.reason = "return";
        ledger.apply(c);
        return c.result;
    }

    /** A goodwill credit and its correction. */
    @Benchmark
    @OperationsPerInvocation(2)
    public ResultCode adjustUpThenDown()
    {
        final String member = memberIds[next % MEMBERS];
        Command c = write(CommandType.ADJUST, member, 10);
        c.reason = "goodwill";
        ledger.apply(c);
        c = write(CommandType.ADJUST, member, -10);
        c.reason = "correction";
        ledger.apply(c);
        return c.result;
    }
}
