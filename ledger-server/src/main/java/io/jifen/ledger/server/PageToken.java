package io.jifen.ledger.server;

import java.nio.ByteBuffer;
import java.util.Base64;

import io.jifen.ledger.core.Command;

/**
 * ListExpiring's page token: where the next page scans from and the first page's window end, as opaque text
 * (a version letter and 12 bytes in unpadded base64url). Clients pass it back unchanged; anything else is refused.
 */
final class PageToken
{
    private static final char VERSION = 'e';
    private static final int BYTES = Integer.BYTES + Long.BYTES;

    private PageToken()
    {
    }

    /** @return the token for the page after {@code c}'s answer, or empty when the scan is complete. */
    static String next(final Command c)
    {
        if (c.nextCursor < 0)
        {
            return "";
        }
        final ByteBuffer bytes = ByteBuffer.allocate(BYTES).putInt(c.nextCursor).putLong(c.windowEnd);
        return VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** Sets the command's position and window from a token: @return false if it is not one {@link #next} made. */
    static boolean read(final String token, final Command c)
    {
        if (token.length() < 2 || token.charAt(0) != VERSION)
        {
            return false;
        }
        final byte[] bytes;
        try
        {
            bytes = Base64.getUrlDecoder().decode(token.substring(1));
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
        if (bytes.length != BYTES)
        {
            return false;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        c.cursor = buffer.getInt();
        c.expiringBefore = buffer.getLong();
        return c.cursor > 0 && c.expiringBefore > 0;
    }
}
