package io.jifen.ledger.server;

/**
 * SIGTERM and SIGINT as a request to stop. Left to the JVM they run the shutdown hooks and end the process with
 * status 143 (130), which service managers and scripts read as a failure even when the server drained and closed its
 * journal cleanly; handled here, {@code ledger serve} stops as it would on its own and exits 0. The handler API is the
 * JDK's {@code sun.misc.Signal} (module jdk.unsupported, exported for exactly this use): the standard library has no
 * other way to handle a signal, and no library does it without the same call.
 */
final class Signals
{
    private Signals()
    {
    }

    /** Calls {@code stop} (once per signal, on the JVM's signal thread: it must not block) on SIGTERM and SIGINT. */
    static void onStop(final Runnable stop)
    {
        for (final String name : new String[] {"TERM", "INT"})
        {
            try
            {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.run());
            }
            catch (final IllegalArgumentException ex)
            {
                // the signal is not available here (or the JVM was started with -Xrs): the JVM's default stays
            }
        }
    }
}
