package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The default request-id limit follows the heap: one id per KiB, a power of two (the request table's size, so it never
 * has to double past the limit), at most 8,000,000.
 */
class LedgerContextTest
{
    private static final long GIB = 1L << 30;

    @Test
    void theDefaultRequestIdLimitIsOnePerKibOfHeapAsAPowerOfTwoAtMostEightMillion()
    {
        assertEquals(1 << 22, LedgerContext.requestIdsMaxFor(4 * GIB), "the ledger script's 4 GiB");
        assertEquals(1 << 21, LedgerContext.requestIdsMaxFor(4 * GIB - 1), "just under: the power of two below");
        assertEquals(1 << 19, LedgerContext.requestIdsMaxFor(GIB / 2), "the tests' 512 MiB");
        assertEquals(8_000_000, LedgerContext.requestIdsMaxFor(8 * GIB));
        assertEquals(8_000_000, LedgerContext.requestIdsMaxFor(64 * GIB));
        assertEquals(1024, LedgerContext.requestIdsMaxFor(1), "never below 1,024");
    }
}
