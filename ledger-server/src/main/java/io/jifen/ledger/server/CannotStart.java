package io.jifen.ledger.server;

/**
 * A server that cannot start for now, though nothing is wrong with its configuration or data: the port is taken, the
 * data folder is in use by another server, the disk is full. {@code ledger serve} exits with code 4 for it (a wrong
 * option or file is 2, data that cannot be trusted 3).
 */
final class CannotStart extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    CannotStart(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
