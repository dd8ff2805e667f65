package io.jifen.ledger.core;

import java.math.BigInteger;

/**
 * The ledger's double entry. Every effect moves its points from one account to another, so the postings of every
 * record, and the accounts over all time, sum to zero; the members' accounts must equal what the members hold (checked
 * by {@link Ledger#checkInvariants()}), which proves every change of a balance was journaled as an effect of the right
 * kind. The program's accounts are what finance reads: points issued (and issued as bonuses), redeemed, expired
 * (breakage) and clawed back. Member accounts are kept here as totals over all members; each member's own are its
 * available, pending, held and owed points. Each program of a ledger has its own accounts, which balance on their own:
 * an exchange between two programs posts to each program's clearing account for the other (kept per partner here).
 */
public final class Accounts
{
    /** The accounts, by posting order. */
    public enum Account
    {
        /** Points issued by earning: its balance is minus what was issued. */
        ISSUED,
        /** Points issued as program bonuses (welcome, first purchase, referral, birthday). */
        BONUS_ISSUED,
        REDEEMED,
        /** Breakage. */
        EXPIRED,
        /** Points taken back: reversed earns, cancelled pending points, shortfalls owed. */
        CLAWED,
        /** Points between the two members of a transfer: zero after every record. */
        TRANSIT,
        /**
         * Coalition clearing, over all partners: points this program's members sent partner programs (a credit) less
         * points its members received from them (a debit). What the programs settle between them, in money, outside.
         */
        CLEARING,
        MEMBERS_AVAILABLE,
        MEMBERS_PENDING,
        MEMBERS_HELD,
        /** What members owe from clawback shortfalls, as a negative balance. */
        MEMBERS_OWED
    }

    private static final Account[] ACCOUNTS = Account.values();
    private static final int KINDS = 32;
    private static final Account[] FROM = new Account[KINDS];
    private static final Account[] TO = new Account[KINDS];

    static
    {
        map(EffectLog.CREDIT, Account.ISSUED, Account.MEMBERS_AVAILABLE);
        map(EffectLog.DEBIT, Account.MEMBERS_AVAILABLE, Account.REDEEMED);
        map(EffectLog.EXPIRE, Account.MEMBERS_AVAILABLE, Account.EXPIRED);
        map(EffectLog.RESTORE, Account.REDEEMED, Account.MEMBERS_AVAILABLE);
        map(EffectLog.CLAWBACK, Account.MEMBERS_AVAILABLE, Account.CLAWED);
        map(EffectLog.HOLD, Account.MEMBERS_AVAILABLE, Account.MEMBERS_HELD);
        map(EffectLog.CAPTURE, Account.MEMBERS_HELD, Account.REDEEMED);
        map(EffectLog.RELEASE, Account.MEMBERS_HELD, Account.MEMBERS_AVAILABLE);
        map(EffectLog.PENDING, Account.ISSUED, Account.MEMBERS_PENDING);
        map(EffectLog.MATURE, Account.MEMBERS_PENDING, Account.MEMBERS_AVAILABLE);
        map(EffectLog.PENDING_CANCEL, Account.MEMBERS_PENDING, Account.CLAWED);
        map(EffectLog.BONUS, Account.BONUS_ISSUED, Account.MEMBERS_AVAILABLE);
        map(EffectLog.REFERRER_BONUS, Account.BONUS_ISSUED, Account.MEMBERS_AVAILABLE);
        map(EffectLog.REFERRER_CLAWBACK, Account.MEMBERS_AVAILABLE, Account.CLAWED);
        map(EffectLog.TRANSFER_OUT, Account.MEMBERS_AVAILABLE, Account.TRANSIT);
        map(EffectLog.TRANSFER_IN, Account.TRANSIT, Account.MEMBERS_AVAILABLE);
        map(EffectLog.GRACE, Account.REDEEMED, Account.MEMBERS_AVAILABLE);
        map(EffectLog.SHORTFALL, Account.MEMBERS_OWED, Account.CLAWED);
        map(EffectLog.SETTLE, Account.MEMBERS_AVAILABLE, Account.MEMBERS_OWED);
        map(EffectLog.RESTORE_LOT, Account.REDEEMED, Account.MEMBERS_AVAILABLE);
        map(EffectLog.RELEASE_LOT, Account.MEMBERS_HELD, Account.MEMBERS_AVAILABLE);
        map(EffectLog.RECLAIM, Account.REDEEMED, Account.CLAWED);
        map(EffectLog.RECLAIM_HELD, Account.MEMBERS_HELD, Account.CLAWED);
        map(EffectLog.EXCHANGE_OUT, Account.MEMBERS_AVAILABLE, Account.CLEARING);
        map(EffectLog.EXCHANGE_IN, Account.CLEARING, Account.MEMBERS_AVAILABLE);
        // a tier evaluation and a forgiven shortfall move no points: no posting
    }

    /** @return the account an effect of this kind takes its points from, or null if it posts nothing. */
    public static Account from(final byte kind)
    {
        return kind >= 0 && kind < KINDS ? FROM[kind] : null;
    }

    /** @return the account an effect of this kind puts its points in, or null if it posts nothing. */
    public static Account to(final byte kind)
    {
        return kind >= 0 && kind < KINDS ? TO[kind] : null;
    }

    private final WideCounter[] in = new WideCounter[ACCOUNTS.length];
    private final WideCounter[] out = new WideCounter[ACCOUNTS.length];
    /** One record's net postings by account (scratch). */
    private final long[] net = new long[ACCOUNTS.length];
    /** The clearing account by partner program name: points sent to it less points received from it. */
    private final java.util.TreeMap<String, WideCounter[]> clearing = new java.util.TreeMap<>();

    Accounts()
    {
        for (int i = 0; i < ACCOUNTS.length; i++)
        {
            in[i] = new WideCounter();
            out[i] = new WideCounter();
        }
    }

    private static void map(final byte kind, final Account from, final Account to)
    {
        FROM[kind] = from;
        TO[kind] = to;
    }

    /**
     * Posts a record's effects from {@code from} (inclusive) to {@code to} (exclusive), all of this program's members:
     * each a debit of one account and a credit of another of the same amount.
     */
    void post(final EffectLog effects, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final byte kind = effects.kind(i);
            final Account debited = FROM[kind];
            if (null == debited)
            {
                if (kind != EffectLog.TIER && kind != EffectLog.FORGIVE)
                {
                    throw new IllegalStateException("effect kind " + kind + " has no postings");
                }
                continue;
            }
            final long amount = effects.amount(i);
            out[debited.ordinal()].add(amount);
            in[TO[kind].ordinal()].add(amount);
        }
        assert balanced(effects, from, to) : "a record's postings must sum to zero, transfers landing in one record";
    }

    /**
     * Books an exchange in the clearing account's detail: {@code sent} points of this program to the partner, or
     * {@code received} points of this program from it.
     */
    void clear(final String partner, final long sent, final long received)
    {
        final WideCounter[] counters = clearing.computeIfAbsent(partner, p -> new WideCounter[] {
            new WideCounter(), new WideCounter()});
        counters[0].add(sent);
        counters[1].add(received);
    }

    /** @return the partner programs this program has exchanged points with, by name (sorted). */
    public java.util.Set<String> partners()
    {
        return java.util.Collections.unmodifiableSet(clearing.keySet());
    }

    /** @return the clearing balance with one partner: points sent to it less points received from it. */
    public BigInteger clearing(final String partner)
    {
        final WideCounter[] counters = clearing.get(partner);
        return null == counters ? BigInteger.ZERO : counters[0].value().subtract(counters[1].value());
    }

    /** @throws IllegalStateException if the clearing account is not the sum of its detail by partner. */
    void checkClearing()
    {
        BigInteger sum = BigInteger.ZERO;
        for (final String partner : clearing.keySet())
        {
            sum = sum.add(clearing(partner));
        }
        if (!sum.equals(balance(Account.CLEARING)))
        {
            throw new IllegalStateException("the clearing account holds " + balance(Account.CLEARING) +
                " but its partners " + sum);
        }
    }

    /** The record's net postings by account sum to zero, and nothing is left in transit. */
    private boolean balanced(final EffectLog effects, final int from, final int to)
    {
        java.util.Arrays.fill(net, 0);
        for (int i = from; i < to; i++)
        {
            final byte kind = effects.kind(i);
            if (null != FROM[kind])
            {
                net[FROM[kind].ordinal()] -= effects.amount(i);
                net[TO[kind].ordinal()] += effects.amount(i);
            }
        }
        long sum = 0;
        for (final long n : net)
        {
            sum += n;
        }
        return sum == 0 && net[Account.TRANSIT.ordinal()] == 0;
    }

    /** @return an account's balance: what it received less what it gave. */
    public BigInteger balance(final Account account)
    {
        return in[account.ordinal()].value().subtract(out[account.ordinal()].value());
    }

    /** @return the sum of every account's balance: zero, always. */
    public BigInteger total()
    {
        BigInteger total = BigInteger.ZERO;
        for (final Account account : ACCOUNTS)
        {
            total = total.add(balance(account));
        }
        return total;
    }

    long hash(final long seed)
    {
        long h = seed;
        for (int i = 0; i < ACCOUNTS.length; i++)
        {
            if (i == Account.CLEARING.ordinal() && clearing.isEmpty())
            {
                continue; // a ledger without exchanges hashes as before coalitions
            }
            h = in[i].hash(h);
            h = out[i].hash(h);
        }
        for (final java.util.Map.Entry<String, WideCounter[]> partner : clearing.entrySet())
        {
            h = Hashing.mix(h, partner.getKey());
            h = partner.getValue()[0].hash(h);
            h = partner.getValue()[1].hash(h);
        }
        return h;
    }

    void writeTo(final SnapshotOutput output)
    {
        output.writeInt(ACCOUNTS.length);
        for (int i = 0; i < ACCOUNTS.length; i++)
        {
            in[i].writeTo(output);
            out[i].writeTo(output);
        }
        output.writeInt(clearing.size());
        for (final java.util.Map.Entry<String, WideCounter[]> partner : clearing.entrySet())
        {
            output.writeString(partner.getKey());
            partner.getValue()[0].writeTo(output);
            partner.getValue()[1].writeTo(output);
        }
    }

    void readFrom(final SnapshotInput input)
    {
        final long start = input.position();
        input.check(start, input.readInt() == ACCOUNTS.length, "a different number of accounts");
        for (int i = 0; i < ACCOUNTS.length; i++)
        {
            in[i].readFrom(input);
            out[i].readFrom(input);
        }
        final int partners = input.readInt();
        input.check(start, partners >= 0 && partners <= Ledger.PROGRAMS_MAX, partners + " clearing partners");
        clearing.clear();
        for (int i = 0; i < partners; i++)
        {
            final String partner = input.readString();
            final WideCounter[] counters = {new WideCounter(), new WideCounter()};
            counters[0].readFrom(input);
            counters[1].readFrom(input);
            input.check(start, null != partner && null == clearing.put(partner, counters), "clearing partner " +
                partner);
        }
    }
}
