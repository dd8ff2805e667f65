package io.jifen.ledger.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalCheckpoint;
import io.jifen.ledger.journal.JournalRecord;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

/**
 * The whole single-writer pipeline, wired in one place.
 * <pre>
 *   API threads (unary, Submit)        expiry ticker thread
 *          | tryPublish: copy the          | EXPIRE_TICK every tick interval,
 *          | validated command into a slot | at once again while a backlog remains
 *          v                               v
 *   +------------------- ring buffer of CommandEvent slots (multi-producer) -------------------+
 *          |
 *          v  (1) StateMachineHandler   stamps ledger time (monotonic), Ledger.apply, encodes the journal record
 *          v  (2) JournalHandler        appends records to Chronicle Queue; at end of batch syncs (--sync=batch)
 *          v  (3) ReplyHandler          answers each command: it only sees slots stage (2) has passed, so no
 *                                       reply leaves before its record (and every earlier record) is journaled
 * </pre>
 * Each stage is one thread. If the state machine or the journal fails, the pipeline fails stop: the failing command
 * and every write after it are answered {@link ResultCode#LEDGER_FAILED} and nothing more is journaled. A restart
 * rebuilds the state from the journal, which holds every acknowledged write (and possibly some of those answered
 * LEDGER_FAILED, whose retry then returns them as replays). Reads go on once the owner hands over a ledger rebuilt
 * from the journal ({@link #serveReadsFrom}): the failed ledger may hold writes that never reached the journal, so
 * no read is answered from it after the failure.
 */
public final class LedgerPipeline implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(LedgerPipeline.class.getName());

    /** Ledger time further than this ahead of the last stamp is logged: a clock set wrongly forward is permanent. */
    static final long CLOCK_JUMP_WARN_MS = 10 * 60 * 1000L;

    private final Context context;
    private final Ledger ledger;
    private final Journal journal;
    private final Disruptor<CommandEvent> disruptor;
    private final RingBuffer<CommandEvent> ringBuffer;
    private final Thread ticker;
    private volatile boolean accepting;
    private boolean started;
    private volatile boolean sweepBacklog;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** After a failure: the state as the journal holds it, owned by the state machine thread once handed over. */
    private volatile Ledger journaledState;
    /** After a failure: the journal stage will append nothing more ({@link #journaledRecords()} is final). */
    private volatile boolean journalHalted;
    private final CountDownLatch stagesStopped = new CountDownLatch(3);
    private final AtomicLong journaledRecords = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong syncNanos = new AtomicLong();
    private final AtomicLong journaledBytes = new AtomicLong();
    /** Set by a reader of {@link #stats()}; the state machine publishes fresh stats at the end of its next batch. */
    private volatile boolean statsWanted;
    private volatile Stats stats;
    /** Commands skipped because their caller's deadline had passed (written by the state machine thread only). */
    private volatile long skippedPastDeadline;
    /** The last record as durable as the sync mode promises a reply: synced (batch), or appended (none). */
    private final AtomicLong durableSequence = new AtomicLong();

    public LedgerPipeline(final Ledger ledger, final Journal journal, final Context context)
    {
        this.context = context.conclude();
        this.ledger = ledger;
        this.journal = journal;
        durableSequence.set(ledger.lastSequence()); // recovered from the journal: on the device already
        final AtomicInteger threads = new AtomicInteger();
        final ThreadFactory threadFactory = runnable ->
        {
            final String[] names = {"jifen-state-machine", "jifen-journal", "jifen-reply"};
            final int n = threads.getAndIncrement();
            final Thread thread = new Thread(runnable, n < names.length ? names[n] : "jifen-pipeline-" + n);
            thread.setDaemon(true);
            return thread;
        };
        disruptor = new Disruptor<>(
            CommandEvent::new, context.ringSize(), threadFactory, ProducerType.MULTI, context.waitStrategy());
        disruptor.setDefaultExceptionHandler(new FailStop());
        disruptor
            .handleEventsWith(new StateMachineHandler())
            .then(new JournalHandler())
            .then(new ReplyHandler());
        ringBuffer = disruptor.getRingBuffer();
        ticker = new Thread(this::runTicker, "jifen-expiry-ticker");
        ticker.setDaemon(true);
    }

    public LedgerPipeline start()
    {
        started = true;
        disruptor.start();
        accepting = true;
        if (context.expiryTickIntervalMs() > 0)
        {
            ticker.start();
        }
        return this;
    }

    /**
     * Publishes a copy of the command. The listener hears the outcome once it is journaled.
     *
     * @return {@link ResultCode#OK} if published, {@link ResultCode#RING_FULL} if the ring has no free slot,
     * {@link ResultCode#SHUTTING_DOWN} if the pipeline no longer accepts commands, or {@link ResultCode#LEDGER_FAILED}
     * after a failure.
     */
    public ResultCode tryPublish(final Command command, final ResultListener listener, final long correlationId)
    {
        return tryPublish(command, listener, correlationId, 0);
    }

    /**
     * The same, for a caller that stops waiting at {@code deadlineNanos} ({@link System#nanoTime()}; 0: never): a
     * command still waiting in the ring then is skipped, not applied, and answered
     * {@link ResultCode#DEADLINE_PASSED}. A write applied before its deadline stays applied, whether or not its caller
     * is still there to read the answer.
     */
    public ResultCode tryPublish(final Command command, final ResultListener listener, final long correlationId,
        final long deadlineNanos)
    {
        if (null != failure.get() && (null == journaledState || !command.type.isRead()))
        {
            return ResultCode.LEDGER_FAILED;
        }
        if (!accepting)
        {
            return ResultCode.SHUTTING_DOWN;
        }
        final long sequence;
        try
        {
            sequence = ringBuffer.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return ResultCode.RING_FULL;
        }
        try
        {
            final CommandEvent event = ringBuffer.get(sequence);
            event.command.clear().copyInputsFrom(command);
            event.listener = listener;
            event.correlationId = correlationId;
            event.deadlineNanos = deadlineNanos;
        }
        finally
        {
            ringBuffer.publish(sequence);
        }
        return ResultCode.OK;
    }

    /**
     * After a failure, answers reads from {@code rebuilt}, a ledger the caller replayed from the journal (reading only
     * what was journaled before the failure). The state machine thread owns it from here on.
     */
    public void serveReadsFrom(final Ledger rebuilt)
    {
        if (null == failure.get())
        {
            throw new IllegalStateException("reads come from the live ledger until a failure");
        }
        journaledState = rebuilt;
    }

    /** @return true once, after a failure, the journal stage has stopped appending. */
    public boolean journalHalted()
    {
        return journalHalted;
    }

    /** @return true once reads are answered from the journaled state after a failure. */
    public boolean servesReadsFromJournal()
    {
        return null != journaledState;
    }

    /**
     * Publishes a command and waits for its outcome: for start-up commands, tools and tests, not the hot path.
     *
     * @return a command holding the outcome.
     */
    public Command submitAndWait(final Command command, final long timeoutMs) throws TimeoutException
    {
        final CompletableFuture<Command> done = new CompletableFuture<>();
        final ResultListener listener = (correlationId, result) -> done.complete(new Command().copyFrom(result));
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        ResultCode published;
        while ((published = tryPublish(command, listener, 0)) == ResultCode.RING_FULL)
        {
            if (System.nanoTime() > deadline)
            {
                throw new TimeoutException("ring full for " + timeoutMs + " ms");
            }
            LockSupport.parkNanos(100_000);
        }
        if (published != ResultCode.OK)
        {
            final Command rejected = new Command().copyInputsFrom(command);
            rejected.result = published;
            return rejected;
        }
        try
        {
            return done.get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            throw new IllegalStateException(ex.getCause());
        }
    }

    /**
     * @return the cause if the pipeline failed stop, else null.
     */
    public Throwable failure()
    {
        return failure.get();
    }

    public long journaledRecords()
    {
        return journaledRecords.get();
    }

    /** @return commands skipped, not applied, because their caller's deadline had passed while they waited. */
    public long skippedPastDeadline()
    {
        return skippedPastDeadline;
    }

    /** @return commands published to the ring and not yet answered (queued, being applied, journaled or answered). */
    public long inFlight()
    {
        return ringBuffer.getCursor() - ringBuffer.getMinimumGatingSequence();
    }

    /** @return commands answered since the pipeline started. */
    public long answered()
    {
        return ringBuffer.getMinimumGatingSequence() + 1;
    }

    /** @return bytes of records appended to the journal since start. */
    public long journaledBytes()
    {
        return journaledBytes.get();
    }

    /** @return nanoseconds spent syncing the journal to the device since start. */
    public long syncNanos()
    {
        return syncNanos.get();
    }

    /**
     * What the ledger holds, as its writer published it at the end of a batch: for metrics, read off the writer's
     * thread without touching its state.
     *
     * @param sequence    the last journal sequence it includes.
     * @param outstanding points members hold (available, held, pending) by program, in the order of {@code programs}.
     */
    public record Stats(long sequence, int members, int lotSlots, String[] programs, double[] outstanding)
    {
        static Stats of(final Ledger ledger)
        {
            final int count = ledger.programCount();
            final String[] names = new String[count];
            final double[] outstanding = new double[count];
            for (int i = 0; i < count; i++)
            {
                names[i] = ledger.program(i).name();
                final io.jifen.ledger.core.Accounts accounts = ledger.accounts(i);
                outstanding[i] = accounts.balance(io.jifen.ledger.core.Accounts.Account.MEMBERS_AVAILABLE)
                    .add(accounts.balance(io.jifen.ledger.core.Accounts.Account.MEMBERS_HELD))
                    .add(accounts.balance(io.jifen.ledger.core.Accounts.Account.MEMBERS_PENDING)).doubleValue();
            }
            return new Stats(ledger.lastSequence(), ledger.memberCount(), ledger.lotSlotsInUse(), names, outstanding);
        }
    }

    /**
     * @param waitMs how long to wait for the writer to publish fresh stats (it does at the end of its next batch,
     *               and the expiry ticker makes one at least every tick).
     * @return the freshest stats, or those of the start if the writer published none since.
     */
    public Stats stats(final long waitMs)
    {
        final Stats before = stats;
        statsWanted = true;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (stats == before && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return stats;
    }

    public long syncs()
    {
        return syncs.get();
    }

    /**
     * @return the sequence of the last record that is as durable as a reply to it promises (synced under
     * {@code --sync=batch}, appended under {@code none}): what a change stream may report.
     */
    public long durableSequence()
    {
        return durableSequence.get();
    }

    public int ringSize()
    {
        return context.ringSize();
    }

    /**
     * Stops accepting, finishes every command already published (journaled and answered), then closes the journal
     * appender. Stop the API first so nothing publishes after this starts.
     */
    @Override
    public void close()
    {
        accepting = false;
        ticker.interrupt();
        try
        {
            ticker.join(5_000);
            disruptor.shutdown(context.shutdownTimeoutMs(), TimeUnit.MILLISECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "pipeline did not drain within " + context.shutdownTimeoutMs() +
                " ms; halting");
            disruptor.halt();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            disruptor.halt();
        }
        // Disruptor's shutdown returns once the stages are told to halt, not once they have: wait for their
        // onShutdown (the journal stage's last sync and appender close) before the caller closes the journal.
        try
        {
            if (started && !stagesStopped.await(context.shutdownTimeoutMs(), TimeUnit.MILLISECONDS))
            {
                LOG.log(System.Logger.Level.ERROR, "pipeline stages did not stop within " +
                    context.shutdownTimeoutMs() + " ms");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void fail(final Throwable cause)
    {
        if (failure.compareAndSet(null, cause))
        {
            LOG.log(System.Logger.Level.ERROR, "pipeline failed; answering every command UNAVAILABLE until restart",
                cause);
            context.onFailure().accept(cause);
        }
    }

    private void runTicker()
    {
        final Command tick = new Command();
        final long intervalNanos = TimeUnit.MILLISECONDS.toNanos(context.expiryTickIntervalMs());
        while (!Thread.currentThread().isInterrupted() && accepting)
        {
            LockSupport.parkNanos(sweepBacklog ? intervalNanos / 10 : intervalNanos);
            if (Thread.currentThread().isInterrupted())
            {
                return;
            }
            tick.clear();
            tick.type = CommandType.EXPIRE_TICK;
            tick.limit = context.expiryTickLimit();
            tryPublish(tick, null, 0);
        }
    }

    /**
     * Stage (1): the single writer. Owns the ledger and the ledger clock.
     */
    private final class StateMachineHandler implements EventHandler<CommandEvent>
    {
        private final JournalRecord codec = new JournalRecord();
        private final EpochClock clock = context.clock();
        private long lastStamp = Long.MIN_VALUE;

        @Override
        public void onStart()
        {
            stats = Stats.of(ledger);
            lastStamp = ledger.lastTimestamp();
            final long now = clock.time();
            if (lastStamp > now)
            {
                LOG.log(System.Logger.Level.WARNING, "the clock reads " + now + " but the journal is already at " +
                    lastStamp + ": ledger time stays at the journal's until the clock catches up");
            }
        }

        @Override
        public void onShutdown()
        {
            stagesStopped.countDown();
        }

        @Override
        public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
        {
            handle(event);
            if (endOfBatch && statsWanted)
            {
                publishStats();
            }
        }

        /** Metrics only: whatever goes wrong here must never stop the ledger. */
        private void publishStats()
        {
            statsWanted = false;
            try
            {
                stats = Stats.of(ledger);
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "could not take the ledger's figures for metrics", ex);
            }
        }

        private void handle(final CommandEvent event)
        {
            final Command command = event.command;
            if (null != failure.get())
            {
                afterFailure(event);
                return;
            }
            // Not the ledger's clock: whether a caller still waits is decided here, at the edge of the state machine,
            // and a skipped command leaves no trace in the journal or the state, so replay never needs to know.
            if (event.deadlineNanos != 0 && System.nanoTime() - event.deadlineNanos > 0)
            {
                command.resetResult();
                command.result = ResultCode.DEADLINE_PASSED;
                event.recordLength = 0;
                skippedPastDeadline++;
                return;
            }
            final long now = clock.time();
            if (now > lastStamp)
            {
                if (now - lastStamp > CLOCK_JUMP_WARN_MS && lastStamp != Long.MIN_VALUE)
                {
                    LOG.log(System.Logger.Level.WARNING, "the clock jumped " + (now - lastStamp) +
                        " ms ahead of the last ledger time; if it is wrong, stop the server: ledger time never goes" +
                        " back");
                }
                lastStamp = now;
            }
            command.timestamp = lastStamp;
            try
            {
                ledger.apply(command);
                if (command.isJournaled())
                {
                    event.recordLength = codec.encode(command, event.record);
                }
                if (command.type == CommandType.EXPIRE_TICK)
                {
                    sweepBacklog = ledger.hasDueLots(command.timestamp);
                }
            }
            catch (final Throwable ex)
            {
                fail(ex);
                command.resetResult();
                command.result = ResultCode.LEDGER_FAILED;
                event.recordLength = 0;
            }
        }
    }

    /**
     * Stage (1) after a failure: a read is answered from the journaled state once there is one, anything else fails.
     */
    private void afterFailure(final CommandEvent event)
    {
        final Command command = event.command;
        command.resetResult();
        final Ledger reads = journaledState;
        if (null == reads || !command.type.isRead())
        {
            command.result = ResultCode.LEDGER_FAILED;
            return;
        }
        command.timestamp = Math.max(context.clock().time(), reads.lastTimestamp());
        try
        {
            reads.apply(command);
            event.fromJournaledState = true;
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "a read from the journaled state failed: " + command.toLogString(),
                ex);
            command.resetResult();
            command.result = ResultCode.LEDGER_FAILED;
        }
    }

    /**
     * Stage (2): appends records, syncs at the end of each batch when asked to.
     */
    private final class JournalHandler implements EventHandler<CommandEvent>
    {
        private final JournalRecord codec = new JournalRecord();
        private final byte[] chain = context.chainHead().clone();
        private Journal.Appender appender;
        private boolean unsynced;
        private long lastRecordSequence;

        /** Records up to the last appended are on the device: the checkpoint may say so. */
        private void publishSynced()
        {
            durableSequence.lazySet(lastRecordSequence);
            final JournalCheckpoint checkpoint = context.checkpoint();
            if (null != checkpoint)
            {
                checkpoint.synced(lastRecordSequence, appender.lastIndex(), chain);
            }
        }

        @Override
        public void onStart()
        {
            appender = journal.openAppender();
        }

        @Override
        public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
        {
            if (null != failure.get())
            {
                journalHalted = true;
                return;
            }
            try
            {
                if (event.recordLength > 0)
                {
                    codec.chain(event.record.byteArray(), event.recordLength, chain);
                    appender.append(event.record.byteArray(), event.recordLength);
                    lastRecordSequence = JournalRecord.sequence(event.record);
                    journaledRecords.lazySet(journaledRecords.get() + 1);
                    journaledBytes.lazySet(journaledBytes.get() + event.recordLength);
                    unsynced = true;
                    if (context.syncMode() != SyncMode.BATCH)
                    {
                        durableSequence.lazySet(lastRecordSequence);
                    }
                }
                if (endOfBatch && unsynced && context.syncMode() == SyncMode.BATCH)
                {
                    final long syncStart = System.nanoTime();
                    appender.sync();
                    syncNanos.lazySet(syncNanos.get() + System.nanoTime() - syncStart);
                    syncs.lazySet(syncs.get() + 1);
                    unsynced = false;
                    publishSynced();
                }
            }
            catch (final Throwable ex)
            {
                fail(ex);
                journalHalted = true;
            }
        }

        @Override
        public void onShutdown()
        {
            try
            {
                if (null != appender)
                {
                    if (unsynced && null == failure.get())
                    {
                        appender.sync();
                        unsynced = false;
                        publishSynced();
                    }
                    appender.close();
                }
            }
            finally
            {
                stagesStopped.countDown();
            }
        }
    }

    /**
     * Stage (3): answers.
     */
    private final class ReplyHandler implements EventHandler<CommandEvent>
    {
        @Override
        public void onEvent(final CommandEvent event, final long sequence, final boolean endOfBatch)
        {
            final ResultListener listener = event.listener;
            if (null != listener)
            {
                final Command command = event.command;
                if (null != failure.get() && command.result != ResultCode.LEDGER_FAILED && !event.fromJournaledState)
                {
                    command.resetResult();
                    command.result = ResultCode.LEDGER_FAILED;
                }
                try
                {
                    listener.onResult(event.correlationId, command);
                }
                catch (final Throwable ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "result listener failed for " + command.toLogString(), ex);
                }
            }
            event.clearForReuse();
            event.trimIfLarge();
        }

        @Override
        public void onShutdown()
        {
            stagesStopped.countDown();
        }
    }

    private final class FailStop implements ExceptionHandler<CommandEvent>
    {
        @Override
        public void handleEventException(final Throwable ex, final long sequence, final CommandEvent event)
        {
            fail(ex);
        }

        @Override
        public void handleOnStartException(final Throwable ex)
        {
            fail(ex);
        }

        @Override
        public void handleOnShutdownException(final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "pipeline stage failed to shut down cleanly", ex);
        }
    }

    /**
     * Pipeline settings, validated once by {@link #conclude()}.
     */
    public static final class Context
    {

        private int ringSize = 65536;
        private SyncMode syncMode = SyncMode.BATCH;
        private EpochClock clock = SystemEpochClock.INSTANCE;
        private WaitStrategy waitStrategy;
        private long expiryTickIntervalMs = 50;
        private int expiryTickLimit = 10_000;
        private long shutdownTimeoutMs = 30_000;
        private java.util.function.Consumer<Throwable> onFailure = cause -> { };
        private JournalCheckpoint checkpoint;
        private byte[] chainHead = new byte[JournalRecord.CHAIN_LENGTH];

        public Context ringSize(final int ringSize)
        {
            this.ringSize = ringSize;
            return this;
        }

        public int ringSize()
        {
            return ringSize;
        }

        public Context syncMode(final SyncMode syncMode)
        {
            this.syncMode = syncMode;
            return this;
        }

        public SyncMode syncMode()
        {
            return syncMode;
        }

        /** The ledger clock: read only by the state machine stage, once per command. */
        public Context clock(final EpochClock clock)
        {
            this.clock = clock;
            return this;
        }

        public EpochClock clock()
        {
            return clock;
        }

        public Context waitStrategy(final WaitStrategy waitStrategy)
        {
            this.waitStrategy = waitStrategy;
            return this;
        }

        public WaitStrategy waitStrategy()
        {
            return waitStrategy;
        }

        /** 0 disables the ticker (tests drive expiry with explicit EXPIRE_TICK commands). */
        public Context expiryTickIntervalMs(final long expiryTickIntervalMs)
        {
            this.expiryTickIntervalMs = expiryTickIntervalMs;
            return this;
        }

        public long expiryTickIntervalMs()
        {
            return expiryTickIntervalMs;
        }

        public Context expiryTickLimit(final int expiryTickLimit)
        {
            this.expiryTickLimit = expiryTickLimit;
            return this;
        }

        public int expiryTickLimit()
        {
            return expiryTickLimit;
        }

        public Context shutdownTimeoutMs(final long shutdownTimeoutMs)
        {
            this.shutdownTimeoutMs = shutdownTimeoutMs;
            return this;
        }

        public long shutdownTimeoutMs()
        {
            return shutdownTimeoutMs;
        }

        /** The chain value of the journal's last record (all zero when empty): the next record links to it. */
        public Context chainHead(final byte[] chainHead)
        {
            this.chainHead = chainHead.clone();
            return this;
        }

        public byte[] chainHead()
        {
            return chainHead;
        }

        /**
         * Told after each sync where the synced records end (only under {@link SyncMode#BATCH}, and at a clean
         * shutdown): see {@link JournalCheckpoint}.
         */
        public Context checkpoint(final JournalCheckpoint checkpoint)
        {
            this.checkpoint = checkpoint;
            return this;
        }

        public JournalCheckpoint checkpoint()
        {
            return checkpoint;
        }

        /** Told once, on the failing stage's thread, when the pipeline fails stop. */
        public Context onFailure(final java.util.function.Consumer<Throwable> onFailure)
        {
            this.onFailure = onFailure;
            return this;
        }

        public java.util.function.Consumer<Throwable> onFailure()
        {
            return onFailure;
        }

        public Context conclude()
        {
            if (ringSize < 2 || Integer.bitCount(ringSize) != 1 || ringSize > (1 << 24))
            {
                throw new IllegalArgumentException("ringSize must be a power of two in 2..16777216: " + ringSize);
            }
            if (expiryTickIntervalMs < 0 || expiryTickLimit < 1 ||
                expiryTickLimit > io.jifen.ledger.core.CommandValidator.EXPIRE_TICK_LIMIT_MAX)
            {
                throw new IllegalArgumentException("invalid expiry tick settings: interval " +
                    expiryTickIntervalMs + " ms, limit " + expiryTickLimit);
            }
            if (null == syncMode || null == clock)
            {
                throw new IllegalArgumentException("syncMode and clock are required");
            }
            if (null == waitStrategy)
            {
                waitStrategy = new IdleBlockingWaitStrategy();
            }
            return this;
        }
    }
}
