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

    private JournalCorruptException(final String message)
    {
        super(message);
    }

    /** Damage found in a queue file's bytes, named by file and byte position. */
    public static JournalCorruptException atPosition(final String file, final long position, final String reason)
    {
        return new JournalCorruptException("journal unreadable at " + file + ", byte " + position + ": " + reason);
    }
}
