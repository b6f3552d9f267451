package dev.berth.agent.prober;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.runtime.StreamSession;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A container runtime that can only exec: each container's commands answer from a script set by
 * the test (by the command's first word), and every exec is recorded.
 */
final class ExecOnlyRuntime implements ContainerRuntime {
    record Exec(String containerId, List<String> command, Duration timeout) {
    }

    private final Map<String, Function<List<String>, ExecResult>> answers = new ConcurrentHashMap<>();
    final List<Exec> execs = new CopyOnWriteArrayList<>();

    /** Commands whose first word is {@code program} answer with this exit code and output. */
    void answer(String program, int exitCode, String output) {
        answers.put(program, c -> new ExecResult(exitCode, output, false));
    }

    void answer(String program, Function<List<String>, ExecResult> answer) {
        answers.put(program, answer);
    }

    long execsOf(String program) {
        return execs.stream().filter(e -> e.command().getFirst().equals(program)).count();
    }

    @Override
    public ExecResult exec(String id, List<String> command, Duration timeout) {
        execs.add(new Exec(id, command, timeout));
        Function<List<String>, ExecResult> answer = answers.get(command.getFirst());
        if (answer == null) {
            return new ExecResult(127, "sh: " + command.getFirst() + ": not found\n", false);
        }
        return answer.apply(command);
    }

    @Override
    public String namePrefix() {
        return "berth-test-";
    }

    @Override
    public String nodeName() {
        return "node-1";
    }

    @Override
    public RuntimeInfo info() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ImageInfo> images() {
        throw new UnsupportedOperationException();
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
    public String ensureNetwork(String name, String subnetCidr, String gateway) {
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
    public void stopContainer(String id, Duration grace) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeContainer(String id) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ContainerInfo> listContainers(Map<String, String> labels) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ContainerInfo inspect(String id) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
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

    @Override
    public void close() {
    }
}
