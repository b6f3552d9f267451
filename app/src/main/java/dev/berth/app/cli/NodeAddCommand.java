package dev.berth.app.cli;

import dev.berth.core.pki.PkiException;
import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.CheckResult;
import dev.berth.core.provision.HostKeyChangedException;
import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.Preflight;
import dev.berth.core.provision.PreflightFailedException;
import dev.berth.core.provision.Privileged;
import dev.berth.core.provision.ProgressListener;
import dev.berth.core.provision.ProvisionException;
import dev.berth.core.provision.RemoteLayout;
import dev.berth.core.provision.SshConnection;
import dev.berth.core.provision.SshTarget;
import dev.berth.core.provision.UnknownHostKeyException;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Installs the node agent on HOST over SSH and waits until its Node is Ready:",
                "preflight checks (each with a remedy), upload of the agent bundle (skipped when",
                "present), credentials from a one-time bootstrap token, a systemd service (or a",
                "supervised process). Running it again on an installed host repairs or upgrades it."})
public class NodeAddCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST", description = "The machine, as ssh knows it (a ~/.ssh/config Host works).")
    String host;

    @Mixin
    NodeProvisionOptions ssh = new NodeProvisionOptions();

    @Option(names = "--name", paramLabel = "NAME", description = "The node's name (default: HOST, lowercased).")
    String name;

    @Option(names = "--labels", paramLabel = "k=v,...", split = ",", description = "Labels for the Node.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--taints", paramLabel = "k[=v]:Effect,...", split = ",", description = "Taints for the Node (NoSchedule, PreferNoSchedule, NoExecute).")
    List<String> taints = new ArrayList<>();

    @Option(names = "--server", paramLabel = "URL",
            description = "The API server URL the node uses (default: this machine's address towards HOST, with the kubeconfig's port).")
    String server;

    @Option(names = "--bundle", paramLabel = "MANIFEST",
            description = "An agent bundle's manifest (berth-agent-VERSION-ARCH.json from ./mvnw -Pbundle package); default: built once into DATA_DIR/bundles.")
    Path bundle;

    @Option(names = "--agent-port", paramLabel = "N", defaultValue = "10250", description = "The agent's port (default: ${DEFAULT-VALUE}).")
    int agentPort;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "How long to wait for the Node to be Ready (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--preflight-only", description = "Only run the preflight checks and print them.")
    boolean preflightOnly;

    /** {@code true}: upgrade (the agent must be installed). */
    boolean upgrade;

    @Override
    public Integer call() {
        String cmd = "berth node " + (upgrade ? "upgrade" : "add");
        NodeInstaller.Request request;
        SshTarget target;
        try {
            target = ssh.target(host);
            String nodeName = (name != null ? name : host).toLowerCase(Locale.ROOT);
            dev.berth.agent.identity.NodeCredentials.requireValidNodeName(nodeName);
            URI url = ssh.server(server, target);
            CheckResult address = Preflight.serverAddress(url, target.hostName());
            if (address.status() == CheckResult.Status.FAIL) {
                System.err.println(cmd + ": " + address.message() + "\n  fix: " + address.remedy());
                return 1;
            }
            request = new NodeInstaller.Request(nodeName, url, parseLabels(labels), parseTaints(taints), agentPort,
                    Duration.ofSeconds(timeout));
        } catch (IllegalArgumentException | ProvisionException | PkiException e) {
            System.err.println(cmd + ": " + e.getMessage());
            return 2;
        }
        ProgressListener progress = NodeProvisionOptions.printer();
        try (KubernetesClient admin = ssh.admin(); SshConnection connection = ssh.connect(target, progress)) {
            Bundle b = NodeProvisionOptions.bundle(bundle, ssh.dataDir(), true, progress);
            NodeInstaller installer = new NodeInstaller(admin, ssh.cluster(), RemoteLayout.SYSTEM, Clock.systemUTC(), progress);
            Privileged root;
            String sudoFailure = null;
            try {
                root = Privileged.detect(connection, NodeProvisionOptions.consolePrompter(), ssh.sudo);
            } catch (ProvisionException e) {
                root = null;
                sudoFailure = e.getMessage();
            }
            if (preflightOnly) {
                var report = installer.preflight(connection, root, sudoFailure, request, b);
                report.results().forEach(r -> System.out.println(r));
                return report.passed() ? 0 : 1;
            }
            if (root == null) {
                System.err.println(cmd + ": " + sudoFailure);
                return 1;
            }
            try (Privileged privileged = root) {
                if (upgrade) {
                    installer.upgrade(privileged, request, b);
                } else {
                    installer.add(connection, privileged, request, b);
                }
            }
            System.out.println("node " + request.nodeName() + " is Ready (agent " + b.version() + ")");
            return 0;
        } catch (UnknownHostKeyException e) {
            System.err.println(cmd + ": " + e.getMessage());
            return 3;
        } catch (HostKeyChangedException e) {
            System.err.println(cmd + ": " + e.getMessage());
            return 4;
        } catch (PreflightFailedException e) {
            e.report().results().forEach(r -> System.err.println("  " + r));
            System.err.println(cmd + ": " + e.getMessage());
            return 1;
        } catch (ProvisionException | PkiException | KubernetesClientException | IOException e) {
            System.err.println(cmd + ": " + e.getMessage() + " (running it again repairs a half-done install)");
            return 1;
        }
    }

    static Map<String, String> parseLabels(List<String> labels) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--labels \"" + l + "\" must be KEY=VALUE");
            out.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return out;
    }

    static List<Taint> parseTaints(List<String> taints) {
        List<Taint> out = new ArrayList<>();
        for (String t : taints) {
            int colon = t.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("--taints \"" + t + "\" must be KEY[=VALUE]:EFFECT");
            String effect = t.substring(colon + 1);
            if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                throw new IllegalArgumentException("--taints \"" + t + "\": effect \"" + effect
                        + "\" must be NoSchedule, PreferNoSchedule or NoExecute");
            }
            String kv = t.substring(0, colon);
            int eq = kv.indexOf('=');
            out.add(new TaintBuilder().withKey(eq < 0 ? kv : kv.substring(0, eq)).withValue(eq < 0 ? null : kv.substring(eq + 1))
                    .withEffect(effect).build());
        }
        return out;
    }
}
