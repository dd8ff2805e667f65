package io.jifen.ledger.core;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the ledger keeps for one program slot: the program in force, its double-entry accounts, what its campaigns have
 * given, and what its members have sent each partner. One is allocated per slot up front; a handler is passed the state
 * of the program it acts on (there is no current program).
 */
final class ProgramState
{
    /** Where a partner's counters sit in its array: the day (of this program's zone) of the last exchange, ... */
    private static final int SENT_DAY = 0;
    /** ... the points sent that day, ... */
    private static final int SENT_TODAY = 1;
    /** ... the points sent in all, ... */
    private static final int SENT_ALL = 2;
    /** ... and 1 once anything was sent (only then is the entry state, hashed). */
    private static final int SENT_USED = 3;

    final int slot;
    final Accounts accounts = new Accounts();
    private Program program;
    /** Extra points each campaign of the program in force has given, by campaign index (budgets are exact). */
    private long[] campaignGiven;
    /** What campaigns of earlier versions of the program had given, by id (sorted, for the state hash). */
    private final TreeMap<String, Long> givenByCampaignId = new TreeMap<>();
    /**
     * Counters per partner program, by name. An entry is made when a program listing the partner is put in force, so
     * an exchange finds its counters without allocating; an entry nothing was sent through is not state.
     */
    private final TreeMap<String, long[]> sentToPartner = new TreeMap<>();

    ProgramState(final int slot)
    {
        this.slot = slot;
    }

    Program program()
    {
        return program;
    }

    /**
     * Puts a program in force in this slot (the first, or a new version). What a campaign has given is kept by id
     * for the life of the ledger: no program change refills a budget, not even one that drops a campaign and a later
     * one that brings it back.
     */
    void putInForce(final Program next)
    {
        if (null != program)
        {
            for (int j = 0; j < program.campaignCount(); j++)
            {
                givenByCampaignId.put(program.campaign(j).id(), campaignGiven[j]);
            }
        }
        final long[] kept = new long[next.campaignCount()];
        for (int i = 0; i < kept.length; i++)
        {
            kept[i] = givenByCampaignId.getOrDefault(next.campaign(i).id(), 0L);
        }
        campaignGiven = kept;
        program = next;
        for (int i = 0; i < next.partnerCount(); i++)
        {
            sentToPartner.computeIfAbsent(next.partner(i).program(), name -> new long[SENT_USED + 1]);
        }
    }

    /** @return the extra points the campaign at {@code index} of the program in force has given. */
    long campaignGiven(final int index)
    {
        return campaignGiven[index];
    }

    void addCampaignGiven(final int index, final long points)
    {
        campaignGiven[index] += points;
    }

    /** @return the points the members sent the partner on {@code day}. */
    long sentOn(final String partner, final int day)
    {
        final long[] sent = sentToPartner.get(partner);
        return null != sent && sent[SENT_USED] != 0 && sent[SENT_DAY] == day ? sent[SENT_TODAY] : 0;
    }

    /** @return the points the members sent the partner in all. */
    long sentInAll(final String partner)
    {
        final long[] sent = sentToPartner.get(partner);
        return null == sent ? 0 : sent[SENT_ALL];
    }

    /** Counts points sent to a partner the program lists (so its counters exist) on {@code day}. */
    void addSent(final String partner, final int day, final long points)
    {
        final long[] sent = sentToPartner.get(partner);
        sent[SENT_TODAY] = sent[SENT_USED] != 0 && sent[SENT_DAY] == day ? sent[SENT_TODAY] + points : points;
        sent[SENT_DAY] = day;
        sent[SENT_ALL] += points;
        sent[SENT_USED] = 1;
    }

    long hash(final long seed)
    {
        long h = accounts.hash(seed);
        for (final long given : campaignGiven)
        {
            h = Hashing.mix(h, given);
        }
        for (final Map.Entry<String, Long> given : givenByCampaignId.entrySet())
        {
            h = Hashing.mix(h, given.getKey());
            h = Hashing.mix(h, given.getValue());
        }
        for (final Map.Entry<String, long[]> sent : sentToPartner.entrySet())
        {
            final long[] counters = sent.getValue();
            if (counters[SENT_USED] != 0)
            {
                h = Hashing.mix(h, sent.getKey());
                h = Hashing.mix(h, counters[SENT_DAY]);
                h = Hashing.mix(h, counters[SENT_TODAY]);
                h = Hashing.mix(h, counters[SENT_ALL]);
            }
        }
        return h;
    }

    /**
     * Checks the program's accounts against its members: each members' account holds what they have, transit and
     * the total are zero, clearing balances per partner.
     *
     * @throws IllegalStateException naming the account.
     */
    void checkInvariants(final MemberStore members)
    {
        BigInteger available = BigInteger.ZERO;
        BigInteger owed = BigInteger.ZERO;
        long pending = 0;
        long held = 0;
        for (int m = 0; m < members.count(); m++)
        {
            if (members.program(m) == slot)
            {
                available = available.add(BigInteger.valueOf(members.available(m)));
                owed = owed.add(BigInteger.valueOf(members.owed(m)));
                pending += members.pending(m);
                held += members.held(m);
            }
        }
        checkAccount(Accounts.Account.MEMBERS_AVAILABLE, available);
        checkAccount(Accounts.Account.MEMBERS_PENDING, BigInteger.valueOf(pending));
        checkAccount(Accounts.Account.MEMBERS_HELD, BigInteger.valueOf(held));
        checkAccount(Accounts.Account.MEMBERS_OWED, owed.negate());
        checkAccount(Accounts.Account.TRANSIT, BigInteger.ZERO);
        if (accounts.total().signum() != 0)
        {
            throw new IllegalStateException("program '" + program.name() + "' accounts sum to " + accounts.total() +
                ", not zero");
        }
        accounts.checkClearing();
    }

    private void checkAccount(final Accounts.Account account, final BigInteger members)
    {
        if (!accounts.balance(account).equals(members))
        {
            throw new IllegalStateException("program '" + program.name() + "' account " + account + " holds " +
                accounts.balance(account) + " but its members " + members +
                ": a change of a balance was not journaled as its effect");
        }
    }

    /** The program in force is written by {@link ProgramStates}; this writes what the slot keeps beside it. */
    void writeTo(final SnapshotOutput out)
    {
        accounts.writeTo(out);
        out.writeLongs(campaignGiven, campaignGiven.length);
        out.writeInt(givenByCampaignId.size());
        for (final Map.Entry<String, Long> given : givenByCampaignId.entrySet())
        {
            out.writeString(given.getKey());
            out.writeLong(given.getValue());
        }
        out.writeInt(sentToPartner.size());
        for (final Map.Entry<String, long[]> sent : sentToPartner.entrySet())
        {
            out.writeString(sent.getKey());
            out.writeLongs(sent.getValue(), sent.getValue().length);
        }
    }

    /** Reads what {@link #writeTo} wrote, for the program {@code inForce}. */
    void readFrom(final SnapshotInput in, final Program inForce)
    {
        final long start = in.position();
        program = inForce;
        accounts.readFrom(in);
        campaignGiven = in.readLongs();
        in.check(start, campaignGiven.length == inForce.campaignCount(), campaignGiven.length + " campaign totals " +
            "for a program of " + inForce.campaignCount() + " campaigns");
        givenByCampaignId.clear();
        final int given = in.readInt();
        in.check(start, given >= 0, given + " campaign ids");
        for (int i = 0; i < given; i++)
        {
            final String id = in.readString();
            givenByCampaignId.put(id, in.readLong());
        }
        sentToPartner.clear();
        final int partners = in.readInt();
        in.check(start, partners >= 0 && partners <= Ledger.PROGRAMS_MAX, partners + " partners");
        for (int i = 0; i < partners; i++)
        {
            final String partner = in.readString();
            final long[] counters = in.readLongs();
            in.check(start, null != partner && counters.length == SENT_USED + 1, "partner counters of " + partner);
            sentToPartner.put(partner, counters);
        }
    }
}
