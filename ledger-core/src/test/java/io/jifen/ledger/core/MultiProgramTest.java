package io.jifen.ledger.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.jifen.ledger.journal.JournalRecord;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several programs in one ledger: member ids unique within a program, each program's rules, budgets and accounts its
 * own, and coalition exchange between partner programs with exact limits. Every scenario's journal replays (through
 * the codec, version 2 records included) to the same state.
 */
class MultiProgramTest extends LedgerTestSupport
{
    static final String COFFEE = String.join("\n",
        "version: 1",
        "name: coffee",
        "expiry:",
        "  months: 12",
        "partners:",
        "  - program: airline",
        "    rate: 0.5",
        "    minPoints: 100",
        "    dailyLimit: 1000",
        "    totalLimit: 1500",
        "  - program: bakery",
        "    rate: 1",
        "");
    static final String AIRLINE = String.join("\n",
        "version: 1",
        "name: airline",
        "expiry:",
        "  months: 24",
        "pending:",
        "  days: 7",
        "partners:",
        "  - program: coffee",
        "    rate: 2",
        "");
    static final String BAKERY = String.join("\n",
        "version: 1",
        "name: bakery",
        "partners:",
        "  - program: coffee",
        "    rate: 0.001",
        "");

    MultiProgramTest()
    {
        super(COFFEE, at(2026, 1, 5, 10));
    }

    /** An admin's program change while serving: matched by the program's own name (Command.putByName). */
    void putByName(final String text)
    {
        begin(CommandType.SET_PROGRAM, null, null).programText = text;
        c.putByName = true;
        send();
    }

    @Test
    void aProgramPutByNameReplacesItsNamesakeOnlyWithAHigherVersionOrAddsANewOne()
    {
        final long hash = ledger.stateHash();
        putByName(COFFEE);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(0, c.sequence, "the same program is in force already: nothing journaled");
        putByName(COFFEE.replace("months: 12", "months: 6"));
        assertEquals(ResultCode.PROGRAM_VERSION_NOT_HIGHER, c.result);
        assertEquals(1, c.resultDetail, "the version in force");
        assertEquals(hash, ledger.stateHash(), "refused: nothing changed");

        putByName(COFFEE.replace("months: 12", "months: 6").replace("version: 1", "version: 2"));
        assertEquals(ResultCode.OK, c.result);
        assertTrue(c.isJournaled());
        assertEquals(null, c.programId, "journaled as a change of the first program, as a start-up would");
        assertEquals(2, ledger.program().version());
        assertTrue(ledger.program().toText().contains("months: 6"), "the new rules are in force");

        putByName(AIRLINE);
        assertTrue(c.isJournaled(), "a new name adds a program");
        assertEquals("airline", c.programId);
        assertEquals(1, ledger.programSlot("airline"));
        putByName(AIRLINE.replace("months: 24", "months: 36"));
        assertEquals(ResultCode.PROGRAM_VERSION_NOT_HIGHER, c.result, "a partner's change needs a version too");
        putByName(AIRLINE.replace("version: 1", "version: 7"));
        assertEquals(0, c.sequence, "the same rules under another version: in force already");
        assertEquals(1, c.resultDetail, "and the answer names the version in force");
        for (int i = ledger.programCount(); i < Ledger.PROGRAMS_MAX; i++)
        {
            putByName("version: 1\nname: brand-" + i + "\n");
            assertTrue(c.isJournaled());
        }
        putByName("version: 1\nname: one-too-many\n");
        assertEquals(ResultCode.PROGRAMS_MAX, c.result);
        // the journal's records carry no flag: the check after each test replays them from their bytes
    }

    void putInForce(final String programId, final String text)
    {
        begin(CommandType.SET_PROGRAM, null, null).programText = text;
        c.programId = programId;
        send();
    }

    void addPartners()
    {
        putInForce("airline", AIRLINE);
        assertEquals(ResultCode.OK, c.result);
        putInForce("bakery", BAKERY);
        assertEquals(ResultCode.OK, c.result);
    }

    Command in(final String programId)
    {
        c.programId = programId;
        return c;
    }

    void enrollIn(final String programId, final String memberId)
    {
        begin(CommandType.ENROLL, "enroll-" + programId + "-" + memberId, memberId);
        in(programId);
        send();
        assertEquals(ResultCode.OK, c.result, c::toString);
    }

    void earnIn(final String programId, final String requestId, final String memberId, final long points)
    {
        begin(CommandType.EARN, requestId, memberId).points = points;
        in(programId);
        send();
        assertEquals(ResultCode.OK, c.result, c::toString);
    }

    void exchange(final String requestId, final String programId, final String memberId, final String toProgramId,
        final String toMemberId, final long points)
    {
        begin(CommandType.EXCHANGE, requestId, memberId).points = points;
        c.programId = programId;
        c.toProgramId = toProgramId;
        c.toMemberId = toMemberId;
        send();
    }

    long available(final String programId, final String memberId)
    {
        begin(CommandType.GET_BALANCE, null, memberId);
        in(programId);
        send();
        assertEquals(ResultCode.OK, c.result, c::toString);
        return c.balance;
    }

    @Test
    void aMemberIdIsUniqueWithinItsProgramOnly()
    {
        addPartners();
        assertEquals(3, ledger.programCount());
        enroll("alice");
        enrollIn("airline", "alice");
        begin(CommandType.ENROLL, "enroll-again", "alice");
        in("airline");
        send();
        assertEquals(ResultCode.MEMBER_EXISTS, c.result);

        earnIn(null, "e1", "alice", 500);
        final long coffeeExpiry = c.expiresAt;
        earnIn("airline", "e2", "alice", 300);
        assertTrue(c.maturesAt > 0, "airline holds points pending for 7 days");
        earnIn("coffee", "e3", "alice", 1); // the first program by its name
        assertEquals(501, available(null, "alice"));
        assertEquals(501, available("coffee", "alice"));
        assertEquals(0, available("airline", "alice"));
        assertEquals(300, c.pending);

        now += 8 * DAY_MS;
        earnIn("airline", "e4", "alice", 10); // matures the first pending earn, under airline's expiry rule
        assertEquals(300, available("airline", "alice"));
        assertEquals(10, c.pending);
        assertNotEquals(coffeeExpiry, c.nextExpiryAt, "24 months, not coffee's 12");

        begin(CommandType.GET_BALANCE, null, "alice");
        in("tea");
        send();
        assertEquals(ResultCode.PROGRAM_NOT_FOUND, c.result);
        begin(CommandType.EARN, "e-tea", "alice").points = 5;
        in("tea");
        send();
        assertEquals(ResultCode.PROGRAM_NOT_FOUND, c.result);

        // the first program named by its name is the same request, journaled as the first program's (no program id)
        begin(CommandType.EARN, "e1", "alice").points = 500;
        in("coffee");
        send();
        assertTrue(c.replay, "named or not, the first program");
        begin(CommandType.EARN, "e5", "alice").points = 5;
        in("coffee");
        send();
        assertEquals(ResultCode.OK, c.result);
        final Command recorded = new Command();
        JournalRecord.decodeCommand(new UnsafeBuffer(journal.get(journal.size() - 1)), recorded);
        assertEquals(JournalRecord.VERSION_KEYS, recorded.recordVersion);
        assertNull(recorded.programId, "the record names no program: the first program's");

        // request ids are each program's own: airline's "e1" is a request of its own, not coffee's "e1"
        begin(CommandType.EARN, "e1", "alice").points = 500;
        in("airline");
        send();
        assertEquals(ResultCode.OK, c.result);
        assertFalse(c.replay, "another program's id is neither seen nor blocked");
        begin(CommandType.EARN, "e1", "alice").points = 500;
        in("airline");
        send();
        assertTrue(c.replay, "and airline's retry is airline's");
        begin(CommandType.EARN, "e1", "alice").points = 500;
        send();
        assertTrue(c.replay, "the same request without a program id is the first program's");
        assertEquals(500, c.resultPoints);
        begin(CommandType.EARN, "e1", "alice").points = 7;
        in("airline");
        send();
        assertEquals(ResultCode.REQUEST_ID_CONFLICT, c.result, "within a program an id is still one request");
    }

    @Test
    void referrersAndTransfersStayInTheirProgram()
    {
        addPartners();
        enroll("carol");
        enrollIn("airline", "dave");
        begin(CommandType.ENROLL, "enroll-bob", "bob").referrerId = "carol";
        in("airline");
        send();
        assertEquals(ResultCode.REFERRER_NOT_FOUND, c.result);

        earn("e1", "carol", 100);
        begin(CommandType.TRANSFER, "t1", "carol").toMemberId = "dave";
        c.points = 50;
        send();
        assertEquals(ResultCode.RECEIVER_NOT_FOUND, c.result, "dave is an airline member, carol a coffee one");
    }

    @Test
    void aProgramIsAddedOrReplacedByItsName()
    {
        putInForce("airline", AIRLINE.replace("name: airline", "name: air"));
        assertEquals(ResultCode.PROGRAM_ID_INVALID, c.result, "the program's name is its id");
        putInForce(null, AIRLINE);
        assertEquals(ResultCode.OK, c.result, "without an id the first program is replaced, renamed too");
        assertEquals("airline", ledger.program().name());
        putInForce(null, COFFEE);
        assertEquals(ResultCode.OK, c.result);
        addPartners();
        putInForce(null, BAKERY.replace("version: 1", "version: 2"));
        assertEquals(ResultCode.PROGRAM_ID_INVALID, c.result, "another program is named bakery already");
        putInForce("airline", AIRLINE.replace("version: 1", "version: 2"));
        assertEquals(ResultCode.OK, c.result);
        assertEquals(3, ledger.programCount());
        assertEquals(2, ledger.program(ledger.programSlot("airline")).version());
        assertEquals(0, ledger.programSlot(""));
        putInForce(null, COFFEE.replace("name: coffee", "name: cafe").replace("version: 1", "version: 2"));
        assertEquals(ResultCode.PROGRAM_ID_INVALID, c.result,
            "partners, their limits and clearing name the first program: no rename once there are others");
        assertEquals("coffee", ledger.program().name());
        assertEquals(0, ledger.programSlot("coffee"));
        assertEquals(-1, ledger.programSlot("tea"));
    }

    @Test
    void anExchangeMovesPointsAtThePartnersRateThroughClearingAccounts()
    {
        addPartners();
        enroll("alice");
        earn("e1", "alice", 400);
        final long firstLot = c.lotId;
        now = at(2026, 3, 5, 10);
        earn("e2", "alice", 200);
        final long secondLot = c.lotId;
        enrollIn("airline", "A-1");

        exchange("x1", null, "alice", "airline", "A-1", 500);
        assertEquals(ResultCode.OK, c.result, c::toString);
        assertEquals(500, c.resultPoints);
        assertEquals(250, c.exchanged);
        assertEquals(100, c.balance, "the sender's balance");
        final long lot = c.lotId;
        assertEffects("exchange_out " + firstLot + " 400; exchange_out " + secondLot + " 100; exchange_in " + lot +
            " 250");
        assertEquals(at(2028, 4, 1, 0), c.expiresAt, "the airline's rule: the end of the 24th month after");
        assertEquals(250, available("airline", "A-1"));
        assertEquals(0, c.pending, "exchanged points are not earned: never pending");
        assertEquals(100, available(null, "alice"));

        assertEquals(BigInteger.valueOf(500), ledger.accounts(0).balance(Accounts.Account.CLEARING));
        assertEquals(BigInteger.valueOf(500), ledger.accounts(0).clearing("airline"));
        assertEquals(BigInteger.valueOf(-250), ledger.accounts(1).balance(Accounts.Account.CLEARING));
        assertEquals(BigInteger.valueOf(-250), ledger.accounts(1).clearing("coffee"));
        assertEquals(BigInteger.valueOf(250), ledger.accounts(1).balance(Accounts.Account.MEMBERS_AVAILABLE));
        assertEquals(BigInteger.ZERO, ledger.accounts(1).balance(Accounts.Account.ISSUED), "airline issued nothing");
        assertEquals(500, ledger.sentToPartner(0, "airline"));

        exchange("x1", null, "alice", "airline", "A-1", 500);
        assertTrue(c.replay);
        assertEquals(250, c.exchanged);
        assertEquals(lot, c.lotId);

        begin(CommandType.REVERSE, "r1", "alice").originalRequestId = "x1";
        send();
        assertEquals(ResultCode.REVERSE_ORIGINAL_NOT_REVERSIBLE, c.result, "an exchange is final");

        // the other way, at the airline's rate for coffee
        exchange("x2", "airline", "A-1", "coffee", "alice", 10);
        assertEquals(ResultCode.OK, c.result, c::toString);
        assertEquals(20, c.exchanged);
        assertEquals(120, available(null, "alice"));
        assertEquals(BigInteger.valueOf(480), ledger.accounts(0).clearing("airline"));
        assertEquals(BigInteger.valueOf(-240), ledger.accounts(1).clearing("coffee"));
    }

    @Test
    void partnerLimitsHoldExactly()
    {
        addPartners();
        enroll("alice");
        earn("e1", "alice", 5000);
        enrollIn("airline", "A-1");

        exchange("x0", null, "alice", "airline", "A-1", 99);
        assertEquals(ResultCode.EXCHANGE_BELOW_MINIMUM, c.result);
        assertEquals(100, c.resultDetail);
        exchange("x1", null, "alice", "airline", "A-1", 600);
        assertEquals(ResultCode.OK, c.result);
        exchange("x2", null, "alice", "airline", "A-1", 401);
        assertEquals(ResultCode.PARTNER_DAILY_LIMIT, c.result);
        assertEquals(400, c.resultDetail, "what is left of today's limit");
        exchange("x3", null, "alice", "airline", "A-1", 400);
        assertEquals(ResultCode.OK, c.result, "exactly the rest of the day's limit");
        exchange("x4", null, "alice", "airline", "A-1", 100);
        assertEquals(ResultCode.PARTNER_DAILY_LIMIT, c.result);
        assertEquals(0, c.resultDetail);

        now = at(2026, 1, 5, 23) + 59 * 60_000L; // 23:59 in Shanghai: still the same day
        exchange("x5", null, "alice", "airline", "A-1", 100);
        assertEquals(ResultCode.PARTNER_DAILY_LIMIT, c.result);
        now = at(2026, 1, 6, 0); // a new day in the program's zone
        exchange("x6", null, "alice", "airline", "A-1", 600);
        assertEquals(ResultCode.PARTNER_TOTAL_LIMIT, c.result);
        assertEquals(500, c.resultDetail, "1500 in all, 1000 sent");
        final long before = ledger.stateHash();
        exchange("x7", null, "alice", "airline", "A-1", 500);
        assertEquals(ResultCode.OK, c.result);
        assertNotEquals(before, ledger.stateHash());
        exchange("x8", null, "alice", "airline", "A-1", 100);
        assertEquals(ResultCode.PARTNER_TOTAL_LIMIT, c.result);
        assertEquals(1500, ledger.sentToPartner(0, "airline"));
        assertEquals(750, available("airline", "A-1"));
        assertEquals(3500, available(null, "alice"));

        // other partners have their own limits: none for bakery
        enrollIn("bakery", "B-1");
        exchange("x9", null, "alice", "bakery", "B-1", 3000);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(3000, c.exchanged);
    }

    @Test
    void anExchangeThatWouldCreditTooMuchIsRefused()
    {
        putInForce(null, COFFEE.replace("version: 1", "version: 2") + "  - {program: vault, rate: 10000}\n");
        assertEquals(ResultCode.OK, c.result, c::toString);
        putInForce("vault", "name: vault\npartners: [{program: coffee, rate: 1}]\n");
        assertEquals(ResultCode.OK, c.result, c::toString);
        enroll("alice");
        earn("e1", "alice", 300_000_000);
        enrollIn("vault", "V-1");
        exchange("x1", null, "alice", "vault", "V-1", 100_000_001);
        assertEquals(ResultCode.EXCHANGE_TOO_LARGE, c.result, "more than 10^12 points in one lot");
        exchange("x2", null, "alice", "vault", "V-1", 100_000_000);
        assertEquals(ResultCode.OK, c.result, "exactly 10^12");
        assertEquals(Ledger.POINTS_MAX, c.exchanged);
    }

    @Test
    void aRefusedExchangeChangesNothing()
    {
        addPartners();
        enroll("alice");
        earn("e1", "alice", 500);
        enrollIn("airline", "A-1");
        enrollIn("bakery", "B-1");
        enrollIn("airline", "A-2");
        begin(CommandType.SET_STATUS, "freeze", "A-2").status = MemberStatus.FROZEN.code();
        in("airline");
        send();
        assertEquals(ResultCode.OK, c.result);
        final long before = ledger.stateHash();

        exchange("x1", null, "alice", "tea", "A-1", 200);
        assertEquals(ResultCode.TO_PROGRAM_NOT_FOUND, c.result);
        exchange("x2", null, "alice", "coffee", "A-1", 200);
        assertEquals(ResultCode.TO_PROGRAM_ID_INVALID, c.result);
        exchange("x3", "airline", "A-1", "bakery", "B-1", 200);
        assertEquals(ResultCode.NOT_A_PARTNER, c.result, "neither lists the other");
        exchange("x4", null, "alice", "airline", "A-9", 200);
        assertEquals(ResultCode.RECEIVER_NOT_FOUND, c.result);
        exchange("x5", null, "alice", "airline", "A-2", 200);
        assertEquals(ResultCode.RECEIVER_NOT_ACTIVE, c.result);
        exchange("x6", null, "alice", "airline", "A-1", 501);
        assertEquals(ResultCode.INSUFFICIENT_POINTS, c.result);
        assertEquals(500, c.resultDetail);
        earnIn("bakery", "e2", "B-1", 5000);
        final long withBakery = ledger.stateHash();
        exchange("x7", "bakery", "B-1", "coffee", "alice", 999);
        assertEquals(ResultCode.EXCHANGE_TOO_SMALL, c.result, "999 * 0.001 rounds down to nothing");
        exchange("x8", null, "alice", "airline", "A-1", 0);
        assertEquals(ResultCode.POINTS_INVALID, c.result);
        begin(CommandType.EXCHANGE, "x9", "alice").points = 100;
        c.toMemberId = "A-1";
        send();
        assertEquals(ResultCode.TO_PROGRAM_ID_INVALID, c.result, "to_program_id is required");
        assertEquals(withBakery, ledger.stateHash());
        assertNotEquals(before, withBakery);

        // a partner that does not list the sender back: bakery lists coffee, but a coffee without bakery does not
        putInForce(null, COFFEE.replace("version: 1", "version: 2")
            .replace("  - program: bakery\n    rate: 1\n", ""));
        assertEquals(ResultCode.OK, c.result);
        exchange("x10", "bakery", "B-1", "coffee", "alice", 2000);
        assertEquals(ResultCode.NOT_A_PARTNER, c.result);
    }

    @Test
    void oneSweepExpiresLotsOfEveryProgramIntoEachProgramsAccounts()
    {
        addPartners();
        enroll("alice");
        earn("e1", "alice", 70);
        enrollIn("bakery", "alice");
        earnIn("bakery", "e2", "alice", 30);
        enrollIn("airline", "alice");
        earnIn("airline", "e3", "alice", 20);
        now = at(2027, 2, 1, 1); // coffee's and bakery's 12 months are over, the airline's 24 are not
        sweep();
        assertTrue(c.isJournaled());
        assertEquals(100, c.expired);
        assertEquals(BigInteger.valueOf(70), ledger.accounts(0).balance(Accounts.Account.EXPIRED));
        assertEquals(BigInteger.valueOf(30), ledger.accounts(ledger.programSlot("bakery"))
            .balance(Accounts.Account.EXPIRED));
        assertEquals(BigInteger.ZERO, ledger.accounts(1).balance(Accounts.Account.EXPIRED));
        ledger.checkInvariants();
        now += 8 * DAY_MS; // the airline's pending earn matures by the sweep
        sweep();
        assertEquals(20, available("airline", "alice"));
    }

    // ------------------------------------------------------------------------------------------------ isolation

    /**
     * Programs in one ledger do not interfere: random writes on the same member ids in two programs, interleaved in
     * one ledger, have exactly the outcomes each program's writes have alone in a ledger of their own.
     */
    @Test
    void programsInOneLedgerBehaveAsEachAlone()
    {
        final String second = String.join("\n",
            "version: 1",
            "name: second",
            "expiry:",
            "  months: 3",
            "tiers:",
            "  silver: 300",
            "  window: rolling12",
            "pending:",
            "  days: 2",
            "returns:",
            "  shortfall: forgive",
            "bonuses:",
            "  welcome: 5",
            "");
        for (int seed = 0; seed < 40; seed++)
        {
            final Random random = new Random(seed);
            final long start = now;
            final List<Command> first = script(random, "c", start);
            final List<Command> other = script(random, "s", start);
            use(COFFEE);
            putInForce("second", second);
            final Ledger aloneFirst = new Ledger(Program.parse(COFFEE));
            final Ledger aloneSecond = new Ledger(Program.parse(second));
            int i = 0;
            int j = 0;
            while (i < first.size() || j < other.size())
            {
                final boolean takeFirst = j == other.size() ||
                    (i < first.size() && first.get(i).timestamp <= other.get(j).timestamp);
                final Command command = takeFirst ? first.get(i++) : other.get(j++);
                final Command alone = new Command().copyInputsFrom(command);
                (takeFirst ? aloneFirst : aloneSecond).apply(alone);
                c.clear();
                c.copyInputsFrom(command);
                c.programId = takeFirst ? null : "second";
                now = command.timestamp;
                send();
                assertSameOutcome(alone, c, seed);
            }
            for (final boolean isFirst : new boolean[] {true, false})
            {
                for (int m = 0; m < MEMBERS; m++)
                {
                    final Command alone = read("m" + m, now);
                    (isFirst ? aloneFirst : aloneSecond).apply(alone);
                    final Command together = read("m" + m, now);
                    together.programId = isFirst ? null : "second";
                    ledger.apply(together);
                    assertSameOutcome(alone, together, seed);
                    assertEquals(alone.pending, together.pending);
                    assertEquals(alone.tierPoints, together.tierPoints);
                }
            }
            ledger.checkInvariants();
            aloneFirst.checkInvariants();
            aloneSecond.checkInvariants();
            assertFalse(ledger.accounts(1).balance(Accounts.Account.ISSUED).signum() == 0 &&
                ledger.accounts(0).balance(Accounts.Account.ISSUED).signum() == 0, "the scripts earned nothing");
            assertEquals(aloneFirst.accounts().total(), ledger.accounts(0).total());
            for (final Accounts.Account account : Accounts.Account.values())
            {
                assertEquals(aloneFirst.accounts().balance(account), ledger.accounts(0).balance(account));
                assertEquals(aloneSecond.accounts().balance(account), ledger.accounts(1).balance(account));
            }
            now = start;
        }
    }

    private static final int MEMBERS = 6;

    private static Command read(final String memberId, final long at)
    {
        final Command read = new Command();
        read.type = CommandType.GET_BALANCE;
        read.memberId = memberId;
        read.timestamp = at;
        return read;
    }

    private static void assertSameOutcome(final Command alone, final Command together, final int seed)
    {
        final String what = "seed " + seed + ": " + alone + " vs " + together;
        assertEquals(alone.result, together.result, what);
        assertEquals(alone.replay, together.replay, what);
        assertEquals(alone.resultPoints, together.resultPoints, what);
        assertEquals(alone.balance, together.balance, what);
        assertEquals(alone.owed, together.owed, what);
        assertEquals(alone.held, together.held, what);
        assertEquals(alone.tier, together.tier, what);
        assertEquals(alone.lifetimeEarned, together.lifetimeEarned, what);
        assertEquals(alone.expired, together.expired, what);
        assertEquals(alone.shortfall, together.shortfall, what);
        assertEquals(alone.expiresAt, together.expiresAt, what);
        assertEquals(alone.maturesAt, together.maturesAt, what);
        assertEquals(alone.bonusPoints, together.bonusPoints, what);
        assertEquals(alone.effects.size(), together.effects.size(), what);
        for (int k = 0; k < alone.effects.size(); k++)
        {
            assertEquals(alone.effects.kind(k), together.effects.kind(k), what);
            assertEquals(alone.effects.amount(k), together.effects.amount(k), what);
            assertEquals(alone.effects.expiresAt(k), together.effects.expiresAt(k), what);
        }
    }

    /** A random script of writes on members m0..m5 of one program, request ids prefixed. */
    private static List<Command> script(final Random random, final String prefix, final long start)
    {
        final List<Command> script = new ArrayList<>();
        final List<String> earns = new ArrayList<>();
        final List<String> redeems = new ArrayList<>();
        final List<String> holds = new ArrayList<>();
        long at = start;
        for (int m = 0; m < MEMBERS; m++)
        {
            final Command enroll = new Command();
            enroll.type = CommandType.ENROLL;
            enroll.requestId = prefix + "-enroll-" + m;
            enroll.memberId = "m" + m;
            enroll.timestamp = at;
            script.add(enroll);
        }
        for (int n = 0; n < 300; n++)
        {
            at += random.nextInt(4) == 0 ? random.nextInt(20) * DAY_MS : random.nextInt(3_600_000);
            final Command w = new Command();
            w.requestId = prefix + "-" + n;
            w.memberId = "m" + random.nextInt(MEMBERS);
            w.timestamp = at;
            final int kind = random.nextInt(10);
            if (kind < 4)
            {
                w.type = CommandType.EARN;
                w.points = 1 + random.nextInt(200);
                earns.add(w.requestId + " " + w.memberId);
            }
            else if (kind < 6)
            {
                w.type = CommandType.REDEEM;
                w.points = 1 + random.nextInt(150);
                redeems.add(w.requestId + " " + w.memberId);
            }
            else if (kind == 6 && !(earns.isEmpty() && redeems.isEmpty()))
            {
                final List<String> from = redeems.isEmpty() || (!earns.isEmpty() && random.nextBoolean()) ?
                    earns : redeems;
                final String[] original = from.get(random.nextInt(from.size())).split(" ");
                w.type = CommandType.REVERSE;
                w.originalRequestId = original[0];
                w.memberId = original[1];
            }
            else if (kind == 7)
            {
                w.type = CommandType.HOLD;
                w.points = 1 + random.nextInt(100);
                holds.add(w.requestId + " " + w.memberId);
            }
            else if (kind == 8 && !holds.isEmpty())
            {
                final String[] hold = holds.get(random.nextInt(holds.size())).split(" ");
                w.type = random.nextBoolean() ? CommandType.CAPTURE_HOLD : CommandType.RELEASE_HOLD;
                w.originalRequestId = hold[0];
                w.memberId = hold[1];
            }
            else
            {
                w.type = CommandType.TRANSFER;
                w.toMemberId = "m" + random.nextInt(MEMBERS);
                w.points = 1 + random.nextInt(80);
            }
            script.add(w);
        }
        return script;
    }
}
