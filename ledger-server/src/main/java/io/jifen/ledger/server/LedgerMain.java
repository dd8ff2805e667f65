package io.jifen.ledger.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalRecord;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.journal.JournalScanner;

/**
 * The {@code ledger} command's entry point ({@link LedgerCli} says what each command takes), and the offline journal
 * tools' work: {@code journal dump}, {@code journal verify}, {@code journal archive}, {@code snapshot}.
 */
public final class LedgerMain
{
    private LedgerMain()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line: @return its exit code ({@link LedgerCli.Exit}). */
    static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        return LedgerCli.execute(args, out, err);
    }

    /** Work on a data folder no server may be using at the same time. */
    @FunctionalInterface
    private interface Offline<T>
    {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} holding the data folder's lock, which a server holds while it runs.
     *
     * @param why what to tell the operator when a server holds it.
     */
    private static <T> T whileNoServerRuns(final Path data, final String why, final Offline<T> work)
        throws IOException
    {
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(data.resolve("LOCK"),
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock held = lock.tryLock())
        {
            if (null == held)
            {
                throw new LedgerCli.Failure(LedgerCli.Exit.UNAVAILABLE, "a ledger server is running on " +
                    data.toAbsolutePath() + " (" + data.resolve("LOCK") + " is locked): " + why, null);
            }
            return work.run();
        }
    }

    /** {@code ledger journal archive --data DIR [--to DIR]}: day files a snapshot covers leave the data folder. */
    static int archive(final Path data, final Path target, final PrintStream out) throws IOException
    {
        requireJournal(data);
        final Path folder = data;
        final Path to = null == target ? data.resolve(io.jifen.ledger.snapshot.JournalArchive.FOLDER) : target;
        final io.jifen.ledger.snapshot.JournalArchive.Archived archived = whileNoServerRuns(data, "stop it " +
            "first (Chronicle must not lose files under a running writer)", () ->
            io.jifen.ledger.snapshot.JournalArchive.archive(folder.resolve("journal"),
                new io.jifen.ledger.snapshot.SnapshotStore(folder.resolve(io.jifen.ledger.snapshot.SnapshotStore
                    .FOLDER)), to, new LedgerContext()));
        out.printf("covered by %s (%s)%n", archived.snapshot(), archived.covering().at());
        if (archived.files().isEmpty())
        {
            out.println("nothing to archive: the snapshot is in the journal's oldest day file");
            return 0;
        }
        for (final Path file : archived.files())
        {
            out.println("archived " + file);
        }
        return 0;
    }

    /**
     * {@code ledger snapshot --data DIR}: the journaled state as of now, from the newest snapshot and the tail. With
     * {@code --written N} it is a running server's child: it reads the N documents the server has finished writing
     * (the server holds the folder's lock), and stops if the server dies.
     */
    static int snapshot(final Path data, final long written, final LedgerContext context, final PrintStream out)
        throws IOException
    {
        final Path journal = data.resolve("journal");
        if (!Files.isDirectory(journal))
        {
            throw new IllegalArgumentException("no journal in " + journal.toAbsolutePath());
        }
        final io.jifen.ledger.snapshot.SnapshotStore store =
            new io.jifen.ledger.snapshot.SnapshotStore(data.resolve(io.jifen.ledger.snapshot.SnapshotStore.FOLDER));
        final java.util.function.Supplier<Ledger> empty = () -> new Ledger(Program.defaultProgram(), context);
        final io.jifen.ledger.snapshot.Snapshotter.Taken taken;
        if (written >= 0)
        {
            final java.util.Optional<ProcessHandle> server = ProcessHandle.current().parent();
            taken = io.jifen.ledger.snapshot.Snapshotter.take(journal, written, store, context, empty,
                () -> server.map(p -> !p.isAlive()).orElse(true));
        }
        else
        {
            taken = whileNoServerRuns(data, "it takes snapshots itself (--snapshot-every-records, " +
                "--snapshot-every-minutes)", () ->
                io.jifen.ledger.snapshot.Snapshotter.take(journal, -1, store, context, empty, () -> false));
        }
        if (null == taken)
        {
            out.println("nothing to do: the newest snapshot is at the journal's end (or the journal is empty)");
            return 0;
        }
        out.printf("snapshot %s%n  at %s%n  %d members, %d lots, %d bytes%n  replayed %d records from %s in " +
            "%.1f ms, written in %.1f ms%n", taken.file(), taken.at(), taken.members(), taken.lots(), taken.bytes(),
            taken.records(), taken.from(), taken.replayNanos() / 1e6, taken.writeNanos() / 1e6);
        return 0;
    }

    /** An instant as a person types it, ISO-8601 with its offset or zone, or as epoch milliseconds. */
    static long epochMs(final String option, final String value)
    {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty())
        {
            try
            {
                return Long.parseLong(value);
            }
            catch (final NumberFormatException ex)
            {
                // too long for a long: reported below
            }
        }
        try
        {
            return java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.ISO_DATE_TIME).toInstant()
                .toEpochMilli();
        }
        catch (final java.time.DateTimeException ex)
        {
            throw new IllegalArgumentException(option + " must be an instant with its offset or zone, e.g. " +
                "2026-11-30T23:59:59.999+08:00 or 2026-11-30T15:59:59.999Z (or epoch milliseconds), got '" + value +
                "'");
        }
    }

    /**
     * The double entry: every account as posted from the journal's effects; each program's sum to zero. The first
     * program's as account.NAME; with several programs, each as program.SLOT.account.NAME, with its clearing
     * account's balance by partner.
     */
    private static void printAccounts(final PrintStream out, final Ledger ledger)
    {
        for (int slot = 0; slot < ledger.programCount(); slot++)
        {
            final String prefix = slot == 0 ? "" : "program." + slot + ".";
            if (ledger.programCount() > 1)
            {
                out.printf("program.%d.name %s%n", slot, ledger.program(slot).name());
            }
            final io.jifen.ledger.core.Accounts accounts = ledger.accounts(slot);
            for (final io.jifen.ledger.core.Accounts.Account account : io.jifen.ledger.core.Accounts.Account.values())
            {
                out.printf("%saccount.%s %s%n", prefix, account.name().toLowerCase(java.util.Locale.ROOT),
                    accounts.balance(account));
            }
            for (final String partner : accounts.partners())
            {
                out.printf("%sclearing.%s %s%n", prefix, partner, accounts.clearing(partner));
            }
        }
    }

    static Program loadProgram(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read program file " + file + ": " + LedgerCli.describe(ex));
        }
        try
        {
            return Program.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("program file " + file + " " + ex.getMessage());
        }
    }

    static int dump(final Path data, final PrintStream out)
    {
        requireJournal(data);
        final JournalScanner.Observer show = new JournalScanner.Observer()
        {
            @Override
            public void onDamaged(final long index, final int length)
            {
                out.println("{\"type\":\"damaged\",\"index\":" + index + ",\"bytes\":" + length + "}");
            }

            @Override
            public void onTailDiscarded(final org.agrona.DirectBuffer marker)
            {
                out.println(JournalRecord.toJson(marker));
            }
        };
        try (Journal journal = new Journal(data.resolve("journal"), true);
            JournalScanner scanner = new JournalScanner(journal, show, null))
        {
            while (scanner.next())
            {
                out.println(JournalRecord.toJson(scanner.record()));
            }
            if (scanner.damagedTailCount() > 0)
            {
                throw scanner.damagedTail(" (start the server with --discard-damaged-tail to mark them discarded)");
            }
        }
        return 0;
    }

    static int verify(final Path data, final long until, final String expectChain, final PrintStream out,
        final JournalReplay.Progress progress)
    {
        requireJournal(data);
        try (Journal journal = new Journal(data.resolve("journal"), true))
        {
            final long untilSequence = null == expectChain ? Long.MAX_VALUE : anchorSequence(expectChain);
            final io.jifen.ledger.journal.JournalRecovery.Start start = io.jifen.ledger.snapshot.ArchivedPrefix
                .start(journal, new io.jifen.ledger.snapshot.SnapshotStore(data.resolve(
                    io.jifen.ledger.snapshot.SnapshotStore.FOLDER)), until, untilSequence);
            if (null != start.from())
            {
                out.printf("from %s%nfrom_anchor %d:%s%n", start.source(), start.from().sequence(),
                    start.from().chainHex());
            }
            final Ledger ledger = (Ledger)start.ledger();
            final JournalReplay.Result result =
                JournalReplay.replay(journal, ledger, start.from(), until, untilSequence, false, ReplayProgress.EVERY,
                    progress, null);
            ledger.checkInvariants();
            // As of --until, points already past their expiry instant are dead even if the sweep journaled their
            // expiry a little later: outstanding excludes them and breakage includes them.
            final long asOf = until == Long.MAX_VALUE ? ledger.lastTimestamp() : until;
            final java.math.BigInteger outstanding = asOf == Long.MIN_VALUE ?
                java.math.BigInteger.ZERO : ledger.outstandingAt(asOf);
            // points in open holds left their lots (debited) but are still the members' until captured
            final java.math.BigInteger journaledOutstanding = ledger.credited().subtract(ledger.debited())
                .subtract(ledger.expired()).add(java.math.BigInteger.valueOf(ledger.held()));
            out.print(asOf == Long.MIN_VALUE ? "" : "as_of " + java.time.Instant.ofEpochMilli(asOf) + "\n");
            out.printf("records %d%nlast_sequence %d%nas_of_ms %d%nmembers %d%nlots %d%ncredited %s%ndebited %s%n" +
                "held %d%npending %d%nexpired %s%nexpired_due_not_yet_journaled %s%noutstanding %s%n" +
                "state_hash %016x%nanchor %d:%s%nreplay_ms %.1f%n",
                result.records, result.lastSequence, asOf, ledger.memberCount(), ledger.lotCount(),
                ledger.credited(), ledger.debited(), ledger.held(), ledger.pending(), ledger.expired(),
                journaledOutstanding.subtract(outstanding), outstanding, result.stateHash, result.lastSequence,
                result.recordChainHex(), result.nanos / 1e6);
            printAccounts(out, ledger);
            if (null != expectChain)
            {
                final String found = result.lastSequence + ":" + result.recordChainHex();
                if (!found.equalsIgnoreCase(expectChain))
                {
                    throw new IllegalStateException("the journal up to sequence " + untilSequence + " leads to " +
                        found + ", not the anchored " + expectChain + ": records up to it were altered, removed or " +
                        "inserted (or the journal does not reach it)");
                }
            }
        }
        return 0;
    }

    /**
     * An anchor is "SEQUENCE:CHAIN", as `journal verify` prints it: the chain value after the record with that
     * sequence.
     */
    private static long anchorSequence(final String anchor)
    {
        final int colon = anchor.indexOf(':');
        if (colon <= 0 || !anchor.substring(colon + 1).matches("[0-9a-fA-F]{64}"))
        {
            throw new IllegalArgumentException(
                "--expect-chain must be SEQUENCE:CHAIN as verify prints it (anchor ...), got '" + anchor + "'");
        }
        try
        {
            return Long.parseLong(anchor.substring(0, colon));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--expect-chain sequence is not a number: '" + anchor + "'");
        }
    }

    private static void requireJournal(final Path data)
    {
        if (!Files.isDirectory(data.resolve("journal")))
        {
            throw new IllegalArgumentException("no journal in " + data.resolve("journal"));
        }
    }
}
