package io.jifen.ledger.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes, from a JFR recording's execution samples: the share of samples per thread (which stage
 * burns the CPU) and per top-of-stack method (what it burns it on).
 */
final class Profile
{
    private Profile()
    {
    }

    /**
     * A markdown summary of the recording: the {@code top} threads and methods by share of execution samples.
     */
    static String summarize(final Path recording, final int top) throws IOException
    {
        final Map<String, Integer> threads = new HashMap<>();
        final Map<String, Integer> methods = new HashMap<>();
        final Map<String, Integer> components = new HashMap<>();
        int samples = 0;
        try (RecordingFile file = new RecordingFile(recording))
        {
            while (file.hasMoreEvents())
            {
                final RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample"))
                {
                    continue;
                }
                samples++;
                final RecordedThread thread = event.getThread("sampledThread");
                threads.merge(null == thread ? "?" : ThreadCpu.group(thread.getJavaName()), 1, Integer::sum);
                final RecordedStackTrace stack = event.getStackTrace();
                String method = "?";
                if (null != stack && !stack.getFrames().isEmpty())
                {
                    final RecordedFrame frame = stack.getFrames().get(0);
                    method = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
                }
                methods.merge(method, 1, Integer::sum);
                components.merge(component(method), 1, Integer::sum);
            }
        }
        final StringBuilder md = new StringBuilder();
        if (samples == 0)
        {
            return "no execution samples.\n";
        }
        md.append(String.format(Locale.ROOT, "%d execution samples (Java code only: time in the kernel, in " +
            "syscalls and waiting is not sampled).%n%n| thread | share |%n|---|---:|%n", samples));
        for (final Map.Entry<String, Integer> e : sorted(threads, top))
        {
            md.append(String.format(Locale.ROOT, "| %s | %.1f%% |%n", e.getKey(), 100.0 * e.getValue() / samples));
        }
        md.append("\n| code (top of stack) | share |\n|---|---:|\n");
        for (final Map.Entry<String, Integer> e : sorted(components, top))
        {
            md.append(String.format(Locale.ROOT, "| %s | %.1f%% |%n", e.getKey(), 100.0 * e.getValue() / samples));
        }
        md.append("\n| method (top of stack) | share |\n|---|---:|\n");
        for (final Map.Entry<String, Integer> e : sorted(methods, top))
        {
            md.append(String.format(Locale.ROOT, "| `%s` | %.1f%% |%n", e.getKey(), 100.0 * e.getValue() / samples));
        }
        return md.toString();
    }

    private static final String[][] COMPONENTS = {
        {"io.netty.", "Netty"},
        {"io.grpc.", "gRPC"},
        {"com.google.protobuf.", "protobuf"},
        {"io.jifen.ledger.api.", "protobuf (generated messages)"},
        {"io.jifen.ledger.core.", "Jifen state machine"},
        {"io.jifen.ledger.journal.", "Jifen journal codec"},
        {"io.jifen.ledger.pipeline.", "Jifen pipeline"},
        {"io.jifen.ledger.server.", "Jifen gRPC service / load generator"},
        {"io.jifen.ledger.bench.", "benchmark harness"},
        {"net.openhft.", "Chronicle Queue"},
        {"com.lmax.disruptor.", "Disruptor"},
        {"org.agrona.", "Agrona"},
        {"org.HdrHistogram.", "HdrHistogram"},
        {"sun.security.", "JDK (SHA-256)"},
        {"java.", "JDK"},
        {"jdk.", "JDK"},
        {"sun.", "JDK"},
    };

    private static String component(final String method)
    {
        for (final String[] c : COMPONENTS)
        {
            if (method.startsWith(c[0]))
            {
                return c[1];
            }
        }
        return "other";
    }

    private static List<Map.Entry<String, Integer>> sorted(final Map<String, Integer> counts, final int top)
    {
        final List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
        return entries.subList(0, Math.min(top, entries.size()));
    }
}
