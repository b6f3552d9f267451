package dev.berth.app.cli;

import dev.berth.core.BerthVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = BerthCommand.Version.class,
        description = {"Berth: a Kubernetes-compatible cluster manager for small labs.",
                "Without a command, opens the desktop app (berth app) with its embedded control plane."},
        subcommands = {DesktopCommand.class, ServerCommand.class, AgentCommand.class, NodeCommand.class, SimCommand.class, BenchCommand.class,
                ImageCommand.class, UserCommand.class, AuditCommand.class, ExportCommand.class, ImportCommand.class,
                BackupCommand.class, RestoreCommand.class})
public final class BerthCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Bare {@code berth} opens the desktop app; {@code berth --help} lists the commands. */
    @Override
    public Integer call() {
        return spec.commandLine().getSubcommands().get("app").execute();
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"berth " + BerthVersion.version() + " (Kubernetes API " + BerthVersion.gitVersion() + ")"};
        }
    }
}
