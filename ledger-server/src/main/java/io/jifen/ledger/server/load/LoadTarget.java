package io.jifen.ledger.server.load;

import com.google.protobuf.Message;

/**
 * Where {@code ledger load} sends its operations: a Jifen server over unary RPCs or Submit streams, or any other
 * system that can carry out the same 'peak sale' mix (the benchmarks drive PostgreSQL through one).
 * <p>
 * {@link #send} must not wait for the answer: the generator is open-loop, and an answer is reported through
 * {@link Completions#complete} from whatever thread receives it.
 */
public interface LoadTarget
{
    /**
     * Sends one operation.
     *
     * @param request    the operation, as the Ledger API's request message.
     * @param type       its type in the mix ({@link LoadGenerator#EARN} and so on), handed back on completion.
     * @param intendedNs when it was meant to be sent ({@link System#nanoTime()}): latency is counted from here.
     */
    void send(Message request, int type, long intendedNs);

    /**
     * Waits until every operation sent has been answered, at most {@code timeoutNs}.
     */
    void finish(long timeoutNs) throws InterruptedException;

    /**
     * Releases connections and threads.
     */
    void close() throws InterruptedException;

    /**
     * Mode of sending, as printed and written in the JSON results: unary, stream, jdbc...
     */
    String mode();

    /**
     * Where operations go, as printed and written in the JSON results.
     */
    String describe();

    /**
     * Answers, reported by targets.
     */
    interface Completions
    {
        /**
         * Reports the answer to one operation. Codes follow gRPC: OK, FAILED_PRECONDITION/NOT_FOUND/ALREADY_EXISTS
         * (a business rejection), anything else an error.
         */
        void complete(Message request, int type, long intendedNs, io.grpc.Status.Code code, boolean replay,
            String message);

        /**
         * Reports a failure that is not an answer to one operation (a broken stream or connection).
         */
        void failed(String message);
    }

    /**
     * Opens a target for one run.
     */
    interface Factory
    {
        LoadTarget open(LoadOptions options, Completions completions);
    }
}
