package dev.berth.core.scheduler;

import dev.berth.core.controller.runtime.ApiEventRecorder;
import dev.berth.core.controller.runtime.Component;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.NamespaceLabels;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.Status;
import dev.berth.core.scheduler.plugins.volumebinding.VolumeListers;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The default scheduler: places pending pods whose spec.schedulerName is {@value #SCHEDULER_NAME}
 * on nodes, one pod per cycle on one thread, and binds them through {@code pods/binding} on
 * background threads (at most {@link #DEFAULT_BIND_CONCURRENCY} at once) so that the next cycle
 * does not wait for the API. A pod that fits nowhere gets a FailedScheduling event and the
 * PodScheduled=False condition with the summed reasons, and may preempt lower-priority pods.
 */
public final class Scheduler implements Component {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    public static final String SCHEDULER_NAME = "default-scheduler";
    /** The component on the scheduler's Events, as Kubernetes'. */
    public static final String COMPONENT = "default-scheduler";
    public static final int DEFAULT_BIND_CONCURRENCY = 64;
    public static final String REASON_SCHEDULED = "Scheduled";
    public static final String REASON_FAILED_SCHEDULING = "FailedScheduling";
    public static final String REASON_PREEMPTED = "Preempted";
    public static final String REASON_UNSCHEDULABLE = "Unschedulable";
    public static final String REASON_SCHEDULER_ERROR = "SchedulerError";
    public static final String NO_NODES_AVAILABLE = "no nodes available to schedule pods";

    private final String schedulerName;
    private final KubernetesClient client;
    private final Clock clock;
    private final EventRecorder events;
    private final boolean ownsEvents;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final SharedIndexInformer<StorageClass> storageClasses;
    private final SharedIndexInformer<Namespace> namespaces;
    private final SchedulerCache cache;
    private final SchedulingQueue queue;
    private final Framework framework;
    private final Preemption preemption;
    private final Semaphore bindSlots;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final Random random = new Random();
    private int nextStartNodeIndex;
    private Thread loop;
    private volatile boolean ready;
    private volatile boolean closed;

    public Scheduler(ControllerContext context) {
        this(context, SCHEDULER_NAME, new ApiEventRecorder(context.client(), context.clock(), COMPONENT), true,
                DEFAULT_BIND_CONCURRENCY);
    }

    /**
     * A scheduler for the pods naming {@code schedulerName} (a second profile, as kube-scheduler's
     * profiles), recording events through {@code events} (closed with the scheduler when
     * {@code ownsEvents}).
     */
    public Scheduler(ControllerContext context, String schedulerName, EventRecorder events, boolean ownsEvents,
                     int bindConcurrency) {
        this.schedulerName = Objects.requireNonNull(schedulerName, "schedulerName");
        this.client = context.client();
        this.clock = context.clock();
        this.events = Objects.requireNonNull(events, "events");
        this.ownsEvents = ownsEvents;
        if (bindConcurrency < 1) {
            throw new IllegalArgumentException("bindConcurrency " + bindConcurrency + " must be at least 1");
        }
        this.bindSlots = new Semaphore(bindConcurrency);
        this.pods = context.informers().of(Pod.class);
        this.nodes = context.informers().of(Node.class);
        this.claims = context.informers().of(PersistentVolumeClaim.class);
        this.volumes = context.informers().of(PersistentVolume.class);
        this.storageClasses = context.informers().of(StorageClass.class);
        this.namespaces = context.informers().of(Namespace.class);
        NamespaceLabels nsLabels = new NamespaceLabels() {
            @Override
            public Map<String, String> labels(String namespace) {
                Namespace ns = namespaces.getStore().getByKey(namespace);
                return ns == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
            }

            @Override
            public Iterable<String> names() {
                return namespaces.getStore().listKeys();
            }
        };
        this.cache = new SchedulerCache(nsLabels);
        this.queue = new SchedulingQueue(clock);
        this.framework = Framework.defaults(new VolumeListers() {
            @Override
            public PersistentVolumeClaim claim(String namespace, String name) {
                return claims.getStore().getByKey(namespace + "/" + name);
            }

            @Override
            public PersistentVolume volume(String name) {
                return volumes.getStore().getByKey(name);
            }

            @Override
            public List<PersistentVolume> volumes() {
                return volumes.getStore().list();
            }

            @Override
            public StorageClass storageClass(String name) {
                return storageClasses.getStore().getByKey(name);
            }
        });
        this.preemption = new Preemption(framework);
        this.namespaceLabels = nsLabels;
    }

    private final NamespaceLabels namespaceLabels;

    @Override
    public String name() {
        return "scheduler";
    }

    SchedulerCache cache() {
        return cache;
    }

    SchedulingQueue queue() {
        return queue;
    }

    // ---- informer handlers: they update the cache and the queue, nothing else --------------

    static boolean assigned(Pod pod) {
        return pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    /**
     * A pending pod this scheduler places: its schedulerName (empty means the default), no node
     * yet, no scheduling gates left, not being deleted.
     */
    boolean responsible(Pod pod) {
        String name = pod.getSpec().getSchedulerName();
        String wanted = name == null || name.isEmpty() ? SCHEDULER_NAME : name;
        return wanted.equals(schedulerName) && !assigned(pod)
                && (pod.getSpec().getSchedulingGates() == null || pod.getSpec().getSchedulingGates().isEmpty())
                && pod.getMetadata().getDeletionTimestamp() == null
                && !"Succeeded".equals(phase(pod)) && !"Failed".equals(phase(pod));
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private void trackNomination(Pod pod) {
        String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        if (nominated != null && !nominated.isEmpty() && responsible(pod)) {
            cache.nominate(PodInfo.of(pod, namespaceLabels), nominated);
        } else {
            cache.nominate(PodInfo.of(pod), null);
        }
    }

    private final ResourceEventHandler<Pod> podHandler = new ResourceEventHandler<>() {
        @Override
        public void onAdd(Pod pod) {
            if (assigned(pod)) {
                cache.addOrUpdatePod(pod);
            } else if (responsible(pod)) {
                trackNomination(pod);
                queue.add(pod);
            }
        }

        @Override
        public void onUpdate(Pod oldPod, Pod pod) {
            if (assigned(pod)) {
                if (!assigned(oldPod)) {
                    queue.delete(key(pod));
                    cache.nominate(PodInfo.of(pod), null);
                }
                cache.addOrUpdatePod(pod);
                boolean nowTerminal = "Succeeded".equals(phase(pod)) || "Failed".equals(phase(pod));
                boolean wasTerminal = "Succeeded".equals(phase(oldPod)) || "Failed".equals(phase(oldPod));
                if (nowTerminal && !wasTerminal) {
                    queue.moveAllToActiveOrBackoff();
                }
            } else if (responsible(pod)) {
                trackNomination(pod);
                queue.update(oldPod, pod);
            } else {
                queue.delete(key(pod));
                cache.nominate(PodInfo.of(pod), null);
            }
        }

        @Override
        public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            if (assigned(pod)) {
                cache.removePod(key(pod));
                queue.moveAllToActiveOrBackoff();
            } else {
                queue.delete(key(pod));
                cache.nominate(PodInfo.of(pod), null);
            }
        }
    };

    private final ResourceEventHandler<Node> nodeHandler = new ResourceEventHandler<>() {
        @Override
        public void onAdd(Node node) {
            cache.addOrUpdateNode(node);
            queue.moveAllToActiveOrBackoff();
        }

        @Override
        public void onUpdate(Node oldNode, Node node) {
            cache.addOrUpdateNode(node);
            if (schedulingRelevantChange(oldNode, node)) {
                queue.moveAllToActiveOrBackoff();
            }
        }

        @Override
        public void onDelete(Node node, boolean deletedFinalStateUnknown) {
            cache.removeNode(node.getMetadata().getName());
        }
    };

    /** Heartbeats change conditions only; labels, taints, cordoning and allocatable matter. */
    static boolean schedulingRelevantChange(Node a, Node b) {
        return !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                || !Objects.equals(a.getSpec(), b.getSpec())
                || !Objects.equals(a.getStatus() == null ? null : a.getStatus().getAllocatable(),
                b.getStatus() == null ? null : b.getStatus().getAllocatable());
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> ResourceEventHandler<T> moveAllOnChange() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                queue.moveAllToActiveOrBackoff();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                queue.moveAllToActiveOrBackoff();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            }
        };
    }

    // ---- lifecycle -------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        nodes.addEventHandler(nodeHandler);
        pods.addEventHandler(podHandler);
        claims.addEventHandler(moveAllOnChange());
        volumes.addEventHandler(moveAllOnChange());
        storageClasses.addEventHandler(moveAllOnChange());
        loop = Thread.ofPlatform().name("scheduler").daemon().start(this::run);
    }

    private boolean synced() {
        return pods.hasSynced() && nodes.hasSynced() && claims.hasSynced() && volumes.hasSynced()
                && storageClasses.hasSynced() && namespaces.hasSynced();
    }

    private void run() {
        try {
            while (!closed && !synced()) {
                Thread.sleep(10); // the informers' start is not ours to await; poll until they listed
            }
            ready = true;
            log.info("scheduler started");
            while (!closed) {
                SchedulingQueue.Entry e = queue.pop(Duration.ofMillis(200));
                if (e != null) {
                    try {
                        scheduleOne(e);
                    } catch (RuntimeException ex) {
                        log.warn("scheduling {} failed", e.key(), ex);
                        queue.addBackoff(e);
                    }
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        queue.close();
        if (loop != null) {
            try {
                loop.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        background.shutdown();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsEvents && events instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the event recorder failed: {}", e.toString());
            }
        }
    }

    // ---- the scheduling cycle --------------------------------------------------------------

    /** Kube-scheduler's percentageOfNodesToScore, adaptive: 50% - nodes/125, at least 5%, at least 100 nodes. */
    public static int numFeasibleNodesToFind(int numNodes) {
        if (numNodes < 100) {
            return numNodes;
        }
        int percentage = Math.max(5, 50 - numNodes / 125);
        return Math.max(100, numNodes * percentage / 100);
    }

    /** A chosen node, or why none fits (fitError null and node null: no nodes at all). */
    record Placement(String node, FitError fitError) {
    }

    void scheduleOne(SchedulingQueue.Entry e) throws InterruptedException {
        Pod pod = pods.getStore().getByKey(e.key());
        if (pod == null || !responsible(pod) || cache.isAssumed(e.key())) {
            queue.done(e);
            return;
        }
        PodInfo info = PodInfo.of(pod, namespaceLabels);
        CycleState state = new CycleState();
        Placement placement;
        Preemption.Result preempted = null;
        Node chosenNode = null;
        cache.lock();
        try {
            placement = place(state, info);
            if (placement.node() != null) {
                chosenNode = cache.node(placement.node()).node();
                cache.assume(info, placement.node());
            } else if (placement.fitError() != null) {
                preempted = preemption.preempt(state, info, cache, placement.fitError().nodeStatuses());
                if (preempted.candidate() != null) {
                    cache.nominate(info, preempted.candidate().node());
                } else if (preempted.clearNomination()) {
                    cache.nominate(info, null);
                }
            }
        } finally {
            cache.unlock();
        }
        if (chosenNode != null) {
            bindSlots.acquire();
            Node node = chosenNode;
            background.execute(() -> {
                try {
                    bind(e, info, state, node);
                } finally {
                    bindSlots.release();
                }
            });
            return;
        }
        queue.addUnschedulable(e);
        String message;
        String reason;
        if (placement.fitError() == null) {
            message = NO_NODES_AVAILABLE;
            reason = REASON_SCHEDULER_ERROR;
        } else {
            message = placement.fitError().withPostFilterMessage(preempted.message()).message();
            reason = REASON_UNSCHEDULABLE;
        }
        Preemption.Candidate candidate = preempted == null ? null : preempted.candidate();
        boolean clearNomination = preempted != null && preempted.clearNomination();
        background.execute(() -> recordFailure(pod, info, reason, message, candidate, clearNomination));
    }

    /** Filters the nodes from a rotating start until enough fit, then scores those. Under the cache lock. */
    Placement place(CycleState state, PodInfo pod) {
        List<NodeInfo> all = cache.nodes();
        int n = all.size();
        if (n == 0) {
            return new Placement(null, null);
        }
        Status pre = framework.runPreFilter(state, pod, cache);
        if (!pre.isSuccess()) {
            Map<String, Status> statuses = new HashMap<>();
            for (NodeInfo node : all) {
                statuses.put(node.name(), pre);
            }
            return new Placement(null, new FitError(n, statuses, pre.message(), null));
        }
        int toFind = numFeasibleNodesToFind(n);
        List<NodeInfo> feasible = new ArrayList<>(Math.min(toFind, 128));
        Map<String, Status> statuses = new HashMap<>();
        int start = nextStartNodeIndex % n;
        int processed = 0;
        for (int i = 0; i < n && feasible.size() < toFind; i++) {
            NodeInfo node = all.get((start + i) % n);
            processed++;
            Status s = framework.runFiltersWithNominated(state, pod, node, cache.nominatedPods(node.name(), pod.key()));
            if (s.isSuccess()) {
                feasible.add(node);
            } else {
                statuses.put(node.name(), s);
            }
        }
        nextStartNodeIndex = (start + processed) % n;
        if (feasible.isEmpty()) {
            return new Placement(null, new FitError(n, statuses, null, null));
        }
        if (feasible.size() == 1) {
            return new Placement(feasible.getFirst().name(), null);
        }
        long[] scores = framework.score(state, pod, feasible, cache);
        int best = 0;
        int ties = 1;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
                ties = 1;
            } else if (scores[i] == scores[best] && random.nextInt(++ties) == 0) {
                best = i; // reservoir sampling: each of the tied nodes equally likely
            }
        }
        return new Placement(feasible.get(best).name(), null);
    }

    private void bind(SchedulingQueue.Entry e, PodInfo info, CycleState state, Node node) {
        String nodeName = node.getMetadata().getName();
        try {
            framework.volumeBinding().preBind(state, info, node, client);
            Binding binding = new BindingBuilder()
                    .withNewMetadata().withName(info.name()).withNamespace(info.namespace()).withUid(info.uid()).endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(nodeName).endTarget()
                    .build();
            client.resource(binding).inNamespace(info.namespace()).create();
            events.normal(info.pod(), REASON_SCHEDULED, "Successfully assigned %s/%s to %s",
                    info.namespace(), info.name(), nodeName);
            queue.done(e);
        } catch (RuntimeException ex) {
            cache.forget(info);
            if (ex instanceof KubernetesClientException k && k.getCode() == 404) {
                queue.done(e); // the pod is gone
                return;
            }
            Pod current = pods.getStore().getByKey(e.key());
            if (current == null || !responsible(current)) {
                queue.done(e); // bound meanwhile, or being deleted
                return;
            }
            log.debug("binding {} to {} failed: {}", e.key(), nodeName, ex.toString());
            events.warning(info.pod(), REASON_FAILED_SCHEDULING, "Binding rejected: %s", message(ex));
            queue.addBackoff(e);
        }
    }

    private static String message(RuntimeException ex) {
        if (ex instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        return ex.getMessage();
    }

    /** Preempts, writes the pod's condition and nominated node when they changed, records the event. Off the loop. */
    private void recordFailure(Pod pod, PodInfo info, String reason, String message, Preemption.Candidate candidate,
                               boolean clearNomination) {
        try {
            if (candidate != null) {
                for (PodInfo victim : candidate.victims()) {
                    evict(victim, info, candidate.node());
                }
            }
            events.warning(pod, REASON_FAILED_SCHEDULING, "%s", message);
            String nominated = candidate != null ? candidate.node() : clearNomination ? null
                    : pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
            if (!conditionChanged(pod, reason, message) && Objects.equals(nominated,
                    pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName())) {
                return;
            }
            String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
            client.pods().inNamespace(info.namespace()).withName(info.name()).editStatus(current -> {
                if (assigned(current)) {
                    return current;
                }
                List<PodCondition> conditions = new ArrayList<>();
                PodCondition old = null;
                if (current.getStatus() != null && current.getStatus().getConditions() != null) {
                    for (PodCondition c : current.getStatus().getConditions()) {
                        if ("PodScheduled".equals(c.getType())) {
                            old = c;
                        } else {
                            conditions.add(c);
                        }
                    }
                }
                String since = old != null && "False".equals(old.getStatus()) && old.getLastTransitionTime() != null
                        ? old.getLastTransitionTime() : now;
                conditions.add(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason(reason).withMessage(message).withLastTransitionTime(since).build());
                return new PodBuilder(current).editOrNewStatus().withConditions(conditions)
                        .withNominatedNodeName(candidate != null ? candidate.node() : clearNomination ? null
                                : current.getStatus() == null ? null : current.getStatus().getNominatedNodeName())
                        .endStatus().build();
            });
        } catch (KubernetesClientException ex) {
            if (ex.getCode() != 404) {
                log.debug("recording the scheduling failure of {} failed: {}", info.key(), ex.toString());
            }
        }
    }

    private static boolean conditionChanged(Pod pod, String reason, String message) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return true;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("PodScheduled".equals(c.getType())) {
                return !"False".equals(c.getStatus()) || !reason.equals(c.getReason()) || !message.equals(c.getMessage());
            }
        }
        return true;
    }

    /**
     * Evicts a preemption victim as kube-scheduler does: the DisruptionTarget condition first,
     * then a Preempted event and the delete (with the pod's own grace period).
     */
    private void evict(PodInfo victim, PodInfo preemptor, String nodeName) {
        var resource = client.pods().inNamespace(victim.namespace()).withName(victim.name());
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        try {
            resource.editStatus(current -> {
                List<PodCondition> conditions = new ArrayList<>();
                if (current.getStatus() != null && current.getStatus().getConditions() != null) {
                    for (PodCondition c : current.getStatus().getConditions()) {
                        if (!"DisruptionTarget".equals(c.getType())) {
                            conditions.add(c);
                        }
                    }
                }
                conditions.add(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                        .withReason("PreemptionByScheduler")
                        .withMessage(COMPONENT + ": preempting to accommodate a higher priority pod")
                        .withLastTransitionTime(now).build());
                return new PodBuilder(current).editOrNewStatus().withConditions(conditions).endStatus().build();
            });
            events.normal(victim.pod(), REASON_PREEMPTED, "Preempted by pod %s on node %s", preemptor.uid(), nodeName);
            resource.delete();
        } catch (KubernetesClientException ex) {
            if (ex.getCode() != 404) {
                throw ex;
            }
        }
    }
}
