package io.jifen.ledger.server.load;

/**
 * Whether standard error is a terminal a person watches, for the progress lines (a replay's, a load's): they are
 * redrawn in place with carriage returns, which a log file or a service manager's journal should never get.
 */
public final class Terminal
{
    /** Set by the ledger script from {@code [ -t 2 ]}: the JVM cannot tell for standard error alone. */
    public static final String PROPERTY = "jifen.stderr.terminal";

    private Terminal()
    {
    }

    /** @return true if standard error is a terminal (and not a dumb one). */
    public static boolean stderr()
    {
        if ("dumb".equals(System.getenv("TERM")))
        {
            return false;
        }
        final String told = System.getProperty(PROPERTY);
        if (null != told)
        {
            return Boolean.parseBoolean(told);
        }
        // launched without the script: before JDK 22 a console means stdin and stdout are terminals, a fair guess for
        // stderr; from JDK 22 every launch has a console object, so it says nothing and no line is drawn
        return Runtime.version().feature() < 22 && null != System.console();
    }
}
