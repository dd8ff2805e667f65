package io.jifen.ledger.core;

/**
 * SetProgram: puts a program in force. Without a program id the command replaces the ledger's first program (whatever
 * its name: journals written before several programs rename it freely). With one, it replaces the program of that
 * name, or adds a program of that name; either way the program's own name must be the id, and names stay unique.
 * <p>
 * A program put by an admin while serving ({@link Command#putByName}) is matched by its own name instead, must carry a
 * higher version than the one it replaces, and is journaled as the start-up path would have journaled it (no id for
 * the first program, its name for another): the flag itself never reaches the journal.
 */
final class ProgramChanges
{
    private final ProgramStates programs;
    private final MemberStore members;
    private final Schedules schedules;

    ProgramChanges(final Stores stores)
    {
        this.programs = stores.programs;
        this.members = stores.members;
        this.schedules = stores.schedules;
    }

    /** @return true if the program was put in force, else false with the result set. */
    boolean setProgram(final Command c)
    {
        final Program next;
        try
        {
            next = Program.parse(c.programText);
        }
        catch (final IllegalArgumentException ex)
        {
            c.result = ResultCode.COMMAND_INVALID;
            return false;
        }
        if (c.putByName)
        {
            final int slot = programs.slotOf(next.name());
            c.programId = slot == 0 ? null : next.name();
            if (slot >= 0 && programs.program(slot).sameRules(next))
            {
                c.resultDetail = programs.program(slot).version(); // in force already (sequence 0), this version
                return false;
            }
            if (slot >= 0 && next.version() <= programs.program(slot).version())
            {
                c.result = ResultCode.PROGRAM_VERSION_NOT_HIGHER;
                c.resultDetail = programs.program(slot).version();
                return false;
            }
        }
        final boolean named = null != c.programId && !c.programId.isEmpty();
        final int target = named ? programs.slotOf(c.programId) : 0;
        final ResultCode refused = refusal(c, next, named, target);
        if (refused != ResultCode.OK)
        {
            c.result = refused;
            return false;
        }
        // what the old window had forgotten stays forgotten, even if the new window is longer
        programs.keepForgotten(c.timestamp);
        final boolean wasEvaluating;
        final boolean wasGifting;
        if (target < 0)
        {
            programs.add(next);
            wasEvaluating = false;
            wasGifting = false;
        }
        else
        {
            final Program before = programs.program(target);
            wasEvaluating = before.tierWindow() != Program.TierWindow.LIFETIME;
            wasGifting = before.birthdayGift() > 0;
            programs.replace(target, next);
        }
        // the sweep's schedules hold members only while their program acts on them; a program that starts to needs
        // all its members queued: the schedules are rebuilt (stale entries of other members are dropped on the way)
        if (!wasEvaluating && next.tierWindow() != Program.TierWindow.LIFETIME)
        {
            schedules.rebuildEvaluations(members, programs);
        }
        if (!wasGifting && next.birthdayGift() > 0)
        {
            schedules.rebuildBirthdays(members, programs);
        }
        return true;
    }

    /** @return why the program may not be put in force in {@code target} (-1: a new slot), or OK. */
    private ResultCode refusal(final Command c, final Program next, final boolean named, final int target)
    {
        if (named && !next.name().equals(c.programId))
        {
            return ResultCode.PROGRAM_ID_INVALID; // the program's name is its id
        }
        final int sameName = programs.slotOf(next.name());
        if (sameName >= 0 && sameName != target && target >= 0)
        {
            return ResultCode.PROGRAM_ID_INVALID; // another program has that name already
        }
        if (target == 0 && programs.count() > 1 && !next.name().equals(programs.program(0).name()))
        {
            return ResultCode.PROGRAM_ID_INVALID; // partners, their limits and clearing name the first program
        }
        if (target < 0 && programs.full())
        {
            return ResultCode.PROGRAMS_MAX;
        }
        return ResultCode.OK;
    }
}
