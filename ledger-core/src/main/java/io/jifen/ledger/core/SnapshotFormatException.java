package io.jifen.ledger.core;

/**
 * A snapshot that cannot be what a writer of this format wrote, at a byte of its body.
 */
public final class SnapshotFormatException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The body position where the reader stopped. */
    public final long position;

    public SnapshotFormatException(final long position, final String message)
    {
        super("at body byte " + position + ": " + message);
        this.position = position;
    }

    /** A snapshot file wrong as a whole (its header, its length, its checksum), or wrong at a place said inside. */
    public SnapshotFormatException(final String message)
    {
        super(message);
        this.position = -1;
    }
}
