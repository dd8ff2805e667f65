package io.jifen.ledger.server;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command of the ledger command line that only groups others ({@code ledger}, {@code ledger journal},
 * {@code ledger keys}, {@code ledger report}): run without one of them, it is a usage error naming them, from
 * picocli's own list of its subcommands, so a new one is named without touching this.
 */
abstract class CommandGroup implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), (null == spec.parent() ? "name a command" :
            spec.name() + " needs a command") + ": " + String.join(", ", spec.subcommands().keySet()));
    }
}
