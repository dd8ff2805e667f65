package io.jifen.ledger.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server from the machine's Debian packages: {@code initdb} in a temporary folder, started
 * on loopback with {@code pg_ctl}, stopped and deleted by {@link #close()}.
 * <p>
 * PostgreSQL refuses to run as root; when this JVM is root (CI containers), every server command runs as the
 * {@code postgres} user the Debian package creates, through {@code runuser}.
 */
public final class PostgresServer implements AutoCloseable
{
    public static final String USER = "jifen";
    public static final String DATABASE = "jifen";

    private final Path bin;
    private final Path directory;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private boolean running;

    /**
     * @param synchronousCommit {@code on}: a commit returns after its WAL is flushed to disk; {@code off}: before.
     */
    public static PostgresServer start(final int port, final boolean synchronousCommit) throws IOException,
        InterruptedException
    {
        final PostgresServer server = new PostgresServer(binaries(), port);
        try
        {
            server.initAndStart(synchronousCommit);
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            server.close();
            throw ex;
        }
        return server;
    }

    private PostgresServer(final Path bin, final int port) throws IOException
    {
        this.bin = bin;
        this.port = port;
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
        this.directory = Files.createTempDirectory("jifen-postgres");
        this.data = directory.resolve("data");
        if (asPostgresUser)
        {
            final UserPrincipal postgres = directory.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName("postgres");
            Files.setOwner(directory, postgres);
        }
    }

    /**
     * Whether a PostgreSQL server is installed where {@link #binaries()} looks.
     */
    public static boolean available()
    {
        try
        {
            return Files.isExecutable(binaries().resolve("postgres"));
        }
        catch (final IllegalStateException ex)
        {
            return false;
        }
    }

    /**
     * The newest server under {@code /usr/lib/postgresql/VERSION/bin}, or {@code $JIFEN_PG_BIN}.
     */
    public static Path binaries()
    {
        final String configured = System.getenv("JIFEN_PG_BIN");
        if (null != configured && !configured.isEmpty())
        {
            return Paths.get(configured);
        }
        final Path root = Paths.get("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root))
        {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                .max(Comparator.comparingInt(PostgresServer::version))
                .map(v -> v.resolve("bin"))
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL server under " + root));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("no PostgreSQL server found (install Debian's 'postgresql' package, " +
                "or set JIFEN_PG_BIN to the folder holding initdb, pg_ctl and postgres)", ex);
        }
    }

    private static int version(final Path path)
    {
        try
        {
            return Integer.parseInt(path.getFileName().toString());
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * The server's major version, as {@code postgres --version} prints it.
     */
    public String version() throws IOException, InterruptedException
    {
        return run(List.of(bin.resolve("postgres").toString(), "--version"), false).trim();
    }

    public String jdbcUrl()
    {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=" + USER;
    }

    public int port()
    {
        return port;
    }

    private void initAndStart(final boolean synchronousCommit) throws IOException, InterruptedException
    {
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync"), true);
        // A production-minded configuration for a 2-core, 24 GiB machine; durability as asked.
        final String options = String.join(" ",
            "-c listen_addresses=127.0.0.1",
            "-c port=" + port,
            "-c unix_socket_directories=" + directory,
            "-c max_connections=300",
            "-c shared_buffers=2GB",
            "-c wal_buffers=64MB",
            "-c max_wal_size=8GB",
            "-c checkpoint_timeout=30min",
            "-c fsync=on",
            "-c synchronous_commit=" + (synchronousCommit ? "on" : "off"),
            "-c dynamic_shared_memory_type=mmap",
            "-c log_min_messages=warning");
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
            directory.resolve("server.log").toString(), "-o", options, "-w", "-t", "60", "start"), true);
        running = true;
        run(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER,
            "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE " + DATABASE), true);
    }

    private String run(final List<String> command, final boolean asServerUser) throws IOException,
        InterruptedException
    {
        final List<String> full = new ArrayList<>();
        if (asServerUser && asPostgresUser)
        {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        final Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", full));
        }
        final String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0)
        {
            throw new IOException("'" + String.join(" ", full) + "' failed (exit " + process.exitValue() + "):\n" +
                text + serverLog());
        }
        return text;
    }

    private String serverLog()
    {
        try
        {
            final Path log = directory.resolve("server.log");
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        try
        {
            if (running)
            {
                running = false;
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"),
                    true);
            }
        }
        finally
        {
            try (Stream<Path> walk = Files.walk(directory))
            {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
