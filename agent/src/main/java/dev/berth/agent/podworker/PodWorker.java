package dev.berth.agent.podworker;

import dev.berth.agent.prober.ProbeKind;
import dev.berth.agent.prober.ProbeTarget;
import dev.berth.agent.runtime.ContainerInfo;
import dev.berth.agent.runtime.ContainerNotFoundException;
import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.runtime.ContainerSpec;
import dev.berth.agent.runtime.ContainerState;
import dev.berth.agent.runtime.LogOptions;
import dev.berth.agent.runtime.RuntimeLabels;
import dev.berth.agent.runtime.SandboxSpec;
import dev.berth.agent.volume.VolumeException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The serial sync loop of one pod: every {@link #syncOnce} looks at what the runtime runs for the
 * pod and takes the next steps towards the spec (sandbox, volumes, init containers one at a
 * time, containers, restarts with back-off), then computes the status from what runs. It is
 * level-triggered: it decides from the runtime's state, never from what it did before, so an
 * agent restart adopts what runs.
 */
final class PodWorker {
    private static final Logger LOG = Logger.getLogger(PodWorker.class.getName());
    /** The sandbox a container was created in, to tell containers of an earlier sandbox apart. */
    static final String SANDBOX_ID_LABEL = "berth.dev/sandbox-id";
    static final int MAX_TERMINATION_MESSAGE_BYTES = 4096;
    static final int FALLBACK_LOG_LINES = 80;
    static final int FALLBACK_LOG_BYTES = 2048;
    static final Duration MIN_GRACE = Duration.ofSeconds(2);

    private final DefaultPodWorkers.Context ctx;
    final String uid;

    // Hand-off from other threads.
    volatile Pod latest;
    volatile Pod terminateRequest;
    /** Containers a liveness or startup probe found failing: container id to the probe kind. */
    final ConcurrentMap<String, ProbeKind> killRequests = new ConcurrentHashMap<>();
    private final Object queueLock = new Object();
    private boolean running;
    private boolean pending;

    // Owned by the sync loop.
    private Instant startTime;
    private PodStatus lastStatus;
    private PodStatus lastPublished;
    private boolean terminal;
    private String terminalReason;
    private String terminalMessage;
    private final Set<String> probed = ConcurrentHashMap.newKeySet();
    /** Containers the agent stopped for reasons other than a failure (a new sandbox, a changed spec): restarted without back-off. */
    private final Set<String> agentStopped = new java.util.HashSet<>();
    private final Map<String, String> messages = new HashMap<>();
    volatile RunningPods.RunningPod snapshot;
    /** Syncs finished so far (for tests that need to know one more has run). */
    final java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();
    volatile boolean finished;

    PodWorker(DefaultPodWorkers.Context ctx, Pod pod) {
        this.ctx = ctx;
        this.uid = pod.getMetadata().getUid();
        this.latest = pod;
        this.snapshot = new RunningPods.RunningPod(uid, pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                "", "", Map.of());
    }

    // --- queue ----------------------------------------------------------------------------------

    /** Schedules a sync; at most one runs at a time, and one more is remembered while it runs. */
    void enqueue() {
        synchronized (queueLock) {
            if (running) {
                pending = true;
                return;
            }
            running = true;
        }
        try {
            ctx.executor().execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            synchronized (queueLock) {
                running = false;
            }
        }
    }

    private void drain() {
        while (true) {
            synchronized (queueLock) {
                pending = false;
            }
            try {
                if (!finished) {
                    syncOnce();
                }
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "sync of pod " + key() + " failed; retrying at the next resync", e);
            } finally {
                syncs.incrementAndGet();
            }
            synchronized (queueLock) {
                if (!pending || finished) {
                    running = false;
                    return;
                }
            }
        }
    }

    String key() {
        Pod p = latest;
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }

    private String podRef(Pod p) {
        return p.getMetadata().getName() + "_" + p.getMetadata().getNamespace() + "(" + uid + ")";
    }

    // --- sync -----------------------------------------------------------------------------------

    void syncOnce() {
        Pod pod = latest;
        Pod kill = terminateRequest;
        if (kill != null || pod.getMetadata().getDeletionTimestamp() != null) {
            terminate(kill != null && pod.getMetadata().getDeletionTimestamp() == null ? kill : pod);
            return;
        }
        Instant now = ctx.clock().instant();
        if (startTime == null) {
            startTime = pod.getStatus() != null && pod.getStatus().getStartTime() != null
                    ? Instant.parse(pod.getStatus().getStartTime()) : now;
        }
        if (lastStatus == null && pod.getStatus() != null) {
            String phase = pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                terminal = true;
                terminalReason = pod.getStatus().getReason();
                terminalMessage = pod.getStatus().getMessage();
            }
        }
        Map<String, PodStatuses.Waiting> waiting = new HashMap<>();
        if (terminal) {
            stopEverything(pod, Duration.ZERO);
            publish(pod, waiting, false);
            return;
        }
        Long deadline = pod.getSpec().getActiveDeadlineSeconds();
        if (deadline != null && !Duration.between(startTime, now).minusSeconds(deadline).isNegative()) {
            terminal = true;
            terminalReason = "DeadlineExceeded";
            terminalMessage = "Pod was active on the node longer than the specified deadline";
            ctx.events().normal(pod, "DeadlineExceeded", terminalMessage);
            stopEverything(pod, gracePeriod(pod, false));
            publish(pod, waiting, false);
            return;
        }

        Map<String, Path> volumes;
        try {
            volumes = ctx.volumes().setUp(pod);
        } catch (VolumeException e) {
            ctx.events().warning(pod, "FailedMount", e.getMessage());
            publish(pod, waiting, false);
            return;
        }

        List<ContainerInfo> all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        ContainerInfo sandbox = all.stream()
                .filter(c -> RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)))
                .filter(c -> c.state() == ContainerState.RUNNING)
                .max(Comparator.comparing(ContainerInfo::createdAt)).orElse(null);
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        SandboxSpec sandboxSpec = RuntimeSpecs.sandbox(pod, ctx.settings());
        if (sandbox == null) {
            boolean anyContainer = all.stream().anyMatch(c -> !RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)));
            if (anyContainer && "Never".equals(PodStatuses.restartPolicy(pod))) {
                // Kubelet does not make a new sandbox for a pod that may not restart: its containers are done.
                stopEverything(pod, gracePeriod(pod, false));
                publish(pod, waiting, false);
                return;
            }
            List<ContainerInfo> oldSandboxes = all.stream()
                    .filter(c -> RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE))).toList();
            if (!oldSandboxes.isEmpty() || anyContainer) {
                ctx.events().normal(pod, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
                for (ContainerInfo c : all) {
                    if (!RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)) && c.state() == ContainerState.RUNNING) {
                        agentStopped.add(c.id());
                        stop(pod, c, gracePeriod(pod, false), null);
                    }
                }
                for (ContainerInfo s : oldSandboxes) {
                    quietly(() -> ctx.runtime().removeContainer(s.id()));
                }
            }
            try {
                ctx.runtime().ensureInfraImage();
                String id = ctx.runtime().runSandbox(sandboxSpec);
                sandbox = ctx.runtime().inspect(id);
            } catch (ContainerRuntimeException e) {
                ctx.events().warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: %s", e.getMessage());
                publish(pod, waiting, false);
                return;
            }
            all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        }
        String podIp = hostNetwork ? ctx.settings().nodeIp() : sandbox.ip();
        String sandboxId = sandbox.id();
        if (lastPublished == null) {
            // Show ContainerCreating (or PodInitializing) and the pod IP before a possibly long image pull.
            publish(pod, waiting, true);
        }

        // Kill what a probe found failing, or what was made from an older spec.
        for (ContainerInfo c : all) {
            if (c.state() != ContainerState.RUNNING || !RuntimeLabels.ROLE_APP.equals(c.label(RuntimeLabels.ROLE))) {
                continue;
            }
            Container spec = find(pod.getSpec().getContainers(), c.label(RuntimeLabels.CONTAINER_NAME));
            ProbeKind failed = killRequests.remove(c.id());
            if (spec == null) {
                continue;
            }
            if (failed != null) {
                String probe = failed == ProbeKind.STARTUP ? "startup" : "liveness";
                stop(pod, c, probeGrace(pod, spec, failed), "Container " + spec.getName() + " failed " + probe
                        + " probe, will be restarted");
            } else if (!specHash(spec).equals(c.label(RuntimeLabels.SPEC_HASH))) {
                agentStopped.add(c.id());
                stop(pod, c, gracePeriod(pod, false), "Container " + spec.getName()
                        + " definition changed, will be restarted");
            }
        }
        all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        Set<String> runningIds = new java.util.HashSet<>();
        all.stream().filter(c -> c.state() == ContainerState.RUNNING).forEach(c -> runningIds.add(c.id()));
        killRequests.keySet().removeIf(id -> !runningIds.contains(id));
        Map<String, List<ContainerInfo>> byName = byName(all);

        // Init containers, one at a time, in order; a sidecar (restartPolicy Always) lets the next
        // one start once it has started, and keeps running beside the pod's containers.
        boolean initialized = true;
        String policy = PodStatuses.restartPolicy(pod);
        boolean regularStarted = pod.getSpec().getContainers().stream()
                .anyMatch(c -> onSandbox(byName.get(c.getName()), sandboxId) != null);
        for (Container c : pod.getSpec().getInitContainers()) {
            ContainerInfo current = onSandbox(byName.get(c.getName()), sandboxId);
            if (isSidecar(c)) {
                if (current == null) {
                    start(pod, c, RuntimeLabels.ROLE_INIT, byName.get(c.getName()), sandboxId, sandboxSpec, podIp, volumes,
                            waiting);
                } else if (current.state() != ContainerState.RUNNING) {
                    restart(pod, c, RuntimeLabels.ROLE_INIT, current, byName.get(c.getName()), sandboxId, sandboxSpec,
                            podIp, volumes, waiting);
                } else if (probed.add(current.id())) {
                    ctx.probes().add(new ProbeTarget(uid, key(), c, current.id(), podIp, current.startedAt()));
                }
                if (regularStarted || sidecarStarted(c, sandboxId)) {
                    continue;
                }
                initialized = false;
                break;
            }
            if (current == null) {
                if (regularStarted) {
                    continue; // the runtime lost a finished init container; kubelet does not rerun it
                }
                start(pod, c, RuntimeLabels.ROLE_INIT, byName.get(c.getName()), sandboxId, sandboxSpec, podIp, volumes,
                        waiting);
                initialized = false;
                break;
            }
            if (current.state() == ContainerState.RUNNING) {
                initialized = false;
                break;
            }
            if (current.state() == ContainerState.EXITED && current.exitCode() == 0) {
                continue;
            }
            initialized = false;
            if (current.state() == ContainerState.EXITED && policy.equals("Never")) {
                break; // the pod failed; the phase says so
            }
            restart(pod, c, RuntimeLabels.ROLE_INIT, current, byName.get(c.getName()), sandboxId, sandboxSpec, podIp,
                    volumes, waiting);
            break;
        }
        if (initialized) {
            for (Container c : pod.getSpec().getContainers()) {
                List<ContainerInfo> history = byName.get(c.getName());
                ContainerInfo current = onSandbox(history, sandboxId);
                if (current == null) {
                    ContainerInfo last = history == null || history.isEmpty() ? null : history.get(0);
                    if (last != null && policy.equals("OnFailure") && last.state() == ContainerState.EXITED
                            && last.exitCode() == 0 && !agentStopped.contains(last.id())) {
                        continue; // kubelet does not rerun a container that succeeded, even in a new sandbox
                    }
                    start(pod, c, RuntimeLabels.ROLE_APP, history, sandboxId, sandboxSpec, podIp, volumes, waiting);
                } else if (current.state() == ContainerState.RUNNING) {
                    if (probed.add(current.id())) {
                        ctx.probes().add(new ProbeTarget(uid, key(), c, current.id(), podIp, current.startedAt()));
                    }
                } else if (current.state() == ContainerState.CREATED || agentStopped.contains(current.id())
                        || shouldRestart(policy, current.exitCode())) {
                    restart(pod, c, RuntimeLabels.ROLE_APP, current, history, sandboxId, sandboxSpec, podIp, volumes,
                            waiting);
                } else {
                    ctx.probes().remove(uid, c.getName());
                }
            }
        }
        PodStatus status = publish(pod, waiting, true);
        if ("Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase())) {
            // Kubelet stops the sandbox of a pod that is done; its containers stay for their status.
            terminal = true;
            stopEverything(pod, gracePeriod(pod, false));
            publish(pod, waiting, false);
        }
    }

    static boolean isSidecar(Container c) {
        return "Always".equals(c.getRestartPolicy());
    }

    /** Whether the sidecar's newest instance on this sandbox runs and its startup probe (if any) passed. */
    private boolean sidecarStarted(Container c, String sandboxId) {
        List<ContainerInfo> list = byName(ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid,
                RuntimeLabels.CONTAINER_NAME, c.getName()))).get(c.getName());
        ContainerInfo current = onSandbox(list, sandboxId);
        return current != null && current.state() == ContainerState.RUNNING && ctx.probes().started(uid, c.getName());
    }

    private static boolean shouldRestart(String policy, int exitCode) {
        return switch (policy) {
            case "Never" -> false;
            case "OnFailure" -> exitCode != 0;
            default -> true;
        };
    }

    /** Restarts an exited (or never started) container, unless it is backing off. */
    private void restart(Pod pod, Container c, String role, ContainerInfo current, List<ContainerInfo> history,
                         String sandboxId, SandboxSpec sandboxSpec, String podIp, Map<String, Path> volumes,
                         Map<String, PodStatuses.Waiting> waiting) {
        if (current.state() == ContainerState.EXITED && !agentStopped.contains(current.id())) {
            String key = uid + "/" + c.getName();
            Instant finished = current.finishedAt() != null ? current.finishedAt() : ctx.clock().instant();
            if (ctx.crashBackoff().inBackoffSince(key, finished)) {
                Duration d = ctx.crashBackoff().get(key);
                ctx.events().warning(pod, "BackOff", "Back-off restarting failed container %s in pod %s", c.getName(),
                        podRef(pod));
                waiting.put(c.getName(), new PodStatuses.Waiting("CrashLoopBackOff", "back-off " + d.toSeconds()
                        + "s restarting failed container=" + c.getName() + " pod=" + podRef(pod)));
                return;
            }
            ctx.crashBackoff().next(key, finished);
        }
        if (current.state() == ContainerState.CREATED) {
            quietly(() -> ctx.runtime().removeContainer(current.id()));
        }
        ctx.probes().remove(uid, c.getName());
        start(pod, c, role, history, sandboxId, sandboxSpec, podIp, volumes, waiting);
    }

    private void start(Pod pod, Container c, String role, List<ContainerInfo> history, String sandboxId,
                       SandboxSpec sandboxSpec, String podIp, Map<String, Path> volumes,
                       Map<String, PodStatuses.Waiting> waiting) {
        int attempt = 0;
        if (history != null && !history.isEmpty()) {
            ContainerInfo last = history.get(0);
            attempt = last.state() == ContainerState.CREATED ? PodStatuses.attempt(last) : PodStatuses.attempt(last) + 1;
        }
        try {
            ctx.images().ensure(pod, c);
        } catch (Images.PullFailure e) {
            waiting.put(c.getName(), new PodStatuses.Waiting(e.reason, e.getMessage()));
            return;
        }
        ContainerSpec spec;
        try {
            ContainerEnv.Resolved env = ContainerEnv.resolve(pod, c, ctx.settings().nodeIp(), podIp,
                    ctx.settings().allocatable(), ctx.lookup());
            if (!env.skipped().isEmpty()) {
                ctx.events().warning(pod, "InvalidEnvironmentVariableNames",
                        "Keys [%s] from the EnvFrom of container %s were skipped since they are considered invalid "
                                + "environment variable names.", String.join(", ", env.skipped()), c.getName());
            }
            Path log = terminationLog(c.getName(), attempt);
            Map<String, String> labels = new LinkedHashMap<>();
            spec = RuntimeSpecs.container(pod, c, role, attempt, env.asList(), env.vars(), volumes, log, specHash(c));
            labels.putAll(spec.labels());
            labels.put(SANDBOX_ID_LABEL, sandboxId);
            spec = spec.withLabels(labels);
        } catch (ConfigException e) {
            ctx.events().warning(pod, "Failed", "Error: %s", e.getMessage());
            waiting.put(c.getName(), new PodStatuses.Waiting("CreateContainerConfigError", e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // e.g. a quantity the API let through that cannot be turned into a cgroup setting
            String msg = "container \"" + c.getName() + "\": " + e.getMessage();
            ctx.events().warning(pod, "Failed", "Error: %s", msg);
            waiting.put(c.getName(), new PodStatuses.Waiting("CreateContainerConfigError", msg));
            return;
        } catch (IOException e) {
            ctx.events().warning(pod, "Failed", "Error: %s", e.getMessage());
            waiting.put(c.getName(), new PodStatuses.Waiting("CreateContainerError", "cannot create the termination "
                    + "message file: " + e.getMessage()));
            return;
        }
        String id;
        try {
            id = ctx.runtime().createContainer(sandboxId, sandboxSpec, spec);
        } catch (ContainerRuntimeException e) {
            ctx.events().warning(pod, "Failed", "Error: %s", e.getMessage());
            waiting.put(c.getName(), new PodStatuses.Waiting("CreateContainerError", e.getMessage()));
            return;
        }
        ctx.events().normal(pod, "Created", "Created container: %s", c.getName());
        try {
            ctx.runtime().startContainer(id);
        } catch (ContainerRuntimeException e) {
            ctx.events().warning(pod, "Failed", "Error: %s", e.getMessage());
            waiting.put(c.getName(), new PodStatuses.Waiting("RunContainerError", e.getMessage()));
            return;
        }
        ctx.events().normal(pod, "Started", "Started container %s", c.getName());
        pruneHistory(history);
        if (c.getLifecycle() != null && c.getLifecycle().getPostStart() != null) {
            var failure = ctx.hooks().run("PostStart", c.getLifecycle().getPostStart(), c, id, podIp, podRef(pod),
                    gracePeriod(pod, false).plusSeconds(30));
            if (failure.isPresent()) {
                ctx.events().warning(pod, "FailedPostStartHook", failure.get());
                ContainerInfo info = inspectOrNull(id);
                if (info != null) {
                    stop(pod, info, gracePeriod(pod, false), "FailedPostStartHook");
                }
                return;
            }
        }
        if (RuntimeLabels.ROLE_APP.equals(role) || isSidecar(c)) {
            ContainerInfo info = inspectOrNull(id);
            if (info != null && info.state() == ContainerState.RUNNING && probed.add(id)) {
                ctx.probes().add(new ProbeTarget(uid, key(), c, id, podIp, info.startedAt()));
            }
        }
    }

    /** Kubelet keeps one dead instance of a container besides the current one. */
    private void pruneHistory(List<ContainerInfo> history) {
        if (history == null) {
            return;
        }
        for (int i = 1; i < history.size(); i++) {
            ContainerInfo old = history.get(i);
            if (old.state() != ContainerState.RUNNING) {
                quietly(() -> ctx.runtime().removeContainer(old.id()));
                messages.remove(old.id());
                deleteQuietly(old.label(RuntimeLabels.TERMINATION_MESSAGE_PATH));
            }
        }
    }

    /** Stops a container: preStop hook, then the runtime's stop with what is left of the grace period. */
    private void stop(Pod pod, ContainerInfo c, Duration grace, String killingMessage) {
        String name = c.label(RuntimeLabels.CONTAINER_NAME);
        Container spec = find(pod.getSpec().getContainers(), name);
        if (spec == null) {
            spec = find(pod.getSpec().getInitContainers(), name);
        }
        ctx.events().normal(pod, "Killing", killingMessage != null ? killingMessage : "Stopping container " + name);
        Duration left = grace;
        if (spec != null && spec.getLifecycle() != null && spec.getLifecycle().getPreStop() != null
                && c.state() == ContainerState.RUNNING && !grace.isZero()) {
            long t0 = System.nanoTime();
            String podIp = snapshot.podIp();
            var failure = ctx.hooks().run("PreStop", spec.getLifecycle().getPreStop(), spec, c.id(), podIp, podRef(pod), grace);
            failure.ifPresent(msg -> ctx.events().warning(pod, "FailedPreStopHook", msg));
            left = grace.minusNanos(System.nanoTime() - t0);
            if (left.compareTo(MIN_GRACE) < 0) {
                left = MIN_GRACE;
            }
        }
        ctx.probes().remove(uid, name);
        probed.remove(c.id());
        try {
            ctx.runtime().stopContainer(c.id(), left);
        } catch (ContainerNotFoundException e) {
            // already gone
        }
    }

    /** Stops every running container (in parallel, each with its hooks) and the sandbox. */
    private void stopEverything(Pod pod, Duration grace) {
        List<ContainerInfo> all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        List<Thread> threads = new ArrayList<>();
        for (ContainerInfo c : all) {
            if (!RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)) && c.state() == ContainerState.RUNNING) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        stop(pod, c, grace, null);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "stopping a container of pod " + key() + " failed", e);
                    }
                }));
            }
        }
        join(threads);
        ctx.probes().removePod(uid);
        probed.clear();
        for (ContainerInfo c : all) {
            if (RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)) && c.state() == ContainerState.RUNNING) {
                quietly(() -> ctx.runtime().stopContainer(c.id(), Duration.ZERO));
            }
        }
    }

    private static void join(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Graceful termination of a deleted (or no longer wanted) pod; then everything of it is removed. */
    private void terminate(Pod pod) {
        Duration grace = gracePeriod(pod, true);
        List<ContainerInfo> all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        // Regular containers first, then the sidecars, as kubelet stops them.
        for (boolean sidecars : new boolean[]{false, true}) {
            List<Thread> threads = new ArrayList<>();
            for (ContainerInfo c : all) {
                Container spec = find(pod.getSpec().getInitContainers(), c.label(RuntimeLabels.CONTAINER_NAME));
                boolean sidecar = spec != null && isSidecar(spec);
                if (sidecar == sidecars && !RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE))
                        && c.state() == ContainerState.RUNNING) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            stop(pod, c, grace, null);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "stopping a container of pod " + key() + " failed", e);
                        }
                    }));
                }
            }
            join(threads);
        }
        ctx.probes().removePod(uid);
        for (ContainerInfo c : all) {
            if (RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)) && c.state() == ContainerState.RUNNING) {
                quietly(() -> ctx.runtime().stopContainer(c.id(), Duration.ZERO));
            }
        }
        if (startTime == null) {
            startTime = ctx.clock().instant();
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            publishTerminated(pod);
        }
        for (ContainerInfo c : ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid))) {
            quietly(() -> ctx.runtime().removeContainer(c.id()));
        }
        try {
            ctx.volumes().tearDown(uid);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "tearing down the volumes of pod " + key() + " failed", e);
        }
        deleteTree(ctx.settings().dataDir().resolve("pods").resolve(uid));
        ctx.crashBackoff().forgetPrefix(uid + "/");
        ctx.images().forget(uid);
        finished = true;
        snapshot = new RunningPods.RunningPod(uid, snapshot.namespace(), snapshot.name(), "", "", Map.of());
        ctx.onFinished(this, pod);
    }

    private void publishTerminated(Pod pod) {
        List<ContainerInfo> all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        PodStatus status = PodStatuses.compute(new PodStatuses.Input(pod, lastStatus != null ? lastStatus : pod.getStatus(),
                byName(all), Map.of(), false, "", ctx.settings().nodeIp(), startTime, terminalReason, terminalMessage,
                true, flags(), ctx.runtimeName(), this::terminationMessage, ctx.clock().instant()));
        if (!status.equals(lastPublished)) {
            lastStatus = status;
            lastPublished = status;
            ctx.sink().update(uid, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), status);
        }
    }

    private PodStatuses.ReadyFlags flags() {
        return new PodStatuses.ReadyFlags() {
            @Override
            public boolean ready(String containerName) {
                return ctx.probes().ready(uid, containerName);
            }

            @Override
            public boolean started(String containerName) {
                return ctx.probes().started(uid, containerName);
            }
        };
    }

    private PodStatus publish(Pod pod, Map<String, PodStatuses.Waiting> waiting, boolean sandboxMayRun) {
        List<ContainerInfo> all = ctx.runtime().listContainers(Map.of(RuntimeLabels.POD_UID, uid));
        ContainerInfo sandbox = all.stream()
                .filter(c -> RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE)))
                .filter(c -> c.state() == ContainerState.RUNNING)
                .max(Comparator.comparing(ContainerInfo::createdAt)).orElse(null);
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        String podIp = sandbox == null ? (lastStatus != null && lastStatus.getPodIP() != null ? lastStatus.getPodIP() : "")
                : hostNetwork ? ctx.settings().nodeIp() : sandbox.ip();
        if (sandbox == null && lastStatus == null && pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
            podIp = pod.getStatus().getPodIP();
        }
        Map<String, List<ContainerInfo>> byName = byName(all);
        PodStatus status = PodStatuses.compute(new PodStatuses.Input(pod, lastStatus != null ? lastStatus : pod.getStatus(),
                byName, waiting, sandbox != null && sandboxMayRun, podIp, ctx.settings().nodeIp(), startTime,
                terminalReason, terminalMessage, false, flags(), ctx.runtimeName(), this::terminationMessage,
                ctx.clock().instant()));
        lastStatus = status;
        Map<String, String> ids = new LinkedHashMap<>();
        byName.forEach((name, list) -> ids.put(name, list.get(0).id()));
        snapshot = new RunningPods.RunningPod(uid, pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                sandbox == null ? "" : sandbox.id(), podIp, ids);
        if (!status.equals(lastPublished)) {
            lastPublished = status;
            ctx.sink().update(uid, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), status);
        }
        return status;
    }

    /** The container's termination message: its file, else (FallbackToLogsOnError after a failure) its log's tail. */
    String terminationMessage(ContainerInfo c) {
        if (c.state() != ContainerState.EXITED) {
            return null;
        }
        return messages.computeIfAbsent(c.id(), id -> {
            String msg = "";
            String path = c.label(RuntimeLabels.TERMINATION_MESSAGE_PATH);
            if (!path.isEmpty()) {
                try (InputStream in = Files.newInputStream(Path.of(path))) {
                    msg = new String(in.readNBytes(MAX_TERMINATION_MESSAGE_BYTES), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    msg = "";
                }
            }
            Container spec = find(latest.getSpec().getContainers(), c.label(RuntimeLabels.CONTAINER_NAME));
            if (spec == null) {
                spec = find(latest.getSpec().getInitContainers(), c.label(RuntimeLabels.CONTAINER_NAME));
            }
            if (msg.isEmpty() && c.exitCode() != 0 && spec != null
                    && "FallbackToLogsOnError".equals(spec.getTerminationMessagePolicy())) {
                try (InputStream in = ctx.runtime().logs(c.id(), new LogOptions(false, FALLBACK_LOG_LINES, null, false,
                        -1))) {
                    byte[] bytes = in.readAllBytes();
                    int from = Math.max(0, bytes.length - FALLBACK_LOG_BYTES);
                    msg = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    msg = "";
                }
            }
            return msg;
        });
    }

    private Path terminationLog(String containerName, int attempt) throws IOException {
        Path dir = ctx.settings().dataDir().resolve("pods").resolve(uid).resolve("containers").resolve(containerName);
        Files.createDirectories(dir);
        Path file = dir.resolve(attempt + "-termination-log");
        Files.deleteIfExists(file);
        Files.createFile(file);
        file.toFile().setWritable(true, false);
        return file;
    }

    // --- helpers --------------------------------------------------------------------------------

    /** The pod's grace period: on deletion deletionGracePeriodSeconds, else terminationGracePeriodSeconds (30 s). */
    static Duration gracePeriod(Pod pod, boolean deleting) {
        Long s = null;
        if (deleting) {
            s = pod.getMetadata().getDeletionGracePeriodSeconds();
        }
        if (s == null) {
            s = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        return Duration.ofSeconds(s == null ? 30 : Math.max(0, s));
    }

    private static Duration probeGrace(Pod pod, Container c, ProbeKind kind) {
        var probe = kind == ProbeKind.STARTUP ? c.getStartupProbe() : c.getLivenessProbe();
        if (probe != null && probe.getTerminationGracePeriodSeconds() != null) {
            return Duration.ofSeconds(probe.getTerminationGracePeriodSeconds());
        }
        return gracePeriod(pod, false);
    }

    /** Containers (not sandboxes) by name, newest first. */
    private static Map<String, List<ContainerInfo>> byName(List<ContainerInfo> all) {
        Map<String, List<ContainerInfo>> out = new HashMap<>();
        for (ContainerInfo c : all) {
            if (RuntimeLabels.ROLE_SANDBOX.equals(c.label(RuntimeLabels.ROLE))) {
                continue;
            }
            out.computeIfAbsent(c.label(RuntimeLabels.CONTAINER_NAME), k -> new ArrayList<>()).add(c);
        }
        for (List<ContainerInfo> list : out.values()) {
            list.sort(Comparator.comparingInt(PodStatuses::attempt).thenComparing(ContainerInfo::createdAt).reversed());
        }
        return out;
    }

    private static ContainerInfo onSandbox(List<ContainerInfo> history, String sandboxId) {
        if (history == null || history.isEmpty()) {
            return null;
        }
        ContainerInfo latest = history.get(0);
        return sandboxId.equals(latest.label(SANDBOX_ID_LABEL)) ? latest : null;
    }

    static Container find(List<Container> list, String name) {
        for (Container c : list) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** A stable hash of the container's spec, to notice a changed one (kubelet restarts such a container). */
    static String specHash(Container c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Serialization.asJson(c).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ContainerInfo inspectOrNull(String id) {
        try {
            return ctx.runtime().inspect(id);
        } catch (ContainerRuntimeException e) {
            return null;
        }
    }

    private void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ignored while cleaning up pod " + key(), e);
        }
    }

    private static void deleteQuietly(String path) {
        if (path != null && !path.isEmpty()) {
            try {
                Files.deleteIfExists(Path.of(path));
            } catch (IOException e) {
                // a leftover file is harmless
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
