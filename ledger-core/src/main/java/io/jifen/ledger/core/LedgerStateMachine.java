package io.jifen.ledger.core;

/**
 * The ledger as a deterministic state machine: the only way state changes is {@link #apply(Command)}, and the same
 * commands with the same timestamps always give the same results, journal records and {@link #stateHash()}.
 * No clock, no randomness, no I/O, no transport types: a Disruptor handler, a journal replay, a benchmark or a
 * replicated-log service can all drive it.
 */
public interface LedgerStateMachine
{
    /**
     * Applies a command stamped with its ledger time ({@link Command#timestamp}, never less than the previous one)
     * and writes the outcome and the lot-level effects into the command.
     */
    void apply(Command command);

    /**
     * @return a hash over the whole ledger state that matters: equal for equal histories.
     */
    long stateHash();

    /**
     * @return the sequence of the last journaled write (0 for an empty ledger).
     */
    long lastSequence();

    /**
     * @return the greatest timestamp applied so far, or {@link Long#MIN_VALUE}.
     */
    long lastTimestamp();
}
