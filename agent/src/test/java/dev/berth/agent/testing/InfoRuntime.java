package dev.berth.agent.testing;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.StreamSession;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A runtime that only describes itself: info, images and a settable list of containers, for
 * node status and stats tests. It can be made to fail like an engine that went away.
 */
public final class InfoRuntime implements ContainerRuntime {
    public volatile RuntimeInfo info = new RuntimeInfo("docker", "20.10.24", "linux", "Debian GNU/Linux 12 (bookworm)",
            "6.1.0-test", "amd64", 4, 8L * 1024 * 1024 * 1024, 1, "cgroupfs", "/var/lib/docker");
    public final List<ImageInfo> images = new CopyOnWriteArrayList<>();
    public final List<ContainerInfo> containers = new CopyOnWriteArrayList<>();
    public volatile boolean down;
    private final String nodeName;

    public InfoRuntime(String nodeName) {
        this.nodeName = nodeName;
    }

    private void check() {
        if (down) {
            throw new ContainerRuntimeException("RuntimeDown", "Cannot connect to the Docker daemon (test: engine down)");
        }
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
    public RuntimeInfo info() {
        check();
        return info;
    }

    @Override
    public List<ImageInfo> images() {
        check();
        return new ArrayList<>(images);
    }

    @Override
    public List<ContainerInfo> listContainers(Map<String, String> labels) {
        check();
        return containers.stream().filter(c -> c.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    private static UnsupportedOperationException notHere() {
        return new UnsupportedOperationException("InfoRuntime only describes itself");
    }

    @Override
    public Optional<String> imageId(String image) {
        throw notHere();
    }

    @Override
    public void pullImage(String image, Optional<RegistryAuth> auth) {
        throw notHere();
    }

    @Override
    public List<String> loadImages(InputStream tar) {
        throw notHere();
    }

    @Override
    public String ensureInfraImage() {
        throw notHere();
    }

    @Override
    public String ensureNetwork(String name, String subnetCidr, String gateway) {
        throw notHere();
    }

    @Override
    public void removeNetwork(String fullName) {
        throw notHere();
    }

    @Override
    public String runSandbox(SandboxSpec spec) {
        throw notHere();
    }

    @Override
    public String createContainer(String sandboxId, SandboxSpec sandbox, ContainerSpec spec) {
        throw notHere();
    }

    @Override
    public void startContainer(String id) {
        throw notHere();
    }

    @Override
    public void stopContainer(String id, Duration grace) {
        throw notHere();
    }

    @Override
    public void removeContainer(String id) {
        throw notHere();
    }

    @Override
    public ContainerInfo inspect(String id) {
        throw notHere();
    }

    @Override
    public ExecResult exec(String id, List<String> command, Duration timeout) {
        throw notHere();
    }

    @Override
    public StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        throw notHere();
    }

    @Override
    public StreamSession attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        throw notHere();
    }

    @Override
    public InputStream logs(String id, LogOptions options) {
        throw notHere();
    }

    @Override
    public void close() {
    }
}
