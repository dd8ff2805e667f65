package io.jifen.ledger.server.load;

import java.util.ArrayDeque;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ledger load's options: what each form sets, and the ranges. */
class LoadOptionsTest
{
    private static LoadOptions parse(final String... args)
    {
        return LoadOptions.parse(new ArrayDeque<>(List.of(args)));
    }

    @Test
    void progressIsWhatTheCommandLineSaysWhateverTheTerminal()
    {
        assertTrue(parse("--progress").progress);
        assertFalse(parse("--no-progress").progress);
        assertEquals(Terminal.stderr(), parse().progress, "the default: a line when standard error is a terminal");
    }

    @Test
    void valuesAreReadInEitherFormAndCheckedAgainstTheirRanges()
    {
        final LoadOptions o = parse("--target=db.internal:9191", "--mode", "stream", "--batch=64", "--linger-us",
            "250");
        assertEquals("db.internal", o.host);
        assertEquals(9191, o.port);
        assertTrue(o.stream);
        assertEquals(64, o.batch);
        assertEquals(250_000, o.lingerNs);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--batch", "5000")).getMessage()
            .startsWith("--batch must be in 1.0..4096.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--mode", "burst")).getMessage()
            .contains("--mode must be unary, stream or client"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--rate", "lots")).getMessage()
            .contains("'lots'"));
    }
}
