package dev.berth.app.cli;

import picocli.CommandLine.Command;

@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = {"Replaces the agent bundle on HOST and restarts the agent; its pods keep running",
                "(the agent adopts them). Takes the options of 'berth node add'."})
public final class NodeUpgradeCommand extends NodeAddCommand {
    public NodeUpgradeCommand() {
        upgrade = true;
    }
}
