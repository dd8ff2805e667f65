package io.jifen.ledger.core;

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
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the ledger and an independent reference model with the same seeded random commands and compares every
 * outcome: result codes, points, balances, expiry, shortfalls, expired points forgiven, points owed, lot-level
 * effects, reads, totals. The model is written from the documented semantics (ledger.proto, the Ledger javadoc) with
 * plain collections and java.time, sharing no logic with the ledger. At the end, the journaled commands alone are
 * replayed into a fresh ledger, and into one with tiny capacity limits not enforced, which must reach the same state
 * hash.
 * <p>
 * A failure names the seed and the command index; run one seed with {@code -Djifen.seed=N} (and optionally
 * {@code -Djifen.commands=N}); soak with more seeds with {@code -Djifen.seeds=N}.
 */
class LedgerRandomizedTest
{
    private static final int SEEDS = 20;
    private static final int COMMANDS = 3000;
    private static final long MINUTE_MS = 60_000L;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 86_400_000L;
    private static final int MEMBER_POOL = 30;
    /** The name of the second program of every run's ledger: the coalition partner of the main program. */
    private static final String PARTNER = "partner";
    /** The name of every version of the main program (the ledger's first). */
    private static final String MAIN = "main";

    static LongStream seeds()
    {
        final String seed = System.getProperty("jifen.seed");
        return null != seed ? LongStream.of(Long.parseLong(seed.trim())) :
            LongStream.rangeClosed(1, Integer.getInteger("jifen.seeds", SEEDS));
    }

    /** Journaled outcomes by kind over all seeds run, so the generator is known to reach each of them. */
    private static final Map<String, Long> REACHED = new java.util.concurrent.ConcurrentHashMap<>();

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ledgerAgreesWithReferenceModel(final long seed)
    {
        new Run(seed, Integer.getInteger("jifen.commands", COMMANDS)).run();
    }

    @org.junit.jupiter.api.AfterAll
    static void theGeneratorReachedEveryKindOfOutcome()
    {
        if (null != System.getProperty("jifen.seed"))
        {
            return; // one seed replayed: no promise of coverage
        }
        System.out.println("journaled outcomes over all seeds: " + new java.util.TreeMap<>(REACHED));
        for (final String kind : new String[] {"HOLD", "CAPTURE_HOLD", "RELEASE_HOLD", "partial capture",
            "sweep released a hold", "capture refused at timeout", "hold released into an expired lot",
            "capture reversed", "REVERSE", "EXPIRE_TICK", "purchase", "purchase cut by the daily cap",
            "campaign applied", "campaign budget cut", "campaigns stacked", "purchase of no points",
            "purchase in another currency", "pending", "pending_cancel", "matured by the sweep",
            "matured at a write", "downgraded at an evaluation", "kept at an evaluation", "SET_TIER", "TRANSFER",
            "bonus", "referrer_bonus", "referrer_clawback", "campaign passed over for the member's segment",
            "segment new", "segment active", "segment atRisk", "segment dormant", "grace",
            "restored points expired again", "forgive", "reclaim", "EXCHANGE", "exchange from the partner",
            "partner member written", "PARTNER_DAILY_LIMIT", "PARTNER_TOTAL_LIMIT", "NOT_A_PARTNER",
            "EXCHANGE_TOO_SMALL", "EXCHANGE_BELOW_MINIMUM", "PROGRAM_NOT_FOUND", "TO_PROGRAM_NOT_FOUND"})
        {
            assertTrue(REACHED.getOrDefault(kind, 0L) > 0, () -> "no seed reached: " + kind + " " + REACHED);
        }
    }

    // ------------------------------------------------------------------------------------------------ the run

    /**
     * One seeded run: generates commands, applies them to the ledger and the model, compares.
     */
    private static final class Run
    {
        private final long seed;
        private final int commands;
        private final Random random;
        private final ModelProgram[] programs;
        private final LedgerContext context;
        private final Ledger ledger;
        private final Model model;
        private final Command in = new Command();
        private final Command actual = new Command();
        private final Command expected = new Command();
        private final List<Command> writes = new ArrayList<>();
        /** Earns and redeems that succeeded: what reversals mostly aim at. */
        private final List<Command> reversibles = new ArrayList<>();
        private final List<Command> holds = new ArrayList<>();
        private final List<Command> journaled = new ArrayList<>();
        private final ModelProgram initialProgram;
        private final ModelProgram partner;
        private long now;
        private int commandsAtThisInstant;
        private long pendingExpiryInstant = Long.MIN_VALUE;
        private int nextRequest;

        Run(final long seed, final int commands)
        {
            this.seed = seed;
            this.commands = commands;
            this.random = new Random(seed);

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
            context = new LedgerContext();
            if (seed % 4 == 0)
            {
                context.requestIdsMax(6);
            }
            ledger = new Ledger(Program.parse(initialProgram.text), context);
            model = new Model(programs, initialProgram, partner, context.requestIdsMax());
            now = t0;
            // the partner program joins the ledger first, journaled like any program
            in.clear();
            in.type = CommandType.SET_PROGRAM;
            in.programText = partner.text;
            in.programId = PARTNER;
            in.timestamp = now;
            actual.clear();
            actual.copyInputsFrom(in);
            ledger.apply(actual);
            assertEquals(ResultCode.OK, actual.result, "the partner program is put in force");
            expected.clear();
            expected.copyInputsFrom(in);
            model.apply(expected);
            assertEquals(ResultCode.OK, expected.result);
            journaled.add(new Command().copyInputsFrom(in));
        }

        void run()
        {
            for (int i = 0; i < commands; i++)
            {
                try
                {
                    step();
                    if (i % 50 == 0)
                    {
                        ledger.checkInvariants();
                        model.checkTotals(ledger, now);
                    }
                }
                catch (final AssertionError | RuntimeException ex)
                {
                    throw new AssertionError(where(i) + ": " + ex.getMessage(), ex);
                }
            }
            try
            {
                finish();
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError(where(commands) + " (final checks): " + ex.getMessage(), ex);
            }
        }

        private String where(final int index)
        {
            return "seed " + seed + ", command #" + index + " " + describe(in) + " at " + Instant.ofEpochMilli(now) +
                " (replay with -Djifen.seed=" + seed + ")";
        }

        private void step()
        {
            advanceTime();
            generate();
            in.timestamp = now;

            final Command copy = new Command().copyInputsFrom(in);
            actual.clear();
            actual.copyInputsFrom(in);
            ledger.apply(actual);

            expected.clear();
            expected.copyInputsFrom(in);
            model.apply(expected);

            compare();

            if (actual.isJournaled())
            {
                journaled.add(copy);
                REACHED.merge(actual.type.name(), 1L, Long::sum);
                for (int k = 0; k < actual.effects.size(); k++)
                {
                    final byte kind = actual.effects.kind(k);
                    if (kind == EffectLog.PENDING || kind == EffectLog.PENDING_CANCEL)
                    {
                        REACHED.merge(EffectLog.kindName(kind), 1L, Long::sum);
                    }
                    if (kind == EffectLog.BONUS || kind == EffectLog.REFERRER_BONUS ||
                        kind == EffectLog.REFERRER_CLAWBACK)
                    {
                        REACHED.merge(EffectLog.kindName(kind), 1L, Long::sum);
                    }
                    if (kind == EffectLog.FORGIVE || kind == EffectLog.RECLAIM || kind == EffectLog.RECLAIM_HELD)
                    {
                        REACHED.merge(EffectLog.kindName(kind), 1L, Long::sum);
                    }
                    if (kind == EffectLog.GRACE)
                    {
                        REACHED.merge("grace", 1L, Long::sum);
                    }
                    if (kind == EffectLog.EXPIRE && actual.type == CommandType.REVERSE)
                    {
                        REACHED.merge("restored points expired again", 1L, Long::sum);
                    }
                    if (kind == EffectLog.MATURE)
                    {
                        REACHED.merge(actual.type == CommandType.EXPIRE_TICK ? "matured by the sweep" :
                            "matured at a write", 1L, Long::sum);
                    }
                }
                if (actual.earning.isPresent())
                {
                    REACHED.merge("purchase", 1L, Long::sum);
                    if (actual.earning.capCut > 0)
                    {
                        REACHED.merge("purchase cut by the daily cap", 1L, Long::sum);
                    }
                    for (int k = 0; k < actual.earning.campaignCount(); k++)
                    {
                        REACHED.merge(actual.earning.budgetCut(k) > 0 ? "campaign budget cut" : "campaign applied",
                            1L, Long::sum);
                    }
                    if (actual.earning.campaignCount() > 1)
                    {
                        REACHED.merge("campaigns stacked", 1L, Long::sum);
                    }
                    if (actual.resultPoints == 0)
                    {
                        REACHED.merge("purchase of no points", 1L, Long::sum);
                    }
                }
                if (actual.type == CommandType.CAPTURE_HOLD && actual.released > 0)
                {
                    REACHED.merge("partial capture", 1L, Long::sum);
                }
                if (actual.type == CommandType.EXPIRE_TICK && actual.released > 0)
                {
                    REACHED.merge("sweep released a hold", 1L, Long::sum);
                }
                if (actual.type == CommandType.RELEASE_HOLD && actual.expired > 0)
                {
                    REACHED.merge("hold released into an expired lot", 1L, Long::sum);
                }
                if (actual.type == CommandType.REVERSE && null != model.typeOf(actual.originalRequestId) &&
                    model.typeOf(actual.originalRequestId) == CommandType.CAPTURE_HOLD)
                {
                    REACHED.merge("capture reversed", 1L, Long::sum);
                }
            }
            else if (actual.result == ResultCode.HOLD_TIMED_OUT)
            {
                REACHED.merge("capture refused at timeout", 1L, Long::sum);
            }
            else if (java.util.EnumSet.of(ResultCode.PARTNER_DAILY_LIMIT, ResultCode.PARTNER_TOTAL_LIMIT,
                ResultCode.NOT_A_PARTNER, ResultCode.EXCHANGE_TOO_SMALL, ResultCode.EXCHANGE_BELOW_MINIMUM,
                ResultCode.PROGRAM_NOT_FOUND, ResultCode.TO_PROGRAM_NOT_FOUND).contains(actual.result))
            {
                REACHED.merge(actual.result.name(), 1L, Long::sum);
            }
            if (actual.isJournaled() && PARTNER.equals(actual.programId))
            {
                REACHED.merge(actual.type == CommandType.EXCHANGE ? "exchange from the partner" :
                    "partner member written", 1L, Long::sum);
            }
            else if (actual.result == ResultCode.PURCHASE_CURRENCY_MISMATCH)
            {
                REACHED.merge("purchase in another currency", 1L, Long::sum);
            }
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

        private void finish()
        {
            ledger.checkInvariants();
            model.checkTotals(ledger, now);
            now += 1;
            for (int i = 0; i < MEMBER_POOL; i++)
            {
                in.clear();
                in.type = CommandType.GET_BALANCE;
                in.memberId = "m" + i;
                in.timestamp = now;
                actual.clear();
                actual.copyInputsFrom(in);
                ledger.apply(actual);
                expected.clear();
                expected.copyInputsFrom(in);
                model.apply(expected);
                compare();
            }

            replay(new Ledger(Program.parse(initialProgram.text), context), "journal replay");

            // a replay rebuilds whatever was admitted, whatever the capacity limits are now
            final LedgerContext tiny = new LedgerContext().membersMax(1).lotsMax(1).requestIdsMax(1);
            final Ledger unlimited = new Ledger(Program.parse(initialProgram.text), tiny);
            unlimited.capacityLimitsEnforced(false);
            replay(unlimited, "journal replay with capacity limits off");
        }

        private void replay(final Ledger replayed, final String what)
        {
            final Command command = new Command();
            long lastSequence = 0;
            for (final Command record : journaled)
            {
                command.clear();
                command.copyInputsFrom(record);
                replayed.apply(command);
                assertTrue(command.isJournaled(), () -> what + ": not journaled again: " + command);
                assertEquals(lastSequence + 1, command.sequence, () -> what + ": " + command);
                lastSequence = command.sequence;
            }
            if ("journal replay".equals(what) && null != System.getProperty("jifen.goldenDir"))
            {
                writeGolden(java.nio.file.Path.of(System.getProperty("jifen.goldenDir")), replayed);
            }
            assertEquals(ledger.lastSequence(), replayed.lastSequence(), what + ": last sequence");
            assertEquals(ledger.stateHash(), replayed.stateHash(), what + ": state hash");
            replayed.checkInvariants();
        }


        private void writeGolden(final java.nio.file.Path dir, final Ledger replayed)
        {
            try
            {
                java.nio.file.Files.createDirectories(dir);
                final Ledger fresh = new Ledger(Program.parse(initialProgram.text));
                fresh.capacityLimitsEnforced(false);
                final io.jifen.ledger.journal.JournalRecord codec = new io.jifen.ledger.journal.JournalRecord();
                final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(1024);
                try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(
                    java.nio.file.Files.newOutputStream(dir.resolve("seed-" + seed + ".bin")))))
                {
                    final byte[] text = initialProgram.text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.writeInt(text.length);
                    out.write(text);
                    out.writeInt(journaled.size());
                    final Command command = new Command();
                    for (final Command record : journaled)
                    {
                        command.clear();
                        command.copyInputsFrom(record);
                        fresh.apply(command);
                        final int length = codec.encode(command, buffer);
                        out.writeInt(length);
                        out.write(buffer.byteArray(), 0, length);
                    }
                    out.writeLong(fresh.lastSequence());
                    out.writeLong(fresh.stateHash());
                }
                assertEquals(replayed.stateHash(), fresh.stateHash());
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }

        private void compare()
        {
            final String what = describe(actual);
            assertEquals(expected.result, actual.result, () -> "result of " + what);
            assertEquals(expected.resultDetail, actual.resultDetail, () -> "resultDetail of " + what);
            assertEquals(expected.replay, actual.replay, () -> "replay of " + what);
            assertEquals(expected.sequence, actual.sequence, () -> "sequence of " + what);
            assertEquals(expected.timestamp, actual.timestamp, () -> "timestamp of " + what);
            assertEquals(expected.resultPoints, actual.resultPoints, () -> "resultPoints of " + what);
            assertEquals(expected.balance, actual.balance, () -> "balance of " + what);
            assertEquals(expected.lifetimeEarned, actual.lifetimeEarned, () -> "lifetimeEarned of " + what);
            assertEquals(expected.tier, actual.tier, () -> "tier of " + what);
            assertEquals(expected.memberStatus, actual.memberStatus, () -> "memberStatus of " + what);
            assertEquals(expected.lotId, actual.lotId, () -> "lotId of " + what);
            assertEquals(expected.expiresAt, actual.expiresAt, () -> "expiresAt of " + what);
            assertEquals(expected.expired, actual.expired, () -> "expired of " + what);
            assertEquals(expected.shortfall, actual.shortfall, () -> "shortfall of " + what);
            assertEquals(expected.alreadyExpired, actual.alreadyExpired, () -> "alreadyExpired of " + what);
            assertEquals(expected.owed, actual.owed, () -> "owed of " + what);
            assertEquals(expected.pending, actual.pending, () -> "pending of " + what);
            assertEquals(expected.held, actual.held, () -> "held of " + what);
            assertEquals(expected.released, actual.released, () -> "released of " + what);
            assertEquals(expected.maturesAt, actual.maturesAt, () -> "maturesAt of " + what);
            assertEquals(expected.bonusPoints, actual.bonusPoints, () -> "bonusPoints of " + what);
            assertEquals(expected.restored, actual.restored, () -> "restored of " + what);
            assertEquals(expected.reexpired, actual.reexpired, () -> "reexpired of " + what);
            assertEquals(expected.graced, actual.graced, () -> "graced of " + what);
            assertEquals(expected.reclaimed, actual.reclaimed, () -> "reclaimed of " + what);
            assertEquals(expected.segment, actual.segment, () -> "segment of " + what);
            assertEquals(expected.enrolledAt, actual.enrolledAt, () -> "enrolledAt of " + what);
            assertEquals(expected.lastEarnAt, actual.lastEarnAt, () -> "lastEarnAt of " + what);
            assertEquals(expected.recentEarns, actual.recentEarns, () -> "recentEarns of " + what);
            assertEquals(expected.referrerOut, actual.referrerOut, () -> "referrerOut of " + what);
            assertEquals(expected.birthday, actual.birthday, () -> "birthday of " + what);
            assertEquals(expected.referrerBonusPoints, actual.referrerBonusPoints,
                () -> "referrerBonusPoints of " + what);
            assertEquals(expected.tierPoints, actual.tierPoints, () -> "tierPoints of " + what);
            assertEquals(expected.nextTierPoints, actual.nextTierPoints, () -> "nextTierPoints of " + what);
            assertEquals(expected.nextEvaluationAt, actual.nextEvaluationAt, () -> "nextEvaluationAt of " + what);
            assertEquals(expected.floorTier, actual.floorTier, () -> "floorTier of " + what);
            assertEquals(expected.floorUntil, actual.floorUntil, () -> "floorUntil of " + what);
            assertEquals(expected.openLots, actual.openLots, () -> "openLots of " + what);
            assertEquals(expected.nextExpiryAt, actual.nextExpiryAt, () -> "nextExpiryAt of " + what);
            assertEquals(expected.nextExpiryPoints, actual.nextExpiryPoints, () -> "nextExpiryPoints of " + what);
            assertEquals(expected.meets, actual.meets, () -> "meets of " + what);

            assertEquals(earning(expected.earning), earning(actual.earning), () -> "earning of " + what);
            assertEquals(effects(expected.effects), effects(actual.effects), () -> "effects of " + what);
            assertEquals(expected.lots.size(), actual.lots.size(), () -> "lots of " + what);
            for (int i = 0; i < expected.lots.size(); i++)
            {
                final String lot = "lot " + i + " of " + what;
                assertEquals(expected.lots.lotId(i), actual.lots.lotId(i), lot);
                assertEquals(expected.lots.amount(i), actual.lots.amount(i), lot);
                assertEquals(expected.lots.remaining(i), actual.lots.remaining(i), lot);
                assertEquals(expected.lots.earnedAt(i), actual.lots.earnedAt(i), lot);
                assertEquals(expected.lots.expiresAt(i), actual.lots.expiresAt(i), lot);
            }
            assertEquals(model.sequence, ledger.lastSequence(), () -> "ledger sequence after " + what);
        }

        // -------------------------------------------------------------------------------------------- generation

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
            final int r = random.nextInt(104);
            if (r >= 100)
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
                for (int attempt = 0; attempt < 4 && !model.remembers(pick.requestId, now); attempt++)
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

    private static String describe(final Command c)
    {
        if (null == c.type)
        {
            return "(none)";
        }
        final StringBuilder sb = new StringBuilder(c.type.toString());
        if (null != c.requestId)
        {
            sb.append(" request=").append(c.requestId.length() > 20 ? c.requestId.substring(0, 20) + "..." :
                c.requestId);
        }
        if (null != c.memberId)
        {
            sb.append(" member=").append(c.memberId);
        }
        if (c.points != 0)
        {
            sb.append(" points=").append(c.points);
        }
        if (null != c.originalRequestId)
        {
            sb.append(" original=").append(c.originalRequestId);
        }
        if (c.limit != 0)
        {
            sb.append(" limit=").append(c.limit);
        }
        if (c.status != 0)
        {
            sb.append(" status=").append(c.status);
        }
        if (c.holdTimeoutSeconds != 0)
        {
            sb.append(" timeout=").append(c.holdTimeoutSeconds);
        }
        if (c.requestedTier != 0 || c.requestedFloorUntil != 0)
        {
            sb.append(" tier=").append(c.requestedTier).append(" floorUntil=").append(c.requestedFloorUntil);
        }
        if (null != c.programText)
        {
            sb.append(" program=").append(c.programText.replace('\n', ';'));
        }
        return sb.toString();
    }

    private static List<String> effects(final EffectLog log)
    {
        final List<String> list = new ArrayList<>(log.size());
        for (int i = 0; i < log.size(); i++)
        {
            list.add(EffectLog.kindName(log.kind(i)) + " lot=" + log.lotId(i) + " amount=" + log.amount(i) +
                " expiresAt=" + log.expiresAt(i));
        }
        return list;
    }

    // ------------------------------------------------------------------------------------------------ the model

    /**
     * A program as the model understands it: the rules and the text that puts them in force.
     */
    private static final class ModelProgram
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
    private static final class ModelRules
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

    private static final class ModelCampaign
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

    private static List<String> earning(final Command.Earning e)
    {
        final List<String> lines = new ArrayList<>();
        if (!e.isPresent())
        {
            return lines;
        }
        lines.add("base " + e.basePoints + " tier x" + e.tierMultiplierBp + " = " + e.tierPoints + " cap cut " +
            e.capCut);
        for (int i = 0; i < e.campaignCount(); i++)
        {
            lines.add(e.campaignId(i) + " x" + e.multiplierBp(i) + " +" + e.points(i) + " budget cut " +
                e.budgetCut(i));
        }
        return lines;
    }

    private static final class ModelPending
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

    private static final class ModelLot
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

    private static final class ModelMember
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
    private static final class ModelRequest
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
    private static final class Model
    {
        private final int requestIdsMax;
        private final ModelProgram[] programs;
        private final Map<String, ModelMember> members = new HashMap<>();
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
            final ModelRequest remembered = remembered(c.requestId, cutoff);
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
            program = named(c.programId);
            if (null == program)
            {
                c.result = ResultCode.PROGRAM_NOT_FOUND;
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
            requests.put(c.requestId, request);
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
        }

        private ModelRequest remembered(final String requestId, final long cutoff)
        {
            final ModelRequest request = requests.get(requestId);
            return null != request && request.timestamp >= cutoff ? request : null;
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
                a.requestedFloorUntil == b.requestedFloorUntil && a.holdTimeoutSeconds == b.holdTimeoutSeconds;
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
            final ModelMember m = new ModelMember(c.memberId, program == partner);
            m.tier = program.tierFor(0);
            m.index = members.size();
            m.enrolledAt = c.timestamp;
            m.nextEvaluation = program.firstEvaluation(c.timestamp);
            m.birthday = c.birthday;
            m.referrer = isEmpty(c.referrerId) ? null : c.referrerId;
            if (c.birthday != 0)
            {
                m.nextBirthday = program.nextBirthday(c.birthday, c.timestamp);
            }
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
                c.effects.add(EffectLog.PENDING, -1, points, c.maturesAt);
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
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
                return null;
            }
            if (m.status == MemberStatus.CLOSED.code())
            {
                c.result = ResultCode.MEMBER_CLOSED;
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
                c.effects.add(EffectLog.PENDING_CANCEL, -1, amount, pending.at);
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
                    c.effects.add(EffectLog.CLAWBACK, own.id, fromOwn, own.expiresAt);
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

        /** Gives points a redemption or a hold took back to their lots, latest-expiring first (see Ledger). */
        private void giveBack(final Command c, final ModelMember m, final ModelRequest original, final long amount,
            final byte kind)
        {
            final long now = c.timestamp;
            final boolean restore = kind == EffectLog.RESTORE;
            final long graceMs = restore ? program.rules.graceDays * DAY_MS : 0;
            long left2 = amount;
            long refunds = 0;
            long graced = 0;
            for (int i = original.allocations.size() - 1; i >= 0 && left2 > 0; i--)
            {
                final long[] allocation = original.allocations.get(i);
                final long give = Math.min(allocation[1] - allocation[2], left2);
                if (give <= 0)
                {
                    continue;
                }
                allocation[2] += give;
                left2 -= give;
                final ModelLot lot = lots.get((int)allocation[0]);
                final long cancels = Math.min(give, lot.shortfall);
                lot.shortfall -= cancels;
                final long late = Math.min(give - cancels, lot.forgiven);
                if (late > 0)
                {
                    lot.forgiven -= late;
                    c.effects.add(restore ? EffectLog.RECLAIM : EffectLog.RECLAIM_HELD, lot.id, late, lot.expiresAt);
                    c.reclaimed += late;
                }
                final long back = give - late;
                if (lot.expiresAt <= now)
                {
                    final long fromOwed = Math.min(m.owed, cancels);
                    final long refund = cancels - fromOwed;
                    final long settled = Math.min(m.owed - fromOwed, back - cancels);
                    final long lapsed = back - cancels - settled;
                    final long toGrace = graceMs > 0 ? lapsed : 0;
                    if (back - refund - toGrace > 0)
                    {
                        credited += back - refund - toGrace;
                        c.effects.add(kind, lot.id, back - refund - toGrace, lot.expiresAt);
                    }
                    if (fromOwed + settled > 0)
                    {
                        m.owed -= fromOwed + settled;
                        debited += fromOwed + settled;
                        c.effects.add(EffectLog.SETTLE, lot.id, fromOwed + settled, lot.expiresAt);
                    }
                    if (lapsed - toGrace > 0)
                    {
                        expiredTotal += lapsed - toGrace;
                        expiredMain += m.inPartner ? 0 : lapsed - toGrace;
                        lot.expired += lapsed - toGrace;
                        c.expired += lapsed - toGrace;
                        c.effects.add(EffectLog.EXPIRE, lot.id, lapsed - toGrace, lot.expiresAt);
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
                    credited += back;
                    c.effects.add(kind, lot.id, back, lot.expiresAt);
                    lot.remaining += back;
                }
            }
            if (refunds > 0)
            {
                final ModelLot lot = new ModelLot(lots.size(), m.key, refunds, now, program.expiresAt(now));
                lots.add(lot);
                m.lots.add(lot);
                credited += refunds;
                c.effects.add(restore ? EffectLog.RESTORE_LOT : EffectLog.RELEASE_LOT, lot.id, refunds, lot.expiresAt);
                c.lotId = lot.id;
                c.expiresAt = lot.expiresAt;
                if (restore)
                {
                    c.restored += refunds;
                }
            }
            if (graced > 0)
            {
                final ModelLot lot = new ModelLot(lots.size(), m.key, graced, now, now + graceMs);
                lots.add(lot);
                m.lots.add(lot);
                credited += graced;
                c.effects.add(EffectLog.GRACE, lot.id, graced, lot.expiresAt);
                c.graced = graced;
            }
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
                c.effects.add(EffectLog.CAPTURE, lot.id, take, lot.expiresAt);
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
            c.effects.add(EffectLog.CREDIT, lot.id, points, lot.expiresAt);
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
                c.effects.add(kind, lot.id, take, lot.expiresAt);
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
                c.effects.add(EffectLog.MATURE, lot.id, p.points, lot.expiresAt);
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
                c.effects.add(EffectLog.TRANSFER_IN, lot.id, group.getValue(), lot.expiresAt);
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
            c.effects.add(EffectLog.EXCHANGE_IN, lot.id, received, lot.expiresAt);
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
            c.effects.add(kind, lot.id, points, lot.expiresAt);
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
            long next = program.nextBirthday(m.birthday, m.nextBirthday);
            while (next <= now)
            {
                next = program.nextBirthday(m.birthday, next);
            }
            m.nextBirthday = next;
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
                    c.effects.add(EffectLog.CLAWBACK, own.id, fromOwn, own.expiresAt);
                }
                final long alreadyExpired = Math.min(m.bonusPoints - fromOwn, own.expired);
                final long fromOthers = Math.min(m.bonusPoints - fromOwn - alreadyExpired, usable(m, now));
                if (fromOthers > 0)
                {
                    debit(c, m, fromOthers, EffectLog.CLAWBACK, null);
                }
                final long shortfall = m.bonusPoints - fromOwn - fromOthers - alreadyExpired;
                c.bonusPoints = -(fromOwn + fromOthers);
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
                    c.effects.add(EffectLog.REFERRER_CLAWBACK, lot.id, take, lot.expiresAt);
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
                c.effects.add(EffectLog.FORGIVE, own.id, shortfall, own.expiresAt);
                own.forgiven += shortfall;
                return;
            }
            c.effects.add(EffectLog.SHORTFALL, own.id, shortfall, own.expiresAt);
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
            c.effects.add(EffectLog.TIER, -1, tier, at);
        }

        private ModelMember setTier(final Command c)
        {
            final ModelMember m = find(c.memberId);
            if (null == m)
            {
                c.result = ResultCode.MEMBER_NOT_FOUND;
                return null;
            }
            if (m.status == MemberStatus.CLOSED.code())
            {
                c.result = ResultCode.MEMBER_CLOSED;
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
                c.effects.add(EffectLog.EXPIRE, lot.id, lot.remaining, lot.expiresAt);
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

        private void setProgram(final Command c)
        {
            if (PARTNER.equals(c.programId) && partner.text.equals(c.programText))
            {
                partnerKnown = true;
                c.sequence = ++sequence;
                return;
            }
            for (final ModelProgram candidate : programs)
            {
                if (candidate.text.equals(c.programText) && isEmpty(c.programId))
                {
                    main = candidate;
                    program = candidate;
                    c.sequence = ++sequence;
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
                    request.expiresAt > now && requests.get(request.content.requestId) == request)
                {
                    open.add(request.content);
                }
            }
            return open.isEmpty() ? null : open.get(random.nextInt(open.size()));
        }

        CommandType typeOf(final String requestId)
        {
            final ModelRequest request = requests.get(requestId);
            return null == request ? null : request.content.type;
        }

        boolean remembers(final String requestId, final long now)
        {
            return null != remembered(requestId, now - program.retentionMs);
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
                    requests.get(content.requestId) == request)
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
