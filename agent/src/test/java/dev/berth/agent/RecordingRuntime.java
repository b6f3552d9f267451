package dev.berth.agent;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.runtime.StreamSession;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A runtime double holding a list of containers and recording what the agent asks of it (no pods are run). */
final class RecordingRuntime implements ContainerRuntime {
    final Map<String, ContainerInfo> containers = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final String nodeName;

    RecordingRuntime(String nodeName) {
        this.nodeName = nodeName;
    }

    void addContainer(String id, String podUid, String role) {
        containers.put(id, new ContainerInfo(id, "berth-test-" + id, "busybox", "sha256:1",
                Map.of(RuntimeLabels.POD_UID, podUid, RuntimeLabels.POD_NAMESPACE, "default",
                        RuntimeLabels.POD_NAME, "p-" + podUid, RuntimeLabels.ROLE, role, RuntimeLabels.NODE, nodeName),
                ContainerState.RUNNING, 0, false, "", Instant.EPOCH, Instant.EPOCH, null, "", 1));
    }

    @Override
    public String namePrefix() {
        return "berth-test-";
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String ensureNetwork(String name, String subnetCidr, String gateway) {
        calls.add("ensureNetwork " + name + " " + subnetCidr + " " + gateway);
        return namePrefix() + name;
    }

    @Override
    public void stopContainer(String id, Duration grace) {
        calls.add("stop " + id);
    }

    @Override
    public void removeContainer(String id) {
        calls.add("remove " + id);
        containers.remove(id);
    }

    @Override
    public List<ContainerInfo> listContainers(Map<String, String> labels) {
        return containers.values().stream().filter(c -> c.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    @Override
    public void close() {
        calls.add("close");
    }

    // --- for the Node reporter; the rest is not used by the agent itself ---------------------------------------------------------

    @Override
    public RuntimeInfo info() {
        return new dev.berth.agent.testing.InfoRuntime(nodeName).info();
    }

    @Override
    public List<ImageInfo> images() {
        return List.of();
    }

    @Override
    public Optional<String> imageId(String image) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void pullImage(String image, Optional<RegistryAuth> auth) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> loadImages(InputStream tar) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String ensureInfraImage() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeNetwork(String fullName) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String runSandbox(SandboxSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String createContainer(String sandboxId, SandboxSpec sandbox, ContainerSpec spec) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void startContainer(String id) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ContainerInfo inspect(String id) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult exec(String id, List<String> command, Duration timeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr,
                                    boolean tty) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamSession attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        throw new UnsupportedOperationException();
    }

    @Override
    public InputStream logs(String id, LogOptions options) {
        throw new UnsupportedOperationException();
    }
}
