package io.jifen.ledger.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A ledger's whole state as a snapshot's body (docs/snapshot-format.md): numbered sections, one per store, each store
 * writing and reading itself, then the state hash of what was written, which the state read back must reproduce.
 */
final class LedgerSnapshot
{
    private LedgerSnapshot()
    {
    }

    /** @return the state hash written at the end. */
    static long write(final Ledger ledger, final SnapshotOutput out)
    {
        final Stores stores = ledger.stores();
        out.section(1);
        out.writeLong(ledger.lastSequence());
        out.writeLong(ledger.lastTimestamp());
        out.writeString(stores.programs.program(0).toText());
        out.section(2);
        stores.programs.writeTo(out);
        out.section(3);
        stores.members.writeTo(out);
        out.section(4);
        stores.lots.writeTo(out);
        out.section(5);
        stores.requests.writeTo(out);
        out.section(6);
        stores.schedules.writeTo(out);
        out.section(7);
        stores.totals.writeTo(out);
        out.section(8);
        final long stateHash = ledger.stateHash();
        out.writeLong(stateHash);
        return stateHash;
    }

    /**
     * @param expectedStateHash what the state must hash to besides what the body says, or null.
     * @throws SnapshotFormatException where the body cannot be what {@link #write} wrote, or the state read back does
     * not hash to the state written or breaks an invariant.
     */
    static Ledger read(final SnapshotInput in, final LedgerContext context, final Long expectedStateHash)
    {
        in.section(1);
        final long sequence = in.readLong();
        final long timestamp = in.readLong();
        final long programAt = in.position();
        final String firstText = in.readString();
        final Program first;
        try
        {
            first = Program.parse(firstText);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new SnapshotFormatException(programAt, "the first program does not parse: " + ex.getMessage());
        }
        // the tables the context asks for would be allocated only to be replaced: each store sizes its own as it reads
        final LedgerContext concluded = context.conclude();
        final Ledger ledger = new Ledger(first, concluded.withSmallTables());
        ledger.resumeAt(sequence, timestamp);
        final Stores stores = ledger.stores();
        in.section(2);
        stores.programs.readFrom(in, first);
        in.section(3);
        stores.members.readFrom(in, stores.programs.count(), concluded.expectedMembers());
        in.section(4);
        stores.lots.readFrom(in, concluded.expectedLots());
        in.section(5);
        stores.requests.readFrom(in, concluded.expectedRequests());
        in.section(6);
        stores.schedules.readFrom(in);
        in.section(7);
        stores.totals.readFrom(in);
        in.section(8);
        final long hashAt = in.position();
        final long written = in.readLong();
        // the state hash and the invariants each walk the whole state, read-only: on two threads they take the time
        // of the longer (a second or more per million members)
        final CompletableFuture<Long> hashing = CompletableFuture.supplyAsync(ledger::stateHash);
        IllegalStateException broken = null;
        try
        {
            ledger.checkInvariants();
        }
        catch (final IllegalStateException ex)
        {
            broken = ex;
        }
        final long read = joined(hashing);
        if (written != read)
        {
            throw new SnapshotFormatException(hashAt, String.format("the state read back hashes to %016x, the " +
                "state written to %016x", read, written));
        }
        if (null != expectedStateHash && expectedStateHash != written)
        {
            throw new SnapshotFormatException(hashAt, String.format("the body's state hash %016x is not the " +
                "header's %016x", written, expectedStateHash));
        }
        if (null != broken)
        {
            throw new SnapshotFormatException(hashAt, "the state read back breaks an invariant: " +
                broken.getMessage());
        }
        return ledger;
    }

    /** @return the hash, or what computing it threw (damaged state may throw anything). */
    private static long joined(final CompletableFuture<Long> hashing)
    {
        try
        {
            return hashing.join();
        }
        catch (final CompletionException ex)
        {
            if (ex.getCause() instanceof RuntimeException cause)
            {
                throw cause;
            }
            if (ex.getCause() instanceof Error error)
            {
                throw error;
            }
            throw ex;
        }
    }
}
