package io.jifen.ledger.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time per thread of a process, user and system, from {@code /proc/PID/task}: unlike a Java profiler it counts
 * the time threads spend in the kernel (syscalls, futex wake-ups, fdatasync, socket writes). Threads of a pool are
 * added up under one name.
 */
final class ThreadCpu
{
    private final Map<String, long[]> ticksByThread;

    private ThreadCpu(final Map<String, long[]> ticksByThread)
    {
        this.ticksByThread = ticksByThread;
    }

    /** A thread's name without its numbers, so the threads of a pool add up. */
    static String group(final String name)
    {
        return null == name ? "?" : name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-N-");
    }

    static ThreadCpu snapshot(final long pid)
    {
        final Map<String, long[]> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Paths.get("/proc", Long.toString(pid), "task")))
        {
            tasks.forEach(task ->
            {
                try
                {
                    final String stat = Files.readString(task.resolve("stat"));
                    final int close = stat.lastIndexOf(')');
                    final String name = group(stat.substring(stat.indexOf('(') + 1, close));
                    final String[] fields = stat.substring(close + 2).split(" ");
                    // after the name: state(0) ... utime(11) stime(12), in clock ticks
                    final long[] t = ticks.computeIfAbsent(name, k -> new long[2]);
                    t[0] += Long.parseLong(fields[11]);
                    t[1] += Long.parseLong(fields[12]);
                }
                catch (final IOException | RuntimeException ex)
                {
                    // the thread ended between the listing and the read
                }
            });
        }
        catch (final IOException ex)
        {
            // not Linux, or the process is gone: nothing to report
        }
        return new ThreadCpu(ticks);
    }

    /**
     * Markdown table of the CPU cores each thread (group) used between {@code before} and this snapshot.
     */
    String since(final ThreadCpu before, final double seconds, final int top)
    {
        final double ticksPerSecond = 100; // USER_HZ on Linux
        final List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        double total = 0;
        for (final Map.Entry<String, long[]> e : ticksByThread.entrySet())
        {
            final long[] b = before.ticksByThread.getOrDefault(e.getKey(), new long[2]);
            final long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            if (d[0] + d[1] > 0)
            {
                rows.add(Map.entry(e.getKey(), d));
                total += d[0] + d[1];
            }
        }
        rows.sort((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]));
        final StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
            "| thread | CPU cores, user | system | total |%n|---|---:|---:|---:|%n"));
        for (int i = 0; i < Math.min(top, rows.size()); i++)
        {
            final long[] d = rows.get(i).getValue();
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", rows.get(i).getKey(),
                d[0] / ticksPerSecond / seconds, d[1] / ticksPerSecond / seconds,
                (d[0] + d[1]) / ticksPerSecond / seconds));
        }
        md.append(String.format(Locale.ROOT, "| all threads | | | %.2f |%n", total / ticksPerSecond / seconds));
        return md.toString();
    }
}
