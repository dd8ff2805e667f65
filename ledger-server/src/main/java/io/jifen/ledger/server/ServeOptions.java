package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Where {@code ledger serve} takes its options from, weakest first: a YAML file ({@code --config FILE}, one key per
 * option, named as the flag without its dashes), environment variables ({@code JIFEN_} and the option's name in
 * capitals, dashes as underscores: {@code JIFEN_MAX_QUEUE_MS=500}), and the command line. An option given in a
 * stronger place replaces it, repeatable ones ({@code --program}) included, wholly. The options and whether they take
 * a value are read from the serve section of the usage text, so a new option is configurable everywhere at once.
 */
final class ServeOptions
{
    static final String CONFIG = "--config";
    private static final Pattern SPEC = Pattern.compile("--([a-z][a-z-]*)( [A-Z]+)?");

    /** Each serve option (without dashes), and whether it takes a value. */
    private final Map<String, Boolean> takesValue;

    ServeOptions(final String usage)
    {
        takesValue = new LinkedHashMap<>();
        boolean inServe = false;
        for (final String line : usage.split("\n"))
        {
            if (!line.startsWith(" ") && line.contains("options"))
            {
                inServe = line.startsWith("serve options");
                continue;
            }
            if (inServe && line.startsWith("  --"))
            {
                final int description = line.indexOf("  ", 2);
                final Matcher m = SPEC.matcher(description < 0 ? line : line.substring(0, description));
                while (m.find())
                {
                    takesValue.put(m.group(1), null != m.group(2));
                }
            }
        }
    }

    boolean known(final String name)
    {
        return takesValue.containsKey(name);
    }

    /**
     * @return the command line as the parser should read it: the file's options, then the environment's, then the
     *         command line's, each without the options a stronger place gives.
     * @throws IllegalArgumentException for a config file that cannot be read or names an unknown option.
     */
    Deque<String> effective(final Deque<String> commandLine, final Map<String, String> env)
    {
        final List<String> cli = new ArrayList<>(commandLine);
        Path file = null;
        final int at = cli.indexOf(CONFIG);
        if (at >= 0)
        {
            if (at + 1 >= cli.size())
            {
                throw new IllegalArgumentException(CONFIG + " needs a file");
            }
            file = Path.of(cli.get(at + 1));
            cli.remove(at + 1);
            cli.remove(at);
        }
        final Map<String, List<String>> fromCli = layer(cli);
        final Map<String, List<String>> fromEnv = fromEnvironment(env);
        final Map<String, List<String>> fromFile = null == file ? Map.of() : fromFile(file);
        final Deque<String> merged = new ArrayDeque<>();
        append(merged, fromFile, fromEnv, fromCli);
        append(merged, fromEnv, fromCli);
        merged.addAll(cli);
        return merged;
    }

    @SafeVarargs
    private static void append(final Deque<String> out, final Map<String, List<String>> layer,
        final Map<String, List<String>>... stronger)
    {
        for (final Map.Entry<String, List<String>> option : layer.entrySet())
        {
            boolean replaced = false;
            for (final Map<String, List<String>> s : stronger)
            {
                replaced |= s.containsKey(option.getKey());
            }
            if (!replaced)
            {
                out.addAll(option.getValue());
            }
        }
    }

    /** The command line's options, each with the arguments it takes, by name (unknown ones are left to the parser). */
    private Map<String, List<String>> layer(final List<String> args)
    {
        final Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            if (arg.startsWith("--") && known(arg.substring(2)))
            {
                options.put(arg.substring(2), List.of());
                if (takesValue.get(arg.substring(2)))
                {
                    i++;
                }
            }
        }
        return options;
    }

    private Map<String, List<String>> fromEnvironment(final Map<String, String> env)
    {
        final Map<String, List<String>> options = new LinkedHashMap<>();
        for (final String name : takesValue.keySet())
        {
            final String value = env.get("JIFEN_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (null != value && !value.isEmpty())
            {
                put(options, name, value, "environment variable JIFEN_" +
                    name.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
        }
        return options;
    }

    private Map<String, List<String>> fromFile(final Path file)
    {
        final Object yaml;
        try
        {
            yaml = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(
                Files.readString(file));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException(CONFIG + ": no such file " + file, ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalArgumentException(CONFIG + ": cannot read " + file + ": " + ex.getMessage(), ex);
        }
        if (null == yaml)
        {
            return Map.of();
        }
        if (!(yaml instanceof Map<?, ?> map))
        {
            throw new IllegalArgumentException(CONFIG + ": " + file + " must be a map of serve options to values");
        }
        final Map<String, List<String>> options = new LinkedHashMap<>();
        for (final Map.Entry<?, ?> entry : map.entrySet())
        {
            final String name = String.valueOf(entry.getKey());
            if (!known(name))
            {
                throw new IllegalArgumentException(CONFIG + ": unknown option '" + name + "' in " + file +
                    " (its keys are the options of ledger serve --help, without the dashes)");
            }
            final List<?> values = entry.getValue() instanceof List<?> list ? list : List.of(entry.getValue());
            for (final Object value : values)
            {
                put(options, name, String.valueOf(value), "'" + name + "' in " + file);
            }
        }
        return options;
    }

    /** Adds {@code --name value}, or {@code --name} for a flag set true. */
    private void put(final Map<String, List<String>> options, final String name, final String value,
        final String where)
    {
        final List<String> args = options.computeIfAbsent(name, n -> new ArrayList<>());
        if (takesValue.get(name))
        {
            args.add("--" + name);
            args.add(value);
            return;
        }
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "true", "1", "yes" -> args.add("--" + name);
            case "false", "0", "no" ->
            {
                // not set
            }
            default -> throw new IllegalArgumentException(where + ": --" + name + " is on or off (true or false), " +
                "not " + value);
        }
    }
}
