package io.jifen.ledger.core;

/**
 * Deterministic 64-bit hashing for request fingerprints and state hashes: the same input gives the same value on
 * every JVM and run (never {@link Object#hashCode()} of an identity or a seed).
 */
public final class Hashing
{
    private static final long PRIME = 0x9E3779B97F4A7C15L;

    private Hashing()
    {
    }

    public static long mix(final long h, final long v)
    {
        return fmix((h ^ v) * PRIME + 0x632BE59BD9B4E019L);
    }

    /** Mixes a string; null and empty hash the same, as the API does not tell them apart. */
    public static long mix(final long h, final String s)
    {
        long x = h;
        if (null != s)
        {
            final int length = s.length();
            for (int i = 0; i < length; i++)
            {
                x = (x ^ s.charAt(i)) * 0x100000001B3L;
            }
            x = mix(x, length);
        }
        else
        {
            x = mix(x, 0);
        }
        return x;
    }

    public static long fmix(final long value)
    {
        long k = value;
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }
}
