package io.jifen.ledger.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jifen.ledger.api.v1.Command;
import io.jifen.ledger.api.v1.CommandBatch;
import io.jifen.ledger.api.v1.CommandResult;
import io.jifen.ledger.api.v1.LedgerGrpc;

/**
 * One Submit stream of a {@link LedgerClient} and the commands that go on it: those gathered for the next message,
 * and the messages sent and not yet answered. A command gathered is sent at once while the stream carries fewer than
 * {@code maxInFlight} unanswered messages, and otherwise with the next message, which goes when an answer comes or
 * when it is full. All state is guarded by the lane's lock; futures are completed after it is released.
 */
final class Lane
{
    private final LedgerClient client;
    private final LedgerGrpc.LedgerStub stub;
    private final int maxBatch;
    private final int maxInFlight;
    private List<LedgerClient.Pending> gathered = new ArrayList<>();
    private int gatheredBytes;
    /** Messages sent on the current stream and not answered, by the message's correlation id. */
    private final Map<Long, List<LedgerClient.Pending>> sent = new HashMap<>();
    private Stream stream;
    private boolean closed;

    Lane(final LedgerClient client, final LedgerGrpc.LedgerStub stub, final int maxBatch, final int maxInFlight)
    {
        this.client = client;
        this.stub = stub;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
    }

    void add(final LedgerClient.Pending item)
    {
        final LedgerClient.Completions done = new LedgerClient.Completions();
        synchronized (this)
        {
            if (closed)
            {
                done.failure(item, new IllegalStateException("the client is closed"));
            }
            else
            {
                if (gatheredBytes + item.bytes > LedgerClient.BATCH_BYTES_MAX)
                {
                    flush(); // the message would be too large with it
                }
                gathered.add(item);
                gatheredBytes += item.bytes;
                if (sent.size() < maxInFlight || gathered.size() >= maxBatch)
                {
                    flush();
                }
            }
        }
        done.run();
    }

    /** Under the lock: sends what has gathered as one message (a lone command as itself). */
    private void flush()
    {
        if (gathered.isEmpty())
        {
            return;
        }
        if (null == stream)
        {
            stream = new Stream();
            stub.submit(stream);
        }
        final List<LedgerClient.Pending> items = gathered;
        gathered = new ArrayList<>(Math.min(maxBatch, 64));
        gatheredBytes = 0;
        final Command message;
        final long id;
        if (items.size() == 1)
        {
            message = items.get(0).command;
            id = items.get(0).correlationId;
        }
        else
        {
            final CommandBatch.Builder batch = CommandBatch.newBuilder();
            for (final LedgerClient.Pending item : items)
            {
                batch.addCommands(item.command);
            }
            id = client.nextCorrelation();
            message = Command.newBuilder().setCorrelationId(id).setBatch(batch).build();
        }
        sent.put(id, items);
        client.sent(items.size());
        stream.requests.onNext(message);
    }

    private void answered(final Stream from, final CommandResult result)
    {
        final LedgerClient.Completions done = new LedgerClient.Completions();
        synchronized (this)
        {
            if (from != stream)
            {
                return; // a stream already given up
            }
            final List<LedgerClient.Pending> items = sent.remove(result.getCorrelationId());
            if (null == items)
            {
                failAll(Status.INTERNAL.withDescription("the server answered correlation id " +
                    result.getCorrelationId() + ", which this stream has not sent"), done);
            }
            else
            {
                complete(items, result, done);
                flush();
            }
        }
        done.run();
    }

    /** Under the lock: one result for each command of a message. */
    private static void complete(final List<LedgerClient.Pending> items, final CommandResult result,
        final LedgerClient.Completions done)
    {
        if (items.size() == 1)
        {
            done.result(items.get(0), result);
            return;
        }
        if (!result.hasBatch())
        {
            // the batch refused whole (no command of it applied): each command is answered with the refusal
            for (final LedgerClient.Pending item : items)
            {
                done.result(item, result.toBuilder().setCorrelationId(item.correlationId).build());
            }
            return;
        }
        final List<CommandResult> results = result.getBatch().getResultsList();
        for (int i = 0; i < items.size(); i++)
        {
            final LedgerClient.Pending item = items.get(i);
            if (i < results.size() && results.get(i).getCorrelationId() == item.correlationId)
            {
                done.result(item, results.get(i));
            }
            else
            {
                done.failure(item, Status.INTERNAL.withDescription("the server's answer to a batch of " +
                    items.size() + " holds " + results.size() + " results, not in the batch's order")
                    .asRuntimeException());
            }
        }
    }

    private void broken(final Stream from, final Status status)
    {
        final LedgerClient.Completions done = new LedgerClient.Completions();
        synchronized (this)
        {
            if (from != stream)
            {
                return;
            }
            failAll(status, done);
            if (!closed)
            {
                flush(); // the commands gathered were never sent: a new stream takes them
            }
        }
        done.run();
    }

    /** Under the lock: fails every message sent on the stream and gives the stream up. */
    private void failAll(final Status status, final LedgerClient.Completions done)
    {
        for (final List<LedgerClient.Pending> items : sent.values())
        {
            for (final LedgerClient.Pending item : items)
            {
                done.failure(item, status.asRuntimeException());
            }
        }
        sent.clear();
        if (null != stream)
        {
            final Stream old = stream;
            stream = null;
            old.cancel(status);
        }
    }

    /**
     * Ends the stream; with a status, fails what is still unanswered (and gathered) with it first.
     */
    void close(final Status unanswered)
    {
        final LedgerClient.Completions done = new LedgerClient.Completions();
        synchronized (this)
        {
            closed = true;
            if (null != unanswered)
            {
                failAll(unanswered, done);
                for (final LedgerClient.Pending item : gathered)
                {
                    done.failure(item, unanswered.asRuntimeException());
                }
                gathered.clear();
            }
            else if (null != stream)
            {
                stream.requests.onCompleted();
                stream = null;
            }
            for (final LedgerClient.Pending item : gathered)
            {
                // a submit that raced the close: refused as if it came after it
                done.failure(item, new IllegalStateException("the client is closed"));
            }
            gathered.clear();
        }
        done.run();
    }

    /** The observer of one Submit call: its answers and its end go to the lane. */
    private final class Stream implements ClientResponseObserver<Command, CommandResult>
    {
        private ClientCallStreamObserver<Command> requests;

        @Override
        public void beforeStart(final ClientCallStreamObserver<Command> requestStream)
        {
            requests = requestStream;
        }

        @Override
        public void onNext(final CommandResult result)
        {
            answered(this, result);
        }

        @Override
        public void onError(final Throwable failure)
        {
            broken(this, Status.fromThrowable(failure));
        }

        @Override
        public void onCompleted()
        {
            broken(this, Status.UNAVAILABLE.withDescription("the server ended the Submit stream"));
        }

        void cancel(final Status status)
        {
            requests.cancel(status.getDescription(), status.getCause());
        }
    }
}
