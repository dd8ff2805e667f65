package io.jifen.ledger.core;

/**
 * What the sweep must do besides expiring lots (the lot store keeps those), each by instant: open holds by timeout and
 * pending earns by maturity (keyed by request position), tier evaluations and birthdays (keyed by member index). A
 * schedule holds a member only while its program acts on it; a program that starts to has them all queued afresh.
 */
final class Schedules
{
    final Schedule holdTimeouts = new Schedule();
    final Schedule maturities = new Schedule();
    final Schedule evaluations = new Schedule();
    final Schedule birthdays = new Schedule();

    /** @return true if anything is due at {@code now}. */
    boolean anyDue(final long now)
    {
        return due(holdTimeouts, now) || due(maturities, now) || due(evaluations, now) || due(birthdays, now);
    }

    static boolean due(final Schedule schedule, final long now)
    {
        return !schedule.isEmpty() && schedule.peekAt() <= now;
    }

    /** Queues every member whose program evaluates tiers at its next evaluation (stale entries are dropped). */
    void rebuildEvaluations(final MemberStore members, final ProgramStates programs)
    {
        evaluations.clear();
        for (int m = 0; m < members.count(); m++)
        {
            if (programs.program(members.program(m)).tierWindow() != Program.TierWindow.LIFETIME)
            {
                evaluations.add(members.nextEvaluationAt(m), m);
            }
        }
    }

    /** Queues every member with a birthday whose program gives a gift at its next birthday. */
    void rebuildBirthdays(final MemberStore members, final ProgramStates programs)
    {
        birthdays.clear();
        for (int m = 0; m < members.count(); m++)
        {
            if (members.nextBirthdayAt(m) != Long.MAX_VALUE && programs.program(members.program(m)).birthdayGift() > 0)
            {
                birthdays.add(members.nextBirthdayAt(m), m);
            }
        }
    }

    void writeTo(final SnapshotOutput out)
    {
        holdTimeouts.writeTo(out);
        maturities.writeTo(out);
        evaluations.writeTo(out);
        birthdays.writeTo(out);
    }

    void readFrom(final SnapshotInput in)
    {
        holdTimeouts.readFrom(in);
        maturities.readFrom(in);
        evaluations.readFrom(in);
        birthdays.readFrom(in);
    }
}
