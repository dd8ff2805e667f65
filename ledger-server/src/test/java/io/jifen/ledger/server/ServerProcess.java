package io.jifen.ledger.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server jar run as a separate JVM, as an operator runs it: for tests that kill it.
 */
final class ServerProcess implements AutoCloseable
{
    private static final Pattern SERVING = Pattern.compile("serving jifen\\.ledger\\.v1\\.Ledger on [^:]+:(\\d+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final Thread reader;

    private ServerProcess(final Process process)
    {
        this.process = process;
        reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    output.add(line);
                    final Matcher matcher = SERVING.matcher(line);
                    if (matcher.find())
                    {
                        port.complete(Integer.parseInt(matcher.group(1)));
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process went away
            }
            port.completeExceptionally(new IllegalStateException("server exited before serving:\n" +
                String.join("\n", output)));
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
    }

    static List<String> javaCommand(final String... args)
    {
        final String jar = System.getProperty("jifen.server.jar");
        if (null == jar)
        {
            throw new IllegalStateException("system property jifen.server.jar is not set (run with ./mvnw verify)");
        }
        final List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("jifen.jvm.flags", "").trim().split("\\s+")));
        command.add("-Xmx512m");
        command.add("-jar");
        command.add(jar);
        command.addAll(Arrays.asList(args));
        command.removeIf(String::isEmpty);
        return command;
    }

    static ServerProcess start(final Path data, final String... extraArgs) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--data", data.toString()));
        args.addAll(Arrays.asList(extraArgs));
        final Process process = new ProcessBuilder(javaCommand(args.toArray(new String[0])))
            .redirectErrorStream(true)
            .start();
        return new ServerProcess(process);
    }

    int awaitPort() throws Exception
    {
        return port.get(60, TimeUnit.SECONDS);
    }

    long pid()
    {
        return process.pid();
    }

    List<String> output()
    {
        return output;
    }

    /** SIGKILL, to the server and its snapshot process alike (a machine that dies): no shutdown hook, no flush. */
    void kill() throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the graceful path. */
    int terminate() throws InterruptedException
    {
        // Through the handle: Process.destroy() also closes our end of the output pipe, losing the last words.
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return -1;
        }
        reader.join(10_000);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
