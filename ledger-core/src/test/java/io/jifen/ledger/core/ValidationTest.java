package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Edge checks: each bad field gets its result code and changes nothing; time never goes back.
 */
class ValidationTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ validation

    @Test
    void idOf64CharactersIsValidAnd65IsNot()
    {
        final String id64 = "i".repeat(CommandValidator.ID_LENGTH_MAX);
        final String id65 = id64 + "i";
        enroll(id64, id64);
        assertOk();
        enroll(id65, "m2");
        assertResult(ResultCode.REQUEST_ID_INVALID);
        enroll("req-2", id65);
        assertResult(ResultCode.MEMBER_ID_INVALID);
        begin(CommandType.ENROLL, "req-3", "m3").referrerId = id65;
        send();
        assertResult(ResultCode.REFERRER_ID_INVALID);
        begin(CommandType.ENROLL, "req-4", "m4").referrerId = id64;
        send();
        assertOk();

        earn("e1", id64, 10);
        begin(CommandType.EARN, "e2", id64).points = 10;
        c.orderId = id65;
        send();
        assertResult(ResultCode.ORDER_ID_INVALID);
        begin(CommandType.EARN, "e2", id64).points = 10;
        c.orderId = id64;
        send();
        assertOk();
        reverse("v1", id64, id65, 0);
        assertResult(ResultCode.ORIGINAL_REQUEST_ID_INVALID);
        reverse("v1", id64, "e1", 0);
        assertOk();
        balance(id65);
        assertResult(ResultCode.MEMBER_ID_INVALID);
    }

    @Test
    void idsWithNonPrintableOrNonAsciiCharactersOrSpacesAreInvalid()
    {
        for (final String bad : new String[] {"a b", "a\tb", "a\nb", "a\u0000b", "a\u007Fb", "\u79EF\u5206", "", null})
        {
            enroll(bad, "m1");
            assertResult(ResultCode.REQUEST_ID_INVALID, "request id '" + bad + "'");
            enroll("req-1", bad);
            assertResult(ResultCode.MEMBER_ID_INVALID, "member id '" + bad + "'");
        }
        enroll("!~#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "m1");
        assertOk();
        assertEquals(1, ledger.memberCount());
    }

    @Test
    void pointsOutsideOneToPointsMaxAreInvalid()
    {
        enroll("req-1", "m1");
        for (final CommandType type : new CommandType[] {CommandType.EARN, CommandType.REDEEM})
        {
            for (final long points : new long[] {0, -1, Ledger.POINTS_MAX + 1, Long.MIN_VALUE, Long.MAX_VALUE})
            {
                begin(type, "p1", "m1").points = points;
                send();
                assertResult(ResultCode.POINTS_INVALID, type + " of " + points);
            }
        }
        for (final long points : new long[] {0, -Ledger.POINTS_MAX - 1, Ledger.POINTS_MAX + 1, Long.MIN_VALUE})
        {
            adjust("p1", "m1", points, "why");
            assertResult(ResultCode.POINTS_INVALID, "adjust of " + points);
        }
        reverse("p1", "m1", "e1", -1);
        assertResult(ResultCode.POINTS_INVALID);
        reverse("p1", "m1", "e1", Ledger.POINTS_MAX + 1);
        assertResult(ResultCode.POINTS_INVALID);

        earn("e1", "m1", Ledger.POINTS_MAX);
        assertOk();
        redeem("r1", "m1", Ledger.POINTS_MAX);
        assertOk();
        adjust("a1", "m1", Ledger.POINTS_MAX, "max");
        assertOk();
        adjust("a2", "m1", -Ledger.POINTS_MAX, "min");
        assertOk();
        assertEquals(0, c.balance);
    }

    @Test
    void reasonOf256CharactersIsValidAnd257IsNot()
    {
        enroll("req-1", "m1");
        final String reason256 = "r".repeat(CommandValidator.REASON_LENGTH_MAX);
        final String reason257 = reason256 + "r";
        final CommandType[] types = {CommandType.EARN, CommandType.REDEEM, CommandType.REVERSE, CommandType.ADJUST,
            CommandType.SET_STATUS};
        for (final CommandType type : types)
        {
            begin(type, "x1", "m1").points = 1;
            c.originalRequestId = "e0";
            c.status = MemberStatus.ACTIVE.code();
            c.reason = reason257;
            send();
            assertResult(ResultCode.REASON_INVALID, type.toString());
        }
        begin(CommandType.EARN, "e0", "m1").points = 1;
        c.reason = reason256;
        send();
        assertOk();
        assertEquals(2, ledger.lastSequence());
    }

    @Test
    void birthdayMustBeADayThatExistsInALeapYear()
    {
        assertEquals(-1, CommandValidator.parseBirthday("02-30"));
        assertEquals(229, CommandValidator.parseBirthday("02-29"));
        assertEquals(1231, CommandValidator.parseBirthday("12-31"));
        assertEquals(0, CommandValidator.parseBirthday(""));
        assertEquals(-1, CommandValidator.parseBirthday("13-01"));
        assertEquals(-1, CommandValidator.parseBirthday("04-31"));
        assertEquals(-1, CommandValidator.parseBirthday("2-3"));
        assertEquals(-1, CommandValidator.parseBirthday("ab-cd"));
        assertEquals("02-29", CommandValidator.formatBirthday(229));

        for (final int bad : new int[] {230, 431, 1301, 100, 1232, -1, 5})
        {
            begin(CommandType.ENROLL, "req-1", "m1").birthday = bad;
            send();
            assertResult(ResultCode.BIRTHDAY_INVALID, "birthday " + bad);
        }
        begin(CommandType.ENROLL, "req-1", "m1").birthday = 229;
        send();
        assertOk();
    }

    @Test
    void listLotsLimitMustBeOneToOneThousand()
    {
        enroll("req-1", "m1");
        for (final int limit : new int[] {0, -1, CommandValidator.LIST_LOTS_LIMIT_MAX + 1})
        {
            listLots("m1", limit);
            assertResult(ResultCode.LIMIT_INVALID, "limit " + limit);
        }
        listLots("m1", 1);
        assertOk();
        listLots("m1", CommandValidator.LIST_LOTS_LIMIT_MAX);
        assertOk();
    }

    @Test
    void expireTickLimitMustBeOneToOneMillion()
    {
        for (final int limit : new int[] {0, -1, CommandValidator.EXPIRE_TICK_LIMIT_MAX + 1})
        {
            expireTick(limit);
            assertResult(ResultCode.LIMIT_INVALID, "limit " + limit);
        }
        expireTick(CommandValidator.EXPIRE_TICK_LIMIT_MAX);
        assertOk();
    }

    @Test
    void statusMinTierAndTypeMustBeKnown()
    {
        enroll("req-1", "m1");
        for (final int status : new int[] {0, 4, -1})
        {
            begin(CommandType.SET_STATUS, "s1", "m1").status = status;
            send();
            assertResult(ResultCode.STATUS_INVALID, "status " + status);
        }
        for (final int minTier : new int[] {0, 5})
        {
            begin(CommandType.CHECK_TIER, null, "m1").minTier = minTier;
            send();
            assertResult(ResultCode.MIN_TIER_INVALID, "min tier " + minTier);
        }
        begin(null, "x", "m1");
        send();
        assertResult(ResultCode.COMMAND_INVALID);
        begin(CommandType.SET_PROGRAM, null, null);
        send();
        assertResult(ResultCode.COMMAND_INVALID);
        begin(CommandType.SET_PROGRAM, null, null).programText =
            "x".repeat(CommandValidator.PROGRAM_TEXT_LENGTH_MAX + 1);
        send();
        assertResult(ResultCode.COMMAND_INVALID);
    }

    @Test
    void invalidCommandsChangeNothing()
    {
        enroll("req-1", "m1");
        earn("e1", "m1", 100);
        final long hash = ledger.stateHash();
        final long sequence = ledger.lastSequence();

        earn("e2", "m1", 0);
        redeem("r1 ", "m1", 10);
        adjust("a1", "m1", 10, null);
        setProgram("tier.silver = 5000\ntier.gold = 10\n");
        assertResult(ResultCode.COMMAND_INVALID, "thresholds must not decrease");
        setProgram("no.such.key = 1\n");
        assertResult(ResultCode.COMMAND_INVALID);
        assertEquals(0, c.sequence);

        assertEquals(hash, ledger.stateHash());
        assertEquals(sequence, ledger.lastSequence());
        assertEquals(PROGRAM, ledger.program());
    }

    @Test
    void timeGoingBackwardsIsRefused()
    {
        enroll("req-1", "m1");
        now -= 1;
        assertThrows(IllegalStateException.class, () -> balance("m1"));
        now += 1;
        balance("m1");
        assertOk();
    }
}
