package io.jifen.ledger.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.EpochClock;

/**
 * A sandbox's ledger clock (a test clock): the wall clock plus an offset that an admin advances (AdvanceClock), so an
 * integrator watches expiry, maturity, hold time-outs, evaluations and birthdays happen in seconds. The offset lives
 * in the data folder's {@code SANDBOX} file, which also marks the folder as a sandbox: a restart keeps ledger time
 * where it was, a production server refuses the folder, and a sandbox refuses a folder that holds a production
 * journal. Time only moves forward; the records carry their time, so replays are unaffected.
 */
final class SandboxClock implements EpochClock
{
    static final String FILE_NAME = "SANDBOX";
    /** The most one call may advance: ten years. */
    static final long ADVANCE_MAX_MS = 3_660L * 86_400_000L;
    private static final String KEY = "offset_ms ";

    private final Path file;
    private volatile long offsetMs;

    private SandboxClock(final Path file, final long offsetMs)
    {
        this.file = file;
        this.offsetMs = offsetMs;
    }

    static boolean isSandbox(final Path data)
    {
        return Files.exists(data.resolve(FILE_NAME));
    }

    /** Makes the folder a sandbox (it must not hold a production journal: the caller checks). */
    static SandboxClock create(final Path data)
    {
        final SandboxClock clock = new SandboxClock(data.resolve(FILE_NAME), 0);
        clock.save(0);
        return clock;
    }

    static SandboxClock open(final Path data)
    {
        final Path file = data.resolve(FILE_NAME);
        try
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                if (line.startsWith(KEY))
                {
                    final long offset = Long.parseLong(line.substring(KEY.length()).strip());
                    if (offset < 0)
                    {
                        break;
                    }
                    return new SandboxClock(file, offset);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the sandbox clock " + file, ex);
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new IllegalStateException("the sandbox clock " + file + " holds no '" + KEY.strip() + " N' line " +
            "with N >= 0: restore it, or delete the data folder to start a new sandbox");
    }

    @Override
    public long time()
    {
        return System.currentTimeMillis() + offsetMs;
    }

    /** @return the clock's time after moving it {@code ms} forward (saved before it takes effect). */
    synchronized long advance(final long ms)
    {
        if (ms < 1 || ms > ADVANCE_MAX_MS)
        {
            throw new IllegalArgumentException("advance_ms: must be 1.." + ADVANCE_MAX_MS + " (ten years), not " + ms);
        }
        final long next = offsetMs + ms;
        save(next); // on the device before any command is stamped with it: a restart never goes back
        offsetMs = next;
        return time();
    }

    /** Writes the offset to a new file, forced, renamed over the old one, and the folder forced. */
    private void save(final long offset)
    {
        final Path temporary = file.resolveSibling(FILE_NAME + ".writing");
        try
        {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.wrap(("# a sandbox (ledger serve --sandbox): ledger time is the wall clock " +
                    "plus this offset, advanced by AdvanceClock\n" + KEY + offset + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ))
            {
                folder.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot save the sandbox clock " + file, ex);
        }
    }
}
