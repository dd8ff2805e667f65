package io.jifen.ledger.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jifen.ledger.api.v1.EarnRequest;
import io.jifen.ledger.api.v1.EnrollRequest;
import io.jifen.ledger.api.v1.LedgerGrpc;
import io.jifen.ledger.api.v1.ListHistoryRequest;
import io.jifen.ledger.api.v1.ListHistoryResponse;
import io.jifen.ledger.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first page of a statement waits until the history index holds every record durable at the call; a page further
 * on needs no such wait and must not queue behind first pages that do (the index rebuilds in the background after a
 * start, for minutes on a long journal, while the statement threads are few).
 */
class StatementWaitIT
{
    @TempDir
    Path data;

    @Test
    void aLaterPageIsServedWhileFirstPagesWaitForTheIndex() throws Exception
    {
        try (InProcessServer server = InProcessServer.start(new ServerConfig().data(data)))
        {
            final LedgerGrpc.LedgerBlockingStub ledger = server.ledger();
            ledger.enroll(EnrollRequest.newBuilder().setRequestId("e-1").setMemberId("m").build());
            for (int i = 1; i <= 3; i++)
            {
                ledger.earn(EarnRequest.newBuilder().setRequestId("x-" + i).setMemberId("m").setPoints(10 * i)
                    .build());
            }
        }
        final AtomicLong durable = new AtomicLong(Long.MAX_VALUE);
        try (Journal journal = new Journal(data.resolve("journal"), true);
            MemberStatements statements = new MemberStatements(journal, data, "default", durable::get))
        {
            statements.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            // the program, the enrollment and three earns
            while (statements.indexedSequence() < 5)
            {
                assertTrue(System.nanoTime() < deadline, "the index reads the journal's 5 records within 20 s");
                Thread.sleep(10);
            }
            durable.set(statements.indexedSequence());
            final Answer newest = new Answer("newest");
            statements.listHistory(ListHistoryRequest.newBuilder().setMemberId("m").setPageSize(1).build(), newest);
            assertTrue(newest.done.await(20, TimeUnit.SECONDS));
            assertEquals(1, newest.response.getEntriesCount());
            final String next = newest.response.getNextPageToken();
            assertFalse(next.isEmpty());

            // records the index cannot have yet: every first page now waits (until its wait runs out)
            durable.set(Long.MAX_VALUE);
            final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
            final List<Answer> firsts = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                final Answer first = new Answer("first-" + i, order);
                firsts.add(first);
                statements.listHistory(ListHistoryRequest.newBuilder().setMemberId("m").setPageSize(1).build(),
                    first);
            }
            final Answer later = new Answer("later", order);
            statements.listHistory(ListHistoryRequest.newBuilder().setMemberId("m").setPageSize(1)
                .setPageToken(next).build(), later);

            assertTrue(later.done.await(20, TimeUnit.SECONDS), "the later page is answered");
            assertEquals(null, later.error, "the later page is answered with its page");
            assertEquals(1, later.response.getEntriesCount());
            for (final Answer first : firsts)
            {
                assertTrue(first.done.await(20, TimeUnit.SECONDS), first.name + " is answered");
                assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(first.error).getCode(), first.name);
                assertTrue(first.error.getMessage().contains("HISTORY_INDEXING"), first.error.getMessage());
            }
            assertEquals("later", order.peek(), "answered first: the page that did not need to wait, not " + order);
        }
    }

    private static final class Answer implements StreamObserver<ListHistoryResponse>
    {
        final String name;
        final ConcurrentLinkedQueue<String> order;
        final CountDownLatch done = new CountDownLatch(1);
        volatile ListHistoryResponse response;
        volatile Throwable error;

        Answer(final String name)
        {
            this(name, new ConcurrentLinkedQueue<>());
        }

        Answer(final String name, final ConcurrentLinkedQueue<String> order)
        {
            this.name = name;
            this.order = order;
        }

        @Override
        public void onNext(final ListHistoryResponse value)
        {
            response = value;
        }

        @Override
        public void onError(final Throwable t)
        {
            error = t;
            order.add(name);
            done.countDown();
        }

        @Override
        public void onCompleted()
        {
            order.add(name);
            done.countDown();
        }
    }
}
