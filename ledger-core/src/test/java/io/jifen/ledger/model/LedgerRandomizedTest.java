package io.jifen.ledger.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.EffectLog;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.model.ReferenceModel.Model;
import io.jifen.ledger.model.ReferenceModel.ModelProgram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the ledger and an independent reference model with the same seeded random commands and compares every
 * outcome: result codes, points, balances, expiry, shortfalls, expired points forgiven, points owed, lot-level
 * effects, reads, totals. The model ({@link ReferenceModel}) is written from the documented semantics (ledger.proto,
 * the Ledger javadoc) with plain collections and java.time, sharing no logic with the ledger; it lives in a package of
 * its own, so it can use only what the ledger publishes. At the end, the journaled commands alone are
 * replayed into a fresh ledger, and into one with tiny capacity limits not enforced, which must reach the same state
 * hash.
 * <p>
 * A failure names the seed and the command index; run one seed with {@code -Djifen.seed=N} (and optionally
 * {@code -Djifen.commands=N}); soak with more seeds with {@code -Djifen.seeds=N}.
 */
class LedgerRandomizedTest
{
    private static final int SEEDS = 30;
    private static final int COMMANDS = 3000;
    private static final int MEMBER_POOL = Workload.MEMBER_POOL;
    /** The name of the second program of every run's ledger: the coalition partner of the main program. */
    private static final String PARTNER = ReferenceModel.PARTNER;

    static LongStream seeds()
    {
        final String seed = System.getProperty("jifen.seed");
        return null != seed ? LongStream.of(Long.parseLong(seed.trim())) :
            LongStream.rangeClosed(1, Integer.getInteger("jifen.seeds", SEEDS));
    }

    /** Journaled outcomes by kind over all seeds run, so the generator is known to reach each of them. */
    private static final Map<String, Long> REACHED = ReferenceModel.REACHED;

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
            "EXCHANGE_TOO_SMALL", "EXCHANGE_BELOW_MINIMUM", "PROGRAM_NOT_FOUND", "TO_PROGRAM_NOT_FOUND", "IMPORT",
            "import enrolled", "import to a member", "import raised the tier",
            "request id of the other program reused"})
        {
            assertTrue(REACHED.getOrDefault(kind, 0L) > 0, () -> "no seed reached: " + kind + " " + REACHED);
        }
    }

    // ------------------------------------------------------------------------------------------------ the run

    /**
     * One seeded run: takes the workload's commands, applies each to the ledger and the model, compares the answers.
     */
    private static final class Run
    {
        private final long seed;
        private final int commands;
        private final Workload workload;
        private final LedgerContext context;
        /** Replaced mid-run by what a snapshot of it reads back as: the rest of the run checks the restored ledger. */
        private Ledger ledger;
        private final Model model;
        /** The command being run: the workload's, which it fills in before each step. */
        private final Command in;
        private final Command actual = new Command();
        private final Command expected = new Command();
        private final List<Command> journaled = new ArrayList<>();
        /** Every record as the ledger encoded it, and each member's statement as the model says it must read. */
        private final List<byte[]> records = new ArrayList<>();
        private final Map<String, List<String>> statements = new java.util.LinkedHashMap<>();
        private final Map<String, Long> lastAvailable = new java.util.HashMap<>();
        private final io.jifen.ledger.journal.JournalRecord codec = new io.jifen.ledger.journal.JournalRecord();
        private final org.agrona.ExpandableArrayBuffer encoded = new org.agrona.ExpandableArrayBuffer(1024);
        private final ModelProgram initialProgram;
        private final ModelProgram partner;

        Run(final long seed, final int commands)
        {
            this.seed = seed;
            this.commands = commands;
            workload = new Workload(seed);
            in = workload.in;
            initialProgram = workload.initialProgram;
            partner = workload.partner;
            context = new LedgerContext();
            if (seed % 4 == 0)
            {
                context.requestIdsMax(6);
            }
            ledger = new Ledger(Program.parse(initialProgram.text), context);
            model = new Model(workload.programs, initialProgram, partner, context.requestIdsMax());
            workload.bind(model);
            // the partner program joins the ledger first, journaled like any program
            in.clear();
            in.type = CommandType.SET_PROGRAM;
            in.programText = partner.text;
            in.programId = PARTNER;
            in.timestamp = workload.now;
            actual.clear();
            actual.copyInputsFrom(in);
            ledger.apply(actual);
            assertEquals(ResultCode.OK, actual.result, "the partner program is put in force");
            expected.clear();
            expected.copyInputsFrom(in);
            model.apply(expected);
            assertEquals(ResultCode.OK, expected.result);
            journaled.add(new Command().copyInputsFrom(in));
            record(actual, expected);
        }

        void run()
        {
            // a different place in every seed: after sweeps, holds, pending earns, evictions, program changes
            final int snapshotAt = commands / 3 + (int)Math.floorMod(seed * 7919, (long)Math.max(1, commands / 2));
            for (int i = 0; i < commands; i++)
            {
                try
                {
                    if (i == snapshotAt)
                    {
                        ledger = snapshotRoundTrip(ledger, context);
                    }
                    step();
                    if (i % 50 == 0)
                    {
                        ledger.checkInvariants();
                        model.checkTotals(ledger, workload.now);
                        checkExpiring(new java.util.Random(seed * 31 + i));
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

        /** @return the ledger a snapshot of {@code live} reads back as, its state hash checked against the live one. */
        static Ledger snapshotRoundTrip(final Ledger live, final LedgerContext context)
        {
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            final io.jifen.ledger.core.SnapshotOutput out =
                new io.jifen.ledger.core.SnapshotOutput(java.nio.channels.Channels.newChannel(bytes));
            live.writeTo(out);
            final int crc = out.finish();
            final io.jifen.ledger.core.SnapshotInput in = new io.jifen.ledger.core.SnapshotInput(
                java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(bytes.toByteArray())),
                bytes.size());
            // read with larger tables than written: rings spread over a larger capacity, arrays over larger ones
            final LedgerContext larger = new LedgerContext().requestIdsMax(context.requestIdsMax())
                .membersMax(context.membersMax()).lotsMax(context.lotsMax()).expectedRequests(5000)
                .expectedLots(3000).expectedMembers(2000);
            final Ledger restored = Ledger.readFrom(in, larger);
            assertEquals(crc, in.finish(), "the body's checksum reads back");
            assertEquals(live.stateHash(), restored.stateHash(), "the restored ledger's state hash");
            assertEquals(live.lastSequence(), restored.lastSequence());
            assertEquals(live.lastTimestamp(), restored.lastTimestamp());
            return restored;
        }

        private String where(final int index)
        {
            return "seed " + seed + ", command #" + index + " " + describe(in) + " at " +
                Instant.ofEpochMilli(workload.now) + " (replay with -Djifen.seed=" + seed + ")";
        }

        private void step()
        {
            workload.next();

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
                record(actual, expected);
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
                if (actual.type == CommandType.REVERSE &&
                    model.typeOf(actual.programId, actual.originalRequestId) == CommandType.CAPTURE_HOLD)
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
            workload.observe(copy, actual);
        }

        /**
         * Keeps the ledger's record of a journaled command, and adds a line to the statement of each member the
         * model's member table names: its balances after the record and its effects. The line's points must be the
         * change of the member's available points since its last line (a running balance).
         */
        private void record(final Command ledgerAnswer, final Command modelAnswer)
        {
            final int length = codec.encode(ledgerAnswer, encoded);
            records.add(java.util.Arrays.copyOf(encoded.byteArray(), length));
            final io.jifen.ledger.core.TouchedMembers table = modelAnswer.touched;
            for (int entry = 0; entry < table.size(); entry++)
            {
                final String key = table.program(entry) + "/" + table.memberId(entry);
                final List<String> lots = new ArrayList<>();
                for (int k = 0; k < modelAnswer.effects.size(); k++)
                {
                    if (table.effectEntry(k) == entry)
                    {
                        lots.add(EffectLog.kindName(modelAnswer.effects.kind(k)) + " " +
                            modelAnswer.effects.lotId(k) + " " + modelAnswer.effects.amount(k) + " " +
                            modelAnswer.effects.expiresAt(k));
                    }
                }
                final long before = lastAvailable.getOrDefault(key, 0L);
                lastAvailable.put(key, table.available(entry));
                statements.computeIfAbsent(key, k -> new ArrayList<>()).add(modelAnswer.sequence + " " +
                    modelAnswer.timestamp + " points " + (table.available(entry) - before) + " after " +
                    table.available(entry) + "/" + table.owed(entry) + "/" + table.held(entry) + "/" +
                    table.pending(entry) + " " + lots);
            }
        }

        /**
         * The records, in a real journal, indexed as a server indexes them: every member's statement, read in pages
         * of random sizes, is the model's, newest first.
         */
        private void checkStatements()
        {
            final java.util.Random random = new java.util.Random(seed);
            try
            {
                final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jifen-statements");
                try (io.jifen.ledger.journal.Journal journal = new io.jifen.ledger.journal.Journal(dir.resolve("j")))
                {
                    try (io.jifen.ledger.journal.Journal.Appender appender = journal.openAppender())
                    {
                        for (final byte[] r : records)
                        {
                            appender.append(r, r.length);
                        }
                    }
                    try (io.jifen.ledger.journal.MemberHistory history =
                        new io.jifen.ledger.journal.MemberHistory(journal, dir, model.mainName(),
                            initialProgram.name);
                        io.jifen.ledger.journal.Journal.Reader reader = journal.openReader())
                    {
                        while (history.poll(Long.MAX_VALUE, 1000) > 0)
                        {
                            // index the whole journal
                        }
                        assertEquals(records.size(), history.indexedSequence(), "records indexed");
                        for (final Map.Entry<String, List<String>> statement : statements.entrySet())
                        {
                            final String program = statement.getKey().substring(0, statement.getKey().indexOf('/'));
                            final String member = statement.getKey().substring(program.length() + 1);
                            final List<String> expectedLines = new ArrayList<>(statement.getValue());
                            java.util.Collections.reverse(expectedLines);
                            final List<io.jifen.ledger.journal.StatementLine> lines = new ArrayList<>();
                            long next = history.newest(program, member);
                            while (next >= 0)
                            {
                                final int before = lines.size();
                                final int limit = 1 + random.nextInt(7);
                                next = history.page(program, member, next, -1, limit, model.mainName(), reader,
                                    lines);
                                assertTrue(lines.size() - before <= limit, "a page holds at most its limit");
                            }
                            assertEquals(-1, next, "no record archived");
                            final List<String> actualLines = new ArrayList<>();
                            for (final io.jifen.ledger.journal.StatementLine line : lines)
                            {
                                final List<String> lots = new ArrayList<>();
                                for (final io.jifen.ledger.journal.StatementLine.Lot lot : line.lots)
                                {
                                    lots.add(lot.kind() + " " + lot.lotId() + " " + lot.points() + " " +
                                        lot.expiresAt());
                                }
                                assertTrue(line.balancesKnown);
                                actualLines.add(line.sequence + " " + line.timestamp + " points " + line.points +
                                    " after " + line.balanceAfter + "/" + line.owedAfter + "/" + line.heldAfter +
                                    "/" + line.pendingAfter + " " + lots);
                            }
                            assertEquals(expectedLines, actualLines, "the statement of " + statement.getKey());
                        }
                        assertEquals(statements.values().stream().mapToLong(List::size).sum(), history.entries(),
                            "the index holds one entry per member a record touched, no more");
                        REACHED.merge("statements checked", (long)statements.size(), Long::sum);
                    }
                }
                finally
                {
                    try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(dir))
                    {
                        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }

        /** Every page of a random ListExpiring, together, is the model's list. */
        private void checkExpiring(final java.util.Random random)
        {
            final boolean partnerSide = random.nextInt(3) == 0;
            final int days = 1 + random.nextInt(800);
            final long min = 1 + random.nextInt(random.nextBoolean() ? 5 : 2000);
            final int limit = 1 + random.nextInt(4);
            final long now = workload.now;
            final List<String> listed = new ArrayList<>();
            final Command page = new Command();
            int cursor = 0;
            long windowEnd = 0;
            do
            {
                page.clear();
                page.type = CommandType.LIST_EXPIRING;
                page.programId = partnerSide ? PARTNER : null;
                page.minPoints = min;
                page.limit = limit;
                page.withinDays = windowEnd == 0 ? days : 0;
                page.cursor = cursor;
                page.expiringBefore = windowEnd;
                page.timestamp = now;
                ledger.apply(page);
                assertEquals(ResultCode.OK, page.result, "a page of expiring members");
                assertTrue(page.expiring.size() <= limit);
                for (int k = 0; k < page.expiring.size(); k++)
                {
                    listed.add(page.expiring.memberId(k) + " " + page.expiring.points(k) + " " +
                        page.expiring.firstExpiresAt(k) + " " + page.expiring.balance(k));
                }
                windowEnd = page.windowEnd;
                cursor = page.nextCursor;
            }
            while (cursor >= 0);
            assertEquals(now + days * 86_400_000L, windowEnd, "the window is the first page's");
            assertEquals(model.expiring(partnerSide, now, windowEnd, min), listed,
                "members with at least " + min + " points expiring within " + days + " days");
            if (!listed.isEmpty())
            {
                REACHED.merge("expiring members listed", 1L, Long::sum);
            }
        }

        private void finish()
        {
            ledger.checkInvariants();
            model.checkTotals(ledger, workload.now);
            workload.now += 1;
            for (int i = 0; i < MEMBER_POOL; i++)
            {
                in.clear();
                in.type = CommandType.GET_BALANCE;
                in.memberId = "m" + i;
                in.timestamp = workload.now;
                actual.clear();
                actual.copyInputsFrom(in);
                ledger.apply(actual);
                expected.clear();
                expected.copyInputsFrom(in);
                model.apply(expected);
                compare();
            }

            replay(new Ledger(Program.parse(initialProgram.text), context), "journal replay");
            checkStatements();

            // a replay rebuilds whatever was admitted, whatever the capacity limits are workload.now
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
            assertEquals(expected.touched.describe(), actual.touched.describe(), () -> "members touched by " + what);
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
            assertEquals(expected.expiryBatches, actual.expiryBatches, () -> "expiryBatches of " + what);
            assertEquals(expected.outlook.size(), actual.outlook.size(), () -> "outlook of " + what);
            for (int i = 0; i < expected.outlook.size(); i++)
            {
                final String batch = "expiry batch " + i + " of " + what;
                assertEquals(expected.outlook.expiresAt(i), actual.outlook.expiresAt(i), batch);
                assertEquals(expected.outlook.points(i), actual.outlook.points(i), batch);
            }
            assertEquals(model.sequence, ledger.lastSequence(), () -> "ledger sequence after " + what);
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
}
