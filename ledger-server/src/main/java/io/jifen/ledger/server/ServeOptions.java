package io.jifen.ledger.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where {@code ledger serve} takes an option from when the command line does not give it: an environment variable
 * ({@code JIFEN_} and the option's name in capitals, dashes as underscores: {@code JIFEN_MAX_QUEUE_MS=500}), else a
 * YAML file ({@code --config FILE}, or {@code JIFEN_CONFIG}: one key per option, named as the flag without its
 * dashes), else the option's default. A stronger place replaces an option wholly, a repeatable one ({@code --program})
 * included. The options are the serve command's own, so a new option is configurable everywhere at once.
 */
final class ServeOptions implements CommandLine.IDefaultValueProvider
{
    static final String CONFIG = "--config";
    /** How a list (a YAML sequence, or several values in one variable) is joined: the options split on it. */
    static final String LIST_SEPARATOR = ",";

    private final Map<String, String> env;
    private final Map<String, String> fromFile;
    private final Path file;

    private ServeOptions(final Map<String, String> env, final Map<String, String> fromFile, final Path file)
    {
        this.env = env;
        this.fromFile = fromFile;
        this.file = file;
    }

    /** @return where an option's value came from when the command line did not give it, or null: its default. */
    String sourceOf(final OptionSpec option)
    {
        final String name = option.longestName().substring(2);
        final String variable = variable(name);
        if (null != env.get(variable) && !env.get(variable).isEmpty())
        {
            return "environment variable " + variable;
        }
        return fromFile.containsKey(name) ? "'" + name + "' in " + file : null;
    }

    /**
     * Reads the config file a serve command line names ({@code --config FILE} or {@code --config=FILE}, else
     * {@code JIFEN_CONFIG}), checking every key is one of the command's options.
     *
     * @throws IllegalArgumentException for a file that cannot be read, is not a map, or names an unknown option.
     */
    static ServeOptions of(final CommandSpec serve, final List<String> args, final Map<String, String> env)
    {
        String file = env.get("JIFEN_CONFIG");
        for (int i = 0; i < args.size(); i++)
        {
            if (args.get(i).equals(CONFIG))
            {
                if (i + 1 >= args.size())
                {
                    throw new IllegalArgumentException(CONFIG + " needs a file");
                }
                file = args.get(i + 1);
            }
            else if (args.get(i).startsWith(CONFIG + "="))
            {
                file = args.get(i).substring(CONFIG.length() + 1);
            }
        }
        final Map<String, OptionSpec> known = options(serve);
        for (final Map.Entry<String, OptionSpec> option : known.entrySet())
        {
            final String variable = variable(option.getKey());
            if (null != env.get(variable) && !env.get(variable).isEmpty())
            {
                checked(option.getValue(), env.get(variable), "environment variable " + variable); // fails early
            }
        }
        final boolean none = null == file || file.isEmpty();
        return new ServeOptions(env, none ? Map.of() : read(known, Path.of(file)), none ? null : Path.of(file));
    }

    private static String variable(final String name)
    {
        return "JIFEN_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String defaultValue(final ArgSpec arg)
    {
        if (!(arg instanceof OptionSpec option) || option.longestName().equals(CONFIG) || option.usageHelp() ||
            option.versionHelp())
        {
            return null;
        }
        final String name = option.longestName().substring(2);
        final String variable = variable(name);
        final String value = env.get(variable);
        if (null != value && !value.isEmpty())
        {
            return checked(option, value, "environment variable " + variable);
        }
        return fromFile.get(name);
    }

    /** A flag as picocli reads it: true or false (also yes/no, 1/0), else an error naming where it came from. */
    private static String checked(final OptionSpec option, final String value, final String where)
    {
        if (option.arity().max() > 0)
        {
            return value;
        }
        return switch (value.toLowerCase(Locale.ROOT))
        {
            case "true", "1", "yes" -> "true";
            case "false", "0", "no" -> "false";
            default -> throw new IllegalArgumentException(where + ": " + option.longestName() + " is on or off " +
                "(true or false), not " + value);
        };
    }

    private static Map<String, String> read(final Map<String, OptionSpec> known, final Path file)
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
        final Map<String, String> values = new LinkedHashMap<>();
        for (final Map.Entry<?, ?> entry : map.entrySet())
        {
            final String name = String.valueOf(entry.getKey());
            final OptionSpec option = known.get(name);
            if (null == option)
            {
                throw new IllegalArgumentException(CONFIG + ": unknown option '" + name + "' in " + file +
                    " (its keys are the options of ledger serve --help, without the dashes)");
            }
            final List<String> each = new ArrayList<>();
            for (final Object value : entry.getValue() instanceof List<?> list ? list : List.of(entry.getValue()))
            {
                each.add(checked(option, String.valueOf(value), "'" + name + "' in " + file));
            }
            values.put(name, String.join(LIST_SEPARATOR, each));
        }
        return values;
    }

    /** @return the options a config file and the environment may set, by name without dashes. */
    static Map<String, OptionSpec> options(final CommandSpec serve)
    {
        final Map<String, OptionSpec> options = new LinkedHashMap<>();
        for (final OptionSpec option : serve.options())
        {
            if (!option.longestName().equals(CONFIG) && !option.usageHelp() && !option.versionHelp())
            {
                options.put(option.longestName().substring(2), option);
            }
        }
        return options;
    }
}
