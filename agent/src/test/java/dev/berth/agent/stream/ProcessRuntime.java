package dev.berth.agent.stream;

import dev.berth.agent.podworker.RunningPods;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerNotFoundException;
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

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double of the container runtime whose exec and attach run real local processes
 * ({@code ProcessBuilder}), so the bytes on the wire are real; logs come from text the test sets,
 * and a followed log ends when the test stops the container. It records what it was asked.
 */
public final class ProcessRuntime implements ContainerRuntime, RunningPods {
    final List<LogOptions> logRequests = new CopyOnWriteArrayList<>();
    final List<String> logContainers = new CopyOnWriteArrayList<>();
    public final List<int[]> resizes = new CopyOnWriteArrayList<>();
    final List<List<String>> execs = new CopyOnWriteArrayList<>();
    /** The tty flag of every exec, in order. */
    final List<Boolean> execTtys = new CopyOnWriteArrayList<>();
    private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final Map<String, List<String>> mainProcesses = new ConcurrentHashMap<>();
    private final Map<String, PipedOutputStream> following = new ConcurrentHashMap<>();
    private final List<ContainerInfo> containers = new CopyOnWriteArrayList<>();

    public void addPod(RunningPod pod) {
        pods.put(pod.namespace() + "/" + pod.name(), pod);
    }

    /** A container record, for {@code --previous}. */
    void addContainer(String id, String podUid, String name, int attempt) {
        containers.add(new ContainerInfo(id, "c-" + id, "busybox", "sha256:1",
                Map.of(RuntimeLabels.POD_UID, podUid, RuntimeLabels.CONTAINER_NAME, name,
                        RuntimeLabels.ATTEMPT, Integer.toString(attempt)),
                ContainerState.EXITED, 0, false, "", Instant.EPOCH, null, null, "", 0));
    }

    public void setLog(String containerId, String text) {
        logs.put(containerId, text);
    }

    /** The command attach connects to, started anew on each attach. */
    void setMainProcess(String containerId, List<String> command) {
        mainProcesses.put(containerId, command);
    }

    /** The container stops: a followed log ends. */
    void stop(String containerId) throws IOException {
        PipedOutputStream out = following.remove(containerId);
        if (out != null) {
            out.close();
        }
    }

    boolean following(String containerId) {
        return following.containsKey(containerId);
    }

    @Override
    public Optional<RunningPod> find(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    @Override
    public InputStream logs(String id, LogOptions options) {
        String text = logs.get(id);
        if (text == null) {
            throw new ContainerNotFoundException(id);
        }
        logRequests.add(options);
        logContainers.add(id);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (!options.follow()) {
            return new ByteArrayInputStream(bytes);
        }
        try {
            PipedInputStream in = new PipedInputStream(64 * 1024);
            PipedOutputStream out = new PipedOutputStream(in);
            out.write(bytes);
            out.flush();
            following.put(id, out);
            return in;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr,
                                    boolean tty) {
        execs.add(command);
        execTtys.add(tty);
        return start(command, tty);
    }

    @Override
    public StreamSession attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        List<String> command = mainProcesses.get(id);
        if (command == null) {
            throw new ContainerNotFoundException(id);
        }
        return start(command, tty);
    }

    private StreamSession start(List<String> command, boolean tty) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(tty);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new dev.berth.agent.runtime.ContainerRuntimeException("RunContainerError", "cannot start " + command + ": " + e.getMessage());
        }
        return new StreamSession() {
            @Override
            public OutputStream stdin() {
                return p.getOutputStream();
            }

            @Override
            public InputStream stdout() {
                return p.getInputStream();
            }

            @Override
            public InputStream stderr() {
                return tty ? InputStream.nullInputStream() : p.getErrorStream();
            }

            @Override
            public void resize(int columns, int rows) {
                resizes.add(new int[] {columns, rows});
            }

            @Override
            public CompletableFuture<Integer> exit() {
                return p.onExit().thenApply(Process::exitValue);
            }

            @Override
            public void close() {
                p.destroy();
            }
        };
    }

    @Override
    public List<ContainerInfo> listContainers(Map<String, String> labels) {
        return containers.stream().filter(c -> c.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    // --- not used by the streams ----------------------------------------------------------------

    @Override public String namePrefix() { return "berth-test-"; }
    @Override public String nodeName() { return "node-1"; }
    @Override public RuntimeInfo info() { throw new UnsupportedOperationException(); }
    @Override public List<ImageInfo> images() { return List.of(); }
    @Override public Optional<String> imageId(String image) { return Optional.empty(); }
    @Override public void pullImage(String image, Optional<RegistryAuth> auth) { throw new UnsupportedOperationException(); }
    @Override public List<String> loadImages(InputStream tar) { throw new UnsupportedOperationException(); }
    @Override public String ensureInfraImage() { throw new UnsupportedOperationException(); }
    @Override public String ensureNetwork(String name, String subnetCidr, String gateway) { throw new UnsupportedOperationException(); }
    @Override public void removeNetwork(String fullName) { throw new UnsupportedOperationException(); }
    @Override public String runSandbox(SandboxSpec spec) { throw new UnsupportedOperationException(); }
    @Override public String createContainer(String sandboxId, SandboxSpec sandbox, ContainerSpec spec) { throw new UnsupportedOperationException(); }
    @Override public void startContainer(String id) { throw new UnsupportedOperationException(); }
    @Override public void stopContainer(String id, Duration grace) { throw new UnsupportedOperationException(); }
    @Override public void removeContainer(String id) { throw new UnsupportedOperationException(); }
    @Override public ContainerInfo inspect(String id) { throw new ContainerNotFoundException(id); }
    @Override public ExecResult exec(String id, List<String> command, Duration timeout) { throw new UnsupportedOperationException(); }
    @Override public void close() { }
}
