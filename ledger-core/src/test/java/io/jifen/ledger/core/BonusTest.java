package io.jifen.ledger.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Program bonuses: welcome at enrollment; first purchase and referral (both sides) with the first qualifying earn,
 * once, even under retries, and clawed back when that earn is reversed in full; a birthday multiplier on purchases
 * in the birthday month and a gift on the day. Every case replays from its journal bytes to the same state.
 */
class BonusTest extends LedgerTestSupport
{
    private static final String PROGRAM = "limits: {requestRetentionDays: 3650}\n" +
        "bonuses: {welcome: 50, firstPurchase: 100, referrer: 300, referred: 200, birthdayMultiplier: 2, " +
        "birthdayGift: 88}\n";

    BonusTest()
    {
        super(PROGRAM, at(2026, 3, 10, 10));
    }

    @Test
    void aWelcomeBonusComesWithEnrollment()
    {
        enroll("m1", null, 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(50, c.bonusPoints);
        assertEquals(50, c.balance);
        assertEffects("bonus 0 50");
    }

    @Test
    void theFirstEarnPaysTheFirstPurchaseAndBothReferralBonusesOnce()
    {
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        earn("e1", "m1", 10);
        assertEquals(300, c.bonusPoints, "first purchase 100 + referred 200");
        assertEquals(300, c.referrerBonusPoints);
        assertEquals(50 + 10 + 300, c.balance);
        assertEffects("credit 2 10; bonus 3 300; referrer_bonus 4 300");
        earn("e1", "m1", 10);
        assertTrue(c.replay);
        assertEquals(300, c.bonusPoints, "a retry answers with the bonuses too");
        assertEquals(300, c.referrerBonusPoints);
        earn("e2", "m1", 10);
        assertEquals(0, c.bonusPoints, "once");
        assertEquals(0, c.referrerBonusPoints);
        balance("friend");
        assertEquals(50 + 300, c.balance);
    }

    @Test
    void aFirstEarnNeedsLedgerRoomForAllThreeLotsItCreates()
    {
        ledger = new Ledger(Program.parse(PROGRAM), new LedgerContext().lotsMax(4));
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        assertEquals(2, ledger.lotSlotsInUse(), "two welcome bonuses");
        final long hash = ledger.stateHash();
        super.earn("e1", "m1", 10);
        assertEquals(ResultCode.LOTS_MAX, c.result, "the earn, its bonus and the referrer's: 5 lots > 4");
        assertEquals(hash, ledger.stateHash(), "refused: nothing changed");
        assertEquals(2, ledger.lotSlotsInUse());

        ledger = new Ledger(Program.parse(PROGRAM), new LedgerContext().lotsMax(5));
        journal.clear();
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        earn("e1", "m1", 10);
        assertEquals(ResultCode.OK, c.result, "exactly room for the three");
        assertEquals(5, ledger.lotSlotsInUse());
    }

    @Test
    void aReferralWhoseFirstPurchaseIsReversedTakesBothBonusesBack()
    {
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        earn("e1", "m1", 1_000);
        redeem("r1", "friend", 90); // the referrer spent its welcome 50 and 40 of its bonus
        redeem("r2", "m1", 1_200);  // the member spent its welcome, the earn and 150 of its bonus
        reverse("x1", "m1", "e1", 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(150, c.resultPoints, "the earn's own lot is empty: the rest of the bonus lot pays first");
        assertEquals(-300, c.bonusPoints, "the bonus is taken back in full, though all of it is owed");
        assertEquals(-260, c.referrerBonusPoints, "what is left of the referrer's bonus lot");
        assertEquals(850 + 300, c.shortfall, "the member owes the spent earn and bonus");
        assertEquals(1_150, c.owed);
        assertEffects("clawback 3 150; shortfall 2 850; shortfall 3 300; referrer_clawback 4 260");
        balance("friend");
        assertEquals(0, c.balance);
        assertEquals(0, c.owed, "the referrer keeps what it spent");
        earn("e2", "m1", 10);
        assertEquals(0, c.bonusPoints, "bonuses are once for the life of the member");
    }

    @Test
    void aSpentFirstPurchaseBonusIsTakenBackInFullAndOwed()
    {
        enroll("m1", null, 0);
        earn("e1", "m1", 1_000);
        assertEquals(100, c.bonusPoints);
        redeem("r1", "m1", 1_150); // welcome, earn and bonus: all spent
        reverse("x1", "m1", "e1", 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(0, c.resultPoints, "nothing left to claw back");
        assertEquals(-100, c.bonusPoints, "the receipt shows the bonus taken back");
        assertEquals(1_000 + 100, c.shortfall, "what could not be clawed: owed, the bonus's part included");
        assertEquals(1_100, c.owed);
        reverse("x1", "m1", "e1", 0);
        assertTrue(c.replay);
        assertEquals(-100, c.bonusPoints, "a retry answers the same");

        use(PROGRAM + "returns: {shortfall: forgive}\n");
        enroll("m1", null, 0);
        earn("e1", "m1", 1_000);
        redeem("r1", "m1", 1_120);
        reverse("x1", "m1", "e1", 0);
        assertEquals(-100, c.bonusPoints, "forgiven, the bonus is still taken back: 30 clawed, 70 forgiven");
        assertEquals(0, c.owed);
    }

    @Test
    void aFirstPurchaseBonusThatExpiredIsNotTakenBackAgain()
    {
        enroll("m1", null, 0);
        earn("e1", "m1", 1_000);
        redeem("r1", "m1", 1_050); // welcome and earn spent; the bonus lot expires untouched
        now += 800 * DAY_MS;
        sweep();
        reverse("x1", "m1", "e1", 0);
        assertEquals(ResultCode.OK, c.result);
        assertEquals(0, c.bonusPoints, "the bonus expired: nothing of it is taken back");
        assertEquals(1_000, c.shortfall);
    }

    @Test
    void onlyAFullReversalTakesTheBonusesBack()
    {
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        earn("e1", "m1", 1_000);
        reverse("x1", "m1", "e1", 400);
        assertEquals(0, c.bonusPoints);
        reverse("x2", "m1", "e1", 0);
        assertEquals(-300, c.bonusPoints);
        assertEquals(-300, c.referrerBonusPoints);

        use(PROGRAM.replace("birthdayGift: 88}", "birthdayGift: 88, reverseWithFirstPurchase: false}"));
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        earn("e1", "m1", 1_000);
        reverse("x1", "m1", "e1", 0);
        assertEquals(0, c.bonusPoints, "the program keeps bonuses of reversed purchases");
    }

    @Test
    void aFrozenReferrerGetsNoBonus()
    {
        enroll("friend", null, 0);
        enroll("m1", "friend", 0);
        begin(CommandType.SET_STATUS, "s1", "friend");
        c.status = MemberStatus.FROZEN.code();
        send();
        earn("e1", "m1", 10);
        assertEquals(300, c.bonusPoints);
        assertEquals(0, c.referrerBonusPoints);
    }

    @Test
    void purchasesInTheBirthdayMonthEarnTheBirthdayMultiplier()
    {
        enroll("m1", null, 310);
        purchase("p1", "m1", 100_00);
        assertEquals(200, c.resultPoints, "100 base, ×2 in March");
        assertEquals(100, c.bonusPoints, "and the first purchase bonus");
        assertEquals(1, c.earning.campaignCount());
        assertEquals(Program.BIRTHDAY_LINE, c.earning.campaignId(0));
        assertEquals(100, c.earning.points(0));
        now = at(2026, 4, 1, 10);
        purchase("p2", "m1", 100_00);
        assertEquals(100, c.resultPoints);
        assertEquals(0, c.earning.campaignCount());
    }

    @Test
    void theBirthdayGiftComesOnTheDayFebruary29OnThe28thInOtherYears()
    {
        use(PROGRAM + "expiry: {months: 120}\n");
        enroll("m1", null, 229);
        enroll("m2", null, 311);
        now = at(2026, 3, 11, 0) - 1;
        sweep();
        assertEquals(0, c.effects.size());
        now = at(2026, 3, 11, 0);
        sweep();
        assertEffects("bonus 2 88");
        now = at(2027, 2, 28, 0);
        sweep();
        assertEffects("bonus 3 88");
        now = at(2027, 3, 1, 0);
        begin(CommandType.SET_STATUS, "s1", "m2");
        c.status = MemberStatus.FROZEN.code();
        send();
        now = at(2028, 2, 29, 0);
        sweep();
        assertEffects("bonus 4 88");
        now = at(2028, 3, 11, 0);
        sweep();
        assertEquals(0, c.effects.size(), "a frozen member gets no gift");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void enroll(final String memberId, final String referrer, final int birthday)
    {
        begin(CommandType.ENROLL, "enroll-" + memberId, memberId).referrerId = referrer;
        c.birthday = birthday;
        send();
        assertEquals(ResultCode.OK, c.result);
    }

    @Override
    void earn(final String requestId, final String memberId, final long points)
    {
        super.earn(requestId, memberId, points);
        assertEquals(ResultCode.OK, c.result);
    }

    @Override
    void redeem(final String requestId, final String memberId, final long points)
    {
        super.redeem(requestId, memberId, points);
        assertEquals(ResultCode.OK, c.result);
    }

    private void purchase(final String requestId, final String memberId, final long amountMinor)
    {
        begin(CommandType.EARN, requestId, memberId).purchaseMinor = amountMinor;
        c.currency = "CNY";
        c.channel = Channel.STORE.code();
        send();
        assertEquals(ResultCode.OK, c.result);
    }
}
