package io.jifen.ledger.core;

/**
 * ExpireTick: the periodic sweep on ledger time. In turn, up to the command's budget of effects: the members with
 * due lots (all of a member's due lots at once), holds past their timeout, pending earns due to mature, due tier
 * evaluations and due birthday gifts. Each member it touches is settled in its own program, and its effects are posted
 * to that program's accounts. A sweep that finds nothing to do changes nothing (and is not journaled).
 */
final class Sweep
{
    private final ProgramStates programs;
    private final MemberStore members;
    private final LotStore lots;
    private final RequestLog requests;
    private final Schedules schedules;
    private final Settlement settlement;
    private final Holds holds;

    Sweep(final Stores stores, final Settlement settlement, final Holds holds)
    {
        this.programs = stores.programs;
        this.members = stores.members;
        this.lots = stores.lots;
        this.requests = stores.requests;
        this.schedules = stores.schedules;
        this.settlement = settlement;
        this.holds = holds;
    }

    void expireTick(final Command c)
    {
        int budget = expireLots(c, c.limit);
        budget = releaseHolds(c, budget);
        budget = matureEarns(c, budget);
        budget = evaluateTiers(c, budget);
        giveBirthdayGifts(c, budget);
        c.resultPoints = c.expired;
    }

    /** @return the budget left. */
    private int expireLots(final Command c, final int budget)
    {
        final long now = c.timestamp;
        int left = budget;
        long expired = 0;
        while (left > 0 && lots.anyDue(now))
        {
            // the queue holds exactly the open lots; expire all of the earliest one's member's due lots at once
            // (they sit at the front of its list: one array move), which takes them out of the queue
            final int lot = lots.firstToExpire();
            final int due = lots.member.get(lot);
            final int before = c.effects.size();
            expired += settle(c, due);
            final int count = c.effects.size() - before;
            if (count == 0)
            {
                throw new IllegalStateException("due lot " + lots.ids.get(lot) + " did not expire");
            }
            left -= count;
        }
        c.expired = expired;
        return left;
    }

    /** @return the budget left. */
    private int releaseHolds(final Command c, final int budget)
    {
        final long now = c.timestamp;
        int left = budget;
        long released = 0;
        final Schedule timeouts = schedules.holdTimeouts;
        while (left > 0 && Schedules.due(timeouts, now))
        {
            final long hold = timeouts.peekPosition();
            timeouts.poll();
            final long held = requests.isLive(hold) ? requests.points(hold) - requests.reversed(hold) : 0;
            if (held <= 0)
            {
                continue; // captured or released before its timeout
            }
            final int m = requests.member(hold);
            final ProgramState ps = programs.get(members.program(m));
            final int before = c.effects.size();
            c.expired += settlement.settleDue(ps.program(), c, m, now);
            holds.release(ps.program(), c, m, hold, held);
            ps.accounts.post(c.effects, before, c.effects.size());
            requests.addReversed(hold, held);
            released += held;
            left -= c.effects.size() - before;
        }
        c.released = released;
        return left;
    }

    /** @return the budget left. */
    private int matureEarns(final Command c, final int budget)
    {
        int left = budget;
        final Schedule maturities = schedules.maturities;
        while (left > 0 && Schedules.due(maturities, c.timestamp))
        {
            final long position = maturities.peekPosition();
            maturities.poll();
            if (!requests.isLive(position))
            {
                continue;
            }
            final int m = requests.member(position);
            if (members.findPending(m, position) < 0)
            {
                continue; // matured already (at a write of the member, or with an earlier one), or cancelled
            }
            final int before = c.effects.size();
            c.expired += settle(c, m);
            left -= c.effects.size() - before;
        }
        return left;
    }

    /** @return the budget left. */
    private int evaluateTiers(final Command c, final int budget)
    {
        int left = budget;
        final Schedule evaluations = schedules.evaluations;
        while (left > 0 && Schedules.due(evaluations, c.timestamp))
        {
            final int m = (int)evaluations.peekPosition();
            final long at = evaluations.peekAt();
            evaluations.poll();
            if (members.nextEvaluationAt(m) != at ||
                programs.program(members.program(m)).tierWindow() == Program.TierWindow.LIFETIME)
            {
                // rescheduled by a write of the member: its entry at the new instant takes its turn; or its program
                // stopped evaluating (one that starts again queues all its members afresh: see ProgramChanges)
                continue;
            }
            final int before = c.effects.size();
            c.expired += settle(c, m);
            left -= c.effects.size() - before;
        }
        return left;
    }

    private void giveBirthdayGifts(final Command c, final int budget)
    {
        int left = budget;
        final Schedule birthdays = schedules.birthdays;
        while (left > 0 && Schedules.due(birthdays, c.timestamp))
        {
            final int m = (int)birthdays.peekPosition();
            final long at = birthdays.peekAt();
            birthdays.poll();
            if (members.nextBirthdayAt(m) != at ||
                !Settlement.mayHaveGift(members, programs.program(members.program(m)), m))
            {
                // moved on at a write of the member; or no gift for it (frozen, closed, full): the sweep changes
                // nothing it would not journal, and the member's next write moves its schedule on
                continue;
            }
            final int before = c.effects.size();
            c.expired += settle(c, m);
            left -= c.effects.size() - before;
        }
    }

    /**
     * Settles what is due for a member in its own program and posts the effects to that program's accounts.
     *
     * @return the points expired.
     */
    private long settle(final Command c, final int m)
    {
        final ProgramState ps = programs.get(members.program(m));
        final int before = c.effects.size();
        final long expired = settlement.settleDue(ps.program(), c, m, c.timestamp);
        ps.accounts.post(c.effects, before, c.effects.size());
        return expired;
    }
}
