package io.jifen.ledger.pipeline;

import io.jifen.ledger.core.Command;
import org.agrona.ExpandableArrayBuffer;

/**
 * A ring slot: the command, the journal record the state machine stage encoded for it, and who to answer.
 * Pre-allocated once per slot and reused.
 */
public final class CommandEvent
{
    public final Command command = new Command();
    /** A slot keeps buffers up to these sizes; one grown past them by a big sweep or listing gives the memory back. */
    static final int RECORD_CAPACITY_KEPT = 16 * 1024;
    static final int EFFECTS_KEPT = 512;

    ExpandableArrayBuffer record = new ExpandableArrayBuffer(256);
    int recordLength;
    ResultListener listener;
    long correlationId;
    /** {@link System#nanoTime()} past which the caller no longer waits for the answer; 0: no deadline. */
    long deadlineNanos;
    /** Answered, after a failure, from the state rebuilt from the journal rather than from the failed one. */
    boolean fromJournaledState;

    void trimIfLarge()
    {
        if (record.capacity() > RECORD_CAPACITY_KEPT)
        {
            record = new ExpandableArrayBuffer(256);
        }
        command.trimBuffers(EFFECTS_KEPT);
    }

    void clearForReuse()
    {
        listener = null;
        recordLength = 0;
        correlationId = 0;
        deadlineNanos = 0;
        fromJournaledState = false;
    }
}
