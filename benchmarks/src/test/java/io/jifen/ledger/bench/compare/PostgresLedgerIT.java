package io.jifen.ledger.bench.compare;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PostgreSQL baseline on a real server: that it keeps the books a loyalty ledger must keep, so the comparison
 * measures a correct competitor. Needs PostgreSQL's server (see {@link CompareSmokeIT#requirePostgres()}).
 */
class PostgresLedgerIT
{
    private static PostgresServer server;
    private static Connection c;

    @BeforeAll
    static void start() throws Exception
    {
        CompareSmokeIT.requirePostgres();
        server = PostgresServer.start(Compare.freePort(), true);
        c = DriverManager.getConnection(server.jdbcUrl());
        PostgresLedger.createSchema(c);
        c.setAutoCommit(false);
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (null != c)
        {
            c.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void earnRedeemAndReplayKeepTheBooks() throws SQLException
    {
        assertEquals(Status.Code.OK, PostgresLedger.enroll(c, "e-1", "alice").code);
        assertTrue(PostgresLedger.enroll(c, "e-1", "alice").replay);
        assertEquals(Status.Code.ALREADY_EXISTS, PostgresLedger.enroll(c, "e-2", "alice").code);
        assertEquals(Status.Code.OK, PostgresLedger.earn(c, "a-1", "alice", 100, "o-1").code);
        assertEquals(Status.Code.OK, PostgresLedger.earn(c, "a-2", "alice", 50, "o-2").code);
        final PostgresLedger.Outcome retry = PostgresLedger.earn(c, "a-1", "alice", 100, "o-1");
        assertEquals(Status.Code.OK, retry.code);
        assertTrue(retry.replay);
        assertEquals(150, balance("alice"));

        assertEquals(Status.Code.OK, PostgresLedger.redeem(c, "r-1", "alice", 120).code);
        assertTrue(PostgresLedger.redeem(c, "r-1", "alice", 120).replay);
        assertEquals(30, balance("alice"));
        assertEquals(Status.Code.FAILED_PRECONDITION, PostgresLedger.redeem(c, "r-2", "alice", 31).code);
        assertEquals(30, balance("alice"));
        // soonest-expiring first: both lots expire a year on, the first earned is taken first
        assertEquals(0, lotRemaining("a-1"));
        assertEquals(30, lotRemaining("a-2"));
        assertEquals(30, sumOfLots("alice"));
    }

    @Test
    void reversalClawsBackFromTheEarnsLotThenOthersThenOwes() throws SQLException
    {
        PostgresLedger.enroll(c, "e-bob", "bob");
        PostgresLedger.earn(c, "b-1", "bob", 100, "o-1");
        PostgresLedger.earn(c, "b-2", "bob", 40, "o-2");
        PostgresLedger.redeem(c, "b-r", "bob", 90); // takes 90 of b-1's lot

        assertEquals(Status.Code.OK, PostgresLedger.reverseEarn(c, "b-x1", "bob", "b-1", 30).code);
        assertEquals(0, lotRemaining("b-1"));
        assertEquals(20, lotRemaining("b-2")); // 10 from its own lot, 20 from the other
        assertEquals(20, balance("bob"));
        assertTrue(PostgresLedger.reverseEarn(c, "b-x1", "bob", "b-1", 30).replay);

        assertEquals(Status.Code.OK, PostgresLedger.reverseEarn(c, "b-x2", "bob", "b-1", 70).code);
        assertEquals(0, balance("bob"));
        assertEquals(50, owed("bob"));
        assertEquals(Status.Code.NOT_FOUND, PostgresLedger.reverseEarn(c, "b-x3", "bob", "b-1", 1).code,
            "more than the earn credited");
        assertEquals(Status.Code.NOT_FOUND, PostgresLedger.reverseEarn(c, "b-x4", "bob", "nope", 1).code);
        assertEquals(0, sumOfLots("bob"));
    }

    @Test
    void holdThenCaptureAtCheckout() throws SQLException
    {
        PostgresLedger.enroll(c, "e-carol", "carol");
        PostgresLedger.earn(c, "c-1", "carol", 100, "o-1");
        assertEquals(Status.Code.OK, PostgresLedger.hold(c, "c-h", "carol", 70, "o-2").code);
        assertTrue(PostgresLedger.hold(c, "c-h", "carol", 70, "o-2").replay);
        assertEquals(30, balance("carol"));
        assertEquals(70, single("SELECT held FROM members WHERE member_id = ?", "carol"));
        assertEquals(30, lotRemaining("c-1"));
        assertEquals(Status.Code.FAILED_PRECONDITION, PostgresLedger.hold(c, "c-h2", "carol", 31, "o-3").code);

        assertEquals(Status.Code.OK, PostgresLedger.captureHold(c, "c-cap", "carol", "c-h").code);
        assertTrue(PostgresLedger.captureHold(c, "c-cap", "carol", "c-h").replay);
        assertEquals(Status.Code.NOT_FOUND, PostgresLedger.captureHold(c, "c-cap2", "carol", "c-h").code,
            "a closed hold");
        assertEquals(0, single("SELECT held FROM members WHERE member_id = ?", "carol"));
        assertEquals(30, balance("carol"));
    }

    @Test
    void unknownMembersChangeNothing() throws SQLException
    {
        assertEquals(Status.Code.NOT_FOUND, PostgresLedger.earn(c, "z-1", "nobody", 10, "o").code);
        assertEquals(Status.Code.NOT_FOUND, PostgresLedger.redeem(c, "z-2", "nobody", 10).code);
        assertEquals(Status.Code.NOT_FOUND, PostgresLedger.balance(c, "nobody").code);
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM transactions WHERE request_id LIKE 'z-%'");
            ResultSet rs = s.executeQuery())
        {
            rs.next();
            assertEquals(0, rs.getLong(1));
        }
        c.commit();
        assertFalse(c.getAutoCommit());
    }

    private static long balance(final String member) throws SQLException
    {
        return single("SELECT balance FROM members WHERE member_id = ?", member);
    }

    private static long owed(final String member) throws SQLException
    {
        return single("SELECT owed FROM members WHERE member_id = ?", member);
    }

    private static long sumOfLots(final String member) throws SQLException
    {
        return single("SELECT coalesce(sum(remaining), 0) FROM lots WHERE member_id = ?", member);
    }

    private static long lotRemaining(final String earnRequestId) throws SQLException
    {
        return single("SELECT l.remaining FROM lots l JOIN transactions t ON l.earn_tx_id = t.tx_id " +
            "WHERE t.request_id = ?", earnRequestId);
    }

    private static long single(final String sql, final String arg) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement(sql))
        {
            s.setString(1, arg);
            try (ResultSet rs = s.executeQuery())
            {
                assertTrue(rs.next(), sql + " " + arg);
                final long value = rs.getLong(1);
                c.commit();
                return value;
            }
        }
    }
}
