package io.jifen.ledger.core;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Ledger-wide totals: exact, wide, and never wrapping.
 */
class TotalsTest extends LedgerScenarios
{
    // ------------------------------------------------------------------------------------------------ totals

    @Test
    void totalsAreExactAndOutstandingAtLeavesOutDuePoints()
    {
        enroll("req-1", "m1");
        enroll("req-2", "m2");
        earn("e1", "m1", 100);                 // lot 0, 2025-02-01
        now = at(2024, 3, 1, 10);
        earn("e2", "m2", 50);                  // lot 1, 2025-04-01
        redeem("r1", "m1", 30);
        assertEquals(BigInteger.valueOf(150), ledger.credited());
        assertEquals(BigInteger.valueOf(30), ledger.debited());
        assertEquals(BigInteger.ZERO, ledger.expired());
        assertEquals(BigInteger.valueOf(120), ledger.outstandingAt(now));

        final long hash = ledger.stateHash();
        assertEquals(BigInteger.valueOf(120), ledger.outstandingAt(at(2025, 2, 1, 0) - 1));
        assertEquals(BigInteger.valueOf(50), ledger.outstandingAt(at(2025, 2, 1, 0)), "m1's 70 are dead");
        assertEquals(BigInteger.ZERO, ledger.outstandingAt(at(2025, 4, 1, 0)));
        assertEquals(hash, ledger.stateHash(), "a report changes nothing");

        now = at(2025, 3, 1, 0);
        assertEquals(BigInteger.valueOf(50), ledger.outstandingAt(now), "due before the sweep has run");
        expireTick(10);
        assertEquals(BigInteger.valueOf(70), ledger.expired());
        assertEquals(BigInteger.valueOf(50), ledger.outstandingAt(now));
        assertEquals(ledger.credited().subtract(ledger.debited()).subtract(ledger.expired()),
            ledger.outstandingAt(now));
        assertEquals(70, ledger.totalExpired());
    }

    @Test
    void wideCounterCarriesIntoTheHighWordInsteadOfWrapping()
    {
        final WideCounter counter = new WideCounter();
        final long zeroHash = counter.hash(7);
        counter.add(Long.MAX_VALUE);
        assertEquals(BigInteger.valueOf(Long.MAX_VALUE), counter.value());
        counter.add(Long.MAX_VALUE);
        counter.add(1);
        assertEquals(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), counter.value());
        counter.add(1);
        assertEquals(BigInteger.ONE.shiftLeft(64), counter.value(), "carried: low word 0, high word 1");
        assertNotEquals(zeroHash, counter.hash(7), "the high word is hashed");
        counter.add(Long.MAX_VALUE);
        assertEquals(BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(Long.MAX_VALUE)), counter.value());
    }

    @Test
    void totalsBeyondALongAreExactAndTheirLongViewsRefuseToWrap()
    {
        final Ledger big = new Ledger(PROGRAM);
        final WideCounter credited = big.stores().totals.credited;
        credited.add(Long.MAX_VALUE);
        credited.add(Long.MAX_VALUE);
        credited.add(2);
        assertEquals(BigInteger.ONE.shiftLeft(64), big.credited());
        assertThrows(ArithmeticException.class, big::totalCredited);
        assertEquals(0, big.totalDebited());
        final IllegalStateException broken = assertThrows(IllegalStateException.class, big::checkInvariants);
        assertEquals("credited 18446744073709551616 - debited 0 - expired 0 != balances 0", broken.getMessage());
    }

    @Test
    void membersBalancesAreSummedPastALongWhenCheckedAgainstTheTotals()
    {
        final MemberStore members = new MemberStore(16);
        final Totals totals = new Totals();
        members.available(members.add(0, "m1", 0, -1, 0), Long.MAX_VALUE);
        members.available(members.add(0, "m2", 0, -1, 0), Long.MAX_VALUE);
        final int third = members.add(0, "m3", 0, -1, 0);
        members.available(third, 2);
        totals.credited.add(Long.MAX_VALUE);
        totals.credited.add(Long.MAX_VALUE);
        totals.credited.add(2);
        totals.checkInvariants(members); // 2^64 on both sides

        members.available(third, 3);
        final IllegalStateException broken = assertThrows(IllegalStateException.class,
            () -> totals.checkInvariants(members));
        assertEquals("credited 18446744073709551616 - debited 0 - expired 0 != balances 18446744073709551617",
            broken.getMessage());
        members.available(third, -1);
        totals.debited.add(3);
        totals.checkInvariants(members); // a negative balance is summed as one
    }
}
