package io.jifen.ledger.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replay's progress line: share, counts, rate and time left; drawn in place and cleared at the end. */
class ReplayProgressTest
{
    @Test
    void theLineSaysHowFarHowFastAndHowLongIsLeft()
    {
        final ReplayProgress progress = ReplayProgress.drawingOn(new PrintStream(new ByteArrayOutputStream()),
            "replaying the journal", 0);
        progress.onStart(4_000_000);
        assertEquals("replaying the journal: 25% (1,000,000 of 4,000,000 records), 2.0 M/s, 2 s left",
            progress.line(1_000_000, 500_000_000L));
        progress.onStart(0);
        assertEquals("replaying the journal: 65,536 records, 0.1 M/s", progress.line(65_536, 1_000_000_000L));
    }

    @Test
    void theLineIsRedrawnInPlaceAndClearedAtTheEnd()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ReplayProgress progress = ReplayProgress.drawingOn(new PrintStream(bytes, true,
            StandardCharsets.UTF_8), "verifying", java.util.concurrent.TimeUnit.HOURS.toNanos(1));
        progress.onStart(100);
        progress.onProgress(50, 50); // the first call draws
        progress.onProgress(60, 60); // within the redraw interval: not drawn again
        progress.onEnd(100);
        final String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.startsWith("\rverifying: 50% (50 of 100 records)"), drawn);
        assertTrue(!drawn.contains("60%") && !drawn.contains("\n"), drawn);
        assertTrue(drawn.endsWith("\r"), "the line is blanked, the cursor back at its start: " + drawn);
    }
}
