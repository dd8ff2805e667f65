package io.jifen.ledger.core;

import java.time.ZoneId;

/**
 * A program's settings as the parser reads them, before they become a {@link Program} (which checks nothing of them
 * again: the parser has).
 */
final class ProgramSettings
{
    int version;
    String name;
    ZoneId zone;
    int expiryMonths;
    long silver;
    long gold;
    long platinum;
    Program.TierWindow tierWindow;
    int evaluationMonthDay;
    long keepSilver;
    long keepGold;
    long keepPlatinum;
    int maxDrop;
    int lotsPerMemberMax;
    int requestRetentionDays;
    int holdTimeoutSeconds;
    int pendingDays;
    String currency;
    /** finance.pointValue: what a point is worth in the currency, as written ("0.01"); null: not set. */
    String pointValue;
    long ratePoints;
    long ratePerMinor;
    Program.Rounding rounding;
    final long[] tierMultiplierBp = new long[4];
    long memberDailyPoints;
    long welcomeBonus;
    long firstPurchaseBonus;
    long referrerBonus;
    long referredBonus;
    long birthdayMultiplierBp;
    long birthdayGift;
    boolean reverseBonuses;
    int graceDays;
    boolean forgiveShortfall;
    int newDays;
    int activeDays;
    int activeEarns;
    int atRiskDays;
    Program.Campaign[] campaigns;
    Program.Partner[] partners;
}
