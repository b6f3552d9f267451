package dev.berth.app.nodes;

import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.KnownHosts;
import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.PreflightReport;
import dev.berth.core.provision.Privileged;
import dev.berth.core.provision.ProgressListener;
import dev.berth.core.provision.Prompter;
import dev.berth.core.provision.ProvisionException;
import dev.berth.core.provision.RemoteLayout;
import dev.berth.core.provision.SshConnection;
import dev.berth.core.provision.SshConnector;
import dev.berth.core.provision.SshTarget;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * One run of the wizard against one machine, off the FX thread: connect (host key checked, a
 * key's passphrase and a sudo password asked through the {@link Prompter}), preflight, then add,
 * upgrade or remove through {@link NodeInstaller}. {@link #cancel()} may be called from any thread:
 * it closes the SSH connection and interrupts the step running, which then fails with
 * {@link CancelledException}.
 */
public final class NodeJob implements AutoCloseable {
    /** Where provisioning happens and with what: the cluster, the host key files, the remote layout, the agent bundle. */
    public record Environment(KubernetesClient admin, Kubeconfig cluster, KnownHosts knownHosts, RemoteLayout layout,
                              BundleSource bundles, Duration connectTimeout, Duration readyTimeout, int agentPort,
                              Duration drainTimeout, Clock clock) {
        public Environment {
            Objects.requireNonNull(admin, "admin");
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(knownHosts, "knownHosts");
            Objects.requireNonNull(layout, "layout");
            Objects.requireNonNull(bundles, "bundles");
        }
    }

    /** The agent bundle to install, built or found when first asked (it reports its progress). */
    @FunctionalInterface
    public interface BundleSource {
        Bundle get(ProgressListener progress) throws IOException;
    }

    /** The person cancelled. */
    public static final class CancelledException extends ProvisionException {
        CancelledException(String step) {
            super("cancelled while " + step + "; adding the node again repairs a half-done install");
        }
    }

    private final Environment env;
    private final ProgressListener progress;
    private final Prompter prompter;
    private volatile boolean cancelled;
    private volatile Thread running;
    private volatile SshConnection connection;
    private Privileged root;
    private String sudoFailure;
    private Bundle bundle;

    public NodeJob(Environment env, Prompter prompter, ProgressListener progress) {
        this.env = env;
        this.prompter = prompter;
        this.progress = progress;
    }

    /**
     * Connects to {@code target}; {@code acceptedFingerprint} is the host key the person confirmed
     * (null the first time). Then finds how to become root (asking for the sudo password if needed).
     *
     * @throws dev.berth.core.provision.UnknownHostKeyException the key is not known: ask the person, then call again
     * @throws dev.berth.core.provision.HostKeyChangedException the key changed: refused
     */
    public void connect(SshTarget target, String acceptedFingerprint) throws IOException {
        step("connecting", () -> {
            closeConnection();
            connection = new SshConnector(env.knownHosts(), prompter, env.connectTimeout()).connect(target, acceptedFingerprint, progress);
            try {
                root = Privileged.detect(connection, prompter, true);
                sudoFailure = null;
            } catch (ProvisionException e) {
                root = null;
                sudoFailure = e.getMessage();
            }
            return null;
        });
    }

    /** The preflight checks, each with its remedy when it failed. Needs {@link #connect}. */
    public PreflightReport preflight(NodeInstaller.Request request) throws IOException {
        return step("running the preflight checks", () -> installer().preflight(requireConnection(), root, sudoFailure, request, bundle()));
    }

    /** Installs the agent and waits until its Node is Ready. */
    public void add(NodeInstaller.Request request) throws IOException {
        step("installing", () -> {
            if (root == null) {
                throw new ProvisionException(sudoFailure);
            }
            installer().add(requireConnection(), root, request, bundle());
            return null;
        });
    }

    /** Replaces the agent's bundle and restarts it. */
    public void upgrade(NodeInstaller.Request request) throws IOException {
        step("upgrading", () -> {
            if (root == null) {
                throw new ProvisionException(sudoFailure);
            }
            installer().upgrade(root, request, bundle());
            return null;
        });
    }

    /** Drains the node (PodDisruptionBudgets respected), uninstalls the agent (when connected) and deletes the Node. */
    public void remove(String nodeName, boolean machineGone) throws IOException {
        step("removing", () -> {
            if (!machineGone && root == null) {
                throw new ProvisionException(sudoFailure == null ? "not connected to the machine" : sudoFailure);
            }
            installer().remove(machineGone ? null : root, nodeName, env.drainTimeout());
            return null;
        });
    }

    /** The install request for what the form says, towards {@code target}. */
    public NodeInstaller.Request requestFor(AddNodeForm form, SshTarget target) {
        return form.request(serverFor(target), env.agentPort(), env.readyTimeout());
    }

    /** The API server URL the node is told: the cluster's, unless that is loopback, then this machine's address towards the host. */
    public URI serverFor(SshTarget target) {
        return serverTowards(URI.create(env.cluster().server()), target.hostName(), target.port());
    }

    /**
     * {@code clusterServer} if it is not a loopback address, else the same URL with this machine's
     * address on the interface that routes to {@code host} (no packet is sent to find it).
     */
    public static URI serverTowards(URI clusterServer, String host, int port) {
        String h = clusterServer.getHost();
        boolean loopback = h == null || h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]");
        if (!loopback) return clusterServer;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(host, port));
            var local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress() || local.isLoopbackAddress()) return clusterServer;
            String a = local instanceof java.net.Inet6Address ? "[" + local.getHostAddress() + "]" : local.getHostAddress();
            return URI.create(clusterServer.getScheme() + "://" + a + ":" + clusterServer.getPort());
        } catch (IOException | RuntimeException e) {
            return clusterServer;
        }
    }

    public boolean connected() {
        SshConnection c = connection;
        return c != null && c.isConnected();
    }

    /** Whether commands can run as root on the machine; if not, {@link #sudoFailure()} says what to set up. */
    public boolean privileged() {
        return root != null;
    }

    public String sudoFailure() {
        return sudoFailure;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Stops the step running (closing the connection under it) and any later one. */
    public void cancel() {
        cancelled = true;
        closeConnection();
        Thread t = running;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void close() {
        closeConnection();
    }

    private NodeInstaller installer() {
        return new NodeInstaller(env.admin(), env.cluster(), env.layout(), env.clock(), p -> {
            if (cancelled) {
                throw new CancelledException(p.step());
            }
            progress.progress(p);
        });
    }

    private synchronized Bundle bundle() throws IOException {
        if (bundle == null) {
            bundle = env.bundles().get(progress);
        }
        return bundle;
    }

    private SshConnection requireConnection() {
        SshConnection c = connection;
        if (c == null) {
            throw new ProvisionException("not connected to the machine");
        }
        return c;
    }

    private void closeConnection() {
        SshConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    private interface Step<T> {
        T run() throws IOException;
    }

    private <T> T step(String what, Step<T> step) throws IOException {
        if (cancelled) {
            throw new CancelledException(what);
        }
        running = Thread.currentThread();
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            if (cancelled && !(e instanceof CancelledException)) {
                throw new CancelledException(what);
            }
            throw e;
        } finally {
            running = null;
            Thread.interrupted();   // an interrupt meant for this step must not reach the next task on this thread
        }
    }
}
