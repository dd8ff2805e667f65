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

    /**
     * Calls {@code stop} (once per signal, on the JVM's signal thread: it must not block) on SIGTERM and SIGINT.
     *
     * @return what puts the handlers found before back (a start that failed leaves the process as it found it).
     */
    static Runnable onStop(final Runnable stop)
    {
        final java.util.List<Runnable> restore = new java.util.ArrayList<>();
        for (final String name : new String[] {"TERM", "INT"})
        {
            try
            {
                final sun.misc.Signal signal = new sun.misc.Signal(name);
                final sun.misc.SignalHandler before = sun.misc.Signal.handle(signal, s -> stop.run());
                restore.add(() -> sun.misc.Signal.handle(signal, before));
            }
            catch (final IllegalArgumentException ex)
            {
                // the signal is not available here (or the JVM was started with -Xrs): the JVM's default stays
            }
        }
        return () -> restore.forEach(Runnable::run);
    }
}
