package dev.berth.app.cli;

import dev.berth.core.pki.PkiException;
import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.Privileged;
import dev.berth.core.provision.ProgressListener;
import dev.berth.core.provision.ProvisionException;
import dev.berth.core.provision.RemoteLayout;
import dev.berth.core.provision.SshConnection;
import dev.berth.core.provision.SshTarget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "remove", mixinStandardHelpOptions = true,
        description = {"Cordons and drains the node (evictions respect PodDisruptionBudgets), stops and removes",
                "the agent, its service, /opt/berth, /etc/berth, /var/lib/berth and the containers it ran,",
                "then deletes the Node."})
public final class NodeRemoveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "The machine, as ssh knows it.")
    String host;

    @Mixin
    NodeProvisionOptions ssh = new NodeProvisionOptions();

    @Option(names = "--name", paramLabel = "NAME", description = "The node's name (default: HOST, lowercased).")
    String name;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long to wait for the pods to leave (default: ${DEFAULT-VALUE}).")
    int drainTimeout;

    @Override
    public Integer call() {
        ProgressListener progress = NodeProvisionOptions.printer();
        String nodeName = (name != null ? name : host).toLowerCase(Locale.ROOT);
        try (KubernetesClient admin = ssh.admin()) {
            SshTarget target = ssh.target(host);
            try (SshConnection connection = ssh.connect(target, progress);
                 Privileged root = Privileged.detect(connection, NodeProvisionOptions.consolePrompter(), ssh.sudo)) {
                new NodeInstaller(admin, ssh.cluster(), RemoteLayout.SYSTEM, Clock.systemUTC(), progress)
                        .remove(root, nodeName, Duration.ofSeconds(drainTimeout));
            }
            System.out.println("node " + nodeName + " removed");
            return 0;
        } catch (ProvisionException | PkiException | KubernetesClientException | IOException e) {
            System.err.println("berth node remove: " + e.getMessage());
            return 1;
        }
    }
}
