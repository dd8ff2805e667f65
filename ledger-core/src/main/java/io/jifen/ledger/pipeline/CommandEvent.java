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
    final ExpandableArrayBuffer record = new ExpandableArrayBuffer(256);
    int recordLength;
    ResultListener listener;
    long correlationId;

    void clearForReuse()
    {
        listener = null;
        recordLength = 0;
        correlationId = 0;
    }
}
