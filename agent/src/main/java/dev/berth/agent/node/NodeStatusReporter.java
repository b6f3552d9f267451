package dev.berth.agent.node;

import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ImageInfo;
import dev.berth.agent.runtime.RuntimeInfo;
import dev.berth.agent.stats.CgroupStats;
import dev.berth.agent.stats.FsUsage;
import dev.berth.core.BerthVersion;
import dev.berth.core.api.Json;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's side of the node lifecycle, as kubelet's: registers the Node, computes its status
 * every {@link Options#statusUpdateInterval()} and writes it when something changed or
 * {@link Options#statusReportInterval()} passed since the last write, and renews the node's Lease
 * in {@value #LEASE_NAMESPACE} every {@link Options#leaseRenewInterval()}.
 *
 * <p>All timing comes from the injected clock; {@link #start()} runs {@link #sync()} on a small
 * real-time tick, and {@code sync} does whatever the clock says is due. A write that fails (the
 * API server unreachable) is tried again at the next tick, so status is resent once the server
 * is back. The Node's {@code spec.podCIDR} is handed to the listener when it is first seen and
 * whenever it changes.
 */
public final class NodeStatusReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeStatusReporter.class);
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    public static final int KUBELET_PORT = 10250;

    /**
     * Timing and policy; {@link #defaults()} are kubelet's.
     *
     * @param tick how often the real-time loop looks at the clock
     */
    public record Options(Duration statusUpdateInterval, Duration statusReportInterval, Duration leaseRenewInterval,
                          int leaseDurationSeconds, EvictionThresholds thresholds, Duration tick) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(10), 40,
                    EvictionThresholds.KUBELET_DEFAULTS, Duration.ofSeconds(1));
        }

        public Options withTick(Duration tick) {
            return new Options(statusUpdateInterval, statusReportInterval, leaseRenewInterval, leaseDurationSeconds,
                    thresholds, tick);
        }

        public Options withThresholds(EvictionThresholds t) {
            return new Options(statusUpdateInterval, statusReportInterval, leaseRenewInterval, leaseDurationSeconds, t,
                    tick);
        }
    }

    private final KubernetesClient client;
    private final ContainerRuntime runtime;
    private final String nodeName;
    private final String nodeIp;
    private final Path dataDir;
    private final int kubeletPort;
    private final Map<String, String> extraLabels;
    private final HostFacts facts;
    private final NodeReadings.Source readings;
    private final Clock clock;
    private final Options options;
    private final String kubeletVersion = BerthVersion.gitVersion();

    private volatile Consumer<String> podCidrListener = cidr -> { };
    private volatile Supplier<List<String>> readiness = List::of;
    /** Conditions other parts report: type, status (true/false), reason, message. */
    public record Extra(String type, boolean status, String reason, String message) {
    }

    private final List<Supplier<List<Extra>>> extraConditions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ScheduledExecutorService loop;

    // state of the loop, touched only under this object's lock
    private Node node;
    private Instant lastStatusCompute;
    private Instant lastStatusWrite;
    private Instant lastLeaseRenew;
    private Lease lease;
    private String podCidr;
    private RuntimeInfo lastInfo;
    private final Map<String, Instant> pressureObservedAt = new HashMap<>();
    private boolean apiDown;

    /**
     * @param nodeIp      the InternalIP; null or empty for the source address of the default route
     * @param dataDir     the agent's data directory: ephemeral-storage and nodefs
     * @param extraLabels labels added to the Node besides kubelet's own
     */
    public NodeStatusReporter(KubernetesClient client, ContainerRuntime runtime, String nodeName, String nodeIp,
                              Path dataDir, int kubeletPort, Map<String, String> extraLabels, Clock clock) {
        this(client, runtime, nodeName, nodeIp, dataDir, kubeletPort, extraLabels, HostFacts.host(),
                NodeReadings.host(CgroupStats.host(), dataDir, imageDir(runtime, dataDir)), clock, Options.defaults());
    }

    public NodeStatusReporter(KubernetesClient client, ContainerRuntime runtime, String nodeName, String nodeIp,
                              Path dataDir, int kubeletPort, Map<String, String> extraLabels, HostFacts facts,
                              NodeReadings.Source readings, Clock clock, Options options) {
        if (nodeName == null || !nodeName.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw new IllegalArgumentException("node name \"" + nodeName
                    + "\" is not a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)");
        }
        if (kubeletPort < 1 || kubeletPort > 65535) {
            throw new IllegalArgumentException("kubelet port must be within 1-65535, was " + kubeletPort);
        }
        this.client = client;
        this.runtime = runtime;
        this.nodeName = nodeName;
        this.nodeIp = nodeIp == null || nodeIp.isEmpty() ? HostFacts.defaultRouteAddress(Path.of("/proc")).orElse(null)
                : nodeIp;
        this.dataDir = dataDir;
        this.kubeletPort = kubeletPort;
        this.extraLabels = Map.copyOf(extraLabels);
        this.facts = facts;
        this.readings = readings;
        this.clock = clock;
        this.options = options;
    }

    private static Path imageDir(ContainerRuntime runtime, Path fallback) {
        try {
            String root = runtime.info().rootDir();
            return root == null || root.isEmpty() ? fallback : Path.of(root);
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** Called with spec.podCIDR when it is first seen and whenever it changes (on the reporter's thread). */
    public void onPodCidr(Consumer<String> listener) {
        this.podCidrListener = Objects.requireNonNull(listener);
    }

    /** Reasons the node is not ready besides the runtime being down (e.g. no pod network yet); empty when ready. */
    public void readiness(Supplier<List<String>> check) {
        this.readiness = Objects.requireNonNull(check);
    }

    /** Adds conditions asked for at every status update, after kubelet's own; a failing supplier is skipped. */
    public void conditions(Supplier<List<Extra>> extra) {
        extraConditions.add(Objects.requireNonNull(extra));
    }

    public String nodeName() {
        return nodeName;
    }

    /** Starts the loop on its own thread. */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("node-status").daemon(true).factory());
        long tick = options.tick().toMillis();
        loop.scheduleWithFixedDelay(this::syncQuietly, 0, tick, TimeUnit.MILLISECONDS);
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("node {}: status sync failed: {}", nodeName, e.toString());
        }
    }

    /**
     * Does what is due at the clock's now: registration, a status computation (and a write if
     * needed), a Lease renewal. Returns true when every due step succeeded.
     */
    public synchronized boolean sync() {
        Instant now = clock.instant();
        boolean ok = true;
        try {
            if (node == null) {
                node = registerOrFetch(now);
            }
            if (lastStatusCompute == null || !now.isBefore(lastStatusCompute.plus(options.statusUpdateInterval()))) {
                updateStatus(now);
                lastStatusCompute = now;
            } else if (podCidr == null) {
                // until the node IPAM gives us a range, look every tick: pods wait for it
                node = client.nodes().withName(nodeName).get();
                if (node != null) {
                    notePodCidr(node);
                }
            }
        } catch (KubernetesClientException e) {
            ok = false;
            apiFailed("status", e);
        }
        try {
            if (node != null && (lastLeaseRenew == null || !now.isBefore(lastLeaseRenew.plus(options.leaseRenewInterval())))) {
                renewLease(now);
                lastLeaseRenew = now;
            }
        } catch (KubernetesClientException e) {
            ok = false;
            apiFailed("lease", e);
        }
        if (ok && apiDown) {
            apiDown = false;
            log.info("node {}: the API server answers again; status and lease are up to date", nodeName);
        }
        return ok;
    }

    private void apiFailed(String what, KubernetesClientException e) {
        if (!apiDown) {
            log.warn("node {}: could not write its {} ({}); retrying every {} until the API server answers", nodeName,
                    what, e.getMessage(), options.tick());
        }
        apiDown = true;
    }

    // ---- registration ----

    Map<String, String> labels() {
        Map<String, String> l = new LinkedHashMap<>();
        String os = lastInfo != null ? lastInfo.os() : "linux";
        String arch = lastInfo != null ? lastInfo.architecture() : "amd64";
        l.put("beta.kubernetes.io/arch", arch);
        l.put("beta.kubernetes.io/os", os);
        l.put("kubernetes.io/arch", arch);
        l.put("kubernetes.io/hostname", nodeName);
        l.put("kubernetes.io/os", os);
        l.putAll(extraLabels);
        return l;
    }

    private Node registerOrFetch(Instant now) {
        Node existing = client.nodes().withName(nodeName).get();
        if (existing == null) {
            NodeStatus status = desiredStatus(null, now);
            Node fresh = new NodeBuilder()
                    .withNewMetadata()
                    .withName(nodeName)
                    .withLabels(labels())
                    .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                    .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                    .endMetadata()
                    .withNewSpec().endSpec()
                    .withStatus(status)
                    .build();
            try {
                Node created = client.nodes().resource(fresh).create();
                log.info("node {}: registered", nodeName);
                if (created.getStatus() == null || created.getStatus().getConditions() == null
                        || created.getStatus().getConditions().isEmpty()) {
                    created = patchStatus(status); // a server that drops status on create gets it now
                }
                lastStatusCompute = now;
                lastStatusWrite = now;
                notePodCidr(created);
                return created;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                existing = client.nodes().withName(nodeName).get();
                if (existing == null) {
                    throw e;
                }
            }
        }
        // already registered (an agent restart): keep its spec, make sure our labels are on it
        Map<String, String> have = existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
        Map<String, String> missing = new LinkedHashMap<>();
        labels().forEach((k, v) -> {
            if (!v.equals(have.get(k))) {
                missing.put(k, v);
            }
        });
        if (!missing.isEmpty()) {
            existing = client.nodes().withName(nodeName).patch(PatchContext.of(PatchType.JSON_MERGE),
                    Json.string(Map.of("metadata", Map.of("labels", missing))));
        }
        notePodCidr(existing);
        return existing;
    }

    // ---- status ----

    private void updateStatus(Instant now) {
        Node current = client.nodes().withName(nodeName).get();
        if (current == null) {
            // deleted behind our back: register again, as kubelet does after a restart
            node = null;
            lease = null;
            node = registerOrFetch(now);
            return;
        }
        node = current;
        notePodCidr(current);
        NodeStatus desired = desiredStatus(current.getStatus(), now);
        boolean due = lastStatusWrite == null || !now.isBefore(lastStatusWrite.plus(options.statusReportInterval()));
        if (due || NodeStatuses.changed(current.getStatus(), desired)) {
            node = patchStatus(desired);
            lastStatusWrite = now;
        }
    }

    private Node patchStatus(NodeStatus status) {
        return client.nodes().withName(nodeName).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Json.string(Map.of("status", status)));
    }

    /** The status the node reports at {@code now}; conditions keep their transition times from {@code current}. */
    NodeStatus desiredStatus(NodeStatus current, Instant now) {
        List<String> notReady = new ArrayList<>();
        RuntimeInfo info;
        List<ImageInfo> images;
        try {
            info = runtime.info();
            lastInfo = info;
            images = runtime.images();
        } catch (RuntimeException e) {
            log.warn("node {}: the container runtime does not answer: {}", nodeName, e.toString());
            notReady.add("container runtime is down");
            info = lastInfo;
            images = null;
        }
        try {
            notReady.addAll(readiness.get());
        } catch (RuntimeException e) {
            notReady.add("readiness check failed: " + e.getMessage());
        }
        observePressure(now);
        NodeConditions.Observed observed = new NodeConditions.Observed(
                underPressure(NodeConditions.MEMORY_PRESSURE, now), underPressure(NodeConditions.DISK_PRESSURE, now),
                underPressure(NodeConditions.PID_PRESSURE, now), notReady);
        List<io.fabric8.kubernetes.api.model.NodeCondition> conditions = new ArrayList<>(NodeConditions.of(observed, current, now));
        for (Supplier<List<Extra>> supplier : extraConditions) {
            try {
                for (Extra e : supplier.get()) {
                    conditions.add(NodeConditions.extra(current, e.type(), e.status(), e.reason(), e.message(), now));
                }
            } catch (RuntimeException e) {
                log.warn("node {}: a condition check failed: {}", nodeName, e.toString());
            }
        }
        long storage;
        try {
            storage = FsUsage.of(dataDir).capacityBytes();
        } catch (IOException e) {
            log.warn("node {}: cannot read the filesystem of {}: {}", nodeName, dataDir, e.toString());
            storage = 0;
        }
        var addresses = NodeStatuses.addresses(nodeIp, facts.hostname());
        if (info == null) {
            // never heard from the runtime: report what we know and keep the rest as it was
            return NodeStatuses.status(current != null ? current.getCapacity() : Map.of(),
                    current != null ? current.getAllocatable() : Map.of(), conditions, addresses,
                    current != null ? current.getNodeInfo() : null, current != null ? current.getImages() : List.of(),
                    kubeletPort);
        }
        return NodeStatuses.status(NodeStatuses.capacity(info, storage),
                NodeStatuses.allocatable(info, storage, options.thresholds()), conditions, addresses,
                NodeStatuses.nodeInfo(facts, info, kubeletVersion),
                images != null ? NodeStatuses.images(images) : current != null ? current.getImages() : List.of(),
                kubeletPort);
    }

    private void observePressure(Instant now) {
        NodeReadings r;
        try {
            r = readings.read();
        } catch (IOException | RuntimeException e) {
            log.warn("node {}: cannot read the eviction signals: {}", nodeName, e.toString());
            return;
        }
        EvictionThresholds t = options.thresholds();
        if (t.memoryPressure(r)) {
            pressureObservedAt.put(NodeConditions.MEMORY_PRESSURE, now);
        }
        if (t.diskPressure(r)) {
            pressureObservedAt.put(NodeConditions.DISK_PRESSURE, now);
        }
        if (t.pidPressure(r)) {
            pressureObservedAt.put(NodeConditions.PID_PRESSURE, now);
        }
    }

    /** kubelet keeps a pressure condition for the transition period after the signal was last below its threshold. */
    private boolean underPressure(String type, Instant now) {
        Instant at = pressureObservedAt.get(type);
        if (at == null) {
            return false;
        }
        return at.equals(now) || now.isBefore(at.plus(options.thresholds().pressureTransitionPeriod()));
    }

    private void notePodCidr(Node n) {
        String cidr = n.getSpec() == null ? null : n.getSpec().getPodCIDR();
        if (cidr != null && !cidr.isEmpty() && !cidr.equals(podCidr)) {
            podCidr = cidr;
            try {
                podCidrListener.accept(cidr);
            } catch (RuntimeException e) {
                log.warn("node {}: the pod CIDR listener failed on {}: {}", nodeName, cidr, e.toString());
            }
        }
    }

    // ---- lease ----

    private void renewLease(Instant now) {
        var renew = now.atZone(ZoneOffset.UTC);
        if (lease != null) {
            try {
                lease = client.leases().inNamespace(LEASE_NAMESPACE).resource(new LeaseBuilder(lease)
                        .editSpec().withRenewTime(renew).withHolderIdentity(nodeName)
                        .withLeaseDurationSeconds(options.leaseDurationSeconds()).endSpec().build()).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                lease = null; // changed or removed by someone else: start again from what the API holds
            }
        }
        Lease existing = client.leases().inNamespace(LEASE_NAMESPACE).withName(nodeName).get();
        Lease wanted = new LeaseBuilder(existing != null ? existing : new Lease())
                .editOrNewMetadata().withName(nodeName).withNamespace(LEASE_NAMESPACE)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("Node").withName(nodeName).withUid(node.getMetadata().getUid())
                        .build())
                .endMetadata()
                .editOrNewSpec()
                .withHolderIdentity(nodeName)
                .withLeaseDurationSeconds(options.leaseDurationSeconds())
                .withRenewTime(renew)
                .endSpec()
                .build();
        lease = existing != null
                ? client.leases().inNamespace(LEASE_NAMESPACE).resource(wanted).update()
                : client.leases().inNamespace(LEASE_NAMESPACE).resource(wanted).create();
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.shutdownNow();
            loop = null;
        }
    }
}
