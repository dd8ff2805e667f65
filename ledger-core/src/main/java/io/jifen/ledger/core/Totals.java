package io.jifen.ledger.core;

import java.math.BigInteger;

/**
 * Ledger-wide totals: points ever credited, debited and expired (exact, 128-bit), and points in open holds and in
 * pending earns now. Each movement of points adds to them where it happens, so they are checked against the members'
 * balances rather than recomputed.
 */
final class Totals
{
    final WideCounter credited = new WideCounter();
    final WideCounter debited = new WideCounter();
    final WideCounter expired = new WideCounter();
    /** Points in open holds, over all members (part of what was debited, not yet redeemed for good). */
    long held;
    /** Points earned as pending and not yet matured, over all members (not credited yet). */
    long pending;
    /**
     * Replayed lots that kept a recorded expiry today's program rule would put elsewhere: a warning for the operator,
     * not part of the state (never hashed).
     */
    long expiryRuleDrift;

    /** Mixes the totals into a state hash (not the drift: it depends on today's time-zone data). */
    long hash(final long seed)
    {
        long h = credited.hash(seed);
        h = debited.hash(h);
        h = expired.hash(h);
        // not the hold schedule: it is derived from the request log, and a sweep that found only closed holds (not
        // journaled) may have dropped them from it
        h = Hashing.mix(h, held);
        return Hashing.mix(h, pending);
    }

    /**
     * Checks the totals against the members: credited - debited - expired is the sum of available balances, and the
     * held and pending totals are the members' own.
     *
     * @throws IllegalStateException naming what is broken.
     */
    void checkInvariants(final MemberStore members)
    {
        // the balances' sum in 128 bits (high:low), signed: one BigInteger per member made this check a tenth of a
        // snapshot's read time
        long low = 0;
        long high = 0;
        long heldSum = 0;
        long pendingSum = 0;
        for (int m = 0; m < members.count(); m++)
        {
            final long sum = low + members.available(m);
            high += (members.available(m) >> 63) + (Long.compareUnsigned(sum, low) < 0 ? 1 : 0);
            low = sum;
            heldSum += members.held(m);
            pendingSum += members.pending(m);
        }
        final BigInteger balances = BigInteger.valueOf(high).shiftLeft(64).add(
            new BigInteger(Long.toUnsignedString(low)));
        if (pendingSum != pending)
        {
            throw new IllegalStateException("members have " + pendingSum + " pending points, the ledger counts " +
                pending);
        }
        if (heldSum != held)
        {
            throw new IllegalStateException("members hold " + heldSum + " points, the ledger counts " + held);
        }
        if (!credited.value().subtract(debited.value()).subtract(expired.value()).equals(balances))
        {
            throw new IllegalStateException("credited " + credited + " - debited " + debited + " - expired " +
                expired + " != balances " + balances);
        }
    }

    void writeTo(final SnapshotOutput out)
    {
        credited.writeTo(out);
        debited.writeTo(out);
        expired.writeTo(out);
        out.writeLong(held);
        out.writeLong(pending);
        out.writeLong(expiryRuleDrift);
    }

    void readFrom(final SnapshotInput in)
    {
        credited.readFrom(in);
        debited.readFrom(in);
        expired.readFrom(in);
        held = in.readLong();
        pending = in.readLong();
        expiryRuleDrift = in.readLong();
    }
}
