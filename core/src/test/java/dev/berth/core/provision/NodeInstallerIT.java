package dev.berth.core.provision;

import dev.berth.core.apiserver.TestApiServer;
import dev.berth.core.pki.Kubeconfig;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The installer over real SSH (an in-process server whose commands run on this machine), with
 * every path under the test's directory and a stand-in agent ({@link FakeAgentMain}): the test
 * plays the agent's part of marking the Node Ready.
 */
class NodeInstallerIT {
    static final String NODE = "lab-node-1";
    /** Threads of their own: the common pool may have a single worker on a small machine, and these wait on each other. */
    static final java.util.concurrent.ExecutorService ASYNC = java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().factory());
    @TempDir
    Path dir;
    TestSshServer sshd;
    Path keyFile;
    KnownHosts knownHosts;
    TestApiServer api;
    KubernetesClient admin;
    Kubeconfig cluster;
    RemoteLayout layout;
    Path root;
    int agentPort;
    final List<Progress> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        sshd = new TestSshServer();
        // the stand-in agent needs this JVM's Java (25) first on the PATH
        sshd.commandPrefix(List.of("/usr/bin/env", "PATH=" + Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH")));
        KeyPair key = TestSshServer.newKeyPair();
        sshd.authorize(key.getPublic());
        keyFile = TestSshServer.writeKey(key, dir.resolve("id"), null);
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        knownHosts = new KnownHosts(dir.resolve("known_hosts"), dir.resolve("berth_known_hosts"));
        api = new TestApiServer(Files.createDirectories(dir.resolve("api")));
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig()))).build();
        cluster = Kubeconfig.read(api.kubeconfig());
        root = Files.createDirectories(dir.resolve("host"));
        layout = RemoteLayout.under(root.toString());
        try (var s = new java.net.ServerSocket(0)) {
            agentPort = s.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws Exception {
        standIn.forEach(Throwable::printStackTrace);
        progress.forEach(p -> System.out.println("progress: " + p));
        Path pid = Path.of(layout.supervisorPid());
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroy);
        }
        fakeAgentPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
        admin.close();
        api.close();
        sshd.close();
    }

    java.util.Optional<Long> fakeAgentPid() throws IOException {
        Path marker = Path.of(layout.data(), "fake-agent");
        if (!Files.exists(marker)) return java.util.Optional.empty();
        // the stand-in agent may be writing its pid this very moment: an empty file is no pid yet
        String pid = Files.readString(marker).strip().split("\\s+", 2)[0];
        return pid.matches("[0-9]+") ? java.util.Optional.of(Long.parseLong(pid)) : java.util.Optional.empty();
    }

    SshConnection connect() {
        return new SshConnector(knownHosts, Prompter.NONE, Duration.ofSeconds(5)).connect(
                new SshTarget("127.0.0.1", "127.0.0.1", sshd.port(), "root", List.of(keyFile), List.of()), null, progress::add);
    }

    Bundle bundle(String version, int fillerMiB) throws Exception {
        Path filler = dir.resolve("filler-" + version + ".jar");
        byte[] bytes = new byte[fillerMiB << 20];
        new java.util.Random(version.hashCode()).nextBytes(bytes);   // incompressible, so the upload takes a while
        Files.write(filler, bytes);
        Path testClasses = Path.of(FakeAgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path classes = Files.createDirectories(dir.resolve("fake-" + version + "/classes"));
        Path pkg = Files.createDirectories(classes.resolve("dev/berth/core/provision"));
        Files.copy(testClasses.resolve("dev/berth/core/provision/FakeAgentMain.class"), pkg.resolve("FakeAgentMain.class"));
        return new BundleBuilder(version, List.of(classes, filler)).mainClass(FakeAgentMain.class.getName())
                .build(dir.resolve("bundles"), ProgressListener.NONE);
    }

    NodeInstaller.Request request() {
        return new NodeInstaller.Request(NODE, URI.create(api.url()), Map.of("lab/room", "b12"),
                List.of(new TaintBuilder().withKey("lab/gpu").withEffect("NoSchedule").build()), agentPort, Duration.ofSeconds(60));
    }

    NodeInstaller installer() {
        return new NodeInstaller(admin, cluster, layout, Clock.systemUTC(), progress::add);
    }

    /**
     * What the real agent would do once it runs: exchange the bootstrap token for its own
     * credentials (here: a node client certificate from the cluster CA, as the CSR would give),
     * write them to its kubeconfig, register its Node, Ready.
     */
    void actAsAgentOnceStarted() {
        CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(60)).until(() -> fakeAgentPid().isPresent());
            Path kubeconfig = Path.of(layout.kubeconfig());
            if (!Files.exists(kubeconfig)) {
                Kubeconfig.withClientCertificate("berth", api.url(), api.ca().certificate(), "system:node:" + NODE,
                        api.ca().issueClient("system:node:" + NODE, List.of("system:nodes"), Duration.ofDays(365)))
                        .write(kubeconfig);
            }
            if (admin.nodes().withName(NODE).get() == null) {
                admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
            }
            admin.nodes().withName(NODE).editStatus(n -> new NodeBuilder(n).editOrNewStatus().withConditions(
                    new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady").build())
                    .endStatus().build());
        }, ASYNC).exceptionally(e -> {
            standIn.add(e);
            return null;
        });
    }

    /** What went wrong in the test's stand-in for the agent (else a timeout would hide it). */
    final List<Throwable> standIn = new CopyOnWriteArrayList<>();

    @Test
    void addSurvivesADroppedUploadThenReAddRepairsUpgradeSwapsAndRemoveLeavesNothing() throws Exception {
        Bundle v1 = bundle("1.0.0", 48);
        NodeInstaller installer = installer();

        // 1. the connection drops in the middle of the upload
        Path part = Path.of(layout.opt(), v1.archive().getFileName() + ".part");
        SshConnection first = connect();
        CompletableFuture<Void> interrupted = CompletableFuture.runAsync(() -> {
            try {
                installer.add(first, Privileged.root(first), request(), v1);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, ASYNC);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> Files.exists(part) && Files.size(part) > (1 << 20));
        sshd.dropConnections();
        assertThat(interrupted).failsWithin(Duration.ofSeconds(60));
        first.close();
        long left = Files.exists(part) ? Files.size(part) : 0;
        assertThat(left).isLessThan(v1.size());
        assertThat(Path.of(layout.bundleDir("1.0.0"))).doesNotExist();

        // 2. running add again resumes the upload and finishes the install
        progress.clear();
        actAsAgentOnceStarted();
        try (SshConnection c = connect()) {
            installer.add(c, Privileged.root(c), request(), v1);
        }
        assertThat(progress).anySatisfy(p -> assertThat(p.message()).startsWith("resuming the upload at"));
        assertThat(Path.of(layout.bundleDir("1.0.0"), ".bundle-sha256")).content().isEqualToIgnoringNewLines(v1.sha256());
        assertThat(part).doesNotExist();
        assertThat(Files.readSymbolicLink(Path.of(layout.current())).toString()).isEqualTo("1.0.0");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(layout.etc())))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(layout.agentEnv())))).isEqualTo("rw-------");
        assertThat(Path.of(layout.bootstrapKubeconfig())).doesNotExist();   // used once, then removed
        assertThat(admin.secrets().inNamespace("kube-system").list().getItems())
                .noneMatch(s -> BootstrapTokens.TYPE.equals(s.getType()));
        assertThat(Files.readAllLines(Path.of(layout.data(), "fake-agent")).get(1))
                .contains("--node-name " + NODE).contains("--bootstrap-kubeconfig " + layout.bootstrapKubeconfig())
                .contains("--port " + agentPort);
        var node = admin.nodes().withName(NODE).get();
        assertThat(node.getMetadata().getLabels()).containsEntry("lab/room", "b12");
        assertThat(node.getSpec().getTaints()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("lab/gpu"));
        long agentV1 = fakeAgentPid().orElseThrow();
        assertThat(ProcessHandle.of(agentV1)).isPresent();

        // 3. add once more with the same bundle: nothing to upload, nothing changed, the agent keeps running
        progress.clear();
        try (SshConnection c = connect()) {
            installer.add(c, Privileged.root(c), request(), v1);
        }
        assertThat(progress).anySatisfy(p -> assertThat(p.message()).contains("already installed (checksum matches); skipped"));
        assertThat(progress).anySatisfy(p -> assertThat(p.message()).isEqualTo("the node's credentials are valid; kept"));
        assertThat(progress).anySatisfy(p -> assertThat(p.message()).isEqualTo("supervised agent already running; left as it is"));
        assertThat(fakeAgentPid()).contains(agentV1);
        assertThat(ProcessHandle.of(agentV1)).isPresent();
        long agentAfterReAdd = agentV1;

        // 4. upgrade: the new bundle replaces the old one and the agent restarts
        Bundle v2 = bundle("1.1.0", 1);
        Files.delete(Path.of(layout.data(), "fake-agent"));
        actAsAgentOnceStarted();
        try (SshConnection c = connect()) {
            installer.upgrade(Privileged.root(c), request(), v2);
        }
        assertThat(Files.readSymbolicLink(Path.of(layout.current())).toString()).isEqualTo("1.1.0");
        assertThat(Path.of(layout.bundleDir("1.0.0"))).doesNotExist();
        await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(agentAfterReAdd).isEmpty());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fakeAgentPid()).isPresent().get().isNotEqualTo(agentAfterReAdd));

        // 5. remove: the agent stops, the Node goes, nothing is left under the host's root
        long agentV2 = fakeAgentPid().orElseThrow();
        try (SshConnection c = connect()) {
            installer.remove(Privileged.root(c), NODE, Duration.ofSeconds(30));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(agentV2).isEmpty());
        assertThat(admin.nodes().withName(NODE).get()).isNull();
        assertThat(Path.of(layout.opt())).doesNotExist();
        assertThat(Path.of(layout.etc())).doesNotExist();
        assertThat(Path.of(layout.data())).doesNotExist();
        try (var files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void keepsTheBootstrapTokenUntilTheAgentHasItsCertificateThoughTheNodeLooksReadyThenReAddLeavesTheAgentRunning()
            throws Exception {
        // the Node is still Ready from an agent installed before (its credentials lost or expiring)
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        admin.nodes().withName(NODE).editStatus(n -> new NodeBuilder(n).editOrNewStatus().withConditions(
                new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady").build())
                .endStatus().build());
        Bundle v1 = bundle("1.0.0", 1);
        NodeInstaller installer = installer();
        CompletableFuture<Void> add = CompletableFuture.runAsync(() -> {
            try (SshConnection c = connect()) {
                installer.add(c, Privileged.root(c), request(), v1);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, ASYNC);
        await().atMost(Duration.ofSeconds(60)).until(() -> fakeAgentPid().isPresent() || add.isDone());
        // the new agent has not exchanged its token yet: the add waits, the token stays valid
        assertThat(add).isNotDone();
        assertThat(admin.secrets().inNamespace("kube-system").list().getItems())
                .anyMatch(secret -> BootstrapTokens.TYPE.equals(secret.getType()));
        assertThat(Path.of(layout.bootstrapKubeconfig())).exists();
        actAsAgentOnceStarted();
        assertThat(add).succeedsWithin(Duration.ofSeconds(60));
        assertThat(admin.secrets().inNamespace("kube-system").list().getItems())
                .noneMatch(secret -> BootstrapTokens.TYPE.equals(secret.getType()));
        long agent = fakeAgentPid().orElseThrow();

        progress.clear();
        try (SshConnection c = connect()) {
            installer.add(c, Privileged.root(c), request(), v1);
        }
        assertThat(progress).anySatisfy(p -> assertThat(p.message()).isEqualTo("supervised agent already running; left as it is"));
        assertThat(fakeAgentPid()).contains(agent);
        assertThat(ProcessHandle.of(agent)).isPresent();
    }

    @Test
    void failedPreflightChangesNothingOnTheHost() throws Exception {
        Bundle v1 = bundle("1.0.0", 1);
        var occupied = new java.net.ServerSocket(0);
        try (occupied; SshConnection c = connect()) {
            NodeInstaller.Request busyPort = new NodeInstaller.Request(NODE, URI.create(api.url()), Map.of(), List.of(),
                    occupied.getLocalPort(), Duration.ofSeconds(5));
            assertThatThrownBy(() -> installer().add(c, Privileged.root(c), busyPort, v1))
                    .isInstanceOfSatisfying(PreflightFailedException.class, e -> {
                        assertThat(e.report().get(Preflight.AGENT_PORT).status()).isEqualTo(CheckResult.Status.FAIL);
                        assertThat(e.getMessage()).contains("nothing was changed");
                    });
        }
        try (var files = Files.list(root)) {
            assertThat(files.toList()).isEmpty();
        }
    }
}
