package io.jifen.ledger.pipeline;

import io.jifen.ledger.core.Command;

/**
 * Told the outcome of a command once its journal record is written (and synced, when the pipeline syncs).
 * Called on the pipeline's reply thread: copy what is needed out of the command and return quickly; the command is
 * reused as soon as this returns.
 */
@FunctionalInterface
public interface ResultListener
{
    void onResult(long correlationId, Command command);
}
