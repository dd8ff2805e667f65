package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.HistoryEntry;
import io.jifen.ledger.api.v1.HistoryKind;
import io.jifen.ledger.api.v1.HistoryLot;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListHistoryResponse;
import io.jifen.ledger.api.v1.Purchase;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandValidator;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalCorruptException;
import io.jifen.ledger.journal.MemberHistory;
import io.jifen.ledger.journal.StatementLine;

/**
 * ListHistory: members' statements, read from the journal through a {@link MemberHistory} that one thread builds
 * from the journal's durable records (from the first at every start), and served by a few threads of their own, each
 * with its own reader of the journal (a page reads up to a page of records; the event loops never wait on a file).
 * A first page waits (up to {@link #CATCH_UP_WAIT_MS}) until the index holds every record durable at the call, so a
 * client reads its own acknowledged writes. It waits off the serving threads: the indexer hands it to them once the
 * index has come that far. (A serving thread that waited itself held up every page behind it: while the index is
 * rebuilt after a start, minutes on a long journal, each first page held one of the two threads for its whole wait
 * and later pages, which need no wait, queued behind them.)
 */
final class MemberStatements implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(MemberStatements.class.getName());
    static final int PAGE_SIZE_DEFAULT = 50;
    static final int PAGE_SIZE_MAX = 1000;
    static final long CATCH_UP_WAIT_MS = 2_000;
    private static final int WORKERS = 2;
    private static final int QUEUE = 1024;
    private static final char TOKEN_VERSION = 'h';

    private final Journal journal;
    private final MemberHistory history;
    private final LongSupplier durableSequence;
    private final String firstProgram;
    private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(QUEUE);
    /** First pages waiting for the index, in the order of their calls (so of their targets, near enough). */
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final ThreadLocal<Journal.Reader> reader = new ThreadLocal<>();
    private volatile boolean running = true;
    /** Why the index stopped (a damaged journal), or null. */
    private volatile String failure;

    MemberStatements(final Journal journal, final Path data, final String firstProgram,
        final LongSupplier durableSequence) throws IOException
    {
        this.journal = journal;
        this.firstProgram = firstProgram;
        this.durableSequence = durableSequence;
        this.history = new MemberHistory(journal, data, firstProgram);
    }

    void start()
    {
        final Thread indexer = new Thread(this::index, "jifen-history-index");
        indexer.setDaemon(true);
        threads.add(indexer);
        for (int i = 0; i < WORKERS; i++)
        {
            final Thread worker = new Thread(this::serve, "jifen-history-" + i);
            worker.setDaemon(true);
            threads.add(worker);
        }
        threads.forEach(Thread::start);
    }

    private void index()
    {
        try
        {
            while (running)
            {
                final int indexed = history.poll(durableSequence.getAsLong(), 4096);
                release(false);
                if (indexed == 0 && !history.busy())
                {
                    // idle: a write is on statements within ~1 ms of being durable; waking more often cost the
                    // writers measurably on 2 cores (thousands of wake-ups a second under load)
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
        catch (final JournalCorruptException ex)
        {
            failure = ex.getMessage();
            LOG.log(System.Logger.Level.ERROR, "the history index stopped: " + ex.getMessage());
        }
        catch (final Throwable ex)
        {
            // an error too (a full disk under the mapped index, the heap): a first page then says why, not "indexing"
            failure = ex.toString();
            LOG.log(System.Logger.Level.ERROR, "the history index stopped", ex);
        }
        finally
        {
            release(true); // stopped or failed: each says so (page checks running and failure first)
        }
    }

    /**
     * Hands the first pages the index has come far enough for (or whose wait is over, or {@code all}) to the serving
     * threads.
     */
    private void release(final boolean all)
    {
        if (waiting.isEmpty())
        {
            return; // the indexer's usual case: no clock read
        }
        final long indexed = history.indexedSequence();
        final long now = System.currentTimeMillis();
        Waiting head;
        while (null != (head = waiting.peek()) && (all || head.target <= indexed || head.deadline <= now))
        {
            waiting.poll();
            waitingCount.decrementAndGet();
            dispatch(head.request, head.observer, head.target);
        }
    }

    private void dispatch(final ListHistoryRequest request, final StreamObserver<ListHistoryResponse> observer,
        final long target)
    {
        if (!queue.offer(() -> page(request, observer, target)))
        {
            observer.onError(Errors.of(Status.Code.RESOURCE_EXHAUSTED, "STATEMENT_READS_MAX", null,
                "too many statement reads waiting (" + QUEUE + "): try again shortly"));
        }
    }

    private void serve()
    {
        try (Journal.Reader own = journal.openReader())
        {
            reader.set(own);
            while (running)
            {
                final Runnable task = queue.poll(100, TimeUnit.MILLISECONDS);
                if (null != task)
                {
                    task.run();
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the sequence of the last record the index holds. */
    long indexedSequence()
    {
        return history.indexedSequence();
    }

    void listHistory(final ListHistoryRequest request, final StreamObserver<ListHistoryResponse> observer)
    {
        final String invalid = invalid(request);
        if (null != invalid)
        {
            observer.onError(Errors.of(Status.Code.INVALID_ARGUMENT, "HISTORY_REQUEST_INVALID",
                Errors.fieldOf(invalid), invalid));
            return;
        }
        final long target = durableSequence.getAsLong();
        if (request.getPageToken().isEmpty() && history.indexedSequence() < target && running)
        {
            if (waitingCount.incrementAndGet() > QUEUE)
            {
                waitingCount.decrementAndGet();
                observer.onError(Errors.of(Status.Code.RESOURCE_EXHAUSTED, "STATEMENT_READS_MAX", null,
                    "too many statement reads waiting (" + QUEUE + "): try again shortly"));
                return;
            }
            waiting.add(new Waiting(request, observer, target, System.currentTimeMillis() + CATCH_UP_WAIT_MS));
            return;
        }
        dispatch(request, observer, target);
    }

    private record Waiting(ListHistoryRequest request, StreamObserver<ListHistoryResponse> observer, long target,
        long deadline)
    {
    }

    static String invalid(final ListHistoryRequest request)
    {
        if (!request.getProgramId().isEmpty() && !CommandValidator.isProgramId(request.getProgramId()))
        {
            return "program_id: " + ResultCode.PROGRAM_ID_INVALID.reason() + " [PROGRAM_ID_INVALID]";
        }
        if (!CommandValidator.isId(request.getMemberId()))
        {
            return "member_id: " + ResultCode.MEMBER_ID_INVALID.reason() + " [MEMBER_ID_INVALID]";
        }
        if (request.getPageSize() < 0 || request.getPageSize() > PAGE_SIZE_MAX)
        {
            return "page_size: out of range: " + request.getPageSize() + " (must be 1.." + PAGE_SIZE_MAX +
                ", 0 means " + PAGE_SIZE_DEFAULT + ") [PAGE_SIZE_INVALID]";
        }
        if (!request.getPageToken().isEmpty() && null == readToken(request.getPageToken()))
        {
            return "page_token: is not a token this ledger gave for this listing [PAGE_TOKEN_INVALID]";
        }
        return null;
    }

    private void page(final ListHistoryRequest request, final StreamObserver<ListHistoryResponse> observer,
        final long target)
    {
        try
        {
            if (!running)
            {
                observer.onError(Errors.of(Status.Code.UNAVAILABLE, "SHUTTING_DOWN", null,
                    "the server is shutting down"));
                return;
            }
            final boolean first = request.getPageToken().isEmpty();
            if (!caughtUp(first, target, observer))
            {
                return;
            }
            final String program = request.getProgramId().isEmpty() ? firstProgram : request.getProgramId();
            final long[] token = first ? null : readToken(request.getPageToken());
            final long from = first ? history.newest(program, request.getMemberId()) : token[0];
            if (from < 0)
            {
                observer.onError(Errors.of(Status.Code.NOT_FOUND, "MEMBER_NOT_FOUND", "member_id",
                    "member_id: no journal record names member '" + request.getMemberId() + "' of program '" +
                    program + "' [MEMBER_NOT_FOUND]"));
                return;
            }
            final int size = request.getPageSize() == 0 ? PAGE_SIZE_DEFAULT : request.getPageSize();
            final List<StatementLine> lines = new ArrayList<>(size);
            final long next;
            try
            {
                next = history.page(program, request.getMemberId(), from, first ? -1 : token[1], size, firstProgram,
                    reader.get(), lines);
            }
            catch (final MemberHistory.NotAnEntryException ex)
            {
                observer.onError(Errors.of(Status.Code.INVALID_ARGUMENT, "PAGE_TOKEN_INVALID", "page_token",
                    "page_token: is not a token this ledger gave for this member's statement [PAGE_TOKEN_INVALID]"));
                return;
            }
            final ListHistoryResponse.Builder response = ListHistoryResponse.newBuilder()
                .setIndexedSequence(history.indexedSequence())
                .setOlderArchived(next == MemberHistory.ARCHIVED)
                .setNextPageToken(next >= 0 ? token(next, history.sequenceOf(next, reader.get())) : "");
            for (final StatementLine line : lines)
            {
                response.addEntries(entry(line));
            }
            observer.onNext(response.build());
            observer.onCompleted();
        }
        catch (final JournalCorruptException ex)
        {
            observer.onError(Errors.of(Status.Code.DATA_LOSS, "JOURNAL_DAMAGED", null, ex.getMessage()));
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "a statement read failed", ex);
            observer.onError(Errors.of(Status.Code.INTERNAL, "STATEMENT_FAILED", null,
                "the statement read failed: " + ex));
        }
    }

    /**
     * A first page is served once the index holds every record durable at the call (the indexer held it back until
     * then, or until its wait was over): @return false, with the call answered, if the index did not come that far or
     * has stopped.
     */
    private boolean caughtUp(final boolean first, final long target, final StreamObserver<ListHistoryResponse> observer)
    {
        if (null != failure)
        {
            observer.onError(Errors.of(Status.Code.DATA_LOSS, "HISTORY_UNAVAILABLE", null,
                "statements are not available: " + failure));
            return false;
        }
        if (first && history.indexedSequence() < target)
        {
            observer.onError(Errors.of(Status.Code.UNAVAILABLE, "HISTORY_INDEXING", null,
                "the history index is at sequence " + history.indexedSequence() + " of " + target + ": it is " +
                "reading the journal (started with the server); try again shortly [HISTORY_INDEXING]"));
            return false;
        }
        return true;
    }

    private HistoryEntry entry(final StatementLine line)
    {
        final HistoryEntry.Builder entry = HistoryEntry.newBuilder()
            .setSequence(line.sequence)
            .setTimeMs(line.timestamp)
            .setKind(HistoryKind.valueOf("HISTORY_" + line.kind.name()))
            .setPoints(line.points)
            .setPendingPoints(line.pendingPoints)
            .setBalancesKnown(line.balancesKnown)
            .setBalanceAfter(line.balanceAfter)
            .setOwedAfter(line.owedAfter)
            .setHeldAfter(line.heldAfter)
            .setPendingAfter(line.pendingAfter)
            .setEarnedAtMs(line.earnedAt);
        setIfPresent(line.requestId, entry::setRequestId);
        setIfPresent(line.orderId, entry::setOrderId);
        setIfPresent(line.reason, entry::setReason);
        setIfPresent(line.originalRequestId, entry::setOriginalRequestId);
        setIfPresent(line.counterpartyMemberId, entry::setCounterpartyMemberId);
        setIfPresent(line.counterpartyProgram, entry::setCounterpartyProgramId);
        for (final StatementLine.Lot lot : line.lots)
        {
            entry.addLots(HistoryLot.newBuilder().setKind(lot.kind()).setLotId(lot.lotId()).setPoints(lot.points())
                .setExpiresAtMs(lot.expiresAt()));
        }
        if (null != line.purchase)
        {
            final Command p = line.purchase;
            final Purchase.Builder purchase = Purchase.newBuilder().setAmountMinor(p.purchaseMinor)
                .setChannel(io.jifen.ledger.api.v1.Channel.forNumber(p.channel));
            setIfPresent(p.currency, purchase::setCurrency);
            if (null != p.categories)
            {
                for (final String category : p.categories)
                {
                    purchase.addCategories(category);
                }
            }
            entry.setPurchase(purchase).setEarning(Results.earning(p.earning));
        }
        return entry.build();
    }

    private static void setIfPresent(final String value, final java.util.function.Consumer<String> setter)
    {
        if (null != value)
        {
            setter.accept(value);
        }
    }

    /**
     * A page token: the entry the page starts at and the sequence of its record (an entry number of an index rebuilt
     * over other journal files names another record: refused, never a page that repeats or skips).
     */
    static String token(final long entry, final long sequence)
    {
        return TOKEN_VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(
            ByteBuffer.allocate(2 * Long.BYTES).putLong(entry).putLong(sequence).array());
    }

    /** @return the entry and sequence a token names, or null if it is not a token {@link #token} made. */
    static long[] readToken(final String token)
    {
        if (token.length() < 2 || token.charAt(0) != TOKEN_VERSION)
        {
            return null;
        }
        try
        {
            final byte[] bytes = Base64.getUrlDecoder().decode(token.substring(1));
            if (bytes.length != 2 * Long.BYTES)
            {
                return null;
            }
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            final long[] read = {buffer.getLong(), buffer.getLong()};
            return read[0] >= 0 && read[1] > 0 ? read : null;
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    @Override
    public void close()
    {
        running = false;
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(2_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        release(true); // a call that came in as the indexer stopped
        Runnable left;
        while (null != (left = queue.poll()))
        {
            left.run(); // answered UNAVAILABLE: running is false
        }
        history.close();
    }
}
