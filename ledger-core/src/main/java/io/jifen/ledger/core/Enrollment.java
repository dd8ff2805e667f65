package io.jifen.ledger.core;

/**
 * Enroll: a new member of a program, at the program's first tier, scheduled for its tier evaluations and birthdays,
 * with the program's welcome bonus.
 */
final class Enrollment
{
    private final Stores stores;
    private final MemberStore members;
    private final Schedules schedules;
    private final Movements movements;

    Enrollment(final Stores stores, final Movements movements)
    {
        this.stores = stores;
        this.members = stores.members;
        this.schedules = stores.schedules;
        this.movements = movements;
    }

    /** @return the new member's index, or -1 with the result set. */
    int enroll(final ProgramState ps, final Command c)
    {
        final int slot = ps.slot;
        if (members.find(slot, c.memberId) >= 0)
        {
            c.result = ResultCode.MEMBER_EXISTS;
            return -1;
        }
        int referrer = -1;
        if (null != c.referrerId && !c.referrerId.isEmpty())
        {
            referrer = members.find(slot, c.referrerId);
            if (referrer < 0)
            {
                c.result = ResultCode.REFERRER_NOT_FOUND;
                return -1;
            }
        }
        if (!stores.hasRoomForMember())
        {
            c.result = ResultCode.MEMBERS_MAX;
            return -1;
        }

        final Program p = ps.program();
        final int m = admit(ps, c, referrer);
        if (p.welcomeBonus() > 0)
        {
            movements.bonus(p, c, m, p.welcomeBonus());
        }
        return m;
    }

    /**
     * A new member of the program at its first tier, scheduled for its tier evaluations and birthdays: the caller has
     * checked that the id is free and the ledger has room.
     */
    int admit(final ProgramState ps, final Command c, final int referrer)
    {
        final Program p = ps.program();
        final int m = members.add(ps.slot, c.memberId, c.birthday, referrer, c.timestamp);
        members.tier(m, p.tierFor(0).code());
        members.nextEvaluationAt(m, p.firstEvaluation(c.timestamp));
        if (p.tierWindow() != Program.TierWindow.LIFETIME)
        {
            schedules.evaluations.add(members.nextEvaluationAt(m), m);
        }
        if (c.birthday != 0)
        {
            members.nextBirthdayAt(m, p.nextBirthday(c.birthday, c.timestamp));
            if (p.birthdayGift() > 0)
            {
                schedules.birthdays.add(members.nextBirthdayAt(m), m);
            }
        }
        return m;
    }
}
