package dev.berth.agent.runtime.docker;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.runtime.StreamSession;
import dev.berth.agent.testing.TestDocker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link DockerRuntime} against the real engine; everything it makes carries the run prefix. */
class DockerRuntimeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static String prefix;
    private static String busybox;
    private static DockerRuntime runtime;
    private static String network;
    private static String subnetBase;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        TestDocker.require();
        busybox = TestDocker.busybox();
        prefix = TestDocker.runPrefix();
        runtime = new DockerRuntime(DockerRuntime.DEFAULT_HOST, prefix, "node-a");
        String[] net = ensureRandomNetwork(runtime, "pods");
        network = net[0];
        subnetBase = net[1];
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (prefix != null) {
            TestDocker.removeAll(prefix);
        }
    }

    /** A random /24 inside 10.240.0.0/12, retried when another one overlaps it. */
    private static String[] ensureRandomNetwork(DockerRuntime rt, String name) {
        ContainerRuntimeException last = null;
        for (int i = 0; i < 30; i++) {
            int n = ThreadLocalRandom.current().nextInt(4096);
            String base = "10." + (240 + n / 256) + "." + (n % 256) + ".";
            try {
                return new String[]{rt.ensureNetwork(name, base + "0/24", base + "1"), base};
            } catch (ContainerRuntimeException e) {
                if (!e.getMessage().contains("overlap")) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    // --- building blocks ------------------------------------------------------------------------

    private static SandboxSpec sandbox(String name) {
        return new SandboxSpec(UUID.randomUUID().toString(), "default", name, name, false, network,
                List.of(), List.of(), List.of(), List.of(), List.of(), false, false, Map.of(), Map.of(), "");
    }

    private static ContainerSpec container(String name, List<ContainerSpec.Mount> mounts, long memory, String... cmd) {
        return new ContainerSpec(name, RuntimeLabels.ROLE_APP, 0, busybox, List.of(cmd), List.of(), List.of("GREETING=hi"),
                "", mounts, memory, 0, 0, "", false, false, List.of(), List.of(), false, false, false, Map.of(), List.of());
    }

    private static ContainerSpec container(String name, String... cmd) {
        return container(name, List.of(), 0, cmd);
    }

    private static String run(String sandboxId, SandboxSpec pod, ContainerSpec spec) {
        String id = runtime.createContainer(sandboxId, pod, spec);
        runtime.startContainer(id);
        return id;
    }

    private static ContainerInfo awaitExit(String id) {
        await().atMost(WAIT).until(() -> runtime.inspect(id).state() == ContainerState.EXITED);
        return runtime.inspect(id);
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Collects a stream on a background thread, so a test can wait for text to appear. */
    private static final class Collector {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private volatile boolean ended;

        Collector(InputStream in) {
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[4096];
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (out) {
                            out.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // ended
                } finally {
                    ended = true;
                }
            });
        }

        String text() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        boolean ended() {
            return ended;
        }
    }

    // --- tests --------------------------------------------------------------------------------

    @Test
    void reportsTheEngineAndMachine() {
        RuntimeInfo info = runtime.info();
        assertThat(info.runtimeName()).isEqualTo("docker");
        assertThat(info.runtimeVersion()).isNotBlank();
        assertThat(info.os()).isEqualTo("linux");
        assertThat(info.osImage()).isNotBlank();
        assertThat(info.kernelVersion()).isNotBlank();
        assertThat(info.architecture()).isIn("amd64", "arm64");
        assertThat(info.cpus()).isPositive();
        assertThat(info.memoryBytes()).isPositive();
        assertThat(info.cgroupVersion()).isIn(1, 2);
        assertThat(info.cgroupDriver()).isIn("cgroupfs", "systemd");
        assertThat(info.rootDir()).startsWith("/");
    }

    @Test
    void containersOfAPodShareLocalhostAndABindMountedDirectory() throws IOException {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        List<ContainerSpec.Mount> mounts = List.of(new ContainerSpec.Mount(shared.toString(), "/shared", false));
        SandboxSpec pod = sandbox("web");
        String sandboxId = runtime.runSandbox(pod);
        ContainerInfo sb = runtime.inspect(sandboxId);
        assertThat(sb.ip()).startsWith(subnetBase);
        assertThat(sb.label(RuntimeLabels.ROLE)).isEqualTo(RuntimeLabels.ROLE_SANDBOX);
        assertThat(sb.name()).startsWith(prefix);

        run(sandboxId, pod, container("server", mounts, 0, "sh", "-c",
                "mkdir -p /www && echo served-page > /www/index.html && echo from-server > /shared/note "
                        + "&& exec httpd -f -p 8080 -h /www"));
        String client = run(sandboxId, pod, container("client", mounts, 0, "sleep", "3600"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(runtime.exec(client,
                List.of("wget", "-qO-", "http://127.0.0.1:8080/"), Duration.ofSeconds(5)).output()).contains("served-page"));
        assertThat(runtime.exec(client, List.of("cat", "/shared/note"), Duration.ofSeconds(5)).output())
                .isEqualTo("from-server\n");
        assertThat(Files.readString(shared.resolve("note"))).isEqualTo("from-server\n");
        // the pod IP is the client's too: it shares the sandbox's network namespace
        assertThat(runtime.exec(client, List.of("ip", "-4", "addr"), Duration.ofSeconds(5)).output()).contains(sb.ip());
    }

    @Test
    void containersSeeThePodsHostnameDnsConfigAndExtraHosts() {
        SandboxSpec pod = new SandboxSpec(UUID.randomUUID().toString(), "team", "dns", "custom-host", false, network,
                List.of("10.243.0.10"), List.of("team.svc.cluster.local", "svc.cluster.local"), List.of("ndots:5"),
                List.of("db.internal:10.1.2.3"), List.of(), false, false,
                Map.of("net.ipv4.ip_local_port_range", "40000 50000"), Map.of(), "");
        String sandboxId = runtime.runSandbox(pod);
        String id = run(sandboxId, pod, container("app", "sleep", "3600"));
        assertThat(runtime.exec(id, List.of("cat", "/proc/sys/net/ipv4/ip_local_port_range"), Duration.ofSeconds(5))
                .output()).matches("40000\\s+50000\\s*");
        assertThat(runtime.exec(id, List.of("hostname"), Duration.ofSeconds(5)).output().strip()).isEqualTo("custom-host");
        String resolv = runtime.exec(id, List.of("cat", "/etc/resolv.conf"), Duration.ofSeconds(5)).output();
        assertThat(resolv).contains("nameserver 10.243.0.10")
                .doesNotContain("127.0.0.11")
                .contains("search team.svc.cluster.local svc.cluster.local").contains("options ndots:5");
        assertThat(runtime.exec(id, List.of("cat", "/etc/hosts"), Duration.ofSeconds(5)).output())
                .containsPattern("10\\.1\\.2\\.3\\s+db\\.internal");
    }

    @Test
    void publishesHostPortsOnLoopbackAndRunsHostNetworkPods() throws Exception {
        int hostPort = 20000 + ThreadLocalRandom.current().nextInt(10000);
        SandboxSpec pod = new SandboxSpec(UUID.randomUUID().toString(), "default", "ports", "ports", false, network,
                List.of(), List.of(), List.of(), List.of(),
                List.of(new SandboxSpec.PortMapping("127.0.0.1", hostPort, 8080, "TCP")), false, false, Map.of(), Map.of(), "");
        String sandboxId = runtime.runSandbox(pod);
        run(sandboxId, pod, container("server", "sh", "-c",
                "mkdir -p /www && echo published > /www/index.html && exec httpd -f -p 8080 -h /www"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + hostPort + "/")).build();
        await().atMost(WAIT).ignoreExceptions().until(() ->
                http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body().equals("published\n"));

        SandboxSpec hostPod = new SandboxSpec(UUID.randomUUID().toString(), "default", "hostnet", "hostnet", true, network,
                List.of(), List.of(), List.of(), List.of(), List.of(), true, true, Map.of(), Map.of(), "");
        String hostSandbox = runtime.runSandbox(hostPod);
        assertThat(runtime.inspect(hostSandbox).ip()).as("no pod IP of its own").isEmpty();
        String app = run(hostSandbox, hostPod, container("app", "sleep", "3600"));
        assertThat(docker("inspect", "--format", "{{.HostConfig.NetworkMode}} {{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}",
                hostSandbox).strip()).isEqualTo("host host host");
        // in the node's PID namespace the container sees more than its own processes
        assertThat(runtime.exec(app, List.of("sh", "-c", "ls -d /proc/[0-9]* 2>/dev/null | wc -l"), Duration.ofSeconds(5)).output().strip())
                .satisfies(n -> assertThat(Integer.parseInt(n)).isGreaterThan(10));
    }

    @Test
    void aContainerExceedingItsMemoryLimitIsOomKilled() {
        SandboxSpec pod = sandbox("oom");
        String sandboxId = runtime.runSandbox(pod);
        // dd's 64 MiB buffer is filled by read(): more than the 16 MiB limit allows
        String id = run(sandboxId, pod, container("hog", List.of(), 16L << 20,
                "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"));
        ContainerInfo info = awaitExit(id);
        assertThat(info.exitCode()).isEqualTo(137);
        assertThat(info.oomKilled()).isTrue();
    }

    @Test
    void reportsExitCodesTimestampsAndLabels() {
        SandboxSpec pod = sandbox("exits");
        String sandboxId = runtime.runSandbox(pod);
        ContainerSpec spec = new ContainerSpec("worker", RuntimeLabels.ROLE_INIT, 2, busybox, List.of("sh", "-c"),
                List.of("test \"$GREETING\" = hi && exit 3"), List.of("GREETING=hi"), "/tmp", List.of(), 0, 500, 512,
                "65534", false, true, List.of("NET_RAW"), List.of("CAP_MKNOD"), false, false, false,
                Map.of(RuntimeLabels.SPEC_HASH, "abc123"), List.of());
        String id = runtime.createContainer(sandboxId, pod, spec);
        ContainerInfo created = runtime.inspect(id);
        assertThat(created.state()).isEqualTo(ContainerState.CREATED);
        assertThat(created.startedAt()).isNull();
        runtime.startContainer(id);
        ContainerInfo info = awaitExit(id);
        assertThat(info.exitCode()).isEqualTo(3);
        assertThat(info.oomKilled()).isFalse();
        assertThat(info.createdAt()).isNotNull();
        assertThat(info.startedAt()).isNotNull();
        assertThat(info.finishedAt()).isNotNull().isAfterOrEqualTo(info.startedAt());
        assertThat(info.pid()).isZero();
        assertThat(info.image()).isEqualTo(busybox);
        assertThat(info.imageId()).startsWith("sha256:").isEqualTo(runtime.imageId(busybox).orElseThrow());
        assertThat(info.name()).startsWith(prefix).contains("worker").endsWith("_2");
        assertThat(info.labels()).containsEntry(RuntimeLabels.POD_UID, pod.podUid())
                .containsEntry(RuntimeLabels.POD_NAME, "exits").containsEntry(RuntimeLabels.POD_NAMESPACE, "default")
                .containsEntry(RuntimeLabels.CONTAINER_NAME, "worker").containsEntry(RuntimeLabels.ROLE, "init")
                .containsEntry(RuntimeLabels.ATTEMPT, "2").containsEntry(RuntimeLabels.NODE, "node-a")
                .containsEntry(RuntimeLabels.SPEC_HASH, "abc123");
        // the engine got the resources and security settings as kubelet sets them
        String hostConfig = docker("inspect", "--format",
                "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuShares}} {{.HostConfig.ReadonlyRootfs}} "
                        + "{{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.Config.User}} {{.Config.WorkingDir}} "
                        + "{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config \"max-size\"}} "
                        + "{{index .HostConfig.LogConfig.Config \"max-file\"}} {{.HostConfig.NetworkMode}}", id);
        assertThat(hostConfig.strip()).isEqualTo("100000 50000 512 true [NET_RAW] [MKNOD] 65534 /tmp json-file 10m 5 container:"
                + sandboxId);
    }

    @Test
    void rejectsAnUnknownCapabilityNamingIt() {
        SandboxSpec pod = sandbox("caps");
        ContainerSpec spec = new ContainerSpec("c", RuntimeLabels.ROLE_APP, 0, busybox, List.of("true"), List.of(),
                List.of(), "", List.of(), 0, 0, 0, "", false, false, List.of("FLY"), List.of(), false, false, false, Map.of(), List.of());
        assertThatThrownBy(() -> runtime.createContainer("unused", pod, spec))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageContaining("securityContext.capabilities.add \"FLY\"")
                .extracting(e -> ((ContainerRuntimeException) e).reason()).isEqualTo("CreateContainerError");
    }

    @Test
    void stopsWithGraceAndKillsWhatIgnoresSigterm() {
        SandboxSpec pod = sandbox("stop");
        String sandboxId = runtime.runSandbox(pod);
        String polite = run(sandboxId, pod, container("polite", "sh", "-c",
                "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done"));
        String stubborn = run(sandboxId, pod, container("stubborn", "sh", "-c",
                "trap '' TERM; echo ready; while true; do sleep 0.1; done"));
        await().atMost(WAIT).until(() -> logs(polite, LogOptions.ALL).contains("ready")
                && logs(stubborn, LogOptions.ALL).contains("ready"));

        runtime.stopContainer(polite, Duration.ofSeconds(20));
        ContainerInfo p = runtime.inspect(polite);
        assertThat(p.state()).isEqualTo(ContainerState.EXITED);
        assertThat(p.exitCode()).as("exited through its TERM trap, not SIGKILL").isZero();

        runtime.stopContainer(stubborn, Duration.ofSeconds(1));
        ContainerInfo s = runtime.inspect(stubborn);
        assertThat(s.state()).isEqualTo(ContainerState.EXITED);
        assertThat(s.exitCode()).as("SIGKILL after the grace period").isEqualTo(137);
        assertThat(s.oomKilled()).isFalse();

        runtime.removeContainer(stubborn);
        runtime.removeContainer(stubborn); // no error when already gone
        assertThatThrownBy(() -> runtime.inspect(stubborn)).isInstanceOf(dev.berth.agent.runtime.ContainerNotFoundException.class);
    }

    @Test
    void execRunsToCompletionWithOutputExitCodeCapAndTimeout() {
        SandboxSpec pod = sandbox("exec");
        String sandboxId = runtime.runSandbox(pod);
        String id = run(sandboxId, pod, container("app", "sleep", "3600"));

        ExecResult r = runtime.exec(id, List.of("sh", "-c", "echo out; echo err >&2; exit 7"), Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.timedOut()).isFalse();
        assertThat(r.output()).contains("out\n").contains("err\n");

        ExecResult big = runtime.exec(id, List.of("sh", "-c", "head -c 200000 /dev/zero | tr '\\0' a"), Duration.ofSeconds(10));
        assertThat(big.exitCode()).isZero();
        assertThat(big.output()).hasSize(DockerRuntime.EXEC_OUTPUT_LIMIT).matches("a+");

        ExecResult slow = runtime.exec(id, List.of("sh", "-c", "echo started; exec sleep 31"), Duration.ofMillis(700));
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.output()).contains("started");
        // the timed-out process was killed
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(runtime.exec(id, List.of("ps"), Duration.ofSeconds(5)).output()).doesNotContain("sleep 31"));
    }

    @Test
    void execStreamPipesStdinAndSupportsATtyWithResize() throws Exception {
        SandboxSpec pod = sandbox("stream");
        String sandboxId = runtime.runSandbox(pod);
        String id = run(sandboxId, pod, container("app", "sleep", "3600"));

        try (StreamSession cat = runtime.execStream(id, List.of("sh", "-c", "cat; echo done >&2"), true, true, true, false)) {
            Collector out = new Collector(cat.stdout());
            Collector err = new Collector(cat.stderr());
            cat.stdin().write("hello through stdin\n".getBytes(StandardCharsets.UTF_8));
            cat.stdin().flush();
            await().atMost(WAIT).until(() -> out.text().equals("hello through stdin\n"));
            cat.stdin().close(); // end of input: cat ends, the shell writes to stderr and exits
            assertThat(cat.exit().get(30, TimeUnit.SECONDS)).isZero();
            await().atMost(WAIT).until(() -> err.text().equals("done\n") && out.ended());
        }

        try (StreamSession tty = runtime.execStream(id, List.of("sh"), true, true, false, true)) {
            Collector out = new Collector(tty.stdout());
            tty.resize(100, 40);
            tty.stdin().write("stty size; test -t 0 && echo is-a-tty; exit 3\n".getBytes(StandardCharsets.UTF_8));
            tty.stdin().flush();
            assertThat(tty.exit().get(30, TimeUnit.SECONDS)).isEqualTo(3);
            await().atMost(WAIT).until(() -> out.text().contains("40 100") && out.text().contains("is-a-tty"));
        }
    }

    @Test
    void attachReachesTheMainProcess() throws Exception {
        SandboxSpec pod = sandbox("attach");
        String sandboxId = runtime.runSandbox(pod);
        ContainerSpec spec = new ContainerSpec("echo", RuntimeLabels.ROLE_APP, 0, busybox, List.of("cat"), List.of(),
                List.of(), "", List.of(), 0, 0, 0, "", false, false, List.of(), List.of(), true, false, false, Map.of(), List.of());
        String id = run(sandboxId, pod, spec);
        try (StreamSession s = runtime.attach(id, true, true, true, false)) {
            Collector out = new Collector(s.stdout());
            s.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
            s.stdin().flush();
            await().atMost(WAIT).until(() -> out.text().contains("ping\n"));
        }
        assertThat(runtime.inspect(id).state()).as("closing an attach leaves the container running")
                .isEqualTo(ContainerState.RUNNING);
    }

    @Test
    void execAndAttachAlsoWorkOverDockerJavasStreams() throws Exception {
        try (DockerRuntime viaDockerJava = new DockerRuntime(DockerRuntime.DEFAULT_HOST, prefix, "node-a")) {
            viaDockerJava.ownStreamConnections = false;
            SandboxSpec pod = sandbox("docker-java-streams");
            String sandboxId = viaDockerJava.runSandbox(pod);
            String app = run(sandboxId, pod, container("app", "sleep", "3600"));
            try (StreamSession cat = viaDockerJava.execStream(app, List.of("cat"), true, true, true, false)) {
                Collector out = new Collector(cat.stdout());
                cat.stdin().write("over docker-java\n".getBytes(StandardCharsets.UTF_8));
                cat.stdin().flush();
                await().atMost(WAIT).until(() -> out.text().equals("over docker-java\n"));
            }
            try (StreamSession tty = viaDockerJava.execStream(app, List.of("sh"), true, true, false, true)) {
                Collector out = new Collector(tty.stdout());
                tty.resize(120, 33);
                tty.stdin().write("stty size; exit 4\n".getBytes(StandardCharsets.UTF_8));
                tty.stdin().flush();
                assertThat(tty.exit().get(30, TimeUnit.SECONDS)).isEqualTo(4);
                await().atMost(WAIT).until(() -> out.text().contains("33 120"));
            }
            ContainerSpec echo = new ContainerSpec("echo", RuntimeLabels.ROLE_APP, 0, busybox, List.of("cat"), List.of(),
                    List.of(), "", List.of(), 0, 0, 0, "", false, false, List.of(), List.of(), true, false, false, Map.of(), List.of());
            String id = run(sandboxId, pod, echo);
            try (StreamSession s = viaDockerJava.attach(id, true, true, true, false)) {
                Collector out = new Collector(s.stdout());
                s.stdin().write("pong\n".getBytes(StandardCharsets.UTF_8));
                s.stdin().flush();
                await().atMost(WAIT).until(() -> out.text().contains("pong\n"));
            }
        }
    }

    @Test
    void streamsOfAMissingContainerAreContainerNotFound() {
        assertThatThrownBy(() -> runtime.logs("no-such-container-" + prefix, LogOptions.ALL))
                .isInstanceOf(dev.berth.agent.runtime.ContainerNotFoundException.class);
        assertThatThrownBy(() -> runtime.attach("no-such-container-" + prefix, true, true, true, false))
                .isInstanceOf(dev.berth.agent.runtime.ContainerNotFoundException.class);
        assertThatThrownBy(() -> runtime.exec("no-such-container-" + prefix, List.of("true"), Duration.ofSeconds(5)))
                .isInstanceOf(dev.berth.agent.runtime.ContainerNotFoundException.class);
    }

    private static String logs(String id, LogOptions options) {
        try {
            return read(runtime.logs(id, options));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void logsHonourTailTimestampsSinceLimitAndFollow() throws Exception {
        SandboxSpec pod = sandbox("logs");
        String sandboxId = runtime.runSandbox(pod);
        String id = run(sandboxId, pod, container("app", "sh", "-c",
                "for i in 1 2 3 4 5; do echo line$i; done; "
                        + "while [ ! -f /tmp/go ]; do sleep 0.05; done; echo late; "
                        + "while [ ! -f /tmp/go2 ]; do sleep 0.05; done; echo err-line >&2; echo followed; sleep 3600"));
        await().atMost(WAIT).until(() -> logs(id, LogOptions.ALL).equals("line1\nline2\nline3\nline4\nline5\n"));

        String stamped = logs(id, new LogOptions(false, -1, null, true, -1));
        List<String> lines = stamped.lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(4)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z line5");
        Instant line5 = Instant.parse(lines.get(4).substring(0, lines.get(4).indexOf(' ')));

        runtime.exec(id, List.of("touch", "/tmp/go"), Duration.ofSeconds(5));
        await().atMost(WAIT).until(() -> logs(id, LogOptions.ALL).endsWith("late\n"));

        assertThat(logs(id, new LogOptions(false, 2, null, false, -1))).isEqualTo("line5\nlate\n");
        assertThat(logs(id, new LogOptions(false, -1, line5.plusNanos(1), false, -1))).isEqualTo("late\n");
        assertThat(logs(id, new LogOptions(false, -1, line5, false, -1))).isEqualTo("line5\nlate\n");
        assertThat(logs(id, new LogOptions(false, -1, null, false, 8))).isEqualTo("line1\nli");

        InputStream follow = runtime.logs(id, new LogOptions(true, 1, null, false, -1));
        Collector followed = new Collector(follow);
        await().atMost(WAIT).until(() -> followed.text().equals("late\n"));
        runtime.exec(id, List.of("touch", "/tmp/go2"), Duration.ofSeconds(5));
        // stdout and stderr are copied to the log separately, so their relative order is not kept
        await().atMost(WAIT).until(() -> followed.text().lines().sorted().toList()
                .equals(List.of("err-line", "followed", "late")));
        follow.close();
        await().atMost(WAIT).until(followed::ended);
    }

    @Test
    void listsOnlyThisNodesContainersMatchingTheLabels() {
        SandboxSpec podA = sandbox("listed");
        String sandboxA = runtime.runSandbox(podA);
        String appA = runtime.createContainer(sandboxA, podA, container("app", "sleep", "3600"));
        try (DockerRuntime nodeB = new DockerRuntime(DockerRuntime.DEFAULT_HOST, prefix, "node-b")) {
            SandboxSpec podB = new SandboxSpec(podA.podUid(), "default", "listed", "listed", false, network,
                    List.of(), List.of(), List.of(), List.of(), List.of(), false, false, Map.of(), Map.of(), "");
            String sandboxB = nodeB.runSandbox(podB);

            List<ContainerInfo> mine = runtime.listContainers(Map.of(RuntimeLabels.POD_UID, podA.podUid()));
            assertThat(mine).extracting(ContainerInfo::id).containsExactlyInAnyOrder(sandboxA, appA);
            assertThat(runtime.listContainers(Map.of(RuntimeLabels.POD_UID, podA.podUid(),
                    RuntimeLabels.ROLE, RuntimeLabels.ROLE_SANDBOX))).extracting(ContainerInfo::id).containsExactly(sandboxA);
            assertThat(runtime.listContainers(Map.of())).extracting(ContainerInfo::id).doesNotContain(sandboxB)
                    .allSatisfy(id -> assertThat(runtime.inspect(id).label(RuntimeLabels.NODE)).isEqualTo("node-a"));
            assertThat(nodeB.listContainers(Map.of(RuntimeLabels.POD_UID, podA.podUid())))
                    .extracting(ContainerInfo::id).containsExactly(sandboxB);
        }
    }

    @Test
    void loadsImagesFromADockerSaveArchive() throws IOException {
        String tag = prefix + "busybox:copy";
        try {
            assertThat(TestDocker.docker("tag", busybox, tag).exit()).isZero();
            Path tar = dir.resolve("image.tar");
            TestDocker.Result saved = TestDocker.docker("save", "-o", tar.toString(), tag);
            assertThat(saved.exit()).as(saved.output()).isZero();
            assertThat(TestDocker.docker("rmi", tag).exit()).isZero();
            assertThat(runtime.imageId(tag)).isEmpty();

            List<String> loaded;
            try (InputStream in = Files.newInputStream(tar)) {
                loaded = runtime.loadImages(in);
            }
            assertThat(loaded).containsExactly(tag);
            assertThat(runtime.imageId(tag)).isEqualTo(runtime.imageId(busybox));
            assertThat(runtime.images()).anySatisfy(i -> assertThat(i.names()).contains(tag, busybox));
        } finally {
            TestDocker.docker("rmi", tag);
        }
    }

    @Test
    void aPullThatFailsIsErrImagePullWithTheEnginesMessage() {
        // nothing listens on this loopback port, so the engine fails fast without leaving the machine
        assertThatThrownBy(() -> runtime.pullImage("127.0.0.1:1/" + prefix + "nothing:1", Optional.empty()))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageContaining("127.0.0.1:1")
                .extracting(e -> ((ContainerRuntimeException) e).reason()).isEqualTo("ErrImagePull");
    }

    @Test
    void theInfraImageHoldsThePodsNetworkAndExitsZeroOnStop() {
        String infra = runtime.ensureInfraImage();
        assertThat(infra).startsWith(InfraImage.REPOSITORY + ":");
        assertThat(runtime.imageId(infra)).contains(InfraImage.build(runtime.info().architecture()).imageId());

        SandboxSpec pod = sandbox("infra");
        String sandboxId = runtime.runSandbox(pod);
        ContainerInfo sb = runtime.inspect(sandboxId);
        assertThat(sb.image()).isEqualTo(infra);
        assertThat(sb.state()).isEqualTo(ContainerState.RUNNING);
        assertThat(sb.pid()).isPositive();

        String app = run(sandboxId, pod, container("app", "sleep", "3600"));
        assertThat(runtime.exec(app, List.of("ip", "-4", "addr"), Duration.ofSeconds(5)).output()).contains(sb.ip());
        runtime.stopContainer(app, Duration.ZERO);

        runtime.stopContainer(sandboxId, Duration.ofSeconds(30));
        ContainerInfo stopped = runtime.inspect(sandboxId);
        assertThat(stopped.state()).isEqualTo(ContainerState.EXITED);
        assertThat(stopped.exitCode()).as("its SIGTERM handler exits 0; a SIGKILL would give 137").isZero();
        assertThat(Duration.between(stopped.startedAt(), stopped.finishedAt())).isPositive();
    }

    @Test
    void aSharedProcessNamespaceHasThePauseProgramAsPid1ReapingOrphans() {
        SandboxSpec pod = new SandboxSpec(UUID.randomUUID().toString(), "default", "shared-pid", "shared-pid", false,
                network, List.of(), List.of(), List.of(), List.of(), List.of(), false, false, Map.of(),
                Map.of(RuntimeLabels.SHARE_PROCESS_NAMESPACE, "true"), "");
        String sandboxId = runtime.runSandbox(pod);
        // the subshell leaves an orphan behind, which the namespace's PID 1 inherits
        String app = run(sandboxId, pod, container("app", "sh", "-c", "(usleep 300000 &); exec sleep 3600"));
        assertThat(runtime.exec(app, List.of("cat", "/proc/1/cmdline"), Duration.ofSeconds(5)).output())
                .startsWith("/pause");
        String zombies = "for s in /proc/[0-9]*/status; do grep -q '^State:.*Z' $s && echo zombie; done; "
                + "grep -lx usleep /proc/[0-9]*/comm 2>/dev/null; true";
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(runtime.exec(app, List.of("sh", "-c", zombies), Duration.ofSeconds(5)).output()).isEmpty());
        assertThat(docker("inspect", "--format", "{{.HostConfig.PidMode}}", app).strip()).isEqualTo("container:" + sandboxId);
    }

    @Test
    void makesNetworksWithoutDockersMasqueradingAndRecreatesAnOldOneOnlyOnceUnused() throws IOException {
        String[] net = ensureRandomNetwork(runtime, "nomasq");
        String option = "{{index .Options \"" + DockerRuntime.MASQUERADE_OPTION + "\"}}";
        assertThat(docker("network", "inspect", "--format", option, net[0]).strip()).isEqualTo("false");

        // as an earlier version made it, with Docker's masquerading, and a container on it: kept as it is
        runtime.removeNetwork(net[0]);
        docker("network", "create", "--subnet", net[1] + "0/24", "--gateway", net[1] + "1", net[0]);
        String user = docker("run", "-d", "--name", prefix + "masq-user", "--network", net[0], busybox, "sleep", "600").strip();
        assertThat(runtime.ensureNetwork("nomasq", net[1] + "0/24", net[1] + "1")).isEqualTo(net[0]);
        assertThat(docker("network", "inspect", "--format", option, net[0]).strip()).isNotEqualTo("false");
        assertThat(docker("inspect", "--format", "{{.State.Running}}", user).strip()).isEqualTo("true");

        // once no container uses it, it is made again without
        docker("rm", "-f", user);
        assertThat(runtime.ensureNetwork("nomasq", net[1] + "0/24", net[1] + "1")).isEqualTo(net[0]);
        assertThat(docker("network", "inspect", "--format", option, net[0]).strip()).isEqualTo("false");
        runtime.removeNetwork(net[0]);
    }

    @Test
    void recreatesANetworkWhoseSubnetChangedWhileUnused() throws IOException {
        String[] first = ensureRandomNetwork(runtime, "spare");
        assertThat(docker("network", "inspect", "--format",
                "{{index .Options \"com.docker.network.bridge.name\"}}", first[0]).strip())
                .isEqualTo(DockerRuntime.bridgeName(first[0]));
        assertThat(runtime.ensureNetwork("spare", first[1] + "0/24", first[1] + "1")).isEqualTo(first[0]);
        String[] second = ensureRandomNetwork(runtime, "spare");
        assertThat(docker("network", "inspect", "--format", "{{(index .IPAM.Config 0).Subnet}}", second[0]).strip())
                .isEqualTo(second[1] + "0/24");
        runtime.removeNetwork(second[0]);
        runtime.removeNetwork(second[0]);
        assertThat(TestDocker.docker("network", "ls", "-q", "--filter", "name=" + second[0]).output()).isBlank();
    }

    private static String docker(String... args) {
        try {
            TestDocker.Result r = TestDocker.docker(args);
            assertThat(r.exit()).as(r.output()).isZero();
            return r.output();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
