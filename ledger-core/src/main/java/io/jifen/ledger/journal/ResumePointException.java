package io.jifen.ledger.journal;

/**
 * The journal does not confirm a {@link ResumePoint} (a snapshot's): no document at its queue index, or one that is
 * damaged, carries another sequence or ends with another chain value. The journal is the truth: the snapshot is not
 * used.
 */
public final class ResumePointException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ResumePointException(final String message)
    {
        super(message);
    }
}
