package dev.berth.core.controller.nodelifecycle;

import dev.berth.core.controller.runtime.EventRecorder;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Kubernetes' taint eviction for one pod: on a node with NoExecute taints, a pod that does not
 * tolerate them all is deleted at once; one that tolerates them for a while (the least
 * {@code tolerationSeconds} of the tolerations used) is deleted when that time has passed since
 * the taint was added; one that tolerates them without limit stays. Deletion is a normal
 * (graceful) delete, with a TaintManagerEviction event.
 */
public final class TaintEvictionReconciler implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(TaintEvictionReconciler.class);
    public static final String TAINT_MANAGER_EVICTION = "TaintManagerEviction";

    private final KubernetesClient client;
    private final Function<String, Pod> pods;
    private final Function<String, Node> nodes;
    private final Clock clock;
    private final EventRecorder events;
    /** When a pod was first seen on a tainted node, for taints without timeAdded. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    public TaintEvictionReconciler(KubernetesClient client, Function<String, Pod> pods, Function<String, Node> nodes,
                                   Clock clock, EventRecorder events) {
        this.client = client;
        this.pods = pods;
        this.nodes = nodes;
        this.clock = clock;
        this.events = events;
    }

    @Override
    public Result reconcile(String key) {
        try {
            return reconcileOnce(key);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // written from a cache a moment behind: look again at once, not after a backoff on the clock
                return Result.requeueAfter(java.time.Duration.ZERO);
            }
            throw e;
        }
    }

    private Result reconcileOnce(String key) {
        Pod pod = pods.apply(key);
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec() == null
                || pod.getSpec().getNodeName() == null) {
            forget(key, pod);
            return Result.done();
        }
        Node node = nodes.apply(pod.getSpec().getNodeName());
        List<Taint> taints = node == null || node.getSpec() == null ? List.of() : Taints.noExecute(node.getSpec().getTaints());
        if (taints.isEmpty()) {
            forget(key, pod);
            return Result.done();
        }
        Instant now = clock.instant();
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        Long minSeconds = null;
        boolean forever = true;
        Instant since = null;
        for (Taint taint : taints) {
            List<Toleration> used = tolerations.stream().filter(t -> Taints.tolerates(t, taint)).toList();
            if (used.isEmpty()) {
                evict(pod, key);
                return Result.done();
            }
            for (Toleration t : used) {
                if (t.getTolerationSeconds() != null) {
                    forever = false;
                    long s = Math.max(0, t.getTolerationSeconds());
                    minSeconds = minSeconds == null ? s : Math.min(minSeconds, s);
                }
            }
            Instant added = taint.getTimeAdded() == null ? null : parse(taint.getTimeAdded());
            if (added != null && (since == null || added.isAfter(since))) {
                since = added;
            }
        }
        if (forever) {
            forget(key, pod);
            return Result.done();
        }
        if (since == null) {
            since = firstSeen.computeIfAbsent(key, k -> now);
        }
        Instant deadline = since.plusSeconds(minSeconds);
        if (!now.isBefore(deadline)) {
            evict(pod, key);
            return Result.done();
        }
        firstSeen.putIfAbsent(key, since);
        return at(deadline);
    }

    private void evict(Pod pod, String key) {
        firstSeen.remove(key);
        events.normal(pod, TAINT_MANAGER_EVICTION, "Marking for deletion Pod %s", key);
        log.info("evicting pod {} from tainted node {}", key, pod.getSpec().getNodeName());
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void forget(String key, Pod pod) {
        if (firstSeen.remove(key) != null && pod != null && pod.getMetadata().getDeletionTimestamp() == null) {
            events.normal(pod, TAINT_MANAGER_EVICTION, "Cancelling deletion of Pod %s", key);
        }
    }

    private static Instant parse(String ts) {
        try {
            return Instant.parse(ts);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String key(Pod pod) {
        return Keys.of(pod);
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
