package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The members of every program: their records by index (the order they enrolled in, for the life of the ledger) and
 * the index by key. A member's key is (program, id): {@code alice} of one program and {@code alice} of another are two
 * members. Members are never removed (a closed member keeps its record), so an index is a stable reference.
 */
final class MemberStore
{
    private IdIndex byId;
    private final IdIndex.PositionToId idAt = this::idAt;
    private Member[] members;
    private int count;
    /** The program slot {@link #find} looks in: read by {@link #idAt} while the index probes, never kept after. */
    private int probeSlot;

    MemberStore(final int expected)
    {
        byId = new IdIndex(expected);
        members = new Member[expected];
    }

    int count()
    {
        return count;
    }

    Member get(final int index)
    {
        return members[index];
    }

    /** @return the index of the member of the program in {@code programSlot} with this id, or -1. */
    int find(final int programSlot, final String id)
    {
        probeSlot = programSlot;
        return (int)byId.find(id, keyHash(programSlot, id), idAt);
    }

    /**
     * Adds a member of the program in {@code programSlot}; the caller has checked it is new and that there is room.
     *
     * @return the new member.
     */
    Member add(
        final int programSlot, final String id, final int birthday, final int referrer, final long enrolledAt)
    {
        assert find(programSlot, id) < 0 : "member " + id + " exists";
        final int index = count++;
        if (index == members.length)
        {
            members = Arrays.copyOf(members, index << 1);
        }
        final Member m = new Member(id, index, birthday, referrer, enrolledAt, programSlot);
        members[index] = m;
        probeSlot = programSlot;
        byId.put(id, keyHash(programSlot, id), index, idAt);
        return m;
    }

    /** @return the member of the program in {@code slot} the command names, or null with the result set. */
    Member named(final int slot, final Command c)
    {
        final int index = find(slot, c.memberId);
        if (index < 0)
        {
            c.result = ResultCode.MEMBER_NOT_FOUND;
            return null;
        }
        return members[index];
    }

    /** @return the member the command names if it is not closed (frozen or active), or null with the result set. */
    Member open(final int slot, final Command c)
    {
        final Member m = named(slot, c);
        if (null != m && m.status == MemberStatus.CLOSED.code())
        {
            c.result = ResultCode.MEMBER_CLOSED;
            return null;
        }
        return m;
    }

    /**
     * @param frozenAllowed corrections and reversals still apply to a frozen member; earning and redeeming do not.
     * @return the member the command names if it may be written, or null with the result set.
     */
    Member active(final int slot, final Command c, final boolean frozenAllowed)
    {
        final Member m = open(slot, c);
        if (null != m && m.status == MemberStatus.FROZEN.code() && !frozenAllowed)
        {
            c.result = ResultCode.MEMBER_FROZEN;
            return null;
        }
        return m;
    }

    /**
     * Checks every member against its lots.
     *
     * @return the open lots of all members.
     * @throws IllegalStateException naming the first member whose lists disagree with its lots.
     */
    long checkInvariants(final LotStore lots)
    {
        long openLots = 0;
        for (int i = 0; i < count; i++)
        {
            final Member m = members[i];
            if (!lots.memberConsistent(m))
            {
                throw new IllegalStateException("member invariants broken for " + m.id);
            }
            openLots += m.lotCount;
        }
        return openLots;
    }

    /** @return the id of the member at an index if it is a member of the program probed for (ids are per program). */
    private String idAt(final long index)
    {
        final Member m = members[(int)index];
        return m.program == probeSlot ? m.id : null;
    }

    /** A member's key is (program, id): the first program's members hash as the id alone (older journals). */
    private static long keyHash(final int programSlot, final String id)
    {
        final long h = IdIndex.hash(id);
        return programSlot == 0 ? h : Hashing.mix(h, programSlot);
    }

    long hash(final long seed)
    {
        long h = Hashing.mix(seed, count);
        for (int i = 0; i < count; i++)
        {
            h = members[i].hash(h);
        }
        return h;
    }

    /** The members in index order, each with what its constructor takes, then the rest of it. */
    void writeTo(final SnapshotOutput out)
    {
        out.writeInt(members.length);
        out.writeInt(count);
        for (int i = 0; i < count; i++)
        {
            final Member m = members[i];
            out.writeString(m.id);
            out.writeInt(m.program);
            out.writeInt(m.birthday);
            out.writeInt(m.referrer);
            out.writeLong(m.enrolledAt);
            m.writeTo(out);
        }
    }

    /**
     * Reads the members back into this empty store, indexing them by key as they were enrolled.
     *
     * @param expected members to make room for, at least.
     */
    void readFrom(final SnapshotInput in, final int programs, final int expected)
    {
        final long start = in.position();
        final int capacity = in.readInt();
        final int members = in.readInt();
        if (!(count == 0 && members >= 0 && capacity >= members && capacity > 0))
        {
            throw in.impossible(start, members + " members in " + capacity + " places");
        }
        this.members = new Member[Math.max(capacity, expected)];
        byId = new IdIndex(Math.max(members, expected));
        for (int i = 0; i < members; i++)
        {
            final long at = in.position();
            final String id = in.readString();
            final int program = in.readInt();
            final int birthday = in.readInt();
            final int referrer = in.readInt();
            final long enrolledAt = in.readLong();
            if (!(null != id && program >= 0 && program < programs && referrer < i && find(program, id) < 0))
            {
                throw in.impossible(at, "member " + i + " (" + id + " of program " + program + ", referred by " +
                    referrer + ")");
            }
            add(program, id, birthday, referrer, enrolledAt).readFrom(in);
        }
    }
}
