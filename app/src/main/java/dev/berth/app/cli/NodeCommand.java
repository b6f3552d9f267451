package dev.berth.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Manages the nodes of a cluster.",
        subcommands = {NodeCredentialsCommand.class, NodeAddCommand.class, NodeUpgradeCommand.class,
                NodeRemoveCommand.class, NodeBundleCommand.class})
public final class NodeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
