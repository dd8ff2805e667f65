package io.jifen.ledger.journal;

/**
 * The journal cannot be fully rebuilt into state: a record is unreadable, fails its checksum, is out of sequence, or
 * replays to a different outcome than it records. The server refuses to start rather than serve a partial state.
 */
public final class JournalCorruptException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public JournalCorruptException(final String file, final long index, final String reason)
    {
        super("journal unreadable at " + file + ", queue index " + index +
            " (0x" + Long.toHexString(index) + "): " + reason);
    }
}
