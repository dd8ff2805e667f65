package io.jifen.ledger.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state hash: what it covers, and that the same commands always give the same hash.
 */
class StateHashTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ state hash

    @Test
    void stateHashCoversWhatEachMemberOwesAndWhatExpiredFromEachLot()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();

        final LongColumn lotExpired = ledger.stores().lots.expired;
        lotExpired.add(0, 1);
        assertNotEquals(hash, ledger.stateHash(), "lotExpired");
        lotExpired.add(0, -1);
        assertEquals(hash, ledger.stateHash());

        final MemberStore members = ledger.stores().members;
        members.owed(0, 1);
        assertNotEquals(hash, ledger.stateHash(), "owed");
        members.owed(0, 0);
        assertEquals(hash, ledger.stateHash());
    }

    @Test
    void stateHashCoversEveryFieldOfARememberedRequest()
    {
        final Map<String, Consumer<Command>> outcomes = new LinkedHashMap<>();
        outcomes.put("requestId", x -> x.requestId = "other");
        outcomes.put("type", x -> x.type = CommandType.REDEEM);
        outcomes.put("timestamp", x -> x.timestamp++);
        outcomes.put("sequence", x -> x.sequence++);
        outcomes.put("resultPoints", x -> x.resultPoints++);
        outcomes.put("balance", x -> x.balance++);
        outcomes.put("lifetimeEarned", x -> x.lifetimeEarned++);
        outcomes.put("tier", x -> x.tier++);
        outcomes.put("memberStatus", x -> x.memberStatus++);
        outcomes.put("lotId", x -> x.lotId++);
        outcomes.put("expiresAt", x -> x.expiresAt++);
        outcomes.put("expired", x -> x.expired++);
        // an earn keeps the bonuses it paid in the slots where a reversal keeps its shortfall and points already
        // expired: changing these covers those slots
        outcomes.put("bonusPoints", x -> x.bonusPoints++);
        outcomes.put("referrerBonusPoints", x -> x.referrerBonusPoints++);
        outcomes.put("owed", x -> x.owed++);
        final Consumer<Command> same = x -> { };
        final Consumer<RequestLog> unchanged = log -> { };

        final long hash = rememberedRequestHash(same, 5, 1, 0, 1, unchanged);
        assertEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, unchanged));
        for (final Map.Entry<String, Consumer<Command>> outcome : outcomes.entrySet())
        {
            assertNotEquals(hash, rememberedRequestHash(outcome.getValue(), 5, 1, 0, 1, unchanged), outcome.getKey());
        }
        assertNotEquals(hash, rememberedRequestHash(same, 6, 1, 0, 1, unchanged), "fingerprint");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 2, 0, 1, unchanged), "member");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 1, 1, unchanged), "first allocation");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 2, unchanged), "allocation count");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, log -> log.addReversed(0, 1)), "reversed");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, log -> log.addForgiven(0, 1)), "forgiven");
        assertNotEquals(hash, rememberedRequestHash(same, 5, 1, 0, 1, log -> log.addAllocRestored(1, 1)), "restored");
    }

    /**
     * @return the hash of a request log that remembers one write, changed as asked; the allocation ring holds two
     * identical allocations, of which the write owns {@code owned} from the {@code before}-th on.
     */
    private static long rememberedRequestHash(
        final Consumer<Command> outcome,
        final long fingerprint,
        final int member,
        final int before,
        final int owned,
        final Consumer<RequestLog> change)
    {
        final Command write = new Command();
        write.type = CommandType.EARN;
        write.requestId = "w1";
        write.memberId = "m1";
        write.points = 100;
        write.timestamp = 1_000;
        write.sequence = 2;
        write.resultPoints = 100;
        write.balance = 100;
        write.lifetimeEarned = 100;
        write.tier = Tier.MEMBER.code();
        write.memberStatus = MemberStatus.ACTIVE.code();
        write.lotId = 4;
        write.expiresAt = 2_000;
        outcome.accept(write);
        final RequestLog log = new RequestLog(16);
        final MemberStore members = new MemberStore(16);
        for (int i = 0; i <= member; i++)
        {
            members.add(0, "m" + i, 0, -1, 0);
        }
        log.scopeBy(members);
        for (int i = 0; i < before; i++)
        {
            log.addAllocation(3, 1);
        }
        final long allocStart = log.allocTail();
        for (int i = 0; i < owned; i++)
        {
            log.addAllocation(3, 1);
        }
        log.append(write, fingerprint, member, allocStart, 4);
        for (int i = before + owned; i < 2; i++)
        {
            log.addAllocation(3, 1);
        }
        change.accept(log);
        return log.hash(17);
    }

    // ------------------------------------------------------------------------------------------------ determinism

    @Test
    void sameCommandsGiveTheSameStateHash()
    {
        final long first = runScript(100);
        final long firstSequence = ledger.lastSequence();
        ledger.checkInvariants();

        ledger = new Ledger(PROGRAM);
        now = at(2024, 1, 15, 10);
        assertEquals(first, runScript(100));
        assertEquals(firstSequence, ledger.lastSequence());
    }

    @Test
    void aDifferentCommandGivesADifferentStateHash()
    {
        final long first = runScript(100);
        ledger.checkInvariants();

        ledger = new Ledger(PROGRAM);
        now = at(2024, 1, 15, 10);
        assertNotEquals(first, runScript(101));
    }

    @Test
    void rejectedCommandsAndReadsLeaveTheStateHashUnchanged()
    {
        runScript(100);
        final long hash = ledger.stateHash();
        final long sequence = ledger.lastSequence();

        now += HOUR_MS;
        redeem("rx", "m1", 1_000_000);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        earn("ex", "ghost", 1);
        assertResult(ResultCode.MEMBER_NOT_FOUND);
        reverse("v2", "m1", "e2", 999);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        enroll("req-x", "m1");
        assertResult(ResultCode.MEMBER_EXISTS);
        reverse("vx", "m1", "nothing", 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_NOT_FOUND);
        expireTick(10);
        assertEquals(0, c.sequence);
        balance("m1");
        listLots("m1", 10);
        checkTier("m1", Tier.GOLD);
        reverse("v2", "m1", "e2", 1_000);
        assertTrue(c.replay);

        assertEquals(hash, ledger.stateHash());
        assertEquals(sequence, ledger.lastSequence());
    }

    @Test
    void rejectedOrReplayedWritesLeaveTheStateHashUnchangedWhenOldRequestsAwaitEviction()
    {
        ledger = new Ledger(Program.parse("limits.requestRetentionDays = 1"));
        enroll("req-1", "m1");
        for (int i = 0; i < 3 * Ledger.EVICTIONS_PER_WRITE; i++)
        {
            earn("e" + i, "m1", 1);
        }
        now += 12 * HOUR_MS;
        earn("late", "m1", 1);
        now += 12 * HOUR_MS + 1;               // everything before "late" is out of the window
        final long hash = ledger.stateHash();

        redeem("rx", "m1", 1_000_000);
        assertResult(ResultCode.INSUFFICIENT_POINTS);
        assertEquals(hash, ledger.stateHash(), "a rejected write changes nothing");
        earn("late", "m1", 2);
        assertResult(ResultCode.REQUEST_ID_CONFLICT);
        assertEquals(hash, ledger.stateHash(), "a conflicting write changes nothing");
        earn("late", "m1", 1);
        assertTrue(c.replay);
        assertEquals(hash, ledger.stateHash(), "a replayed write changes nothing");
    }

    /**
     * A fixed history touching every write type, with one point count that tests vary.
     *
     * @return the state hash after it.
     */
    private long runScript(final long firstEarn)
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        begin(CommandType.ENROLL, "req-3", "m3").referrerId = "m1";
        c.birthday = 1224;
        send();
        earn("e1", "m1", firstEarn);
        now = at(2024, 4, 2, 10);
        earn("e2", "m1", 6_000);
        earn("e3", "m2", 40);
        redeem("r1", "m1", 150);
        reverse("v1", "m1", "r1", 40);
        adjust("a1", "m2", -15, "fix");
        adjust("a2", "m3", 25, "welcome");
        setStatus("s1", "m2", MemberStatus.FROZEN);
        now = at(2025, 2, 1, 0);
        expireTick(10);
        reverse("v2", "m1", "e2", 1_000);
        setProgram("limits.requestRetentionDays = 3650\ntier.gold = 4000\n");
        assertOk();
        ledger.checkInvariants();
        return ledger.stateHash();
    }
}
