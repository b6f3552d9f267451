package dev.berth.core.provision;

import dev.berth.core.pki.Kubeconfig;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs, upgrades and removes the agent on a host: {@link #add} (preflight, upload, credentials
 * from a one-time bootstrap token, service, wait for Ready; re-running it repairs or upgrades),
 * {@link #upgrade} and {@link #remove} (cordon, drain respecting PodDisruptionBudgets, stop, delete
 * everything, delete the Node). Every step reports through the {@link ProgressListener}.
 */
public final class NodeInstaller {
    public static final String STEP_UPLOAD = "upload";
    public static final String STEP_CREDENTIALS = "credentials";
    public static final String STEP_SERVICE = "service";
    public static final String STEP_READY = "ready";
    public static final String STEP_DRAIN = "drain";
    public static final String STEP_REMOVE = "remove";
    static final Duration TOKEN_TTL = Duration.ofMinutes(30);
    /** How long a stopping agent may take before it is killed. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** What one add or upgrade does. */
    public record Request(String nodeName, URI server, Map<String, String> labels, List<Taint> taints,
                          int agentPort, Duration readyTimeout) {
        public Request {
            labels = Map.copyOf(labels);
            taints = List.copyOf(taints);
        }
    }

    private final KubernetesClient admin;
    private final Kubeconfig cluster;
    private final RemoteLayout layout;
    private final Clock clock;
    private final ProgressListener progress;

    /**
     * @param admin   a client of the cluster with rights to make bootstrap tokens and manage Nodes
     * @param cluster the kubeconfig it came from (its CA is given to the node)
     */
    public NodeInstaller(KubernetesClient admin, Kubeconfig cluster, RemoteLayout layout, Clock clock, ProgressListener progress) {
        this.admin = admin;
        this.cluster = cluster;
        this.layout = layout;
        this.clock = clock;
        this.progress = progress;
    }

    /** The preflight that {@link #add} runs, for a report without installing. */
    public PreflightReport preflight(RemoteHost login, Privileged root, String sudoFailure, Request request, Bundle bundle) {
        return new Preflight(new Preflight.Settings(layout, request.server(), bundle.size(), bundle.arch(),
                request.agentPort(), clock)).run(login, root, sudoFailure, progress);
    }

    /** Installs (or repairs, or upgrades) the agent as {@code request.nodeName()} and waits until its Node is Ready. */
    public void add(RemoteHost login, Privileged root, Request request, Bundle bundle) throws IOException {
        PreflightReport report = preflight(login, root, null, request, bundle);
        if (!report.passed()) {
            throw new PreflightFailedException(report);
        }
        install(root, request, bundle, false);
    }

    /** Replaces the bundle and restarts the agent (its pods keep running; the agent adopts them). */
    public void upgrade(Privileged root, Request request, Bundle bundle) throws IOException {
        if (!root.exec("test -e " + Shell.quote(layout.current())).ok()) {
            throw new ProvisionException("the agent is not installed on " + root.describe() + " (no " + layout.current()
                    + "): use berth node add");
        }
        install(root, request, bundle, true);
    }

    /**
     * Uploads, writes credentials and options, and (re)starts the service. The running agent is
     * restarted only when something it reads changed: another bundle, other options, new
     * credentials, or an upgrade asked for it; a re-add with the same bundle leaves it running.
     */
    private void install(Privileged root, Request request, Bundle bundle, boolean upgrade) throws IOException {
        String previous = root.exec("readlink " + Shell.quote(layout.current()) + " 2>/dev/null").stdout().strip();
        upload(root, bundle);
        BootstrapTokens tokens = new BootstrapTokens(admin, clock);
        BootstrapTokens.Token token = credentials(root, request, tokens);
        try {
            List<String> why = new java.util.ArrayList<>();
            if (upgrade) why.add("upgrade");
            if (!previous.equals(bundle.version())) why.add(previous.isEmpty() ? "new install" : "bundle " + previous + " -> " + bundle.version());
            if (writeEnv(root, request)) why.add("options changed");
            if (token != null) why.add("new credentials");
            root.exec("ln -sfn " + Shell.quote(bundle.version()) + " " + Shell.quote(layout.current() + ".new") + " && mv -T "
                    + Shell.quote(layout.current() + ".new") + " " + Shell.quote(layout.current()));
            startService(root, why);
            if (token != null) waitCredentials(root, request);
            waitReady(request);
            applyLabelsAndTaints(request);
        } finally {
            if (token != null) {
                tokens.revoke(token);
                root.exec("rm -f " + Shell.quote(layout.bootstrapKubeconfig()));
            }
        }
        if (!previous.isEmpty() && !previous.equals(bundle.version())) {
            root.exec("rm -rf " + Shell.quote(layout.bundleDir(previous)));
        }
    }

    /** Uploads and unpacks the bundle unless that exact bundle is there; a partial upload is resumed. */
    void upload(Privileged root, Bundle bundle) throws IOException {
        String dir = layout.bundleDir(bundle.version());
        String marker = dir + "/.bundle-sha256";
        ExecResult present = root.exec("cat " + Shell.quote(marker) + " 2>/dev/null");
        if (present.ok() && present.stdout().strip().equals(bundle.sha256())) {
            progress.report(STEP_UPLOAD, 1.0, "bundle " + bundle.version() + " already installed (checksum matches); skipped");
            return;
        }
        String part = layout.opt() + "/" + bundle.archive().getFileName() + ".part";
        check(root.exec("mkdir -p " + Shell.quote(layout.opt()) + " && chmod 0755 " + Shell.quote(layout.opt())), "create " + layout.opt());
        for (int attempt = 0; attempt < 2; attempt++) {
            long have = 0;
            ExecResult size = root.exec("wc -c < " + Shell.quote(part) + " 2>/dev/null");
            if (size.ok() && !size.stdout().isBlank()) have = Long.parseLong(size.stdout().strip());
            if (have > bundle.size()) {
                root.exec("rm -f " + Shell.quote(part));
                have = 0;
            }
            if (have < bundle.size()) {
                long start = have;
                progress.report(STEP_UPLOAD, (double) start / bundle.size(), start == 0 ? "uploading " + (bundle.size() >> 20)
                        + " MiB" : "resuming the upload at " + (start >> 20) + " MiB");
                try (InputStream in = Files.newInputStream(bundle.archive())) {
                    in.skipNBytes(start);
                    ExecResult r = root.exec("cat >> " + Shell.quote(part), new Counting(in, start, bundle.size()),
                            Duration.ofMinutes(30));
                    check(r, "write " + part);
                }
            }
            ExecResult sum = root.exec("sha256sum " + Shell.quote(part));
            if (sum.ok() && sum.stdout().startsWith(bundle.sha256())) {
                break;
            }
            root.exec("rm -f " + Shell.quote(part));
            if (attempt == 1) {
                throw new ProvisionException("the uploaded bundle's checksum does not match " + bundle.sha256()
                        + " twice; check the disk and the network of " + root.describe());
            }
        }
        progress.report(STEP_UPLOAD, 0.95, "unpacking into " + dir);
        String tmp = dir + ".tmp";
        check(root.exec("rm -rf " + Shell.quote(tmp) + " && mkdir -p " + Shell.quote(tmp) + " && tar -xzf " + Shell.quote(part)
                + " -C " + Shell.quote(tmp) + " && cd " + Shell.quote(tmp) + " && sha256sum -c --quiet SHA256SUMS"
                + " && echo " + bundle.sha256() + " > .bundle-sha256 && rm -rf " + Shell.quote(dir) + " && mv "
                + Shell.quote(tmp) + " " + Shell.quote(dir) + " && rm -f " + Shell.quote(part)), "unpack the bundle");
        progress.report(STEP_UPLOAD, 1.0, "bundle " + bundle.version() + " installed in " + dir);
    }

    /**
     * Keeps working node credentials; else writes a bootstrap kubeconfig with a new one-time token
     * (returned, to revoke once the node has its certificate).
     */
    private BootstrapTokens.Token credentials(Privileged root, Request request, BootstrapTokens tokens) throws IOException {
        check(root.exec("mkdir -p " + Shell.quote(layout.etc()) + " " + Shell.quote(layout.data()) + " && chmod 0700 "
                + Shell.quote(layout.etc())), "create " + layout.etc());
        ExecResult existing = root.exec("cat " + Shell.quote(layout.kubeconfig()) + " 2>/dev/null");
        if (existing.ok() && !existing.stdout().isBlank()) {
            String unusable = unusable(existing.stdout(), request);
            if (unusable == null) {
                progress.report(STEP_CREDENTIALS, 1.0, "the node's credentials are valid; kept");
                return null;
            }
            progress.report(STEP_CREDENTIALS, 0.1, layout.kubeconfig() + " is not usable (" + unusable + "); making new credentials");
            root.exec("rm -f " + Shell.quote(layout.kubeconfig()));
        }
        tokens.revokeAll(request.nodeName());
        BootstrapTokens.Token token = tokens.create(request.nodeName(), TOKEN_TTL);
        Kubeconfig boot = Kubeconfig.withToken("berth", request.server().toString(), cluster.certificateAuthorities().getFirst(),
                "kubelet-bootstrap", token.value());
        check(root.exec("umask 077 && cat > " + Shell.quote(layout.bootstrapKubeconfig()),
                new java.io.ByteArrayInputStream(boot.toYaml().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                Duration.ofSeconds(30)), "write " + layout.bootstrapKubeconfig());
        progress.report(STEP_CREDENTIALS, 1.0, "one-time bootstrap token " + token.id() + " written; the agent exchanges it for its certificate");
        return token;
    }

    /** Why the node's kubeconfig cannot be kept, or null when it can. */
    private String unusable(String yaml, Request request) {
        Kubeconfig k;
        try {
            k = Kubeconfig.parse(yaml, layout.kubeconfig(), null);
        } catch (RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
        if (!k.userName().equals("system:node:" + request.nodeName())) return "user " + k.userName() + ", not system:node:" + request.nodeName();
        if (!k.server().equals(request.server().toString())) return "server " + k.server() + ", not " + request.server();
        if (!(k.credentials() instanceof Kubeconfig.ClientCertificate c)) return "no client certificate";
        java.time.Instant notAfter = c.certifiedKey().certificate().getNotAfter().toInstant();
        if (!notAfter.isAfter(clock.instant().plus(Duration.ofDays(7)))) return "its certificate expires at " + notAfter;
        if (!sameCa(k)) return "another cluster CA";
        return null;
    }

    private boolean sameCa(Kubeconfig k) {
        List<X509Certificate> theirs = k.certificateAuthorities();
        return !theirs.isEmpty() && theirs.getFirst().equals(cluster.certificateAuthorities().getFirst());
    }

    /**
     * Writes the agent's options unless they are already so; returns whether they changed. They
     * always name the bootstrap kubeconfig (the agent reads it only while it has no credentials of
     * its own), so that a re-add with valid credentials writes the very same file.
     */
    boolean writeEnv(Privileged root, Request request) throws IOException {
        String args = "--kubeconfig " + layout.kubeconfig() + " --bootstrap-kubeconfig " + layout.bootstrapKubeconfig()
                + " --node-name " + request.nodeName() + " --data-dir " + layout.data() + " --port " + request.agentPort();
        String env = "BERTH_AGENT_ARGS=" + Shell.quote(args) + "\n";
        ExecResult existing = root.exec("cat " + Shell.quote(layout.agentEnv()) + " 2>/dev/null");
        if (existing.ok() && existing.stdout().equals(env)) {
            return false;
        }
        check(root.exec("umask 077 && cat > " + Shell.quote(layout.agentEnv() + ".new") + " && mv -f "
                        + Shell.quote(layout.agentEnv() + ".new") + " " + Shell.quote(layout.agentEnv()),
                new java.io.ByteArrayInputStream(env.getBytes(java.nio.charset.StandardCharsets.UTF_8)), Duration.ofSeconds(30)),
                "write " + layout.agentEnv());
        return existing.ok() && !existing.stdout().isEmpty();
    }

    /** Whether the service runs under systemd here: only on a real install (not under a test root) with systemd running. */
    boolean systemd(Privileged root) throws IOException {
        return layout.root().isEmpty() && root.exec("test -d /run/systemd/system && command -v systemctl").ok();
    }

    private void startService(Privileged root, List<String> why) throws IOException {
        boolean restart = !why.isEmpty();
        String reason = restart ? " (" + String.join(", ", why) + ")" : "";
        if (systemd(root)) {
            String unit = BundleBuilder.unit().replace("@ROOT@", layout.root());
            check(root.exec("cat > " + Shell.quote(layout.unitFile()), new java.io.ByteArrayInputStream(
                    unit.getBytes(java.nio.charset.StandardCharsets.UTF_8)), Duration.ofSeconds(30)), "write " + layout.unitFile());
            check(root.exec("systemctl daemon-reload && systemctl enable " + RemoteLayout.UNIT_NAME + " && systemctl "
                    + (restart ? "restart " : "start ") + RemoteLayout.UNIT_NAME), "start " + RemoteLayout.UNIT_NAME);
            progress.report(STEP_SERVICE, 1.0, "systemd service " + RemoteLayout.UNIT_NAME + (restart ? " restarted" + reason : " running"));
            return;
        }
        boolean running = supervisorRunning(root);
        if (running && !restart) {
            progress.report(STEP_SERVICE, 1.0, "supervised agent already running; left as it is");
            return;
        }
        if (running) stopSupervisor(root);
        check(root.exec("nohup setsid " + Shell.quote(layout.current() + "/bin/berth-agent-supervise") + " "
                + Shell.quote(layout.supervisorPid()) + " " + Shell.quote(layout.agentLog()) + " " + Shell.quote(layout.agentEnv())
                + " </dev/null >/dev/null 2>&1 &"), "start the supervised agent");
        progress.report(STEP_SERVICE, 1.0, "no systemd: the agent runs under a supervisor that restarts it"
                + (running ? "; restarted" + reason : "") + " (log " + layout.agentLog() + ")");
    }

    private boolean supervisorRunning(Privileged root) throws IOException {
        return root.exec("p=$(cat " + Shell.quote(layout.supervisorPid()) + " 2>/dev/null) && [ -n \"$p\" ] && kill -0 \"$p\"").ok();
    }

    /**
     * Stops the supervisor and the agent under it: TERM to the supervisor (it stops the agent), then
     * waits for its whole process group (it runs in a session of its own) to be gone, killing what
     * is left after {@link #STOP_TIMEOUT}. Only then is the pid file removed, so no old supervisor
     * can remove the pid file of the one started next.
     */
    private void stopSupervisor(Privileged root) throws IOException {
        long ticks = STOP_TIMEOUT.toMillis() / 100;
        root.exec("p=$(cat " + Shell.quote(layout.supervisorPid()) + " 2>/dev/null); if [ -n \"$p\" ]; then"
                + " kill \"$p\" 2>/dev/null; i=0;"
                + " while { kill -0 \"$p\" || kill -0 -- \"-$p\"; } 2>/dev/null && [ $i -lt " + ticks + " ]; do sleep 0.1; i=$((i+1)); done;"
                + " kill -9 -- \"-$p\" 2>/dev/null; kill -9 \"$p\" 2>/dev/null; fi;"
                + " rm -f " + Shell.quote(layout.supervisorPid()), null, STOP_TIMEOUT.plusSeconds(30));
    }

    /**
     * Waits until the agent has exchanged the bootstrap token for its own kubeconfig. Only then may
     * the token be revoked: a Node that is still Ready from before (credentials renewed, or an agent
     * re-installed) says nothing about the new agent, which would fail its exchange and restart
     * over and over once the token was gone.
     */
    private void waitCredentials(Privileged root, Request request) throws IOException {
        progress.report(STEP_CREDENTIALS, 0.5, "waiting for the agent to get its certificate");
        Instant deadline = clock.instant().plus(request.readyTimeout());
        String probe = "test -s " + Shell.quote(layout.kubeconfig());
        while (!root.exec(probe).ok()) {
            if (clock.instant().isAfter(deadline)) {
                throw new ProvisionException("the agent on " + root.describe() + " did not get its certificate within "
                        + request.readyTimeout().toSeconds() + " s (no " + layout.kubeconfig() + "); its log is "
                        + layout.agentLog() + " (or journalctl -u " + RemoteLayout.UNIT_NAME + "), and kubectl get csr"
                        + " shows whether its request is pending");
            }
            try {
                Thread.sleep(250);   // polled over SSH: nothing on the host tells us when the file appears
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProvisionException("interrupted while waiting for the agent's certificate on " + root.describe());
            }
        }
        progress.report(STEP_CREDENTIALS, 1.0, "the agent has its certificate");
    }

    private void waitReady(Request request) {
        progress.report(STEP_READY, 0.0, "waiting for node " + request.nodeName() + " to be Ready");
        try {
            admin.nodes().withName(request.nodeName()).waitUntilCondition(NodeInstaller::ready,
                    request.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (KubernetesClientException e) {
            throw new ProvisionException("node " + request.nodeName() + " did not become Ready within "
                    + request.readyTimeout().toSeconds() + " s; the agent's log is " + layout.agentLog()
                    + " (or journalctl -u " + RemoteLayout.UNIT_NAME + ") on the host", e);
        }
        progress.report(STEP_READY, 1.0, "node " + request.nodeName() + " is Ready");
    }

    static boolean ready(Node node) {
        return node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void applyLabelsAndTaints(Request request) {
        if (request.labels().isEmpty() && request.taints().isEmpty()) return;
        admin.nodes().withName(request.nodeName()).edit(n -> {
            NodeBuilder b = new NodeBuilder(n).editMetadata().addToLabels(request.labels()).endMetadata();
            List<Taint> taints = new java.util.ArrayList<>(n.getSpec() == null || n.getSpec().getTaints() == null
                    ? List.of() : n.getSpec().getTaints());
            for (Taint t : request.taints()) {
                taints.removeIf(o -> o.getKey().equals(t.getKey()) && o.getEffect().equals(t.getEffect()));
                taints.add(t);
            }
            return b.editOrNewSpec().withTaints(taints).endSpec().build();
        });
    }

    /**
     * Cordons and drains the node (evictions, so PodDisruptionBudgets are respected), stops the
     * agent, removes its containers, bundle, unit, credentials and data, and deletes the Node.
     * {@code root} may be null when the host is gone: then only the cluster side is cleaned.
     */
    public void remove(Privileged root, String nodeName, Duration drainTimeout) throws IOException {
        Node node = admin.nodes().withName(nodeName).get();
        if (node != null) {
            progress.report(STEP_DRAIN, 0.0, "cordoning " + nodeName);
            admin.nodes().withName(nodeName).edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(true).endSpec().build());
            drain(nodeName, drainTimeout);
        }
        if (root != null) {
            progress.report(STEP_REMOVE, 0.2, "stopping the agent");
            if (systemd(root)) {
                root.exec("systemctl disable --now " + RemoteLayout.UNIT_NAME + " 2>/dev/null; rm -f " + Shell.quote(layout.unitFile())
                        + "; systemctl daemon-reload");
            } else {
                stopSupervisor(root);
            }
            progress.report(STEP_REMOVE, 0.5, "removing the containers the agent ran");
            root.exec("command -v docker >/dev/null && docker ps -aq --filter label=berth.dev/node=" + Shell.quote(nodeName)
                    + " | xargs -r docker rm -f >/dev/null 2>&1; true");
            progress.report(STEP_REMOVE, 0.6, "removing the agent's network state (pod network, iptables chains, routes, interfaces)");
            check(root.exec(networkCleanup(nodeName)), "remove the agent's network state");
            progress.report(STEP_REMOVE, 0.8, "removing " + layout.opt() + ", " + layout.etc() + ", " + layout.data());
            check(root.exec("rm -rf " + Shell.quote(layout.opt()) + " " + Shell.quote(layout.etc()) + " " + Shell.quote(layout.data())
                    + " " + Shell.quote(layout.unitFile())), "remove the agent's files");
        }
        new BootstrapTokens(admin, clock).revokeAll(nodeName);
        if (node != null) {
            admin.nodes().withName(nodeName).delete();
        }
        progress.report(STEP_REMOVE, 1.0, "node " + nodeName + " removed");
    }

    /** The start of the name of every iptables chain an agent makes (agent/network, agent/proxy; checked by the agent's tests). */
    public static final List<String> AGENT_CHAIN_PREFIXES = List.of("BERTH-PN-", "BNP-", "BPROXY-");
    /** The routing protocol of the agent's host-gw routes (agent/network HostGwRoutes.PROTOCOL). */
    public static final int AGENT_ROUTE_PROTOCOL = 98;
    /**
     * The interfaces an agent makes: its pod bridges ({@code berth} and 10 hex digits) and the
     * Service address interface ({@code bsvc-} and 8 hex digits).
     */
    public static final String AGENT_INTERFACES = "(berth[0-9a-f]{10}|bsvc-[0-9a-f]{8})";

    /**
     * A shell script (run as root once the agent is stopped) that removes what the agent made in the
     * host's network: the Docker networks labelled with the node's name (and so their bridges), the
     * rules that jump to the agent's iptables chains and those chains in every table, its routes and
     * its interfaces. Nothing else: Docker's own rules and the host's routes stay.
     */
    static String networkCleanup(String nodeName) {
        String chains = "(" + String.join("|", AGENT_CHAIN_PREFIXES) + ")";
        return "command -v docker >/dev/null 2>&1 && docker network ls -q --filter label=berth.dev/node=" + Shell.quote(nodeName)
                + " | xargs -r docker network rm >/dev/null 2>&1\n"
                + "if command -v iptables-save >/dev/null 2>&1; then\n"
                + "  for t in filter nat mangle raw; do\n"
                + "    rules=$(iptables-save -t $t 2>/dev/null) || continue\n"
                // first the jumps from other chains into the agent's (iptables-save quotes comments for the shell)
                + "    printf '%s\\n' \"$rules\" | grep -E '^-A ' | grep -Ev '^-A " + chains + "' | grep -E -- '-[jg] " + chains
                + "' | sed 's/^-A /-D /' | while IFS= read -r r; do eval \"iptables -w -t $t $r\" || exit 1; done || exit 1\n"
                + "    names=$(printf '%s\\n' \"$rules\" | sed -n -E 's/^:(" + chains + "[^ ]*) .*/\\1/p')\n"
                + "    for c in $names; do iptables -w -t $t -F \"$c\" || exit 1; done\n"
                + "    for c in $names; do iptables -w -t $t -X \"$c\" || exit 1; done\n"
                + "  done\n"
                + "fi\n"
                + "ip -4 route flush proto " + AGENT_ROUTE_PROTOCOL + " 2>/dev/null\n"
                + "for l in $(ip -o link show | sed -n -E 's/^[0-9]+: " + AGENT_INTERFACES + "[@:].*/\\1/p'); do ip link del \"$l\" || exit 1; done\n"
                + "true\n";
    }

    private void drain(String nodeName, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            List<Pod> pods = admin.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems().stream()
                    .filter(p -> !daemonSetPod(p)).toList();
            if (pods.isEmpty()) {
                progress.report(STEP_DRAIN, 1.0, "node " + nodeName + " drained");
                return;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ProvisionException("node " + nodeName + " still runs " + pods.size() + " pod(s) after "
                        + timeout.toSeconds() + " s of draining (" + pods.stream().map(p -> p.getMetadata().getNamespace() + "/"
                        + p.getMetadata().getName()).limit(5).toList() + "): a PodDisruptionBudget may forbid evicting them");
            }
            int evicted = 0;
            for (Pod p : pods) {
                if (p.getMetadata().getDeletionTimestamp() != null) continue;
                try {
                    if (admin.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).evict()) {
                        evicted++;
                    }
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) throw e;
                }
            }
            progress.report(STEP_DRAIN, 0.5, pods.size() + " pod(s) left on " + nodeName + (evicted > 0 ? ", " + evicted + " evicted" : ""));
            try {
                Thread.sleep(1000);   // evictions blocked by a budget are retried, as kubectl drain does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProvisionException("interrupted while draining " + nodeName);
            }
        }
    }

    private static boolean daemonSetPod(Pod p) {
        return p.getMetadata().getOwnerReferences() != null
                && p.getMetadata().getOwnerReferences().stream().anyMatch(o -> "DaemonSet".equals(o.getKind()));
    }

    private static void check(ExecResult r, String what) {
        if (!r.ok()) {
            throw new ProvisionException("cannot " + what + " (exit " + r.exitCode() + "): " + r.diagnostic());
        }
    }

    /** Reports upload progress as bytes go out. */
    private final class Counting extends FilterInputStream {
        private long sent;
        private final long total;
        private long lastReport;

        Counting(InputStream in, long start, long total) {
            super(in);
            this.sent = start;
            this.total = total;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                sent += n;
                if (sent - lastReport >= (1 << 20) || sent == total) {
                    lastReport = sent;
                    progress.report(STEP_UPLOAD, Math.min(0.9, 0.9 * sent / Math.max(1, total)),
                            (sent >> 20) + " of " + (total >> 20) + " MiB");
                }
            }
            return n;
        }
    }
}
