package io.jifen.ledger.bench.compare;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.Message;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.Status;
import io.jifen.ledger.api.v1.CaptureHoldRequest;
import io.jifen.ledger.api.v1.CheckTierRequest;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.GetBalanceRequest;
import io.jifen.ledger.api.v1.HoldRequest;
import io.jifen.ledger.api.v1.RedeemRequest;
import io.jifen.ledger.api.v1.ReverseRequest;
import io.jifen.ledger.server.load.LoadOptions;
import io.jifen.ledger.server.load.LoadTarget;

/**
 * The load generator's 'peak sale' mix carried out on PostgreSQL through JDBC and a HikariCP pool.
 * <pre>
 *   sender thread --&gt; queue --&gt; N worker threads, one pooled connection each --&gt; PostgreSQL (loopback TCP)
 * </pre>
 * At most {@code --concurrency} operations are queued or running, as with unary RPCs; the pool size is the number
 * of transactions PostgreSQL runs at once (what a team sizes for its cores, not for its request rate).
 */
public final class PostgresTarget implements LoadTarget
{
    private final String jdbcUrl;
    private final LoadOptions options;
    private final Completions completions;
    private final HikariDataSource pool;
    private final ExecutorService workers;
    private final Semaphore inFlight;

    public static Factory factory(final String jdbcUrl, final int poolSize)
    {
        return (options, completions) -> new PostgresTarget(jdbcUrl, poolSize, options, completions);
    }

    private PostgresTarget(final String jdbcUrl, final int poolSize, final LoadOptions options,
        final Completions completions)
    {
        this.jdbcUrl = jdbcUrl;
        this.options = options;
        this.completions = completions;
        final HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        config.setAutoCommit(false);
        config.setPoolName("jifen-bench-postgres");
        this.pool = new HikariDataSource(config);
        final AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(poolSize, r ->
        {
            final Thread t = new Thread(r, "postgres-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.inFlight = new Semaphore(options.concurrency());
    }

    @Override
    public void send(final Message request, final int type, final long intendedNs)
    {
        inFlight.acquireUninterruptibly();
        workers.execute(() ->
        {
            Status.Code code;
            boolean replay = false;
            String message = null;
            try (Connection c = pool.getConnection())
            {
                final PostgresLedger.Outcome outcome = execute(c, request);
                code = outcome.code;
                replay = outcome.replay;
            }
            catch (final SQLException | RuntimeException ex)
            {
                code = Status.Code.INTERNAL;
                message = ex.toString();
            }
            completions.complete(request, type, intendedNs, code, replay, message);
            inFlight.release();
        });
    }

    private static PostgresLedger.Outcome execute(final Connection c, final Message request) throws SQLException
    {
        try
        {
            if (request instanceof EarnRequest)
            {
                final EarnRequest earn = (EarnRequest)request;
                return PostgresLedger.earn(c, earn.getRequestId(), earn.getMemberId(), earn.getPoints(),
                    earn.getOrderId());
            }
            if (request instanceof RedeemRequest)
            {
                final RedeemRequest redeem = (RedeemRequest)request;
                return PostgresLedger.redeem(c, redeem.getRequestId(), redeem.getMemberId(), redeem.getPoints());
            }
            if (request instanceof HoldRequest)
            {
                final HoldRequest hold = (HoldRequest)request;
                return PostgresLedger.hold(c, hold.getRequestId(), hold.getMemberId(), hold.getPoints(),
                    hold.getOrderId());
            }
            if (request instanceof CaptureHoldRequest)
            {
                final CaptureHoldRequest capture = (CaptureHoldRequest)request;
                return PostgresLedger.captureHold(c, capture.getRequestId(), capture.getMemberId(),
                    capture.getHoldRequestId());
            }
            if (request instanceof ReverseRequest)
            {
                final ReverseRequest reverse = (ReverseRequest)request;
                return PostgresLedger.reverseEarn(c, reverse.getRequestId(), reverse.getMemberId(),
                    reverse.getOriginalRequestId(), reverse.getPoints());
            }
            if (request instanceof EnrollRequest)
            {
                final EnrollRequest enroll = (EnrollRequest)request;
                return PostgresLedger.enroll(c, enroll.getRequestId(), enroll.getMemberId());
            }
            c.setAutoCommit(true);
            try
            {
                if (request instanceof GetBalanceRequest)
                {
                    return PostgresLedger.balance(c, ((GetBalanceRequest)request).getMemberId());
                }
                final CheckTierRequest check = (CheckTierRequest)request;
                return PostgresLedger.checkTier(c, check.getMemberId(), check.getMinTierValue() - 1);
            }
            finally
            {
                c.setAutoCommit(false);
            }
        }
        catch (final SQLException | RuntimeException ex)
        {
            if (!c.getAutoCommit())
            {
                c.rollback();
            }
            throw ex;
        }
    }

    @Override
    public void finish(final long timeoutNs) throws InterruptedException
    {
        if (inFlight.tryAcquire(options.concurrency(), timeoutNs, TimeUnit.NANOSECONDS))
        {
            inFlight.release(options.concurrency());
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
        pool.close();
    }

    @Override
    public String mode()
    {
        return "jdbc";
    }

    @Override
    public String describe()
    {
        return jdbcUrl;
    }
}
