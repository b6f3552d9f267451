package dev.berth.app.cli;

import dev.berth.core.BerthVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = BerthCommand.Version.class,
        description = "Berth: a Kubernetes-compatible cluster manager for small labs.",
        subcommands = {ServerCommand.class, AgentCommand.class, NodeCommand.class, SimCommand.class, BenchCommand.class,
                ImageCommand.class, UserCommand.class})
public final class BerthCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"berth " + BerthVersion.version() + " (Kubernetes API " + BerthVersion.gitVersion() + ")"};
        }
    }
}
