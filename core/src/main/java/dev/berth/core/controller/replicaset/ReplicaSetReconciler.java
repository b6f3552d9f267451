package dev.berth.core.controller.replicaset;

import dev.berth.core.api.labels.LabelSelector;
import dev.berth.core.controller.runtime.ControllerContext;
import dev.berth.core.controller.runtime.Keys;
import dev.berth.core.controller.runtime.Reconciler;
import dev.berth.core.controller.runtime.Result;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the number of active pods owned by a ReplicaSet or ReplicationController at its
 * {@code spec.replicas}, as Kubernetes' replica set controller does: claims pods (adopts orphans
 * its selector matches, releases owned pods it no longer matches), creates missing pods in
 * slow-start batches (1, 2, 4, ...) of at most {@link #BURST_REPLICAS}, deletes surplus pods
 * least useful first, waits on {@link Expectations} while its writes are in flight, and writes
 * status when it changed.
 */
public final class ReplicaSetReconciler<T extends HasMetadata> implements Reconciler<String> {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetReconciler.class);
    /** Kubernetes' {@code BurstReplicas}: at most this many creations or deletions per sync. */
    public static final int BURST_REPLICAS = 500;
    public static final String REPLICA_FAILURE = "ReplicaFailure";
    public static final String FAILED_CREATE = "FailedCreate";
    public static final String FAILED_DELETE = "FailedDelete";
    public static final String SUCCESSFUL_CREATE = "SuccessfulCreate";
    public static final String SUCCESSFUL_DELETE = "SuccessfulDelete";

    private final ControllerContext context;
    private final ReplicaKind<T> kind;
    private final Expectations expectations;

    public ReplicaSetReconciler(ControllerContext context, ReplicaKind<T> kind, Expectations expectations) {
        this.context = Objects.requireNonNull(context, "context");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.expectations = Objects.requireNonNull(expectations, "expectations");
    }

    public Expectations expectations() {
        return expectations;
    }

    @Override
    public Result reconcile(String key) throws Exception {
        T obj = context.informers().get(kind.type(), key);
        if (obj == null) {
            expectations.delete(key);
            return Result.done();
        }
        boolean needsSync = expectations.satisfied(key) && obj.getMetadata().getDeletionTimestamp() == null;
        List<Pod> active = context.informers().inNamespace(Pod.class, obj.getMetadata().getNamespace()).stream()
                .filter(Pods::isActive).toList();
        List<Pod> owned = claim(obj, active);

        Exception manageError = null;
        if (needsSync) {
            manageError = manageReplicas(key, obj, owned);
        }
        Instant now = context.clock().instant();
        ReplicaStatus current = kind.status(obj);
        ReplicaStatus wanted = calculateStatus(obj, owned, manageError, now);
        if (!wanted.equals(current)) {
            writeStatus(obj, wanted);
        }
        if (manageError != null) {
            throw manageError;
        }
        return nextAvailability(obj, owned, now).map(Result::requeueAfter).orElse(Result.done());
    }

    // ---- claiming ----------------------------------------------------------------------------

    private List<Pod> claim(T obj, List<Pod> active) {
        LabelSelector selector = kind.selector(obj);
        String uid = obj.getMetadata().getUid();
        boolean deleting = obj.getMetadata().getDeletionTimestamp() != null;
        List<Pod> owned = new ArrayList<>();
        Boolean canAdopt = null;
        for (Pod pod : active) {
            OwnerReference ref = Pods.controllerOf(pod);
            boolean matches = !selector.selectsNothing() && selector.matches(Pods.labels(pod));
            if (ref != null) {
                if (!uid.equals(ref.getUid())) {
                    continue;
                }
                if (matches) {
                    owned.add(pod);
                } else if (!deleting) {
                    release(obj, pod);
                }
                continue;
            }
            if (!matches || deleting) {
                continue;
            }
            if (canAdopt == null) {
                canAdopt = stillExists(obj);
            }
            if (canAdopt) {
                Pod adopted = adopt(obj, pod);
                if (adopted != null) {
                    owned.add(adopted);
                }
            }
        }
        return owned;
    }

    /** Rechecks with a live read that the controller is not gone or being deleted before adopting. */
    private boolean stillExists(T obj) {
        T fresh = kind.get(context.client(), obj.getMetadata().getNamespace(), obj.getMetadata().getName());
        return fresh != null && obj.getMetadata().getUid().equals(fresh.getMetadata().getUid())
                && fresh.getMetadata().getDeletionTimestamp() == null;
    }

    OwnerReference controllerRef(T obj) {
        return new OwnerReferenceBuilder()
                .withApiVersion(kind.apiVersion()).withKind(kind.kind())
                .withName(obj.getMetadata().getName()).withUid(obj.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true)
                .build();
    }

    private Pod adopt(T obj, Pod pod) {
        Map<String, Object> ref = new LinkedHashMap<>();
        OwnerReference r = controllerRef(obj);
        ref.put("apiVersion", r.getApiVersion());
        ref.put("kind", r.getKind());
        ref.put("name", r.getName());
        ref.put("uid", r.getUid());
        ref.put("controller", true);
        ref.put("blockOwnerDeletion", true);
        String patch = json(Map.of("metadata", Map.of("ownerReferences", List.of(ref), "uid", pod.getMetadata().getUid())));
        try {
            Pod adopted = context.client().pods().inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
            log.debug("{} {} adopted pod {}", kind.kind(), Keys.of(obj), pod.getMetadata().getName());
            return adopted;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 422 || e.getCode() == 409) {
                return null; // gone or changed meanwhile: the next sync sees it as it is
            }
            throw e;
        }
    }

    private void release(T obj, Pod pod) {
        String patch = json(Map.of("metadata", Map.of(
                "ownerReferences", List.of(Map.of("$patch", "delete", "uid", obj.getMetadata().getUid())),
                "uid", pod.getMetadata().getUid())));
        try {
            context.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
            log.debug("{} {} released pod {}", kind.kind(), Keys.of(obj), pod.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 422) {
                throw e;
            }
        }
    }

    private static String json(Object value) {
        try {
            return dev.berth.core.api.Json.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- creating and deleting ----------------------------------------------------------------

    private Exception manageReplicas(String key, T obj, List<Pod> owned) {
        int diff = owned.size() - kind.replicas(obj);
        if (diff < 0) {
            int wanted = Math.min(-diff, BURST_REPLICAS);
            expectations.expectCreations(key, wanted);
            AtomicReference<Exception> firstError = new AtomicReference<>();
            int created = slowStartBatch(wanted, () -> createPod(obj, firstError));
            if (created < wanted) {
                expectations.creationsSkipped(key, wanted - created);
            }
            return firstError.get();
        }
        if (diff > 0) {
            int surplus = Math.min(diff, BURST_REPLICAS);
            List<Pod> victims = PodRanking.leastUseful(owned, surplus);
            expectations.expectDeletions(key, victims.stream().map(p -> p.getMetadata().getUid()).toList());
            AtomicReference<Exception> firstError = new AtomicReference<>();
            runAll(victims.stream().<Runnable>map(p -> () -> deletePod(key, obj, p, firstError)).toList());
            return firstError.get();
        }
        return null;
    }

    /**
     * Calls {@code create} in batches of 1, 2, 4, ... until {@code count} calls were made or a
     * batch had a failure; returns how many succeeded. A failing request (say, a quota) thus costs
     * one call rather than {@code count}.
     */
    static int slowStartBatch(int count, java.util.function.BooleanSupplier create) {
        int remaining = count;
        int successes = 0;
        for (int batch = Math.min(remaining, 1); batch > 0; batch = Math.min(2 * batch, remaining)) {
            List<java.util.function.BooleanSupplier> calls = java.util.Collections.nCopies(batch, create);
            int ok = 0;
            if (batch == 1) {
                ok = create.getAsBoolean() ? 1 : 0;
            } else {
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Boolean>> results = new ArrayList<>();
                    for (var c : calls) {
                        results.add(pool.submit(c::getAsBoolean));
                    }
                    for (Future<Boolean> f : results) {
                        try {
                            if (f.get()) {
                                ok++;
                            }
                        } catch (Exception e) {
                            // counted as a failure
                        }
                    }
                }
            }
            successes += ok;
            if (ok < batch) {
                break;
            }
            remaining -= batch;
        }
        return successes;
    }

    private static void runAll(List<Runnable> tasks) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            tasks.forEach(pool::submit);
        }
    }

    private boolean createPod(T obj, AtomicReference<Exception> firstError) {
        Pod pod;
        try {
            pod = podFromTemplate(obj);
        } catch (IllegalArgumentException e) {
            firstError.compareAndSet(null, e);
            context.events().warning(obj, FAILED_CREATE, "Error creating: %s", e.getMessage());
            return false;
        }
        try {
            Pod created = context.client().pods().inNamespace(obj.getMetadata().getNamespace()).resource(pod).create();
            context.events().normal(obj, SUCCESSFUL_CREATE, "Created pod: %s", created.getMetadata().getName());
            return true;
        } catch (KubernetesClientException e) {
            firstError.compareAndSet(null, e);
            context.events().warning(obj, FAILED_CREATE, "Error creating: %s", message(e));
            return false;
        }
    }

    /** The pod Kubernetes' {@code GetPodFromTemplate} makes: the template's labels, annotations and spec, owned by {@code obj}. */
    Pod podFromTemplate(T obj) {
        PodTemplateSpec template = kind.template(obj);
        if (template == null || template.getMetadata() == null || template.getMetadata().getLabels() == null
                || template.getMetadata().getLabels().isEmpty()) {
            throw new IllegalArgumentException("unable to create pods, no labels: spec.template.metadata.labels of "
                    + kind.kind() + " " + Keys.of(obj) + " must not be empty");
        }
        var meta = template.getMetadata();
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withNamespace(obj.getMetadata().getNamespace())
                        .withGenerateName(obj.getMetadata().getName() + "-")
                        .withLabels(new LinkedHashMap<>(meta.getLabels()))
                        .withAnnotations(meta.getAnnotations() == null ? null : new LinkedHashMap<>(meta.getAnnotations()))
                        .withFinalizers(meta.getFinalizers() == null ? null : new ArrayList<>(meta.getFinalizers()))
                        .withOwnerReferences(controllerRef(obj))
                        .build())
                .withSpec(new PodBuilder().withSpec(template.getSpec()).build().getSpec())
                .build();
    }

    private void deletePod(String key, T obj, Pod pod, AtomicReference<Exception> firstError) {
        String name = pod.getMetadata().getName();
        try {
            context.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(name).delete();
            context.events().normal(obj, SUCCESSFUL_DELETE, "Deleted pod: %s", name);
        } catch (KubernetesClientException e) {
            expectations.deletionObserved(key, pod.getMetadata().getUid());
            if (e.getCode() != 404) {
                firstError.compareAndSet(null, e);
                context.events().warning(obj, FAILED_DELETE, "Error deleting: %s", message(e));
            }
        }
    }

    static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        return e.getMessage();
    }

    // ---- status ---------------------------------------------------------------------------------

    ReplicaStatus calculateStatus(T obj, List<Pod> owned, Exception manageError, Instant now) {
        PodTemplateSpec template = kind.template(obj);
        Map<String, String> templateLabels = template == null || template.getMetadata() == null
                || template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels();
        int minReady = kind.minReadySeconds(obj);
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod pod : owned) {
            Map<String, String> labels = Pods.labels(pod);
            if (templateLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
                fullyLabeled++;
            }
            if (Pods.isReady(pod)) {
                ready++;
                if (Pods.isAvailable(pod, minReady, now)) {
                    available++;
                }
            }
        }
        ReplicaStatus current = kind.status(obj);
        List<ReplicaStatus.Condition> conditions = new ArrayList<>(current.conditions());
        ReplicaStatus.Condition failure = current.condition(REPLICA_FAILURE);
        if (manageError != null && failure == null) {
            int diff = owned.size() - kind.replicas(obj);
            String reason = diff < 0 ? FAILED_CREATE : diff > 0 ? FAILED_DELETE : "";
            String message = manageError instanceof KubernetesClientException k ? message(k) : manageError.getMessage();
            conditions.add(new ReplicaStatus.Condition(REPLICA_FAILURE, "True", reason, message,
                    DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS))));
        } else if (manageError == null && failure != null) {
            conditions.removeIf(c -> c.type().equals(REPLICA_FAILURE));
        }
        Long generation = obj.getMetadata().getGeneration();
        return new ReplicaStatus(owned.size(), fullyLabeled, ready, available,
                generation == null ? 0 : generation, conditions);
    }

    /** Writes the status; on a conflict (the cache lagged) once more on a fresh read, as Kubernetes does. */
    private void writeStatus(T obj, ReplicaStatus status) {
        try {
            kind.updateStatus(context.client(), obj, status);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            T fresh = kind.get(context.client(), obj.getMetadata().getNamespace(), obj.getMetadata().getName());
            if (fresh == null || !Objects.equals(fresh.getMetadata().getUid(), obj.getMetadata().getUid())) {
                return;
            }
            if (!Objects.equals(fresh.getMetadata().getGeneration(), obj.getMetadata().getGeneration())) {
                throw e; // the spec moved on: the next sync computes a new status
            }
            kind.updateStatus(context.client(), fresh, status);
        }
    }

    /** When the next ready pod becomes available under minReadySeconds, if one is waiting for it. */
    private java.util.Optional<Duration> nextAvailability(T obj, List<Pod> owned, Instant now) {
        int minReady = kind.minReadySeconds(obj);
        if (minReady <= 0) {
            return java.util.Optional.empty();
        }
        return owned.stream().filter(Pods::isReady).filter(p -> !Pods.isAvailable(p, minReady, now))
                .map(Pods::readySince).filter(Objects::nonNull)
                .map(since -> Duration.between(now, since.plusSeconds(minReady)))
                .min(Duration::compareTo)
                .map(d -> d.isNegative() ? Duration.ZERO : d.plusMillis(1))
                .or(() -> owned.stream().anyMatch(p -> Pods.isReady(p) && Pods.readySince(p) == null)
                        ? java.util.Optional.of(Duration.ofSeconds(minReady)) : java.util.Optional.empty());
    }
}
