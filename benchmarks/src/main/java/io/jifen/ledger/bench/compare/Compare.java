package io.jifen.ledger.bench.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.jifen.ledger.server.load.GrpcTargets;
import io.jifen.ledger.server.load.LoadGenerator;
import io.jifen.ledger.server.load.LoadOptions;
import io.jifen.ledger.server.load.LoadTarget;
import io.jifen.ledger.server.load.Summary;

/**
 * {@code benchmarks/compare}: the side-by-side run. On this machine, one system after another, each started fresh:
 * <ol>
 *   <li>in a child JVM, the journaled pipeline against the raw journal (no network; {@link InProcessRuns});</li>
 *   <li>the transport limit ({@code ledger transport-limit}, a no-op gRPC service), unary, Submit stream and the
 *       Java client (Submit streams it batches);</li>
 *   <li>Jifen with {@code --sync=batch} and {@code --sync=none}, unary and Submit stream, and with
 *       {@code --sync=batch} through the Java client;</li>
 *   <li>PostgreSQL from the Debian packages, {@code synchronous_commit} on and off, through JDBC and a pool.</li>
 * </ol>
 * Every network system gets the same 'peak sale' mix from {@code ledger load}'s generator (running in this JVM), a
 * search for its highest sustained rate (p99 at most 1 ms) and runs at fixed rates. Results go to
 * {@code benchmarks/results/DATE/}: {@code report.md}, charts and the raw measurements.
 */
public final class Compare
{
    static final double P99_LIMIT_MS = 1.0;

    private final Options options;
    private final PrintStream out;
    private final Path logs;
    private final List<Series> series = new ArrayList<>();
    /** Markdown profiles by series name: where the server's and the generator's time went. */
    final java.util.Map<String, String> profiles = new java.util.LinkedHashMap<>();
    private ProcessHandle server;

    Compare(final Options options, final PrintStream out) throws IOException
    {
        this.options = options;
        this.out = out;
        this.logs = options.out.resolve("logs");
        Files.createDirectories(logs);
    }

    /** Kept so the level sticks: the pool's INFO lines would drown the progress. */
    private static final java.util.logging.Logger POOL_LOG = java.util.logging.Logger.getLogger("com.zaxxer.hikari");

    public static void main(final String[] args) throws Exception
    {
        POOL_LOG.setLevel(java.util.logging.Level.WARNING);
        if (Arrays.asList(args).contains("--help"))
        {
            System.out.println(Options.USAGE);
            return;
        }
        final Options options;
        try
        {
            options = Options.parse(new ArrayDeque<>(Arrays.asList(args)));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("compare: " + ex.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        new Compare(options, System.out).run();
    }

    /**
     * One system in one mode: its search steps and fixed-rate runs.
     */
    static final class Series
    {
        final String name;
        final String group;
        final List<Measurement> search = new ArrayList<>();
        final List<Measurement> fixed = new ArrayList<>();
        Measurement max;

        Series(final String name, final String group)
        {
            this.name = name;
            this.group = group;
        }

        /** The highest rate sustained with p99 at most 1 ms. */
        double maxSustained()
        {
            return RateSearch.maxSustained(search, P99_LIMIT_MS);
        }

        /** The highest rate sustained with p99 at most {@link RateSearch#CAPACITY_P99_MS}: queues not growing. */
        double capacity()
        {
            return RateSearch.maxSustained(search, RateSearch.CAPACITY_P99_MS);
        }

        Measurement fixedAt(final double rate)
        {
            for (final Measurement m : fixed)
            {
                if (m.offered == rate)
                {
                    return m;
                }
            }
            return null;
        }
    }

    void run() throws Exception
    {
        final long started = System.nanoTime();
        out.printf(Locale.ROOT, "compare: %s run, results in %s%n", options.smoke ? "smoke" : "full", options.out);
        final Machine machine = Machine.describe(options);
        out.println(machine.summary());
        // JFR's first start in a JVM costs about a second of CPU: pay it now, not inside a profiled step
        try (jdk.jfr.Recording warmup = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("default")))
        {
            warmup.start();
            warmup.stop();
        }
        inProcess();
        for (final String mode : List.of("unary", "stream", "client"))
        {
            network(new Series("transport limit " + mode, "grpc"), mode, "transport-limit");
            network(new Series("jifen sync=batch " + mode, "grpc"), mode, "batch");
            if (!mode.equals("client")) // the client's batching is measured at the durability the targets name
            {
                network(new Series("jifen sync=none " + mode, "grpc"), mode, "none");
            }
        }
        if (PostgresServer.available())
        {
            postgres(true);
            postgres(false);
        }
        else
        {
            out.println("== PostgreSQL: no server installed (apt-get install postgresql, or set JIFEN_PG_BIN): " +
                "its series are left out");
        }
        final List<Measurement> all = new ArrayList<>();
        for (final Series s : series)
        {
            all.addAll(s.search);
            all.addAll(s.fixed);
            if (null != s.max)
            {
                all.add(s.max);
            }
        }
        final StringBuilder lines = new StringBuilder();
        for (final Measurement m : all)
        {
            lines.append(m.toLine()).append('\n');
        }
        Files.writeString(options.out.resolve("measurements.txt"), lines.toString(), StandardCharsets.UTF_8);
        final Path report = new Report(options, machine, series, profiles, (System.nanoTime() - started) / 1e9)
            .write();
        out.println("compare: report written to " + report);
    }

    private void inProcess() throws Exception
    {
        out.println("== in-process: journaled pipeline and raw journal (child JVM)");
        final List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(options.jvmFlags);
        command.addAll(List.of(options.smoke ? "-Xmx2g" : "-Xmx10g", "-XX:+UseParallelGC", "-cp",
            System.getProperty("java.class.path"), InProcessRuns.class.getName(), options.smoke ? "smoke" : "full"));
        final Process process = new ProcessBuilder(command)
            .redirectError(logs.resolve("in-process.log").toFile()).start();
        final List<String> results = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith("RESULT "))
                {
                    results.add(line.substring("RESULT ".length()));
                    out.println("  " + Measurement.parse(results.get(results.size() - 1).split("\\|", 2)[1]));
                }
            }
        }
        if (process.waitFor() != 0)
        {
            throw new IllegalStateException("in-process runs failed: see " + logs.resolve("in-process.log"));
        }
        for (final String result : results)
        {
            final String[] parts = result.split("\\|", 2);
            final Measurement m = Measurement.parse(parts[1]);
            Series s = null;
            for (final Series existing : series)
            {
                if (existing.name.equals(m.system))
                {
                    s = existing;
                }
            }
            if (null == s)
            {
                s = new Series(m.system, "in-process");
                series.add(s);
            }
            switch (parts[0])
            {
                case "max":
                    s.max = m;
                    break;
                case "search":
                    s.search.add(m);
                    break;
                default:
                    s.fixed.add(m);
                    break;
            }
        }
    }

    private void network(final Series s, final String mode, final String what) throws Exception
    {
        out.println("== " + s.name);
        final int port = freePort();
        final List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(options.jvmFlags);
        command.addAll(List.of(options.smoke ? "-Xms512m" : "-Xms4g", options.smoke ? "-Xmx1g" : "-Xmx4g",
            "-XX:+UseParallelGC", "-jar", options.ledgerJar.toString()));
        final Path data = Files.createTempDirectory("jifen-compare-data");
        if (what.equals("transport-limit"))
        {
            command.addAll(List.of("transport-limit", "--port", Integer.toString(port)));
        }
        else
        {
            final String expected = Integer.toString(options.smoke ? 1 << 16 : 4 << 20);
            command.addAll(List.of("serve", "--port", Integer.toString(port), "--data", data.toString(), "--sync",
                what, "--expected-requests", expected, "--expected-lots", expected, "--expected-members",
                Integer.toString(options.population + 1024)));
        }
        final String file = s.name.replace(' ', '-').replace('=', '-');
        final Path log = logs.resolve(file + ".log");
        final Process server = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        this.server = server.toHandle();
        try
        {
            awaitPort(port, server, log);
            final LoadTarget.Factory targets = GrpcTargets.factory();
            runSeries(s, rate -> load(s.name, targets, port, mode, rate, options.seconds, log),
                rate -> load(s.name, targets, port, mode, rate, options.warmupRun, log));
            if (!what.equals("transport-limit"))
            {
                profile(s, server.pid(), logs.resolve(file),
                    () -> load(s.name, targets, port, mode, options.profileRate, options.profileSeconds, log));
            }
        }
        finally
        {
            this.server = null;
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS))
            {
                server.destroyForcibly().waitFor();
            }
            InProcessRuns.delete(data);
        }
        series.add(s);
    }

    private void postgres(final boolean synchronousCommit) throws Exception
    {
        final Series s = new Series("postgresql synchronous_commit=" + (synchronousCommit ? "on" : "off"),
            "postgresql");
        out.println("== " + s.name);
        final Path log = logs.resolve(s.name.replace(' ', '-').replace('=', '-') + ".log");
        try (PostgresServer server = PostgresServer.start(freePort(), synchronousCommit))
        {
            try (Connection c = DriverManager.getConnection(server.jdbcUrl()))
            {
                PostgresLedger.createSchema(c);
            }
            final LoadTarget.Factory targets = PostgresTarget.factory(server.jdbcUrl(), options.postgresPool);
            runSeries(s, rate -> load(s.name, targets, server.port(), "unary", rate, options.seconds, log),
                rate -> load(s.name, targets, server.port(), "unary", rate, options.warmupRun, log));
        }
        series.add(s);
    }

    /**
     * One more step at a fixed rate, profiled: CPU per thread (kernel time included) of the server and of the
     * generator, and JFR execution samples of both (the server's recording started and dumped with jcmd).
     */
    private void profile(final Series s, final long serverPid, final Path prefix, final RateSearch.Run.Once step)
        throws Exception
    {
        final Path serverJfr = Paths.get(prefix + "-server.jfr");
        final Path generatorJfr = Paths.get(prefix + "-generator.jfr");
        jcmd(serverPid, "JFR.start", "name=step", "settings=default");
        Thread.sleep(3_000); // the server's first JFR start costs CPU too: let it settle before the step
        final ThreadCpu serverBefore = ThreadCpu.snapshot(serverPid);
        final ThreadCpu generatorBefore = ThreadCpu.snapshot(ProcessHandle.current().pid());
        final long started = System.nanoTime();
        final Measurement m;
        try (jdk.jfr.Recording generator = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("default")))
        {
            generator.start();
            m = step.run();
            generator.stop();
            generator.dump(generatorJfr);
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        final ThreadCpu serverAfter = ThreadCpu.snapshot(serverPid);
        final ThreadCpu generatorAfter = ThreadCpu.snapshot(ProcessHandle.current().pid());
        jcmd(serverPid, "JFR.dump", "name=step", "filename=" + serverJfr);
        jcmd(serverPid, "JFR.stop", "name=step");
        out.println("  (profiled) " + m);
        profiles.put(s.name, String.format(Locale.ROOT, "Profiled step: %s ops/s offered, %s achieved, p50 %.3f ms, " +
            "p99 %.3f ms.%n%nServer (`ledger serve`), CPU per thread over the step:%n%n%s%nServer, JFR:%n%n%s%n" +
            "Load generator (the compare JVM), CPU per thread:%n%n%s%nLoad generator, JFR:%n%n%s",
            Report.rate(m.offered), Report.rate(m.achieved), m.p50, m.p99, serverAfter.since(serverBefore, seconds, 10),
            Files.exists(serverJfr) ? Profile.summarize(serverJfr, 10) : "(no recording)\n",
            generatorAfter.since(generatorBefore, seconds, 6), Profile.summarize(generatorJfr, 6)));
    }

    private static void jcmd(final long pid, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
        {
            throw new IOException("jcmd " + String.join(" ", args) + " failed: " + output);
        }
    }

    private void runSeries(final Series s, final RateSearch.Run run, final RateSearch.Run warmup) throws Exception
    {
        final PrintStream progress = out;
        {
            progress.println("  (warm-up, not measured) " + warmup.at(options.searchStart));
            s.search.addAll(RateSearch.search(run, options.searchStart, options.searchCeiling, P99_LIMIT_MS,
                options.refinements, options.searchFloor, progress));
            progress.printf(Locale.ROOT, "  max sustained: %.0f ops/s with p99 <= %.0f ms, %.0f ops/s with p99 <= " +
                "%.0f ms%n", s.maxSustained(), P99_LIMIT_MS, s.capacity(), RateSearch.CAPACITY_P99_MS);
            for (final double rate : options.fixedRates)
            {
                final Measurement m = run.at(rate);
                s.fixed.add(m);
                progress.println("  " + m);
            }
        }
    }

    private Measurement load(final String system, final LoadTarget.Factory targets, final int port,
        final String mode, final double rate, final double seconds, final Path log) throws Exception
    {
        final LoadOptions load = LoadOptions.parse(new ArrayDeque<>(List.of("--target", "127.0.0.1:" + port,
            "--mode", mode, "--rate", Double.toString(rate), "--duration",
            Double.toString(seconds), "--warmup", Double.toString(options.warmup), "--population",
            Integer.toString(options.population), "--connections", Integer.toString(options.connections),
            "--concurrency", Integer.toString(options.concurrency), "--no-progress")));
        try (PrintStream logStream = new PrintStream(Files.newOutputStream(log,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true,
            StandardCharsets.UTF_8))
        {
            final ProcessHandle serverHandle = this.server;
            final long serverCpuBefore = cpuNanos(serverHandle);
            final long generatorCpuBefore = cpuNanos(ProcessHandle.current());
            final long wallBefore = System.nanoTime();
            final Summary summary = new LoadGenerator(load, targets, logStream).run();
            final double wall = System.nanoTime() - wallBefore;
            String note = String.format(Locale.ROOT, "CPU cores used: generator %.2f",
                (cpuNanos(ProcessHandle.current()) - generatorCpuBefore) / wall);
            if (null != serverHandle)
            {
                note += String.format(Locale.ROOT, ", server %.2f", (cpuNanos(serverHandle) - serverCpuBefore) / wall);
            }
            if (summary.errors > 0)
            {
                note += "; last error: " + summary.lastError;
            }
            return new Measurement(system, rate, summary.achievedRate(), summary.answered(), summary.errors +
                (summary.sent - summary.answered()), summary.latency, note);
        }
    }

    private static long cpuNanos(final ProcessHandle process)
    {
        return null == process ? 0 : process.info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
    }

    private static void awaitPort(final int port, final Process server, final Path log) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            if (!server.isAlive())
            {
                throw new IllegalStateException("server exited with " + server.exitValue() + ": " +
                    Files.readString(log));
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            }
            catch (final IOException ex)
            {
                Thread.sleep(100);
                continue;
            }
            // the ledger's port opens before its journal is replayed: it serves once health says SERVING
            if (serving(port))
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("server did not serve on port " + port + " within 60 s: see " + log);
    }

    private static boolean serving(final int port)
    {
        final io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext().build();
        try
        {
            return io.grpc.health.v1.HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()).getStatus() ==
                io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
        }
        catch (final io.grpc.StatusRuntimeException ex)
        {
            // the transport-limit server has no health service: its open port is all there is to wait for
            return ex.getStatus().getCode() == io.grpc.Status.Code.UNIMPLEMENTED;
        }
        finally
        {
            channel.shutdownNow();
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    static String javaBin()
    {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * What machine, JDK and versions produced the numbers.
     */
    static final class Machine
    {
        final String cpu;
        final int cores;
        final String memory;
        final String os;
        final String jdk;
        final String postgres;
        final String versions;

        private Machine(final String cpu, final int cores, final String memory, final String os, final String jdk,
            final String postgres, final String versions)
        {
            this.cpu = cpu;
            this.cores = cores;
            this.memory = memory;
            this.os = os;
            this.jdk = jdk;
            this.postgres = postgres;
            this.versions = versions;
        }

        static Machine describe(final Options options) throws IOException, InterruptedException
        {
            String cpu = "unknown";
            String memory = "unknown";
            for (final String line : Files.readAllLines(Paths.get("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (final String line : Files.readAllLines(Paths.get("/proc/meminfo")))
            {
                if (line.startsWith("MemTotal"))
                {
                    final long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    memory = String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                    break;
                }
            }
            String postgres;
            try
            {
                postgres = new String(new ProcessBuilder(PostgresServer.binaries().resolve("postgres").toString(),
                    "--version").start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            catch (final IOException | IllegalStateException ex)
            {
                postgres = "not found: " + ex.getMessage();
            }
            final String versions = String.join(", ", version("io.grpc", "grpc-core"),
                version("io.netty", "netty-transport"), version("net.openhft", "chronicle-queue"),
                version("com.lmax", "disruptor"), version("org.agrona", "agrona"),
                version("com.google.protobuf", "protobuf-java"), version("org.postgresql", "postgresql"),
                version("com.zaxxer", "HikariCP"), version("org.jfree", "jfreechart"));
            return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), postgres,
                versions);
        }

        private static String version(final String group, final String artifact)
        {
            try (InputStream in = Compare.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact +
                "/pom.properties"))
            {
                if (null == in)
                {
                    return artifact + " ?";
                }
                final Properties p = new Properties();
                p.load(in);
                return artifact + " " + p.getProperty("version");
            }
            catch (final IOException ex)
            {
                return artifact + " ?";
            }
        }

        String summary()
        {
            return String.format(Locale.ROOT, "machine: %s, %d cores, %s; %s; %s; %s", cpu, cores, memory, os, jdk,
                postgres);
        }
    }

    /**
     * Options of {@code benchmarks/compare}.
     */
    static final class Options
    {
        static final String USAGE = String.join("\n",
            "usage: benchmarks/compare [--smoke] [options]",
            "  --smoke            seconds, a small population, few steps: that the comparison still runs (CI)",
            "  --out DIR          results folder (default benchmarks/results/DATE)",
            "  --population N     members (default 1000000; smoke 10000)",
            "  --seconds S        measured seconds per step (default 5; smoke 1)",
            "  --warmup S         warm-up seconds per step (default 2; smoke 0.3)",
            "  --postgres-pool N  JDBC pool size for PostgreSQL (default 16)",
            "  --ledger-jar FILE  the server jar (set by benchmarks/compare)",
            "  --jvm-flag FLAG    a JVM flag for the child JVMs (repeatable; set by benchmarks/compare)");

        boolean smoke;
        Path out;
        int population = 1_000_000;
        double seconds = 5;
        double warmup = 2;
        double warmupRun = 10;
        double profileRate = 10_000;
        double profileSeconds = 10;
        int connections = 2;
        int concurrency = 256;
        int postgresPool = 16;
        double searchStart = 1000;
        double searchCeiling = 1_000_000;
        double searchFloor = 60;
        int refinements = 2;
        double[] fixedRates = {1_000, 10_000, 50_000};
        Path ledgerJar = Paths.get("ledger-server/target/ledger.jar");
        final List<String> jvmFlags = new ArrayList<>();

        static Options parse(final ArrayDeque<String> args)
        {
            final Options o = new Options();
            Integer population = null;
            Double seconds = null;
            Double warmup = null;
            while (!args.isEmpty())
            {
                final String option = args.pop();
                switch (option)
                {
                    case "--smoke":
                        o.smoke = true;
                        break;
                    case "--out":
                        o.out = Paths.get(LoadOptions.value(option, args));
                        break;
                    case "--population":
                        population = (int)LoadOptions.number(option, LoadOptions.value(option, args), 1, 10_000_000);
                        break;
                    case "--seconds":
                        seconds = LoadOptions.number(option, LoadOptions.value(option, args), 0.1, 3600);
                        break;
                    case "--warmup":
                        warmup = LoadOptions.number(option, LoadOptions.value(option, args), 0, 3600);
                        break;
                    case "--postgres-pool":
                        o.postgresPool = (int)LoadOptions.number(option, LoadOptions.value(option, args), 1, 256);
                        break;
                    case "--ledger-jar":
                        o.ledgerJar = Paths.get(LoadOptions.value(option, args));
                        break;
                    case "--jvm-flag":
                        o.jvmFlags.add(LoadOptions.value(option, args));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option '" + option + "'");
                }
            }
            if (o.smoke)
            {
                o.population = 10_000;
                o.seconds = 1;
                o.warmup = 0.3;
                o.warmupRun = 1;
                o.profileRate = 1_000;
                o.profileSeconds = 1;
                o.searchStart = 500;
                o.searchCeiling = 2_000;
                o.searchFloor = 250;
                o.refinements = 0;
                o.fixedRates = new double[] {1_000};
                o.postgresPool = 4;
            }
            o.population = null == population ? o.population : population;
            o.seconds = null == seconds ? o.seconds : seconds;
            o.warmup = null == warmup ? o.warmup : warmup;
            if (null == o.out)
            {
                o.out = Paths.get("benchmarks", "results", LocalDate.now().toString() + (o.smoke ? "-smoke" : ""));
            }
            if (!Files.isRegularFile(o.ledgerJar))
            {
                throw new IllegalArgumentException("no server jar at " + o.ledgerJar + " (build it: ./mvnw package)");
            }
            return o;
        }
    }
}
