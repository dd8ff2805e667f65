package io.jifen.ledger.core;

/**
 * The programs of the ledger, by slot in the order they were first put in force (slot 0 is the ledger's first
 * program, the one requests without a program id name), each with its {@link ProgramState}, allocated up front for
 * every slot; and the request retention the programs ask for together.
 */
final class ProgramStates
{
    private final ProgramState[] states = new ProgramState[Ledger.PROGRAMS_MAX];
    private int count;
    /** Request ids are remembered for the longest retention window of the programs. */
    private long retentionMs;
    /** Requests stamped before this are forgotten even if the retention window grows later (no revival). */
    private long forgottenBefore = Long.MIN_VALUE;

    ProgramStates(final Program first)
    {
        for (int i = 0; i < states.length; i++)
        {
            states[i] = new ProgramState(i);
        }
        add(first);
    }

    int count()
    {
        return count;
    }

    boolean full()
    {
        return count == states.length;
    }

    ProgramState get(final int slot)
    {
        return states[slot];
    }

    Program program(final int slot)
    {
        return states[slot].program();
    }

    /** @return the slot of the program a request names (null or empty: the first program), or -1 if none. */
    int slotOf(final String programId)
    {
        if (null == programId || programId.isEmpty())
        {
            return 0;
        }
        for (int i = 0; i < count; i++)
        {
            if (states[i].program().name().equals(programId))
            {
                return i;
            }
        }
        return -1;
    }

    /** @return the state of the program a request names, or null if the ledger has no such program. */
    ProgramState named(final String programId)
    {
        final int slot = slotOf(programId);
        return slot < 0 ? null : states[slot];
    }

    /** Puts a new program in force in the next slot: @return its state. */
    ProgramState add(final Program added)
    {
        final ProgramState state = states[count++];
        state.putInForce(added);
        retentionMs = Math.max(retentionMs, added.requestRetentionMs());
        return state;
    }

    /** Puts a new version of the program in a slot in force. */
    void replace(final int slot, final Program next)
    {
        states[slot].putInForce(next);
        retentionMs = 0;
        for (int i = 0; i < count; i++)
        {
            retentionMs = Math.max(retentionMs, states[i].program().requestRetentionMs());
        }
    }

    /** @return the earliest request time still remembered at {@code now}. */
    long retentionCutoff(final long now)
    {
        return Math.max(forgottenBefore, now - retentionMs);
    }

    /** What the retention window has forgotten at {@code now} stays forgotten, even if a new window is longer. */
    void keepForgotten(final long now)
    {
        forgottenBefore = Math.max(forgottenBefore, retentionCutoff(now));
    }

    long forgottenBefore()
    {
        return forgottenBefore;
    }

    /** Mixes the programs' texts, in slot order, into a state hash. */
    long hashPrograms(final long seed)
    {
        long h = seed;
        for (int i = 0; i < count; i++)
        {
            h = Hashing.mix(h, states[i].program().toText());
        }
        return h;
    }

    /** Mixes each program's state, in slot order, into a state hash. */
    long hash(final long seed)
    {
        long h = seed;
        for (int i = 0; i < count; i++)
        {
            h = states[i].hash(h);
        }
        return h;
    }

    /** @throws IllegalStateException naming the first program whose accounts disagree with its members. */
    void checkInvariants(final MemberStore members)
    {
        for (int i = 0; i < count; i++)
        {
            states[i].checkInvariants(members);
        }
    }

    /** Each program in force as its text (parsed again on reading), then its slot's state. */
    void writeTo(final SnapshotOutput out)
    {
        out.writeInt(count);
        out.writeLong(retentionMs);
        out.writeLong(forgottenBefore);
        for (int i = 0; i < count; i++)
        {
            out.writeString(states[i].program().toText());
            states[i].writeTo(out);
        }
    }

    /** Reads the programs back; the first program, slot 0, was read already (a ledger is built around it). */
    void readFrom(final SnapshotInput in, final Program first)
    {
        final long start = in.position();
        final int programs = in.readInt();
        in.check(start, programs >= 1 && programs <= states.length, programs + " programs");
        retentionMs = in.readLong();
        forgottenBefore = in.readLong();
        for (int i = 0; i < programs; i++)
        {
            final long at = in.position();
            final String text = in.readString();
            final Program program;
            try
            {
                program = i == 0 ? first : Program.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new SnapshotFormatException(at, "program " + i + " does not parse: " + ex.getMessage());
            }
            in.check(at, program.toText().equals(text), "program " + i + " reads back to a different text");
            states[i].readFrom(in, program);
        }
        count = programs;
    }
}
