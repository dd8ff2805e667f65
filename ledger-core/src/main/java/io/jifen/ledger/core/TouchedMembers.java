package io.jifen.ledger.core;

import java.util.Arrays;

/**
 * The members a journaled write touched, each with its balances after it, and the member of each effect: the member
 * table of a record (version 3, docs/journal-format.md). Entry 0 is the write's own member (none for a sweep or a
 * program change); then each member an effect is of, in order of first touch. With it a reader can put every line of
 * a record, a sweep's expiries included, on the right member's statement, with the balance after it, without the
 * ledger's state.
 * <p>
 * Reused across commands like the effect log: {@link #reset()} keeps the arrays, which only grow.
 */
public final class TouchedMembers
{
    private String[] programs = new String[4];
    private String[] ids = new String[4];
    /** available, owed, held, pending of each entry. */
    private long[] balances = new long[4 * 4];
    private int size;
    private int[] effectEntries = new int[16];
    private int effectCount;
    /** The writer's member keys of the entries, to find an entry again (a sweep touches thousands). */
    private int[] keys = new int[4];
    /** Built once a table has more than 8 entries (a sweep), so the ring's commands do not each carry one. */
    private org.agrona.collections.Int2IntHashMap entryOfKey;

    public void reset()
    {
        size = 0;
        effectCount = 0;
        if (null != entryOfKey && !entryOfKey.isEmpty())
        {
            entryOfKey.clear();
        }
    }

    /**
     * @return the entry of the member with the writer's key {@code key}, or -1 if it has none yet.
     */
    public int entryOf(final int key)
    {
        if (size > 0 && keys[size - 1] == key)
        {
            return size - 1; // a sweep touches one member's lots in a row
        }
        if (size <= 8)
        {
            for (int i = 0; i < size; i++)
            {
                if (keys[i] == key)
                {
                    return i;
                }
            }
            return -1;
        }
        return entryOfKey.get(key);
    }

    /**
     * Appends an entry for the member with the writer's key {@code key} (which must not have one yet).
     *
     * @return its index.
     */
    public int add(final int key, final String program, final String id, final long available, final long owed,
        final long held, final long pending)
    {
        if (size == ids.length)
        {
            final int capacity = size << 1;
            programs = Arrays.copyOf(programs, capacity);
            ids = Arrays.copyOf(ids, capacity);
            balances = Arrays.copyOf(balances, capacity * 4);
            keys = Arrays.copyOf(keys, capacity);
        }
        programs[size] = program;
        ids[size] = id;
        balances[size * 4] = available;
        balances[size * 4 + 1] = owed;
        balances[size * 4 + 2] = held;
        balances[size * 4 + 3] = pending;
        keys[size] = key;
        if (size == 8)
        {
            if (null == entryOfKey)
            {
                entryOfKey = new org.agrona.collections.Int2IntHashMap(-1);
            }
            for (int i = 0; i < size; i++)
            {
                entryOfKey.put(keys[i], i);
            }
        }
        if (size >= 8)
        {
            entryOfKey.put(key, size);
        }
        return size++;
    }

    /** Appends the entry of the next effect's member. */
    public void addEffectEntry(final int entry)
    {
        if (effectCount == effectEntries.length)
        {
            effectEntries = Arrays.copyOf(effectEntries, effectCount << 1);
        }
        effectEntries[effectCount++] = entry;
    }

    /**
     * Fills the table of a journaled command from the ledger's state after it: its own member first (if any), then
     * the member of each effect.
     *
     * @param own the index of the write's own member, or -1.
     */
    void fill(final Command c, final int own, final Stores stores)
    {
        reset();
        if (own >= 0)
        {
            addMember(own, stores);
        }
        final EffectLog effects = c.effects;
        for (int i = 0, n = effects.size(); i < n; i++)
        {
            final int key = effects.member(i);
            final int entry = entryOf(key);
            addEffectEntry(entry >= 0 ? entry : addMember(key, stores));
        }
    }

    /**
     * An entry's available points are those of the member's open lots: a lot past its expiry counts until the record
     * that expires it (the sweep's, or the member's next write), so that each entry's balance is the one before plus
     * its effects, which a statement's running balance needs.
     */
    private int addMember(final int m, final Stores stores)
    {
        final MemberStore members = stores.members;
        return add(m, stores.programs.program(members.program(m)).name(), members.id[m], members.available(m),
            members.owed(m), members.held(m), members.pending(m));
    }

    /** Drops arrays grown past {@code entriesKept} entries back to the initial size. */
    void trim(final int entriesKept)
    {
        if (ids.length > entriesKept || effectEntries.length > entriesKept)
        {
            programs = new String[4];
            ids = new String[4];
            balances = new long[4 * 4];
            keys = new int[4];
            effectEntries = new int[16];
            entryOfKey = null;
            size = 0;
            effectCount = 0;
        }
    }

    public int size()
    {
        return size;
    }

    /** @return the program name of entry {@code i}. */
    public String program(final int i)
    {
        return programs[i];
    }

    public String memberId(final int i)
    {
        return ids[i];
    }

    public long available(final int i)
    {
        return balances[i * 4];
    }

    public long owed(final int i)
    {
        return balances[i * 4 + 1];
    }

    public long held(final int i)
    {
        return balances[i * 4 + 2];
    }

    public long pending(final int i)
    {
        return balances[i * 4 + 3];
    }

    public int effectCount()
    {
        return effectCount;
    }

    /** @return the entry of the member effect {@code i} is of. */
    public int effectEntry(final int i)
    {
        return effectEntries[i];
    }

    /** The table as text, for a test's comparison: one line per entry, then the effects' entries. */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++)
        {
            sb.append(programs[i]).append('/').append(ids[i]).append(" available=").append(available(i))
                .append(" owed=").append(owed(i)).append(" held=").append(held(i)).append(" pending=")
                .append(pending(i)).append('\n');
        }
        sb.append("effects of entries ").append(Arrays.toString(Arrays.copyOf(effectEntries, effectCount)));
        return sb.toString();
    }
}
