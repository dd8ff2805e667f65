package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The double entry on its own: every effect that moves points debits one account and credits another by the same
 * amount, so the accounts always sum to zero; the members' accounts hold what the members have; the clearing account
 * is the sum of its partners' detail.
 */
class AccountsTest
{
    private final Accounts accounts = new Accounts();
    private final EffectLog effects = new EffectLog();

    private void post(final byte kind, final long amount)
    {
        effects.reset();
        effects.add(kind, 1, amount, 1_000, 0);
        accounts.post(effects, 0, 1);
    }

    private long balance(final Accounts.Account account)
    {
        return accounts.balance(account).longValueExact();
    }

    @Test
    void anEarnARedemptionAndAnExpiryMovePointsFromIssuedThroughTheMembers()
    {
        post(EffectLog.CREDIT, 100);
        post(EffectLog.DEBIT, 30);
        post(EffectLog.EXPIRE, 20);
        assertEquals(-100, balance(Accounts.Account.ISSUED), "issued: minus what was issued");
        assertEquals(50, balance(Accounts.Account.MEMBERS_AVAILABLE));
        assertEquals(30, balance(Accounts.Account.REDEEMED));
        assertEquals(20, balance(Accounts.Account.EXPIRED), "breakage");
        assertEquals(BigInteger.ZERO, accounts.total());
    }

    @Test
    void aHoldMovesPointsToHeldUntilCapturedOrReleased()
    {
        post(EffectLog.CREDIT, 100);
        post(EffectLog.HOLD, 60);
        assertEquals(60, balance(Accounts.Account.MEMBERS_HELD));
        post(EffectLog.CAPTURE, 40);
        post(EffectLog.RELEASE, 20);
        assertEquals(0, balance(Accounts.Account.MEMBERS_HELD));
        assertEquals(40, balance(Accounts.Account.REDEEMED));
        assertEquals(60, balance(Accounts.Account.MEMBERS_AVAILABLE));
        assertEquals(BigInteger.ZERO, accounts.total());
    }

    @Test
    void aShortfallIsOwedAsANegativeBalanceAndSettledFromLaterCredits()
    {
        post(EffectLog.SHORTFALL, 70);
        assertEquals(-70, balance(Accounts.Account.MEMBERS_OWED));
        post(EffectLog.CREDIT, 100);
        post(EffectLog.SETTLE, 70);
        assertEquals(0, balance(Accounts.Account.MEMBERS_OWED));
        assertEquals(30, balance(Accounts.Account.MEMBERS_AVAILABLE));
        assertEquals(70, balance(Accounts.Account.CLAWED));
        assertEquals(BigInteger.ZERO, accounts.total());
    }

    @Test
    void aTransferPassesThroughTransitWithinOneRecord()
    {
        post(EffectLog.CREDIT, 100);
        effects.reset();
        effects.add(EffectLog.TRANSFER_OUT, 1, 40, 1_000, 0);
        effects.add(EffectLog.TRANSFER_IN, 2, 40, 1_000, 1);
        accounts.post(effects, 0, 2);
        assertEquals(0, balance(Accounts.Account.TRANSIT));
        assertEquals(100, balance(Accounts.Account.MEMBERS_AVAILABLE));
    }

    @Test
    void tierAndForgiveEffectsMoveNoPoints()
    {
        post(EffectLog.TIER, 3);
        post(EffectLog.FORGIVE, 50);
        for (final Accounts.Account account : Accounts.Account.values())
        {
            assertEquals(0, balance(account), account.name());
        }
    }

    @Test
    void clearingIsTheSumOfItsPartnersAndTheCheckFindsADetailOutOfStep()
    {
        post(EffectLog.CREDIT, 100);
        post(EffectLog.EXCHANGE_OUT, 30);
        accounts.clear("airline", 30, 0);
        post(EffectLog.EXCHANGE_IN, 10);
        accounts.clear("hotel", 0, 10);
        assertEquals(BigInteger.valueOf(30), accounts.clearing("airline"));
        assertEquals(BigInteger.valueOf(-10), accounts.clearing("hotel"));
        assertEquals(20, balance(Accounts.Account.CLEARING));
        accounts.checkClearing();

        final long hash = accounts.hash(17);
        accounts.clear("airline", 1, 0);
        assertNotEquals(hash, accounts.hash(17), "the detail is hashed");
        assertThrows(IllegalStateException.class, accounts::checkClearing);
    }
}
