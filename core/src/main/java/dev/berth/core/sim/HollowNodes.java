package dev.berth.core.sim;

import dev.berth.core.controller.runtime.Controller;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Result;
import dev.berth.core.controller.runtime.WorkQueue;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hollow nodes, like kubemark's and KWOK's: Nodes that register, report status, heartbeat their
 * Lease and move the pods bound to them through their phases, without running anything.
 *
 * <p>All nodes of a process share one pod informer (pods with {@code spec.nodeName} set, indexed
 * by node name), one node informer and two bounded work queues drained by a fixed pool of
 * workers; a node costs some memory and a key in a queue, never a thread or a watch. Time comes
 * from the injected clock: lease renewals, status reports and pod run times are delayed keys of
 * the queues.
 *
 * <pre>{@code
 * try (HollowNodes sim = new HollowNodes(client, Clock.systemUTC(), SimOptions.defaults())) {
 *     sim.start();
 *     sim.add(HollowNodeSpec.of("sim-0", 0));
 * }
 * }</pre>
 */
public final class HollowNodes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HollowNodes.class);
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    /** Run time of a pod before it succeeds (or fails, with {@link #FAIL_ANNOTATION}), as a duration like 30s. */
    public static final String COMPLETE_AFTER_ANNOTATION = "sim.berth.dev/complete-after";
    /** "true": the pod's containers exit with code 1 (after its run time, at once without one). */
    public static final String FAIL_ANNOTATION = "sim.berth.dev/fail";
    /** The pod's reported CPU usage, a quantity like 250m. */
    public static final String CPU_USAGE_ANNOTATION = "sim.berth.dev/cpu-usage";
    /** The pod's reported memory usage, a quantity like 128Mi. */
    public static final String MEMORY_USAGE_ANNOTATION = "sim.berth.dev/memory-usage";
    static final String NODE_INDEX = "spec.nodeName";

    private final KubernetesClient client;
    private final Clock clock;
    private final SimOptions options;
    private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();
    private final Map<String, PodRecord> pods = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Pod> podInformer;
    private final SharedIndexInformer<Node> nodeInformer;
    private final WorkQueue<String> nodeQueue;
    private final WorkQueue<String> podQueue;
    private final Controller<String> nodeWorkers;
    private final Controller<String> podWorkers;
    private final AtomicInteger registered = new AtomicInteger();
    private boolean started;
    private boolean closed;

    /** What the process knows of one of its nodes; its fields are touched only by the node's key's worker. */
    private static final class NodeState {
        final HollowNodeSpec spec;
        volatile boolean running = true;
        volatile boolean registered;
        volatile Instant lastLeaseRenew;
        volatile Instant lastStatusReport;
        volatile Lease lease;
        volatile boolean leaseCreateTried;
        volatile PodAddresses addresses;

        NodeState(HollowNodeSpec spec) {
            this.spec = spec;
        }

        synchronized PodAddresses addresses(String cidr) {
            if (addresses == null || !addresses.cidr().equals(cidr)) {
                addresses = new PodAddresses(cidr);
            }
            return addresses;
        }
    }

    /** A pod of ours running: its node (for address release) and reported usage. */
    private record PodRecord(String nodeName, ResourceUsage usage) {
    }

    public HollowNodes(KubernetesClient client, Clock clock, SimOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.options = Objects.requireNonNull(options, "options");
        this.nodeQueue = new WorkQueue<>(clock, WorkQueue.DEFAULT_BASE_DELAY, Duration.ofSeconds(30));
        this.podQueue = new WorkQueue<>(clock, WorkQueue.DEFAULT_BASE_DELAY, Duration.ofSeconds(30));
        // one watch for the pods of every hollow node: only bound pods, indexed by node
        this.podInformer = dev.berth.core.controller.runtime.Informers.keepRetrying(
                client.pods().inAnyNamespace().withoutField("spec.nodeName", "").runnableInformer(0), "bound pods");
        this.podInformer.addIndexers(Map.of(NODE_INDEX, p -> p.getSpec() == null || p.getSpec().getNodeName() == null
                ? List.of() : List.of(p.getSpec().getNodeName())));
        this.podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueuePod(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                enqueuePod(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                enqueuePod(pod);
            }
        });
        this.nodeInformer = dev.berth.core.controller.runtime.Informers.keepRetrying(client.nodes().runnableInformer(0), "nodes");
        this.nodeInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                nodeChanged(null, node);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                nodeChanged(old, node);
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                nodeChanged(node, null);
            }
        });
        int nodeWorkerCount = Math.max(1, options.workers() / 2);
        this.nodeWorkers = new Controller<>("sim-nodes", nodeQueue, this::reconcileNode, nodeWorkerCount);
        this.podWorkers = new Controller<>("sim-pods", podQueue, this::reconcilePod, options.workers());
    }

    private void enqueuePod(Pod pod) {
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (nodeName != null && nodes.containsKey(nodeName)) {
            podQueue.add(Keys.of(pod));
        }
    }

    private void nodeChanged(Node old, Node node) {
        Node any = node != null ? node : old;
        String name = any.getMetadata().getName();
        if (!nodes.containsKey(name)) {
            return;
        }
        nodeQueue.add(name);
        String oldCidr = old == null || old.getSpec() == null ? null : old.getSpec().getPodCIDR();
        String newCidr = node == null || node.getSpec() == null ? null : node.getSpec().getPodCIDR();
        if (newCidr != null && !newCidr.equals(oldCidr)) {
            enqueuePodsOf(name); // pods waiting for an address
        }
    }

    private void enqueuePodsOf(String nodeName) {
        for (Pod p : podInformer.getIndexer().byIndex(NODE_INDEX, nodeName)) {
            podQueue.add(Keys.of(p));
        }
    }

    /** Starts the informers, and the workers once both have listed. */
    public synchronized HollowNodes start() {
        if (started) {
            return this;
        }
        started = true;
        var pods = podInformer.start().toCompletableFuture();
        var nodes = nodeInformer.start().toCompletableFuture();
        java.util.concurrent.CompletableFuture.allOf(pods, nodes).thenRun(() -> {
            synchronized (this) {
                if (!closed) {
                    nodeWorkers.start();
                    podWorkers.start();
                }
            }
        });
        return this;
    }

    /** Adds a node: it registers, reports its status and renews its Lease from now on. */
    public void add(HollowNodeSpec spec) {
        if (nodes.putIfAbsent(spec.name(), new NodeState(spec)) != null) {
            throw new IllegalArgumentException("hollow node \"" + spec.name() + "\" already exists in this simulator");
        }
        nodeQueue.add(spec.name());
        enqueuePodsOf(spec.name());
    }

    public void addAll(Collection<HollowNodeSpec> specs) {
        specs.forEach(this::add);
    }

    /**
     * Stops a node as if its machine went away: no more Lease renewals, status reports or pod
     * updates. Its Node object stays, for node lifecycle to notice.
     */
    public void stop(String nodeName) {
        state(nodeName).running = false;
    }

    /** Starts a stopped node again: it reports Ready, renews its Lease and looks after its pods. */
    public void resume(String nodeName) {
        NodeState s = state(nodeName);
        s.running = true;
        s.lastLeaseRenew = null;
        s.lastStatusReport = null;
        nodeQueue.add(nodeName);
        enqueuePodsOf(nodeName);
    }

    public boolean isRunning(String nodeName) {
        return state(nodeName).running;
    }

    private NodeState state(String nodeName) {
        NodeState s = nodes.get(nodeName);
        if (s == null) {
            throw new IllegalArgumentException("no hollow node named \"" + nodeName + "\" in this simulator");
        }
        return s;
    }

    public List<String> nodeNames() {
        return List.copyOf(nodes.keySet());
    }

    /** Nodes whose Node object this process created or found, at least once. */
    public int registeredCount() {
        return registered.get();
    }

    /** True once the informers have listed and the workers run. */
    public boolean isReady() {
        return podInformer.hasSynced() && nodeInformer.hasSynced();
    }

    /** The reported usage of every node with running pods, by node name: what a metrics scrape would read. */
    public Map<String, ResourceUsage.Node> usage() {
        Map<String, Map<String, ResourceUsage>> byNode = new LinkedHashMap<>();
        for (var e : pods.entrySet()) {
            byNode.computeIfAbsent(e.getValue().nodeName(), n -> new LinkedHashMap<>()).put(e.getKey(), e.getValue().usage());
        }
        Map<String, ResourceUsage.Node> out = new LinkedHashMap<>();
        for (String name : nodes.keySet()) {
            Map<String, ResourceUsage> podsOfNode = byNode.getOrDefault(name, Map.of());
            ResourceUsage total = podsOfNode.values().stream().reduce(ResourceUsage.ZERO, ResourceUsage::plus);
            out.put(name, new ResourceUsage.Node(name, total, podsOfNode));
        }
        return out;
    }

    /** The reported usage of one node and its pods. */
    public ResourceUsage.Node usage(String nodeName) {
        state(nodeName);
        return usage().get(nodeName);
    }

    // ---- nodes ----

    private Result reconcileNode(String name) {
        return retryConflictNow(() -> reconcileNodeOnce(name));
    }

    private Result reconcilePod(String key) {
        return retryConflictNow(() -> reconcilePodOnce(key));
    }

    /**
     * A write refused with 409 Conflict was based on a cache a moment behind: look again at once
     * (the informer catches up within milliseconds) rather than after a backoff on the clock.
     */
    private static Result retryConflictNow(java.util.function.Supplier<Result> reconcile) {
        try {
            return reconcile.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Result.requeueAfter(Duration.ZERO);
            }
            throw e;
        }
    }

    private Result reconcileNodeOnce(String name) {
        NodeState s = nodes.get(name);
        if (s == null || !s.running) {
            return Result.done();
        }
        Instant now = clock.instant();
        Node node = nodeInformer.getStore().getByKey(name);
        if (node == null) {
            node = register(s, now);
        }
        NodeStatus desired = NodeStatuses.desired(s.spec, node.getStatus(), now);
        if (NodeStatuses.needsUpdate(node.getStatus(), desired, now, options.statusReportInterval())) {
            Node updated = new NodeBuilder(node).withStatus(desired).build();
            node = client.nodes().resource(updated).updateStatus();
            s.lastStatusReport = now;
        } else if (s.lastStatusReport == null) {
            s.lastStatusReport = NodeStatuses.parse(NodeStatuses.find(node.getStatus(), "Ready").getLastHeartbeatTime());
        }
        if (s.lastLeaseRenew == null || !now.isBefore(s.lastLeaseRenew.plus(options.leaseRenewInterval()))) {
            renewLease(s, node, now);
            s.lastLeaseRenew = now;
        }
        Instant nextLease = s.lastLeaseRenew.plus(options.leaseRenewInterval());
        Instant nextStatus = s.lastStatusReport.plus(options.statusReportInterval());
        Instant next = nextLease.isBefore(nextStatus) ? nextLease : nextStatus;
        return at(next);
    }

    /** Creates the Node with its status in one request (the API takes a node's status on create, as Kubernetes'). */
    private Node register(NodeState s, Instant now) {
        Node node;
        try {
            Node fresh = NodeStatuses.registration(s.spec);
            String statsUrl = summaries == null ? null : summaries.urlFor(s.spec.name());
            if (statsUrl != null) {
                fresh.getMetadata().getAnnotations().put(dev.berth.core.metrics.SummaryScraper.STATS_URL_ANNOTATION, statsUrl);
            }
            fresh.setStatus(NodeStatuses.desired(s.spec, null, now));
            node = client.nodes().resource(fresh).create();
            s.lastStatusReport = now;
            log.debug("registered node {}", s.spec.name());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            node = client.nodes().withName(s.spec.name()).get();
            if (node == null) {
                throw new IllegalStateException("node " + s.spec.name() + " exists and then does not: retrying");
            }
        }
        if (!s.registered) {
            s.registered = true;
            registered.incrementAndGet();
        }
        return node;
    }

    private void renewLease(NodeState s, Node node, Instant now) {
        String name = s.spec.name();
        var renew = now.atZone(ZoneOffset.UTC);
        Lease current = s.lease;
        if (current != null) {
            try {
                s.lease = client.leases().inNamespace(LEASE_NAMESPACE).resource(new LeaseBuilder(current)
                        .editSpec().withRenewTime(renew).endSpec().build()).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                s.lease = null; // someone else changed or removed it: start from what the API holds
            }
        }
        Lease existing = s.leaseCreateTried ? client.leases().inNamespace(LEASE_NAMESPACE).withName(name).get() : null;
        s.leaseCreateTried = true; // the first time, create without asking: one request per node less at start
        Lease wanted = new LeaseBuilder(existing != null ? existing : new Lease())
                .editOrNewMetadata().withName(name).withNamespace(LEASE_NAMESPACE)
                .withOwnerReferences(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("Node").withName(name).withUid(node.getMetadata().getUid())
                        .build())
                .endMetadata()
                .editOrNewSpec()
                .withHolderIdentity(name)
                .withLeaseDurationSeconds((int) options.leaseDuration().toSeconds())
                .withRenewTime(renew)
                .endSpec()
                .build();
        s.lease = existing != null
                ? client.leases().inNamespace(LEASE_NAMESPACE).resource(wanted).update()
                : client.leases().inNamespace(LEASE_NAMESPACE).resource(wanted).create();
    }

    // ---- pods ----

    private Result reconcilePodOnce(String key) {
        Pod pod = podInformer.getStore().getByKey(key);
        if (pod == null) {
            forget(key);
            return Result.done();
        }
        String nodeName = pod.getSpec().getNodeName();
        NodeState s = nodes.get(nodeName);
        if (s == null) {
            forget(key);
            return Result.done();
        }
        if (!s.running) {
            return Result.done(); // a stopped node does nothing; it looks again when resumed
        }
        Instant now = clock.instant();
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return finalizeDeletion(pod, key, now);
        }
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            forget(key);
            return Result.done();
        }
        Node node = nodeInformer.getStore().getByKey(nodeName);
        String cidr = node == null || node.getSpec() == null ? null : node.getSpec().getPodCIDR();
        if (cidr == null || cidr.isEmpty()) {
            return Result.done(); // waits for node IPAM: the node's update enqueues its pods
        }
        PodAddresses addresses = s.addresses(cidr);
        String ip = status != null && status.getPodIP() != null && addresses.adopt(key, status.getPodIP())
                ? status.getPodIP() : addresses.allocate(key);
        if (ip == null) {
            log.warn("pod {}: no address left in podCIDR {} of node {}", key, cidr, nodeName);
            return Result.requeueAfter(Duration.ofSeconds(5));
        }
        pods.put(key, new PodRecord(nodeName, usage(pod)));
        if (!PodStatuses.isRunningReady(status) || !ip.equals(status.getPodIP())) {
            PodStatus running = PodStatuses.running(pod, s.spec.internalIp(), ip, now);
            pod = client.pods().inNamespace(pod.getMetadata().getNamespace())
                    .resource(new PodBuilder(pod).withStatus(running).build()).updateStatus();
            status = pod.getStatus();
        }
        Duration runTime = runTime(pod);
        if (runTime == null) {
            return Result.done();
        }
        Instant started = PodStatuses.startedAt(status);
        Instant end = (started != null ? started : now).plus(runTime);
        if (now.isBefore(end)) {
            return at(end);
        }
        int exitCode = "true".equals(annotation(pod, FAIL_ANNOTATION)) ? 1 : 0;
        client.pods().inNamespace(pod.getMetadata().getNamespace())
                .resource(new PodBuilder(pod).withStatus(PodStatuses.terminated(pod, exitCode, now)).build())
                .updateStatus();
        forget(key);
        return Result.done();
    }

    /** As kubelet: the containers are stopped (at once here), the status says so, then the pod is removed. */
    private Result finalizeDeletion(Pod pod, String key, Instant now) {
        String ns = pod.getMetadata().getNamespace();
        if (pod.getStatus() != null && pod.getStatus().getPhase() != null
                && !"Pending".equals(pod.getStatus().getPhase())
                && !PodStatuses.allTerminated(pod.getStatus())) {
            pod = client.pods().inNamespace(ns)
                    .resource(new PodBuilder(pod).withStatus(PodStatuses.terminated(pod, 0, now)).build())
                    .updateStatus();
        }
        forget(key);
        client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
        return Result.done();
    }

    /** The pod no longer runs here: its address and reported usage go. */
    private void forget(String key) {
        PodRecord r = pods.remove(key);
        if (r == null) {
            return; // never given an address here, or released already
        }
        NodeState s = nodes.get(r.nodeName());
        if (s != null && s.addresses != null) {
            s.addresses.release(key);
        }
    }

    /** How long the pod runs before it terminates, or null for a service that runs until deleted. */
    private Duration runTime(Pod pod) {
        String after = annotation(pod, COMPLETE_AFTER_ANNOTATION);
        if (after != null) {
            try {
                return GoDuration.parse("metadata.annotations[" + COMPLETE_AFTER_ANNOTATION + "]", after);
            } catch (IllegalArgumentException e) {
                log.warn("pod {}: {}", Keys.of(pod), e.getMessage());
            }
        }
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners != null && owners.stream().anyMatch(o -> "Job".equals(o.getKind())
                && o.getApiVersion() != null && o.getApiVersion().startsWith("batch/"))) {
            return options.jobRunTime();
        }
        if ("true".equals(annotation(pod, FAIL_ANNOTATION))) {
            return Duration.ZERO;
        }
        return null;
    }

    private static String annotation(Pod pod, String name) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return a == null ? null : a.get(name);
    }

    private static ResourceUsage usage(Pod pod) {
        return new ResourceUsage(quantity(pod, CPU_USAGE_ANNOTATION, BigDecimal.valueOf(1000)),
                quantity(pod, MEMORY_USAGE_ANNOTATION, BigDecimal.ONE));
    }

    private static long quantity(Pod pod, String annotation, BigDecimal scale) {
        String v = annotation(pod, annotation);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return new Quantity(v.trim()).getNumericalAmount().multiply(scale).setScale(0, java.math.RoundingMode.CEILING)
                    .longValueExact();
        } catch (RuntimeException e) {
            log.warn("pod {}: annotation {} value \"{}\" is not a quantity like 250m or 128Mi", Keys.of(pod), annotation, v);
            return 0;
        }
    }

    private volatile SummaryServer summaries;

    /**
     * Serves every node's Summary API ({@code /stats/summary?node=NAME}) on loopback so that the
     * control plane's metrics scraper reads the usage the pods' annotations report; nodes
     * registered afterwards name it in their {@code node.berth.dev/stats-url} annotation.
     */
    public synchronized HollowNodes serveSummaries() throws java.io.IOException {
        if (summaries == null) {
            summaries = SummaryServer.start(this, clock);
        }
        return this;
    }

    /** The containers of a pod this process runs, or an empty list. */
    java.util.List<String> containerNames(String podKey) {
        Pod pod = podInformer.getStore().getByKey(podKey);
        if (pod == null || pod.getSpec() == null) {
            return java.util.List.of();
        }
        return pod.getSpec().getContainers().stream().map(io.fabric8.kubernetes.api.model.Container::getName).toList();
    }

    @Override
    public synchronized void close() {
        if (summaries != null) {
            summaries.close();
            summaries = null;
        }
        if (closed) {
            return;
        }
        closed = true;
        nodeWorkers.stop(Duration.ofSeconds(5));
        podWorkers.stop(Duration.ofSeconds(5));
        podInformer.stop();
        nodeInformer.stop();
    }

    /** How many nodes this process runs. */
    public int size() {
        return nodes.size();
    }

    /**
     * Looks again at {@code at}: the delay is measured from the clock as it is now, not as it was
     * when the reconcile began, since the queue adds it to the present time.
     */
    private Result at(Instant at) {
        Duration d = Duration.between(clock.instant(), at);
        return Result.requeueAfter(d.isNegative() ? Duration.ZERO : d);
    }
}
