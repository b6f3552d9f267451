package dev.berth.app.cli;

import dev.berth.core.BerthVersion;
import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.ProvisionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = {"Builds the agent bundle that 'berth node add' uploads: this build's jars, a Java runtime",
                "(trimmed with jlink; an installed app takes a copy of its own), the launcher, a supervisor",
                "script and the systemd unit, as berth-agent-VERSION-ARCH.tar.gz with a SHA-256 manifest (.json)."})
public final class NodeBundleCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to write the bundle.")
    Path out;

    @Option(names = "--no-jlink", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Leave the Java runtime out (the node then needs Java 25 on its PATH).")
    boolean jlink;

    @Override
    public Integer call() {
        try {
            Bundle b = InstalledBundle.builder(BerthVersion.version(), jlink).build(out, NodeProvisionOptions.printer());
            System.out.println("bundle " + b.archive() + " sha256 " + b.sha256());
            return 0;
        } catch (IOException | ProvisionException e) {
            System.err.println("berth node bundle: " + e.getMessage());
            return 1;
        }
    }
}
