package io.jifen.ledger.server;

import java.util.Locale;
import java.util.Set;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Logging for the command line: everything goes through SLF4J to Logback (its configuration is
 * {@code logback.xml} in the jar: one line per event on standard error, Chronicle's housekeeping held to warnings).
 * The server's own {@link System.Logger}s reach SLF4J through its platform-logging provider; gRPC's and Netty's
 * {@code java.util.logging} through the bridge installed here.
 */
final class Logging
{
    static final String FORMAT_PROPERTY = "jifen.log.format";
    static final String LEVEL_PROPERTY = "jifen.log.level";
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    private Logging()
    {
    }

    /**
     * Applies {@code --log-format} and {@code --log-level} before any logger exists (Logback reads them as it
     * starts), and routes java.util.logging into SLF4J. A value not given (null) comes from {@code -Djifen.log.*},
     * else {@code JIFEN_LOG_FORMAT} / {@code JIFEN_LOG_LEVEL}, else Logback's defaults (text, info).
     *
     * @throws IllegalArgumentException for a format or level it does not know.
     */
    static void configure(final String format, final String level)
    {
        // Logback names its appenders TEXT and JSON: a value in any case, from the environment or -D, names one
        final String f = null != format ? format : null != System.getProperty(FORMAT_PROPERTY) ?
            System.getProperty(FORMAT_PROPERTY) : System.getenv("JIFEN_LOG_FORMAT");
        if (null != f)
        {
            System.setProperty(FORMAT_PROPERTY, format(f));
        }
        final String l = null != level ? level : null != System.getProperty(LEVEL_PROPERTY) ?
            System.getProperty(LEVEL_PROPERTY) : System.getenv("JIFEN_LOG_LEVEL");
        if (null != l)
        {
            System.setProperty(LEVEL_PROPERTY, level(l));
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** @return the Logback appender a --log-format value names. */
    static String format(final String value)
    {
        final String format = value.toUpperCase(Locale.ROOT);
        if (!format.equals("TEXT") && !format.equals("JSON"))
        {
            throw new IllegalArgumentException("--log-format must be text or json, not " + value);
        }
        return format;
    }

    static String level(final String value)
    {
        final String level = value.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level))
        {
            throw new IllegalArgumentException("--log-level must be one of trace, debug, info, warn, error, not " +
                value);
        }
        return level;
    }
}
