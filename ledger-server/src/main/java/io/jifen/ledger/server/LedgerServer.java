package io.jifen.ledger.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.jifen.ledger.core.Command;
import io.jifen.ledger.core.CommandType;
import io.jifen.ledger.core.Ledger;
import io.jifen.ledger.core.Program;
import io.jifen.ledger.core.ResultCode;
import io.jifen.ledger.journal.Journal;
import io.jifen.ledger.journal.JournalCheckpoint;
import io.jifen.ledger.journal.JournalRecovery;
import io.jifen.ledger.journal.JournalReplay;
import io.jifen.ledger.snapshot.SnapshotStore;
import io.jifen.ledger.snapshot.Snapshotter;
import io.jifen.ledger.journal.JournalSurvey;
import io.jifen.ledger.pipeline.LedgerPipeline;

/**
 * Owns the running server: opens the journal, rebuilds the ledger from it, starts the pipeline and the gRPC server;
 * stops them in the reverse order, draining what is in flight.
 */
public final class LedgerServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(LedgerServer.class.getName());
    /**
     * Health service names: the whole ledger (writes and reads, and "" the same), and reads alone, which go on after
     * a journal failure (a full disk) that stops writes.
     */
    public static final String LEDGER_SERVICE = "jifen.ledger.v1.Ledger";
    public static final String READS_SERVICE = "jifen.ledger.v1.Ledger/reads";
    /**
     * Calls one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). Past it a client queues
     * its calls itself, and drops those whose deadline passes there, so a server whose CPU is saturated reads fresh
     * calls instead of working through a backlog its callers have left (the load it cannot see, in TCP buffers).
     */
    static final int CALLS_PER_CONNECTION = 256;

    private final ServerConfig config;
    private Journal journal;
    private Ledger ledger;
    private LedgerPipeline pipeline;
    private EventStreams eventStreams;
    private MemberStatements statements;
    private String firstProgramName;
    /** A sandbox's test clock; null for a production server. */
    private SandboxClock sandboxClock;
    private Server server;
    /**
     * The server's own event loops (epoll where available, as gRPC's shared ones would be), shut down with it: with
     * the shared ones, tasks a closed server's connections had scheduled (graceful-shutdown timers) would keep the
     * whole server, its command ring included, reachable until they fire.
     */
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private volatile HealthStatusManager health;
    private JournalReplay.Result recovery;
    private SnapshotStore snapshots;
    private SnapshotScheduler snapshotScheduler;
    /** Who can reach the server, as the start-up line says; and its TLS context (null: plaintext). */
    private String exposure;
    private io.netty.handler.ssl.SslContext tls;
    /** The API keys every call but health needs; null: none (every caller may do anything). */
    private ApiKeys apiKeys;
    /** Repeats the --insecure warning every hour while the server runs; null when it is not insecure. */
    private java.util.concurrent.ScheduledExecutorService insecureWarnings;
    private final JournalCheckpoint checkpoint = new JournalCheckpoint();
    /** Counted whether or not they are served over HTTP (--metrics-port). */
    private final Metrics metrics = new Metrics();
    /** The ledger service: a stand-in answering STARTING while the journal is replayed, then the real one. */
    private final io.grpc.util.MutableHandlerRegistry services = new io.grpc.util.MutableHandlerRegistry();
    private Admission admission;
    private Thread checkpointWriter;
    private boolean stopped;
    private DataFolder dataFolder;
    private final AtomicBoolean readsRebuild = new AtomicBoolean();
    /** Records in the journal when the pipeline started (it counts those it appends). */
    private long documentsAtStart;

    public LedgerServer(final ServerConfig config)
    {
        this.config = config;
    }

    /**
     * Rebuilds the state from the journal and starts serving.
     *
     * @throws io.jifen.ledger.journal.JournalCorruptException if the journal cannot be fully replayed.
     */
    public LedgerServer start() throws IOException
    {
        exposure = ServerTls.exposure(config); // before anything: a server the network must not reach never starts
        requirePortFree(); // before anything is journaled: a start that cannot serve writes nothing
        final io.netty.handler.ssl.SslContext tls = ServerTls.context(config);
        try
        {
            apiKeys = null == config.keysFile ? null : ApiKeys.load(config.keysFile);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException("--keys: " + ex.getMessage(), ex);
        }
        Files.createDirectories(config.data);
        dataFolder = DataFolder.lock(config.data);
        try
        {
            serveMetrics(); // before the replay, whose progress it shows
            this.tls = tls;
            DataFolder.requireFreeSpace(config.data, config.minFreeBytes);
            sandboxClock = sandboxClock(); // before recovery, which may repair files of a folder it then refuses
            bind();
            final byte[] chainHead = recover();
            // An empty journal starts with the program spelled out in full, so no default in code ever decides a
            // record; after that, a record only when the program changes.
            final java.util.List<Command> programsToPut = programsToPutInForce();
            // read while this thread still owns the ledger: the first program keeps its name while the server runs
            firstProgramName = config.programGiven || journalEmpty() ? config.program.name() :
                ledger.program().name();
            pipeline = new LedgerPipeline(ledger, journal, new LedgerPipeline.Context()
                .ringSize(config.ringSize)
                .syncMode(config.sync)
                .expiryTickIntervalMs(config.expiryTickIntervalMs)
                .expiryTickLimit(config.expiryTickLimit)
                .onFailure(this::onPipelineFailure)
                .checkpoint(checkpoint)
                .chainHead(chainHead)
                .clock(null != sandboxClock ? sandboxClock : org.agrona.concurrent.SystemEpochClock.INSTANCE))
                .start();
            startCheckpointWriter();
            for (final Command command : programsToPut)
            {
                putProgramInForce(command);
            }
            snapshotScheduler = new SnapshotScheduler(config.data, snapshots,
                () -> documentsAtStart + pipeline.journaledRecords(), config.snapshotEveryRecords,
                config.snapshotEveryMinutes, config.snapshotsKept, recovery.records).start();
            serve();
            LOG.log(System.Logger.Level.INFO, "serving jifen.ledger.v1.Ledger on " + config.host + ":" + port() +
                " (" + exposure + "; sync=" + config.sync.name().toLowerCase(java.util.Locale.ROOT) + ", " +
                programsText() + ", data " + config.data.toAbsolutePath() + ")");
            warnIfInsecure();
            return this;
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Opens the journal, made safe to append to, and replays it into a new ledger (see {@link JournalRecovery}).
     *
     * @return the chain value the next record links to.
     */
    private byte[] recover()
    {
        final Path directory = config.data.resolve("journal");
        snapshots = new SnapshotStore(config.data.resolve(SnapshotStore.FOLDER));
        LOG.log(System.Logger.Level.INFO, "replaying journal " + directory.toAbsolutePath() + " (from the newest " +
            "sound snapshot in " + snapshots.folder().toAbsolutePath() + ", if any)");
        final JournalRecovery.Recovered recovered = JournalRecovery.recover(directory, config.discardDamagedTail,
            snapshots.starts(config.ledgerContext, this::emptyLedger), ReplayProgress.EVERY,
            ReplayProgress.ofServer(metrics, LOG, config.replayProgress));
        ledger = (Ledger)recovered.start().ledger();
        journal = recovered.journal();
        recovery = recovered.replay();
        metrics.replayDone(recovery.records, recovery.nanos);
        confirmCheckpoint(recovered);
        JournalRecovery.forceToDevice(directory);
        documentsAtStart = recovered.prepared().current().documents + (recovered.prepared().discarded() ? 1 : 0);
        final JournalSurvey found = recovered.prepared().found();
        final Path repairs = recovered.prepared().repairedInto();
        if (null != repairs)
        {
            String why;
            try
            {
                why = Files.readString(repairs.resolve("README.txt"));
            }
            catch (final IOException ex)
            {
                why = "(" + repairs.resolve("README.txt") + " unreadable: " + ex + ")";
            }
            LOG.log(System.Logger.Level.WARNING, "repaired the journal before replaying it; the originals are kept " +
                "in " + repairs + ". " + why.strip());
        }
        if (recovered.prepared().discarded())
        {
            LOG.log(System.Logger.Level.WARNING, "discarded the damaged tail of the journal (" + found.tail +
                "), from queue index " + found.endIndex + " (marked in the journal; the ledger is as of sequence " +
                recovery.lastSequence + ")");
        }
        ledger.capacityLimitsEnforced(true);
        if (ledger.expiryRuleDrift() > 0)
        {
            LOG.log(System.Logger.Level.WARNING, ledger.expiryRuleDrift() + " lots in the journal expire at an " +
                "instant today's program rule would compute differently (time-zone data changed with the JDK?); " +
                "the journal's instants are kept");
        }
        LOG.log(System.Logger.Level.INFO, String.format(
            "replayed %d records from %s in %.1f ms: last sequence %d, %d members, %d lots, state hash %016x, " +
            "anchor %d:%s", recovery.records, recovered.start().source(), recovery.nanos / 1e6, recovery.lastSequence,
            ledger.memberCount(), ledger.lotCount(), recovery.stateHash, recovery.lastSequence,
            recovery.recordChainHex()));
        return recovered.chainHead();
    }

    /**
     * The journal must hold the last record an earlier run had forced to the device (and may have acknowledged): a
     * journal cut at a record boundary would otherwise start as if nothing were missing.
     */
    private void confirmCheckpoint(final JournalRecovery.Recovered recovered)
    {
        final io.jifen.ledger.journal.ResumePoint synced;
        try
        {
            synced = JournalCheckpoint.read(config.data);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot read " + config.data.resolve(JournalCheckpoint.FILE), ex);
        }
        if (null != synced)
        {
            JournalCheckpoint.confirm(config.data, synced, journal, recovered.prepared().current(),
                recovery.lastSequence);
            LOG.log(System.Logger.Level.INFO, "the journal holds the last record an earlier run synced (" + synced +
                ", " + JournalCheckpoint.FILE + ")");
        }
    }

    /**
     * Writes the checkpoint about once a second while records are synced (a file write and a sync of its own, never
     * on the writer's thread), and once more at a clean stop.
     */
    private void startCheckpointWriter()
    {
        checkpointWriter = new Thread(() ->
        {
            long written = checkpoint.published();
            while (!Thread.currentThread().isInterrupted())
            {
                try
                {
                    Thread.sleep(1000);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                final long published = checkpoint.published();
                if (published != written)
                {
                    written = published;
                    writeCheckpoint();
                }
            }
        }, "jifen-checkpoint");
        checkpointWriter.setDaemon(true);
        checkpointWriter.start();
    }

    private void writeCheckpoint()
    {
        try
        {
            checkpoint.writeTo(config.data);
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot write the journal checkpoint " +
                config.data.resolve(JournalCheckpoint.FILE) + " (the journal is unaffected; tried again): " + ex);
        }
    }

    /** A ledger before the journal's first record: the journal's first program record replaces the default. */
    private Ledger emptyLedger()
    {
        final Ledger empty = new Ledger(Program.defaultProgram(), config.ledgerContext);
        empty.capacityLimitsEnforced(false);
        return empty;
    }

    /** Starts gRPC on the configured address, reporting SERVING unless the pipeline has failed already. */
    /**
     * Listens before the journal is replayed: health answers NOT_SERVING and the ledger's calls UNAVAILABLE
     * (STARTING) until {@link #serve()} puts the ledger service in place, so a load balancer and an operator see a
     * long replay as starting, not as a dead port.
     */
    private void bind() throws IOException
    {
        health = new HealthStatusManager();
        health.setStatus("", ServingStatus.NOT_SERVING);
        health.setStatus(LEDGER_SERVICE, ServingStatus.NOT_SERVING);
        health.setStatus(READS_SERVICE, ServingStatus.NOT_SERVING);
        services.addService(guarded(StartingService.definition(metrics::replayedRecords)));
        final boolean epoll = Epoll.isAvailable();
        final IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("jifen-grpc-boss", true), io);
        workerGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("jifen-grpc-worker", true), io);
        final NettyServerBuilder builder =
            NettyServerBuilder.forAddress(new InetSocketAddress(config.host, config.port));
        if (null != tls)
        {
            builder.sslContext(tls);
        }
        server = builder
            .bossEventLoopGroup(bossGroup)
            .workerEventLoopGroup(workerGroup)
            .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .directExecutor()
            // the ledger service goes here once the journal is replayed
            .fallbackHandlerRegistry(services)
            // open to all: load balancers probe it without keys
            .addService(ServerInterceptors.intercept(Payloads.lenient(health.getHealthService()
                .bindService()), metrics.interceptor()))
            .addService(guarded(ProtoReflectionServiceV1.newInstance().bindService()))
            // v1alpha as well, for the generic tools that still ask only it (older grpcurl, grpcui, Postman)
            .addService(guarded(v1alphaReflection()))
            .maxInboundMessageSize(1 << 20)
            .maxConcurrentCallsPerConnection(CALLS_PER_CONNECTION)
            // a change stream whose client vanished without a word would hold its slot until TCP gave up: ping
            .keepAliveTime(1, TimeUnit.MINUTES)
            .keepAliveTimeout(20, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build()
            .start();
        LOG.log(System.Logger.Level.INFO, "listening on " + config.host + ":" + server.getPort() + ", NOT_SERVING " +
            "until the journal is replayed");
    }

    /** While load balancers see NOT_SERVING and move callers away, calls are still served. */
    private void graceBeforeDraining()
    {
        if (config.drainGraceMs > 0 && null != server && null != pipeline)
        {
            LOG.log(System.Logger.Level.INFO, "stopping: NOT_SERVING, serving " + config.drainGraceMs +
                " ms more before draining (--drain-grace-ms)");
            try
            {
                Thread.sleep(config.drainGraceMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Puts the ledger service in place of {@link StartingService} and reports SERVING, unless the pipeline failed. */
    private void serve() throws IOException
    {
        admission = new Admission(pipeline, config.maxQueueMs);
        metrics.watch(pipeline, admission, this::snapshotsTaken);
        metrics.watch(() -> pipeline.stats(200));
        eventStreams = new EventStreams(journal, pipeline::durableSequence, firstProgramName);
        statements = new MemberStatements(journal, config.data, firstProgramName, pipeline::durableSequence);
        statements.start();
        services.addService(guarded(new LedgerService(pipeline, eventStreams, statements, sandboxClock,
            null != apiKeys, firstProgramName, admission, metrics).bindService()));
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(LEDGER_SERVICE, ServingStatus.SERVING);
        health.setStatus(READS_SERVICE, ServingStatus.SERVING);
        if (null != pipeline.failure())
        {
            onPipelineFailure(pipeline.failure()); // failed between start and now: never report SERVING
        }
    }

    /** Serves the metrics over HTTP when a port is configured; a port taken fails the start, naming it. */
    private void serveMetrics() throws IOException
    {
        if (config.metricsPort < 0)
        {
            return;
        }
        // the metrics have neither TLS nor keys, and tell volumes and liabilities: the network needs --insecure
        if (!java.net.InetAddress.getByName(config.metricsHost).isLoopbackAddress() && !config.insecure)
        {
            throw new IllegalStateException("--metrics-host " + config.metricsHost + " is not a loopback address: " +
                "the metrics are served without TLS or keys, so serving them to the network needs --insecure (or " +
                "a proxy on this machine that authenticates the scraper)");
        }
        try
        {
            metrics.serve(config.metricsHost, config.metricsPort);
        }
        catch (final IOException ex)
        {
            throw new CannotStart("cannot serve metrics on " + config.metricsHost + ":" +
                config.metricsPort + " (--metrics-port): " + ex.getMessage(), ex);
        }
        LOG.log(System.Logger.Level.INFO, "metrics on http://" + config.metricsHost + ":" + metrics.port() +
            "/metrics");
    }

    /** @return the port the metrics are served on, -1 if they are not. */
    public int metricsPort()
    {
        return metrics.port();
    }

    private void onPipelineFailure(final Throwable cause)
    {
        final HealthStatusManager healthNow = health;
        if (null != healthNow)
        {
            healthNow.setStatus("", ServingStatus.NOT_SERVING);
            healthNow.setStatus(LEDGER_SERVICE, ServingStatus.NOT_SERVING);
            if (!pipeline.servesReadsFromJournal())
            {
                healthNow.setStatus(READS_SERVICE, ServingStatus.NOT_SERVING);
            }
        }
        LOG.log(System.Logger.Level.ERROR, "the ledger stopped accepting writes (" + cause + "; journal " +
            config.data.resolve("journal").toAbsolutePath() + "); reads go on from the journaled state once it is " +
            "rebuilt; restart the server once the cause is fixed: every acknowledged write is in the journal", cause);
        if (readsRebuild.compareAndSet(false, true))
        {
            final Thread rebuild = new Thread(this::serveReadsFromJournal, "jifen-read-state");
            rebuild.setDaemon(true);
            rebuild.start();
        }
    }

    /**
     * After a failure, the live ledger may hold writes that never reached the journal: reads are answered from a
     * ledger replayed from the journal instead, which is what a restart would serve.
     */
    private void serveReadsFromJournal()
    {
        try
        {
            final Path directory = config.data.resolve("journal");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pipeline.journalHalted())
            {
                if (System.nanoTime() > deadline)
                {
                    LOG.log(System.Logger.Level.ERROR, "the journal stage did not stop after the failure: reads " +
                        "fail too until restart");
                    return;
                }
                Thread.sleep(1);
            }
            final long documents = documentsAtStart + pipeline.journaledRecords();
            if (!JournalRecovery.eraseFailedWrite(directory, documents))
            {
                final JournalSurvey now = JournalSurvey.of(directory);
                LOG.log(System.Logger.Level.ERROR, "the journal does not end with the " + documents + " records " +
                    "this server wrote (it holds " + now.documents + ", then " + now.tail + ", " + now.ending +
                    "): reads fail too until restart");
                return;
            }
            final Snapshotter.Rebuilt rebuilt;
            try (Journal reader = Journal.live(directory, documents))
            {
                rebuilt = Snapshotter.rebuild(reader, snapshots, config.ledgerContext, this::emptyLedger, 0, null);
            }
            final JournalReplay.Result result = rebuilt.replay();
            pipeline.serveReadsFrom(rebuilt.ledger());
            final HealthStatusManager healthNow = health;
            if (null != healthNow)
            {
                healthNow.setStatus(READS_SERVICE, ServingStatus.SERVING);
            }
            LOG.log(System.Logger.Level.WARNING, "serving reads from the journal as of sequence " +
                result.lastSequence + " (" + result.records + " records replayed from " + rebuilt.start().source() +
                "); writes fail until restart");
        }
        catch (final RuntimeException | InternalError ex)
        {
            LOG.log(System.Logger.Level.ERROR, "cannot rebuild the journaled state: reads fail too until restart",
                ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Decides which programs to journal before serving, and refuses, before anything is journaled, what the ledger
     * would refuse or what is probably a mistake. The first program given is the ledger's first program: an empty
     * journal starts with it spelled out in full (so no default in code ever decides a record), and after that it is
     * journaled only when its rules change. Every further program is matched to the ledger's program of the same name,
     * journaled when new or changed. A changed program needs a higher version. Programs in the journal that are not
     * given stay in force as journaled (their members are still there), but then no new program may be added: a
     * program is known by its name, and a renamed file would otherwise add an empty program for good. The first
     * program cannot be renamed once the ledger holds others (partners and their limits name it).
     *
     * @return the set_program commands to submit, in order.
     * @throws IllegalStateException naming the program and the reason, before anything is journaled.
     */
    private java.util.List<Command> programsToPutInForce()
    {
        final java.util.List<Command> commands = new java.util.ArrayList<>();
        if (!config.programGiven && !journalEmpty())
        {
            return commands; // no --program: what the journal put in force (at a start or by PutProgram) stays
        }
        final boolean firstChanges = putFirstProgram(commands);
        final StringBuilder addedNames = new StringBuilder();
        final int added = putMorePrograms(commands, firstChanges, addedNames);
        checkProgramsNotGiven(added, addedNames);
        return commands;
    }

    /** @return true if the first program is to be journaled (an empty journal, or its rules changed). */
    private boolean putFirstProgram(final java.util.List<Command> commands)
    {
        final int firstNamed = ledger.programSlot(config.program.name());
        if (firstNamed > 0)
        {
            throw new IllegalStateException("the program from " + config.programSource + " ('" +
                config.program.name() + "') is not the ledger's first program ('" + ledger.program().name() +
                "'): give the first program first");
        }
        final boolean firstChanges = journalEmpty() || !ledger.program().sameRules(config.program);
        if (firstChanges)
        {
            checkVersion(config.program, config.programSource, ledger.program());
            if (!journalEmpty() && ledger.programCount() > 1 &&
                !config.program.name().equals(ledger.program().name()))
            {
                throw new IllegalStateException("the program from " + config.programSource + " renames the " +
                    "ledger's first program '" + ledger.program().name() + "' to '" + config.program.name() +
                    "': a first program cannot be renamed once the ledger holds other programs");
            }
            commands.add(setProgram(config.program, null));
        }
        return firstChanges;
    }

    /** @return how many programs are added, their names appended to {@code addedNames}. */
    private int putMorePrograms(
        final java.util.List<Command> commands, final boolean firstChanges, final StringBuilder addedNames)
    {
        int added = 0;
        for (int i = 0; i < config.morePrograms.size(); i++)
        {
            final Program program = config.morePrograms.get(i);
            int slot = ledger.programSlot(program.name());
            if (slot == 0 && firstChanges && !config.program.name().equals(ledger.program().name()))
            {
                if (!journalEmpty())
                {
                    // clients still naming the first program by its old name would reach an empty program
                    throw new IllegalStateException("the program from " + config.moreSources.get(i) + " ('" +
                        program.name() + "') would take the name of the ledger's first program, which " +
                        config.programSource + " renames to '" + config.program.name() + "': a name stays with " +
                        "its program");
                }
                slot = -1; // an empty journal's built-in 'default' is replaced: its name is free
            }
            if (slot == 0)
            {
                throw new IllegalStateException("the program from " + config.moreSources.get(i) + " ('" +
                    program.name() + "') is the ledger's first program: give it first");
            }
            if (slot < 0)
            {
                added++;
                addedNames.append(addedNames.length() == 0 ? "'" : ", '").append(program.name()).append('\'');
                commands.add(setProgram(program, program.name()));
            }
            else if (!ledger.program(slot).sameRules(program))
            {
                checkVersion(program, config.moreSources.get(i), ledger.program(slot));
                commands.add(setProgram(program, program.name()));
            }
        }
        return added;
    }

    /** Programs of the journal not given stay in force, but then none may be added; nor past the ledger's limit. */
    private void checkProgramsNotGiven(final int added, final StringBuilder addedNames)
    {
        final StringBuilder notGiven = new StringBuilder();
        for (int slot = 1; slot < ledger.programCount(); slot++)
        {
            final String name = ledger.program(slot).name();
            if (config.morePrograms.stream().noneMatch(p -> p.name().equals(name)))
            {
                notGiven.append(notGiven.length() == 0 ? "'" : ", '").append(name).append('\'');
            }
        }
        if (added > 0 && notGiven.length() > 0)
        {
            throw new IllegalStateException("program(s) " + addedNames + " would be added while " + notGiven +
                " of the journal " + (notGiven.indexOf(",") > 0 ? "are" : "is") + " not given: a program cannot be " +
                "renamed (its members, limits and clearing are under its name); to add a program, give every program " +
                "of the ledger with --program");
        }
        if (notGiven.length() > 0)
        {
            LOG.log(System.Logger.Level.INFO, "program(s) " + notGiven + " stay in force as journaled (not given " +
                "with --program)");
        }
        if (ledger.programCount() + added > Ledger.PROGRAMS_MAX)
        {
            throw new IllegalStateException("the ledger holds " + ledger.programCount() + " programs; " + added +
                " more would pass the " + Ledger.PROGRAMS_MAX + " one ledger holds");
        }
    }

    /**
     * A sandbox starts only on an empty folder or a sandbox's, and a production server never on a sandbox's: their
     * ledger times differ (a sandbox's runs ahead), and a test journal must never pass for a production one.
     *
     * @return the sandbox's clock, or null for production.
     */
    private SandboxClock sandboxClock()
    {
        final boolean folderIsSandbox = SandboxClock.isSandbox(config.data);
        if (!config.sandbox)
        {
            if (folderIsSandbox)
            {
                throw new IllegalStateException("the data folder " + config.data + " is a sandbox's (its ledger " +
                    "time is advanced by hand, see " + SandboxClock.FILE_NAME + "): start it with --sandbox");
            }
            return null;
        }
        final java.util.List<Path> files = JournalSurvey.queueFiles(config.data.resolve("journal"));
        if (!folderIsSandbox && !files.isEmpty())
        {
            throw new IllegalStateException("--sandbox: the data folder " + config.data + " holds a production " +
                "journal (" + files.size() + " day file(s)): a sandbox starts on an empty folder");
        }
        final SandboxClock clock = folderIsSandbox ? SandboxClock.open(config.data) : SandboxClock.create(config.data);
        LOG.log(System.Logger.Level.WARNING, "SANDBOX: ledger time is the wall clock plus an offset that " +
            "AdvanceClock moves forward; never use this folder for production");
        return clock;
    }

    /** @return true if the journal holds no record yet (a replay from a snapshot may have replayed none). */
    private boolean journalEmpty()
    {
        return ledger.lastSequence() == 0;
    }

    private void checkVersion(final Program given, final String source, final Program inForce)
    {
        if (!journalEmpty() && given.version() <= inForce.version())
        {
            // two rule sets under one version number would make the journal's history ambiguous to its readers
            throw new IllegalStateException("the program from " + source + " ('" + given.name() + "' version " +
                given.version() + ") differs from the one in force in the journal ('" + inForce.name() +
                "' version " + inForce.version() + "): a changed program needs a higher version; raise 'version' " +
                "in the file, or start with the program in force");
        }
    }

    private static Command setProgram(final Program program, final String programId)
    {
        final Command command = new Command();
        command.type = CommandType.SET_PROGRAM;
        command.programText = program.toText();
        command.programId = programId;
        return command;
    }

    private String programsText()
    {
        final StringBuilder sb = new StringBuilder();
        if (config.programGiven || ledger.lastSequence() == 0)
        {
            sb.append("program '").append(config.program.name()).append("' version ")
                .append(config.program.version()).append(" from ").append(config.programSource);
            for (int i = 0; i < config.morePrograms.size(); i++)
            {
                sb.append(", program '").append(config.morePrograms.get(i).name()).append("' version ")
                    .append(config.morePrograms.get(i).version()).append(" from ").append(config.moreSources.get(i));
            }
        }
        else
        {
            for (int slot = 0; slot < ledger.programCount(); slot++)
            {
                sb.append(slot == 0 ? "program '" : ", program '").append(ledger.program(slot).name())
                    .append("' version ").append(ledger.program(slot).version());
            }
            sb.append(" in force in the journal");
        }
        long retentionMs = 0;
        for (int slot = 0; slot < ledger.programCount(); slot++)
        {
            retentionMs = Math.max(retentionMs, ledger.program(slot).requestRetentionMs());
        }
        return sb.append(", request ids remembered ").append(retentionMs / 86_400_000L).append(" days, at most ")
            .append(config.ledgerContext.requestIdsMax()).toString();
    }

    private void putProgramInForce(final Command command)
    {
        final Command result;
        try
        {
            result = pipeline.submitAndWait(command, 30_000);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("could not put the program in force", ex);
        }
        if (result.result != ResultCode.OK)
        {
            throw new IllegalStateException("could not put the program in force: " + result.result);
        }
        LOG.log(System.Logger.Level.INFO, "program '" + Program.parse(command.programText).name() +
            "' put in force at sequence " + result.sequence);
    }

    public int port()
    {
        return null == server ? config.port : server.getPort();
    }

    /** @return snapshots the server has written since it started. */
    public long snapshotsTaken()
    {
        return null == snapshotScheduler ? 0 : snapshotScheduler.taken();
    }

    /** The last journaled sequence; read it after {@link #close()} or for logging. */
    public long lastSequence()
    {
        return null == ledger ? 0 : ledger.lastSequence();
    }

    /**
     * The state hash of the ledger. Only after {@link #close()}: while running, the state belongs to the pipeline.
     */
    public long stateHashAfterClose()
    {
        if (!stopped)
        {
            throw new IllegalStateException("the state belongs to the pipeline until the server is closed");
        }
        return ledger.stateHash();
    }

    public JournalReplay.Result recovery()
    {
        return recovery;
    }

    public LedgerPipeline pipeline()
    {
        return pipeline;
    }

    public void blockUntilShutdown() throws InterruptedException
    {
        if (null != server)
        {
            server.awaitTermination();
        }
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking calls, waits for those in flight, and stops the event loops. */
    private void stopGrpc()
    {
        if (null != server)
        {
            server.shutdown();
            try
            {
                if (!server.awaitTermination(10, TimeUnit.SECONDS))
                {
                    server.shutdownNow();
                    server.awaitTermination(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                server.shutdownNow();
            }
        }
        for (final EventLoopGroup group : new EventLoopGroup[] {workerGroup, bossGroup})
        {
            if (null != group)
            {
                group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Stops taking calls, lets calls in flight finish, drains the pipeline, closes the journal.
     */
    /**
     * Binds the configured address and lets it go: a port another process holds fails here, naming it, before the
     * data folder is even locked (the server's own bind, before the replay, would fail too, but later and less
     * plainly).
     */
    private void requirePortFree() throws IOException
    {
        if (config.port == 0)
        {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket())
        {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(config.host, config.port));
        }
        catch (final java.net.BindException ex)
        {
            throw new CannotStart("cannot bind port " + config.port + " on " + config.host + " (" +
                ex.getMessage() + "): is it in use (another ledger, or another server)? Stop it or choose --port " +
                "(or --host); nothing was journaled", ex);
        }
    }

    @SuppressWarnings("deprecation") // v1alpha is deprecated by gRPC, and still what older tools speak
    private static io.grpc.ServerServiceDefinition v1alphaReflection()
    {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance().bindService();
    }

    /** A service behind the API keys, when there are any; a payload that does not parse is INVALID_ARGUMENT. */
    private io.grpc.ServerServiceDefinition guarded(final io.grpc.ServerServiceDefinition service)
    {
        final io.grpc.ServerServiceDefinition lenient = Payloads.lenient(service);
        // the keys' interceptor inside the metrics': a call refused for its key is counted too
        final io.grpc.ServerServiceDefinition keyed = null == apiKeys ? lenient :
            ServerInterceptors.intercept(lenient, apiKeys);
        return ServerInterceptors.intercept(keyed, metrics.interceptor());
    }

    /** An insecure server says so at start and every hour after, so the log of any day shows it. */
    private void warnIfInsecure()
    {
        if (exposure.startsWith(ServerTls.INSECURE_WARNING))
        {
            LOG.log(System.Logger.Level.WARNING, exposure);
            insecureWarnings = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r ->
            {
                final Thread thread = new Thread(r, "jifen-insecure-warning");
                thread.setDaemon(true);
                return thread;
            });
            insecureWarnings.scheduleAtFixedRate(() -> LOG.log(System.Logger.Level.WARNING, exposure), 1, 1,
                TimeUnit.HOURS);
        }
    }

    @Override
    public synchronized void close()
    {
        if (null != insecureWarnings)
        {
            insecureWarnings.shutdownNow();
            insecureWarnings = null;
        }
        if (stopped)
        {
            return;
        }
        stopped = true;
        if (null != snapshotScheduler)
        {
            snapshotScheduler.close(); // a snapshot being written is abandoned; its temporary file is deleted later
        }
        if (null != health)
        {
            health.enterTerminalState(); // NOT_SERVING from here on
            graceBeforeDraining();
        }
        if (null != eventStreams)
        {
            eventStreams.close(); // before the calls are drained: a stream never ends on its own
        }
        stopGrpc();
        if (null != statements)
        {
            statements.close(); // after the calls: a page being read is answered first
        }
        if (null != checkpointWriter)
        {
            checkpointWriter.interrupt();
            joinQuietly(checkpointWriter);
        }
        if (null != pipeline)
        {
            pipeline.close();
            if (null == pipeline.failure())
            {
                writeCheckpoint(); // the pipeline synced its last records as it stopped
            }
        }
        try
        {
            if (null != journal)
            {
                journal.close();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "the journal did not close cleanly", ex);
        }
        if (null != dataFolder)
        {
            dataFolder.close();
        }
        metrics.close();
        LOG.log(System.Logger.Level.INFO, "stopped" + (null == ledger ? "" :
            String.format(": last sequence %d", ledger.lastSequence())));
    }
}
