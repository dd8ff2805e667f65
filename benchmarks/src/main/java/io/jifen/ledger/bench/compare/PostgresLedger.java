package io.jifen.ledger.bench.compare;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.grpc.Status;

/**
 * The PostgreSQL baseline's operations: what a competent team writes for a loyalty ledger on a relational database
 * ({@code postgres/schema.sql}). Every write is one transaction on a connection with auto-commit off:
 * <ul>
 *   <li>the member's row is locked first ({@code UPDATE} or {@code SELECT ... FOR UPDATE}), which serialises writes
 *       per member and gives every transaction the same lock order (no deadlocks);</li>
 *   <li>the request id is the idempotency key: a unique column of {@code transactions}; a write whose id is already
 *       there is answered as a replay and changes nothing;</li>
 *   <li>a redemption locks the member's open lots soonest-expiring first, a few at a time, takes from them and
 *       records the allocations; a reversal of an earn claws back from the earn's own lot first, then from the
 *       member's other lots, and records what no balance covered as owed.</li>
 * </ul>
 * Outcomes use the codes Jifen answers with, so the load generator counts both systems the same way.
 */
public final class PostgresLedger
{
    private static final int EARN = 1;
    private static final int REDEEM = 2;
    private static final int REVERSE = 3;
    private static final int HOLD = 4;
    private static final int CAPTURE = 5;
    private static final int LOTS_PER_FETCH = 8;

    private PostgresLedger()
    {
    }

    /**
     * Creates the tables and indexes in an empty database.
     */
    public static void createSchema(final Connection connection) throws SQLException, IOException
    {
        final String sql;
        try (InputStream in = PostgresLedger.class.getResourceAsStream("/postgres/schema.sql"))
        {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement())
        {
            statement.execute(sql);
        }
    }

    /**
     * An answer: a gRPC-style code and whether it repeated an earlier write.
     */
    public static final class Outcome
    {
        public static final Outcome OK = new Outcome(Status.Code.OK, false);
        public static final Outcome REPLAY = new Outcome(Status.Code.OK, true);
        public static final Outcome NOT_FOUND = new Outcome(Status.Code.NOT_FOUND, false);
        public static final Outcome ALREADY_EXISTS = new Outcome(Status.Code.ALREADY_EXISTS, false);
        public static final Outcome INSUFFICIENT = new Outcome(Status.Code.FAILED_PRECONDITION, false);

        public final Status.Code code;
        public final boolean replay;

        private Outcome(final Status.Code code, final boolean replay)
        {
            this.code = code;
            this.replay = replay;
        }
    }

    public static Outcome enroll(final Connection c, final String requestId, final String memberId)
        throws SQLException
    {
        if (seen(c, requestId))
        {
            return done(c, Outcome.REPLAY);
        }
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO members (member_id, enrolled_at) VALUES (?, now()) ON CONFLICT (member_id) DO NOTHING"))
        {
            insert.setString(1, memberId);
            if (insert.executeUpdate() == 0)
            {
                return undo(c, Outcome.ALREADY_EXISTS);
            }
        }
        insertTransaction(c, requestId, memberId, 0, 0, null, null);
        return done(c, Outcome.OK);
    }

    public static Outcome earn(final Connection c, final String requestId, final String memberId, final long points,
        final String orderId) throws SQLException
    {
        // Lock the member (and credit it) first; a repeated request id rolls the whole transaction back.
        try (PreparedStatement credit = c.prepareStatement("UPDATE members SET balance = balance + ?, " +
            "tier_points = tier_points + ? WHERE member_id = ? AND status = 0"))
        {
            credit.setLong(1, points);
            credit.setLong(2, points);
            credit.setString(3, memberId);
            if (credit.executeUpdate() == 0)
            {
                return undo(c, Outcome.NOT_FOUND);
            }
        }
        final long txId = insertTransaction(c, requestId, memberId, EARN, points, orderId, null);
        if (txId < 0)
        {
            return undo(c, Outcome.REPLAY);
        }
        try (PreparedStatement lot = c.prepareStatement("INSERT INTO lots (member_id, earn_tx_id, points, remaining, " +
            "expires_at) VALUES (?, ?, ?, ?, now() + interval '365 days')"))
        {
            lot.setString(1, memberId);
            lot.setLong(2, txId);
            lot.setLong(3, points);
            lot.setLong(4, points);
            lot.executeUpdate();
        }
        return done(c, Outcome.OK);
    }

    public static Outcome redeem(final Connection c, final String requestId, final String memberId,
        final long points) throws SQLException
    {
        return takeForOrder(c, requestId, memberId, points, null, REDEEM);
    }

    /**
     * Reserves points at checkout: taken from the lots like a redemption (allocations recorded), moved from the
     * balance to held.
     */
    public static Outcome hold(final Connection c, final String requestId, final String memberId, final long points,
        final String orderId) throws SQLException
    {
        return takeForOrder(c, requestId, memberId, points, orderId, HOLD);
    }

    /**
     * A redemption or a hold: the member locked, its open lots taken soonest-expiring first and the allocations
     * recorded; a hold moves the points from the balance to held.
     */
    private static Outcome takeForOrder(final Connection c, final String requestId, final String memberId,
        final long points, final String orderId, final int kind) throws SQLException
    {
        final long balance = lockMember(c, memberId);
        if (balance < 0)
        {
            return undo(c, Outcome.NOT_FOUND);
        }
        if (seen(c, requestId))
        {
            return undo(c, Outcome.REPLAY);
        }
        if (balance < points)
        {
            return undo(c, Outcome.INSUFFICIENT);
        }
        final long txId = insertTransaction(c, requestId, memberId, kind, points, orderId, null);
        final long taken = takeFromLots(c, memberId, points, txId, -1);
        if (taken != points)
        {
            throw new SQLException("lots of " + memberId + " hold " + taken + " points, balance says " + balance);
        }
        try (PreparedStatement move = c.prepareStatement(
            "UPDATE members SET balance = balance - ?, held = held + ? WHERE member_id = ?"))
        {
            move.setLong(1, points);
            move.setLong(2, kind == HOLD ? points : 0);
            move.setString(3, memberId);
            move.executeUpdate();
        }
        return done(c, Outcome.OK);
    }

    /**
     * Captures all of an open hold: the held points are redeemed for good and the hold is closed.
     */
    public static Outcome captureHold(final Connection c, final String requestId, final String memberId,
        final String holdRequestId) throws SQLException
    {
        if (lockMember(c, memberId) < 0)
        {
            return undo(c, Outcome.NOT_FOUND);
        }
        if (seen(c, requestId))
        {
            return undo(c, Outcome.REPLAY);
        }
        final long held;
        try (PreparedStatement close = c.prepareStatement("UPDATE transactions SET reversed = points " +
            "WHERE request_id = ? AND member_id = ? AND kind = 4 AND reversed < points RETURNING points"))
        {
            close.setString(1, holdRequestId);
            close.setString(2, memberId);
            try (ResultSet rs = close.executeQuery())
            {
                if (!rs.next())
                {
                    return undo(c, Outcome.NOT_FOUND); // no such hold, or already closed
                }
                held = rs.getLong(1);
            }
        }
        insertTransaction(c, requestId, memberId, CAPTURE, held, null, holdRequestId);
        try (PreparedStatement release = c.prepareStatement(
            "UPDATE members SET held = held - ? WHERE member_id = ?"))
        {
            release.setLong(1, held);
            release.setString(2, memberId);
            release.executeUpdate();
        }
        return done(c, Outcome.OK);
    }

    /**
     * Reverses {@code points} of an earlier earn (a return).
     */
    public static Outcome reverseEarn(final Connection c, final String requestId, final String memberId,
        final String originalRequestId, final long points) throws SQLException
    {
        final long balance = lockMember(c, memberId);
        if (balance < 0)
        {
            return undo(c, Outcome.NOT_FOUND);
        }
        if (seen(c, requestId))
        {
            return undo(c, Outcome.REPLAY);
        }
        final long earnTxId;
        try (PreparedStatement mark = c.prepareStatement("UPDATE transactions SET reversed = reversed + ? " +
            "WHERE request_id = ? AND member_id = ? AND kind = 1 AND reversed + ? <= points RETURNING tx_id"))
        {
            mark.setLong(1, points);
            mark.setString(2, originalRequestId);
            mark.setString(3, memberId);
            mark.setLong(4, points);
            try (ResultSet rs = mark.executeQuery())
            {
                if (!rs.next())
                {
                    return undo(c, Outcome.NOT_FOUND); // no such earn, or more than it credited
                }
                earnTxId = rs.getLong(1);
            }
        }
        final long txId = insertTransaction(c, requestId, memberId, REVERSE, points, null, originalRequestId);
        long clawed = 0;
        try (PreparedStatement own = c.prepareStatement(
            "SELECT lot_id, remaining FROM lots WHERE earn_tx_id = ? FOR UPDATE"))
        {
            own.setLong(1, earnTxId);
            try (ResultSet rs = own.executeQuery())
            {
                if (rs.next())
                {
                    final long take = Math.min(points, rs.getLong(2));
                    if (take > 0)
                    {
                        takeFromLot(c, rs.getLong(1), take);
                        clawed = take;
                    }
                }
            }
        }
        if (clawed < points)
        {
            clawed += takeFromLots(c, memberId, Math.min(points - clawed, balance - clawed), -1, earnTxId);
        }
        debitBalance(c, memberId, clawed, points - clawed);
        return done(c, Outcome.OK);
    }

    public static Outcome balance(final Connection c, final String memberId) throws SQLException
    {
        try (PreparedStatement read = c.prepareStatement("SELECT balance, tier FROM members WHERE member_id = ?"))
        {
            read.setString(1, memberId);
            try (ResultSet rs = read.executeQuery())
            {
                return read(c, rs.next() ? Outcome.OK : Outcome.NOT_FOUND);
            }
        }
    }

    public static Outcome checkTier(final Connection c, final String memberId, final int minTier)
        throws SQLException
    {
        try (PreparedStatement read = c.prepareStatement("SELECT tier >= ? FROM members WHERE member_id = ?"))
        {
            read.setInt(1, minTier);
            read.setString(2, memberId);
            try (ResultSet rs = read.executeQuery())
            {
                return read(c, rs.next() ? Outcome.OK : Outcome.NOT_FOUND);
            }
        }
    }

    /** The member's balance, its row locked for this transaction; -1 when it is unknown or not active. */
    private static long lockMember(final Connection c, final String memberId) throws SQLException
    {
        try (PreparedStatement lock = c.prepareStatement(
            "SELECT balance FROM members WHERE member_id = ? AND status = 0 FOR UPDATE"))
        {
            lock.setString(1, memberId);
            try (ResultSet rs = lock.executeQuery())
            {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static boolean seen(final Connection c, final String requestId) throws SQLException
    {
        try (PreparedStatement seen = c.prepareStatement("SELECT 1 FROM transactions WHERE request_id = ?"))
        {
            seen.setString(1, requestId);
            try (ResultSet rs = seen.executeQuery())
            {
                return rs.next();
            }
        }
    }

    /** The new transaction's id, or -1 when the request id is already there. */
    private static long insertTransaction(final Connection c, final String requestId, final String memberId,
        final int kind, final long points, final String orderId, final String originalRequestId) throws SQLException
    {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO transactions (request_id, member_id, kind, " +
            "points, order_id, original_request_id, created_at) VALUES (?, ?, ?, ?, ?, ?, now()) " +
            "ON CONFLICT (request_id) DO NOTHING RETURNING tx_id"))
        {
            insert.setString(1, requestId);
            insert.setString(2, memberId);
            insert.setInt(3, kind);
            insert.setLong(4, points);
            insert.setString(5, orderId);
            insert.setString(6, originalRequestId);
            try (ResultSet rs = insert.executeQuery())
            {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /**
     * Takes up to {@code points} from the member's open lots, soonest-expiring first, locking them a few at a time;
     * records allocations when {@code redeemTxId} is given. Returns the points taken.
     */
    private static long takeFromLots(final Connection c, final String memberId, final long points,
        final long redeemTxId, final long skipEarnTxId) throws SQLException
    {
        long taken = 0;
        try (PreparedStatement open = c.prepareStatement("SELECT lot_id, remaining FROM lots WHERE member_id = ? " +
            "AND remaining > 0 AND earn_tx_id <> ? ORDER BY expires_at, lot_id LIMIT " + LOTS_PER_FETCH +
            " FOR UPDATE"))
        {
            while (taken < points)
            {
                open.setString(1, memberId);
                open.setLong(2, skipEarnTxId);
                int rows = 0;
                final long[] lotIds = new long[LOTS_PER_FETCH];
                final long[] takes = new long[LOTS_PER_FETCH];
                try (ResultSet rs = open.executeQuery())
                {
                    while (rs.next() && taken < points)
                    {
                        final long take = Math.min(points - taken, rs.getLong(2));
                        lotIds[rows] = rs.getLong(1);
                        takes[rows] = take;
                        rows++;
                        taken += take;
                    }
                }
                if (rows == 0)
                {
                    break;
                }
                for (int i = 0; i < rows; i++)
                {
                    takeFromLot(c, lotIds[i], takes[i]);
                    if (redeemTxId >= 0)
                    {
                        allocate(c, redeemTxId, lotIds[i], takes[i]);
                    }
                }
            }
        }
        return taken;
    }

    private static void takeFromLot(final Connection c, final long lotId, final long points) throws SQLException
    {
        try (PreparedStatement update = c.prepareStatement(
            "UPDATE lots SET remaining = remaining - ? WHERE lot_id = ?"))
        {
            update.setLong(1, points);
            update.setLong(2, lotId);
            update.executeUpdate();
        }
    }

    private static void allocate(final Connection c, final long redeemTxId, final long lotId, final long points)
        throws SQLException
    {
        try (PreparedStatement insert = c.prepareStatement(
            "INSERT INTO allocations (redeem_tx_id, lot_id, points) VALUES (?, ?, ?)"))
        {
            insert.setLong(1, redeemTxId);
            insert.setLong(2, lotId);
            insert.setLong(3, points);
            insert.executeUpdate();
        }
    }

    private static void debitBalance(final Connection c, final String memberId, final long points, final long owed)
        throws SQLException
    {
        try (PreparedStatement debit = c.prepareStatement(
            "UPDATE members SET balance = balance - ?, owed = owed + ? WHERE member_id = ?"))
        {
            debit.setLong(1, points);
            debit.setLong(2, owed);
            debit.setString(3, memberId);
            debit.executeUpdate();
        }
    }

    private static Outcome done(final Connection c, final Outcome outcome) throws SQLException
    {
        c.commit();
        return outcome;
    }

    /** Reads run in auto-commit mode (one round trip); inside a transaction they end it. */
    private static Outcome read(final Connection c, final Outcome outcome) throws SQLException
    {
        return c.getAutoCommit() ? outcome : done(c, outcome);
    }

    private static Outcome undo(final Connection c, final Outcome outcome) throws SQLException
    {
        c.rollback();
        return outcome;
    }
}
