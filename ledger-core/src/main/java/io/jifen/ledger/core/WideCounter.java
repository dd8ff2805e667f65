package io.jifen.ledger.core;

import java.math.BigInteger;

/**
 * A 128-bit running total of non-negative amounts: ledger-wide totals (10^8 members may each hold 10^15 points)
 * outgrow a long, and a total must never wrap silently.
 */
final class WideCounter
{
    private long low;
    private long high;

    void add(final long amount)
    {
        assert amount >= 0 : "totals only grow: " + amount;
        final long sum = low + amount;
        if (Long.compareUnsigned(sum, low) < 0)
        {
            high++;
        }
        low = sum;
    }

    BigInteger value()
    {
        return new BigInteger(Long.toUnsignedString(low)).add(BigInteger.valueOf(high).shiftLeft(64));
    }

    long hash(final long seed)
    {
        return Hashing.mix(Hashing.mix(seed, low), high);
    }

    @Override
    public String toString()
    {
        return value().toString();
    }

    void writeTo(final SnapshotOutput out)
    {
        out.writeLong(low);
        out.writeLong(high);
    }

    void readFrom(final SnapshotInput in)
    {
        low = in.readLong();
        high = in.readLong();
    }
}
