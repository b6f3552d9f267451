package dev.berth.agent.runtime.fake;

import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerNotFoundException;
import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.ExecResult;
import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.ImageNotFoundException;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RegistryAuth;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.runtime.StreamSession;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * An in-memory container runtime for tests and benchmarks: deterministic (ids from a counter,
 * pod IPs handed out in order from a subnet, times from the injected clock) and thread-safe (one
 * lock). Containers run until a test says otherwise: {@link #exit}, {@link #oomKill},
 * {@link #exitOnStart}; stopping one makes it exit with {@link #stopExitCode}. Images are present
 * once pulled or marked with {@link #addImage}; {@link #failPull} makes pulls of one image fail.
 *
 * <p>As the SPI requires, every container carries {@link RuntimeLabels} (the pod's from the
 * sandbox spec, the container's from its spec, and this runtime's node) and a name starting with
 * {@link #namePrefix()}; listing returns only this node's containers with that prefix. Several
 * fakes may share one {@link Engine}, as several agents share one Docker engine.
 */
public final class FakeRuntime implements ContainerRuntime {
    /** The infra image this runtime reports from {@link #ensureInfraImage()}. */
    public static final String INFRA_IMAGE = "berth/pause:fake";

    /** The state several fake runtimes (nodes) may share, like one Docker engine. */
    public static final class Engine {
        private final Object lock = new Object();
        private final Map<String, Entry> containers = new LinkedHashMap<>();
        private final Map<String, ImageInfo> images = new LinkedHashMap<>();
        private final Map<String, String> networks = new LinkedHashMap<>();
        private long nextId = 1;
    }

    /** One recorded call to {@link #stopContainer}. */
    public record Stop(String containerId, String containerName, Duration grace, Instant at) {
    }

    /** One recorded pull. */
    public record Pull(String image, Optional<RegistryAuth> auth, boolean succeeded) {
    }

    /** One recorded exec. */
    public record Exec(String containerId, String containerName, List<String> command) {
    }

    private static final class Entry {
        final String id;
        final String name;
        final String image;
        final String imageId;
        final Map<String, String> labels;
        final SandboxSpec sandbox;
        final ContainerSpec spec;
        final String sandboxId;
        final Instant createdAt;
        ContainerState state = ContainerState.CREATED;
        int exitCode;
        boolean oomKilled;
        Instant startedAt;
        Instant finishedAt;
        String ip = "";
        final StringBuilder log = new StringBuilder();

        Entry(String id, String name, String image, String imageId, Map<String, String> labels, SandboxSpec sandbox,
              ContainerSpec spec, String sandboxId, Instant createdAt) {
            this.id = id;
            this.name = name;
            this.image = image;
            this.imageId = imageId;
            this.labels = labels;
            this.sandbox = sandbox;
            this.spec = spec;
            this.sandboxId = sandboxId;
            this.createdAt = createdAt;
        }

        ContainerInfo info() {
            return new ContainerInfo(id, name, image, imageId, labels, state, exitCode, oomKilled, "", createdAt,
                    startedAt, finishedAt, ip, state == ContainerState.RUNNING ? 1000 + Long.parseLong(id.substring(56), 16) : 0);
        }
    }

    private final Engine engine;
    private final String namePrefix;
    private final String nodeName;
    private final Clock clock;
    private final int subnetBase;
    private final int subnetSize;
    private final TreeSet<Integer> usedIps = new TreeSet<>();

    // test controls, guarded by engine.lock
    private final Map<String, String> pullFailures = new HashMap<>();
    private final Map<String, Integer> exitOnStart = new HashMap<>();
    private final Map<String, String> createFailures = new HashMap<>();
    private final Map<String, Integer> stopExitCodes = new HashMap<>();
    private BiFunction<ContainerInfo, List<String>, ExecResult> execHandler = (c, cmd) -> new ExecResult(0, "", false);
    private final List<Stop> stops = new ArrayList<>();
    private final List<Pull> pulls = new ArrayList<>();
    private final List<Exec> execs = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    private boolean sandboxFailure;

    /** A runtime with its own engine, handing out pod IPs from {@code podSubnet} (an IPv4 CIDR). */
    public FakeRuntime(String namePrefix, String nodeName, Clock clock, String podSubnet) {
        this(new Engine(), namePrefix, nodeName, clock, podSubnet);
    }

    public FakeRuntime(Engine engine, String namePrefix, String nodeName, Clock clock, String podSubnet) {
        this.engine = engine;
        this.namePrefix = requireNonEmpty("namePrefix", namePrefix);
        this.nodeName = requireNonEmpty("nodeName", nodeName);
        this.clock = clock;
        String[] parts = podSubnet.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("podSubnet " + podSubnet + " must be an IPv4 CIDR such as 10.42.0.0/24");
        }
        try {
            InetAddress a = InetAddress.getByName(parts[0]);
            int bits = Integer.parseInt(parts[1]);
            if (!(a instanceof Inet4Address) || bits < 8 || bits > 30) {
                throw new IllegalArgumentException("podSubnet " + podSubnet + " must be an IPv4 CIDR with a prefix of 8 to 30 bits");
            }
            byte[] b = a.getAddress();
            int base = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            this.subnetSize = 1 << (32 - bits);
            this.subnetBase = base & ~(subnetSize - 1);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("podSubnet " + podSubnet + " must be an IPv4 CIDR such as 10.42.0.0/24", e);
        }
    }

    private static String requireNonEmpty(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return value;
    }

    @Override
    public String namePrefix() {
        return namePrefix;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public RuntimeInfo info() {
        return new RuntimeInfo("docker", "0.0.0-fake", "linux", "Fake OS", "0.0.0", "amd64", 4, 8L << 30, 2,
                "cgroupfs", "/var/lib/fake");
    }

    // --- images -------------------------------------------------------------------------------

    @Override
    public List<ImageInfo> images() {
        synchronized (engine.lock) {
            return List.copyOf(engine.images.values());
        }
    }

    @Override
    public Optional<String> imageId(String image) {
        synchronized (engine.lock) {
            ImageInfo i = engine.images.get(normalize(image));
            return Optional.ofNullable(i).map(ImageInfo::id);
        }
    }

    /** Marks images as present, as if pulled or loaded before. */
    public void addImage(String... images) {
        synchronized (engine.lock) {
            for (String image : images) {
                engine.images.put(normalize(image), new ImageInfo(imageIdOf(image), List.of(normalize(image)), 1_000_000));
            }
        }
    }

    public void removeImage(String image) {
        synchronized (engine.lock) {
            engine.images.remove(normalize(image));
        }
    }

    /** Makes every pull of this image fail with ErrImagePull and this message, until {@link #clearPullFailure}. */
    public void failPull(String image, String message) {
        synchronized (engine.lock) {
            pullFailures.put(normalize(image), message);
        }
    }

    public void clearPullFailure(String image) {
        synchronized (engine.lock) {
            pullFailures.remove(normalize(image));
        }
    }

    public List<Pull> pulls() {
        synchronized (engine.lock) {
            return List.copyOf(pulls);
        }
    }

    @Override
    public void pullImage(String image, Optional<RegistryAuth> auth) {
        synchronized (engine.lock) {
            String failure = pullFailures.get(normalize(image));
            pulls.add(new Pull(image, auth, failure == null));
            if (failure != null) {
                throw new ContainerRuntimeException("ErrImagePull", failure);
            }
            engine.images.put(normalize(image), new ImageInfo(imageIdOf(image), List.of(normalize(image)), 1_000_000));
        }
    }

    @Override
    public List<String> loadImages(InputStream tar) {
        throw new ContainerRuntimeException("LoadImageError", "the fake runtime cannot load image archives; use addImage");
    }

    @Override
    public String ensureInfraImage() {
        addImage(INFRA_IMAGE);
        return INFRA_IMAGE;
    }

    // --- networks -----------------------------------------------------------------------------

    @Override
    public String ensureNetwork(String name, String subnetCidr, String gateway) {
        synchronized (engine.lock) {
            engine.networks.put(namePrefix + name, subnetCidr);
            return namePrefix + name;
        }
    }

    @Override
    public void removeNetwork(String fullName) {
        synchronized (engine.lock) {
            engine.networks.remove(fullName);
        }
    }

    // --- sandboxes and containers -------------------------------------------------------------

    /** Makes the next sandboxes fail to start (RunPodSandboxError) until called with false. */
    public void failSandboxes(boolean fail) {
        synchronized (engine.lock) {
            sandboxFailure = fail;
        }
    }

    @Override
    public String runSandbox(SandboxSpec spec) {
        synchronized (engine.lock) {
            if (sandboxFailure) {
                throw new ContainerRuntimeException("RunPodSandboxError", "sandbox of pod " + spec.namespace() + "/"
                        + spec.name() + " failed to start (made to fail by the test)");
            }
            Map<String, String> labels = new HashMap<>(spec.labels());
            labels.putAll(podLabels(spec));
            labels.put(RuntimeLabels.ROLE, RuntimeLabels.ROLE_SANDBOX);
            String id = nextId();
            Entry e = new Entry(id, namePrefix + spec.name() + "_" + spec.namespace() + "_sandbox_" + id.substring(0, 8),
                    INFRA_IMAGE, imageIdOf(INFRA_IMAGE), labels, spec, null, null, clock.instant());
            e.state = ContainerState.RUNNING;
            e.startedAt = clock.instant();
            e.ip = spec.hostNetwork() ? "" : allocateIp();
            engine.containers.put(id, e);
            return id;
        }
    }

    @Override
    public String createContainer(String sandboxId, SandboxSpec sandbox, ContainerSpec spec) {
        synchronized (engine.lock) {
            Entry sb = engine.containers.get(sandboxId);
            if (sb == null) {
                throw new ContainerRuntimeException("CreateContainerError", "sandbox " + sandboxId + " does not exist");
            }
            String failure = createFailures.get(spec.name());
            if (failure != null) {
                throw new ContainerRuntimeException("CreateContainerError", failure);
            }
            ImageInfo image = engine.images.get(normalize(spec.image()));
            if (image == null) {
                throw new ImageNotFoundException(spec.image(), "No such image: " + spec.image());
            }
            Map<String, String> labels = new HashMap<>(spec.labels());
            labels.putAll(podLabels(sandbox));
            labels.put(RuntimeLabels.CONTAINER_NAME, spec.name());
            labels.put(RuntimeLabels.ROLE, spec.role());
            labels.put(RuntimeLabels.ATTEMPT, Integer.toString(spec.attempt()));
            String id = nextId();
            Entry e = new Entry(id, namePrefix + sandbox.name() + "_" + sandbox.namespace() + "_" + spec.name() + "_"
                    + spec.attempt() + "_" + id.substring(0, 8), spec.image(), image.id(), labels, sandbox, spec,
                    sandboxId, clock.instant());
            engine.containers.put(id, e);
            return id;
        }
    }

    private Map<String, String> podLabels(SandboxSpec s) {
        return Map.of(RuntimeLabels.POD_UID, s.podUid(), RuntimeLabels.POD_NAMESPACE, s.namespace(),
                RuntimeLabels.POD_NAME, s.name(), RuntimeLabels.NODE, nodeName);
    }

    @Override
    public void startContainer(String id) {
        synchronized (engine.lock) {
            Entry e = entry(id);
            Entry sb = e.sandboxId == null ? null : engine.containers.get(e.sandboxId);
            if (sb == null || sb.state != ContainerState.RUNNING) {
                throw new ContainerRuntimeException("RunContainerError", "cannot start container " + id
                        + ": its sandbox is not running");
            }
            e.state = ContainerState.RUNNING;
            e.startedAt = clock.instant();
            e.finishedAt = null;
            Integer code = exitOnStart.get(e.spec.name());
            if (code != null) {
                exitLocked(e, code, false);
            }
        }
    }

    /** Every start of a container with this spec name exits at once with {@code code}, until {@link #clearExitOnStart}. */
    public void exitOnStart(String containerName, int code) {
        synchronized (engine.lock) {
            exitOnStart.put(containerName, code);
        }
    }

    public void clearExitOnStart(String containerName) {
        synchronized (engine.lock) {
            exitOnStart.remove(containerName);
        }
    }

    /** Makes creating a container with this spec name fail with CreateContainerError (null clears). */
    public void failCreate(String containerName, String message) {
        synchronized (engine.lock) {
            if (message == null) {
                createFailures.remove(containerName);
            } else {
                createFailures.put(containerName, message);
            }
        }
    }

    /** The exit code a container with this spec name reports when stopped (default 143, SIGTERM). */
    public void stopExitCode(String containerName, int code) {
        synchronized (engine.lock) {
            stopExitCodes.put(containerName, code);
        }
    }

    /** The running container exits with this code now. */
    public void exit(String id, int code) {
        synchronized (engine.lock) {
            Entry e = entry(id);
            if (e.state != ContainerState.RUNNING) {
                throw new IllegalStateException("container " + id + " is " + e.state + ", not running");
            }
            exitLocked(e, code, false);
        }
    }

    /** The running container is killed by the OOM killer now (exit 137, oomKilled). */
    public void oomKill(String id) {
        synchronized (engine.lock) {
            exitLocked(entry(id), 137, true);
        }
    }

    /** The pod's running sandbox dies (and with it the network namespace); its containers keep their state. */
    public void killSandbox(String podUid) {
        synchronized (engine.lock) {
            for (Entry e : engine.containers.values()) {
                if (e.spec == null && podUid.equals(e.labels.get(RuntimeLabels.POD_UID)) && e.state == ContainerState.RUNNING) {
                    exitLocked(e, 137, false);
                }
            }
        }
    }

    /** Appends to a container's log. */
    public void appendLog(String id, String text) {
        synchronized (engine.lock) {
            entry(id).log.append(text);
        }
    }

    /** The host path bound at {@code containerPath} in the container (its termination-log file, a volume). */
    public Optional<String> hostPathOf(String id, String containerPath) {
        synchronized (engine.lock) {
            Entry e = entry(id);
            if (e.spec == null) {
                return Optional.empty();
            }
            return e.spec.mounts().stream().filter(m -> m.containerPath().equals(containerPath))
                    .map(ContainerSpec.Mount::hostPath).findFirst();
        }
    }

    private void exitLocked(Entry e, int code, boolean oom) {
        e.state = ContainerState.EXITED;
        e.exitCode = code;
        e.oomKilled = oom;
        e.finishedAt = clock.instant();
        if (e.spec == null) {
            releaseIp(e);
            e.ip = "";
        }
    }

    @Override
    public void stopContainer(String id, Duration grace) {
        synchronized (engine.lock) {
            Entry e = entry(id);
            stops.add(new Stop(id, e.spec == null ? "" : e.spec.name(), grace, clock.instant()));
            if (e.state == ContainerState.RUNNING) {
                int code = e.spec == null ? 0 : stopExitCodes.getOrDefault(e.spec.name(), 143);
                exitLocked(e, code, false);
            } else if (e.state == ContainerState.CREATED) {
                e.state = ContainerState.EXITED;
                e.finishedAt = clock.instant();
            }
        }
    }

    public List<Stop> stops() {
        synchronized (engine.lock) {
            return List.copyOf(stops);
        }
    }

    @Override
    public void removeContainer(String id) {
        synchronized (engine.lock) {
            Entry e = engine.containers.remove(id);
            if (e != null) {
                removed.add(id);
                releaseIp(e);
            }
        }
    }

    /** Ids of the containers removed so far, in order. */
    public List<String> removed() {
        synchronized (engine.lock) {
            return List.copyOf(removed);
        }
    }

    @Override
    public List<ContainerInfo> listContainers(Map<String, String> labels) {
        synchronized (engine.lock) {
            List<ContainerInfo> out = new ArrayList<>();
            for (Entry e : engine.containers.values()) {
                if (e.name.startsWith(namePrefix) && nodeName.equals(e.labels.get(RuntimeLabels.NODE))
                        && e.labels.entrySet().containsAll(labels.entrySet())) {
                    out.add(e.info());
                }
            }
            return out;
        }
    }

    @Override
    public ContainerInfo inspect(String id) {
        synchronized (engine.lock) {
            return entry(id).info();
        }
    }

    /** The spec a container was created from (empty for sandboxes). */
    public Optional<ContainerSpec> spec(String id) {
        synchronized (engine.lock) {
            return Optional.ofNullable(entry(id).spec);
        }
    }

    /** The sandbox spec a container (or sandbox) was made with. */
    public SandboxSpec sandboxSpec(String id) {
        synchronized (engine.lock) {
            return entry(id).sandbox;
        }
    }

    private Entry entry(String id) {
        Entry e = engine.containers.get(id);
        if (e == null || !nodeName.equals(e.labels.get(RuntimeLabels.NODE))) {
            throw new ContainerNotFoundException(id);
        }
        return e;
    }

    // --- exec, attach, logs -------------------------------------------------------------------

    /** How exec answers: given the container and the command, the result (default: exit 0, no output). */
    public void execHandler(BiFunction<ContainerInfo, List<String>, ExecResult> handler) {
        synchronized (engine.lock) {
            execHandler = handler;
        }
    }

    public List<Exec> execs() {
        synchronized (engine.lock) {
            return List.copyOf(execs);
        }
    }

    @Override
    public ExecResult exec(String id, List<String> command, Duration timeout) {
        ContainerInfo info;
        BiFunction<ContainerInfo, List<String>, ExecResult> handler;
        synchronized (engine.lock) {
            Entry e = entry(id);
            if (e.state != ContainerState.RUNNING) {
                throw new ContainerRuntimeException("ExecError", "container " + id + " is not running");
            }
            execs.add(new Exec(id, e.spec == null ? "" : e.spec.name(), List.copyOf(command)));
            info = e.info();
            handler = execHandler;
        }
        return handler.apply(info, List.copyOf(command));
    }

    @Override
    public StreamSession execStream(String id, List<String> command, boolean stdin, boolean stdout, boolean stderr,
                                    boolean tty) {
        ExecResult r = exec(id, command, Duration.ofMinutes(1));
        return new FixedSession(stdout ? r.output() : "", r.exitCode());
    }

    @Override
    public StreamSession attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        String log;
        synchronized (engine.lock) {
            log = entry(id).log.toString();
        }
        return new FixedSession(stdout ? log : "", -1);
    }

    @Override
    public InputStream logs(String id, LogOptions options) {
        String log;
        synchronized (engine.lock) {
            log = entry(id).log.toString();
        }
        if (options.tailLines() >= 0) {
            List<String> lines = log.lines().toList();
            int from = (int) Math.max(0, lines.size() - options.tailLines());
            StringBuilder sb = new StringBuilder();
            for (String l : lines.subList(from, lines.size())) {
                sb.append(l).append('\n');
            }
            log = sb.toString();
        }
        byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
        if (options.limitBytes() >= 0 && bytes.length > options.limitBytes()) {
            bytes = java.util.Arrays.copyOf(bytes, (int) options.limitBytes());
        }
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public void close() {
    }

    private static final class FixedSession implements StreamSession {
        private final InputStream out;
        private final CompletableFuture<Integer> exit;

        FixedSession(String output, int code) {
            this.out = new ByteArrayInputStream(output.getBytes(StandardCharsets.UTF_8));
            this.exit = CompletableFuture.completedFuture(code);
        }

        @Override
        public OutputStream stdin() {
            return new ByteArrayOutputStream();
        }

        @Override
        public InputStream stdout() {
            return out;
        }

        @Override
        public InputStream stderr() {
            return InputStream.nullInputStream();
        }

        @Override
        public void resize(int columns, int rows) {
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void close() {
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    private String nextId() {
        long n = engine.nextId++;
        String hex = sha256("fake-" + n).substring(0, 56);
        return hex + String.format("%08x", n);
    }

    private String allocateIp() {
        for (int i = 2; i < subnetSize - 1; i++) {
            if (usedIps.add(i)) {
                int a = subnetBase + i;
                return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
            }
        }
        throw new ContainerRuntimeException("RunPodSandboxError", "no free address left in the pod subnet");
    }

    private void releaseIp(Entry e) {
        if (e.spec == null && !e.ip.isEmpty()) {
            String[] p = e.ip.split("\\.");
            int a = (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                    | Integer.parseInt(p[3]);
            usedIps.remove(a - subnetBase);
        }
    }

    /** Docker's normalisation: no tag means {@code :latest}. */
    static String normalize(String image) {
        if (image.contains("@")) {
            return image;
        }
        int slash = image.lastIndexOf('/');
        return image.indexOf(':', slash + 1) >= 0 ? image : image + ":latest";
    }

    private static String imageIdOf(String image) {
        return "sha256:" + sha256("image:" + normalize(image));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
