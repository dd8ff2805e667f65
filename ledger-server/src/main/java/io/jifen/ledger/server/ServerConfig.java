package io.jifen.ledger.server;

import java.nio.file.Path;
import java.nio.file.Paths;

import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.LedgerContext;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.pipeline.SyncMode;

/**
 * Everything `ledger serve` can be told. Defaults are the quick start: 127.0.0.1:9090, journal in ./data, batch sync,
 * the built-in program.
 */
public final class ServerConfig
{
    String host = "127.0.0.1";
    int port = 9090;
    Path data = Paths.get("data");
    SyncMode sync = SyncMode.BATCH;
    Program program = Program.defaultProgram();
    String programSource = "built-in default";
    /** Whether a program was given (--program): without one a journal's programs stay in force as they are. */
    boolean programGiven;
    /** Programs after the first, and where each came from. */
    final java.util.List<Program> morePrograms = new java.util.ArrayList<>();
    final java.util.List<String> moreSources = new java.util.ArrayList<>();
    int ringSize = 65536;
    /** The longest a write may wait in the ring before it is refused OVERLOADED at the door (reads: twice). */
    long maxQueueMs = 1000;
    /** How long a stopping server answers NOT_SERVING and goes on serving before it drains: for load balancers. */
    long drainGraceMs;
    io.jifen.ledger.journal.JournalReplay.Progress replayProgress = ReplayProgress.NONE;
    /** Where Prometheus scrapes the metrics (HTTP, /metrics); port -1: not served. */
    String metricsHost = "127.0.0.1";
    int metricsPort = -1;
    boolean discardDamagedTail;
    boolean sandbox;
    /** Start-up is refused below this much free space where the data lives: a write must not meet a full disk. */
    long minFreeBytes = 64L << 20;
    long expiryTickIntervalMs = 50;
    /** A snapshot after this many journaled records (0: never by count). */
    long snapshotEveryRecords = 1_000_000;
    /** A snapshot this often while records come in (0: never by time). */
    long snapshotEveryMinutes = 60;
    /** Snapshots kept after each one taken. */
    int snapshotsKept = 3;
    int expiryTickLimit = 10_000;
    /** TLS: the server's certificate chain and private key (PEM); null: plaintext. */
    Path tlsCert;
    Path tlsKey;
    /** Mutual TLS: clients must present a certificate this CA bundle (PEM) signed; null: no client certificates. */
    Path tlsClientCa;
    /** API keys (YAML of their hashes, roles and programs): every call but health needs one; null: none. */
    Path keysFile;
    /** Serve on a non-loopback address without client authentication: refused unless given, and warned of hourly. */
    boolean insecure;
    final LedgerContext ledgerContext = new LedgerContext()
        .expectedRequests(65_536)
        .expectedLots(65_536)
        .expectedMembers(65_536);

    public ServerConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    /** Serves TLS with this certificate chain and private key (PEM files). */
    public ServerConfig tls(final Path cert, final Path key)
    {
        this.tlsCert = cert;
        this.tlsKey = key;
        return this;
    }

    /** Requires every client to present a certificate signed by one of these CAs (PEM): mutual TLS. */
    public ServerConfig tlsClientCa(final Path ca)
    {
        this.tlsClientCa = ca;
        return this;
    }

    /** Requires an API key of every call but health (see {@link ApiKeys} for the file). */
    public ServerConfig keys(final Path file)
    {
        this.keysFile = file;
        return this;
    }

    /** Accepts a non-loopback address without client authentication (logged as a warning at start and hourly). */
    public ServerConfig insecure(final boolean insecure)
    {
        this.insecure = insecure;
        return this;
    }

    public ServerConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    public int port()
    {
        return port;
    }

    public ServerConfig minFreeBytes(final long minFreeBytes)
    {
        this.minFreeBytes = minFreeBytes;
        return this;
    }

    public ServerConfig data(final Path data)
    {
        this.data = data;
        return this;
    }

    public ServerConfig sync(final SyncMode sync)
    {
        this.sync = sync;
        return this;
    }

    public ServerConfig program(final Program program, final String source)
    {
        this.program = program;
        this.programSource = source;
        this.programGiven = true;
        return this;
    }

    /**
     * Adds a program after the first: another brand in the same ledger, addressed by its name as program_id.
     *
     * @throws IllegalArgumentException if a program of that name is given already.
     */
    public ServerConfig addProgram(final Program added, final String source)
    {
        if (added.name().equals(program.name()) || morePrograms.stream().anyMatch(p -> p.name().equals(added.name())))
        {
            throw new IllegalArgumentException("two programs are named '" + added.name() + "' (" + source +
                "): each program of a ledger needs its own name");
        }
        if (morePrograms.size() + 1 >= Ledger.PROGRAMS_MAX)
        {
            throw new IllegalArgumentException("at most " + Ledger.PROGRAMS_MAX + " programs in one ledger");
        }
        programGiven = true;
        morePrograms.add(added);
        moreSources.add(source);
        return this;
    }

    /** A sandbox: ledger time advanced by hand (AdvanceClock), on a data folder that is a sandbox or empty. */
    public ServerConfig sandbox(final boolean sandbox)
    {
        this.sandbox = sandbox;
        return this;
    }

    public ServerConfig discardDamagedTail(final boolean discard)
    {
        this.discardDamagedTail = discard;
        return this;
    }

    public ServerConfig ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    /**
     * @param drainGraceMs how long a stopping server reports NOT_SERVING while still serving, so load balancers
     *                     move callers away before it stops taking calls.
     */
    public ServerConfig drainGraceMs(final long drainGraceMs)
    {
        this.drainGraceMs = drainGraceMs;
        return this;
    }

    /** @param display shows the replay's progress as the server starts ({@code ledger serve}: on a terminal). */
    public ServerConfig replayProgress(final io.jifen.ledger.journal.JournalReplay.Progress display)
    {
        this.replayProgress = display;
        return this;
    }

    /** Serves the Prometheus metrics on {@code host:port} (port 0: a free one; -1: none). */
    public ServerConfig metrics(final String host, final int port)
    {
        this.metricsHost = host;
        this.metricsPort = port;
        return this;
    }

    /** @param maxQueueMs the longest a write may wait in the ring (0: only the callers' deadlines bound it). */
    public ServerConfig maxQueueMs(final long maxQueueMs)
    {
        this.maxQueueMs = maxQueueMs;
        return this;
    }

    public ServerConfig expiryTickIntervalMs(final long expiryTickIntervalMs)
    {
        this.expiryTickIntervalMs = expiryTickIntervalMs;
        return this;
    }

    /**
     * @param everyRecords a snapshot after this many journaled records (0: never by count).
     * @param everyMinutes a snapshot this often while records come in (0: never by time).
     * @param kept how many snapshots to keep (at least 1).
     */
    public ServerConfig snapshots(final long everyRecords, final long everyMinutes, final int kept)
    {
        if (everyRecords < 0 || everyMinutes < 0 || kept < 1)
        {
            throw new IllegalArgumentException("snapshots every " + everyRecords + " records, every " +
                everyMinutes + " minutes, " + kept + " kept: counts may not be negative, and at least one is kept");
        }
        this.snapshotEveryRecords = everyRecords;
        this.snapshotEveryMinutes = everyMinutes;
        this.snapshotsKept = kept;
        return this;
    }

    public LedgerContext ledgerContext()
    {
        return ledgerContext;
    }
}
