package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.jifen.ledger.core.ResultCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reasons clients see are a documented list: every ledger result code and every reason the server decides itself
 * (each {@code Errors.of(Status.Code.X, "REASON", ...)} in its sources) is listed in the .proto's "Errors" comment,
 * under the status it comes with.
 */
class ErrorReasonsTest
{
    private static final Path PROTO = Path.of("../proto/src/main/protobuf/jifen/ledger/v1/ledger.proto");
    private static final Path SOURCES = Path.of("src/main/java/io/jifen/ledger/server");

    @Test
    void everyReasonIsListedInTheProtoUnderItsStatus() throws IOException
    {
        final String proto = Files.readString(PROTO);
        final String errors =
            proto.substring(proto.indexOf("// Errors."), proto.indexOf("// Every write is idempotent"));
        final Set<String> missing = new TreeSet<>();
        for (final ResultCode rc : ResultCode.values())
        {
            if (rc != ResultCode.OK && !listedUnder(errors, statusOf(rc), rc.name()))
            {
                missing.add(statusOf(rc) + " " + rc.name());
            }
        }
        final Pattern own = Pattern.compile("Errors\\.of\\(Status\\.Code\\.([A-Z_]+), \"([A-Z_]+)\"");
        int ownReasons = 0;
        try (Stream<Path> files = Files.list(SOURCES))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
            {
                final Matcher m = own.matcher(Files.readString(file));
                while (m.find())
                {
                    ownReasons++;
                    if (!listedUnder(errors, m.group(1), m.group(2)))
                    {
                        missing.add(m.group(1) + " " + m.group(2) + " (" + file.getFileName() + ")");
                    }
                }
            }
        }
        assertTrue(ownReasons >= 20, "the server's own reasons were found: " + ownReasons);
        assertTrue(listedUnder(errors, "INVALID_ARGUMENT", "BATCH_INVALID"));
        assertEquals(Set.of(), missing, "reasons not listed in the proto under their status");
    }

    /** @return true if {@code reason} is listed in the paragraph of {@code status} ("//   STATUS: A, B, ..."). */
    private static boolean listedUnder(final String errors, final String status, final String reason)
    {
        final int start = errors.indexOf("//   " + status + ":");
        if (start < 0)
        {
            return false;
        }
        final Matcher next = Pattern.compile("//   [A-Z_]+:").matcher(errors);
        final int end = next.find(start + 5) ? next.start() : errors.length();
        final String paragraph = errors.substring(start, end);
        return Pattern.compile("[ ,(]" + reason + "[,) \\n]").matcher(paragraph + "\n").find();
    }

    private static String statusOf(final ResultCode rc)
    {
        final io.jifen.ledger.core.Command c = new io.jifen.ledger.core.Command();
        c.result = rc;
        return Results.status(c).getCode().name();
    }
}
