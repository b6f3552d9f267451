package dev.berth.app.explorer;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@code kubectl drain}: cordons a node, then evicts its pods through the Eviction API, so
 * PodDisruptionBudgets are honoured (an eviction a budget refuses is tried again until the
 * timeout), and waits until they are gone. Pods kubectl refuses to drain without a flag are
 * refused here the same way, with the same words, before anything is evicted.
 */
public final class Drain {
    static final String MIRROR = "kubernetes.io/config.mirror";

    /**
     * kubectl drain's flags. {@code gracePeriodSeconds} below 0 means each pod's own;
     * {@code pollInterval} is how often a refused eviction is retried and pods are looked for.
     */
    public record Options(boolean ignoreDaemonSets, boolean deleteEmptyDirData, boolean force,
                          long gracePeriodSeconds, Duration timeout, Duration pollInterval) {
        public Options {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(pollInterval, "pollInterval");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: Invalid value: " + timeout + ": must be greater than 0");
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval: Invalid value: " + pollInterval + ": must be greater than 0");
            }
        }

        /** The app's defaults: DaemonSet pods left alone (they would come back at once), nothing else forced. */
        public static Options defaults() {
            return new Options(true, false, false, -1, Duration.ofMinutes(5), Duration.ofSeconds(2));
        }

        public Options withDeleteEmptyDirData(boolean on) {
            return new Options(ignoreDaemonSets, on, force, gracePeriodSeconds, timeout, pollInterval);
        }

        public Options withForce(boolean on) {
            return new Options(ignoreDaemonSets, deleteEmptyDirData, on, gracePeriodSeconds, timeout, pollInterval);
        }

        public Options withTimeout(Duration t) {
            return new Options(ignoreDaemonSets, deleteEmptyDirData, force, gracePeriodSeconds, t, pollInterval);
        }

        public Options withPollInterval(Duration p) {
            return new Options(ignoreDaemonSets, deleteEmptyDirData, force, gracePeriodSeconds, timeout, p);
        }
    }

    /** What draining would do: the pods to evict, those left alone (with why), and the errors that stop it. */
    public record Plan(List<Pod> evict, List<String> skipped, List<String> errors) {}

    /** Thrown when the drain cannot go on; the node stays cordoned, as with kubectl. */
    public static final class DrainException extends RuntimeException {
        public DrainException(String message) {
            super(message);
        }
    }

    /** How the drain waits between polls; tests may pass one that does not sleep on a wall clock. */
    @FunctionalInterface
    public interface Pause {
        void sleep(Duration d) throws InterruptedException;
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Pause pause;

    public Drain(KubernetesClient client, Clock clock) {
        this(client, clock, d -> Thread.sleep(d));
    }

    public Drain(KubernetesClient client, Clock clock, Pause pause) {
        this.client = client;
        this.clock = clock;
        this.pause = pause;
    }

    /** The plan for a node's pods, from kubectl drain's filters, without changing anything. */
    public Plan plan(String node, Options options) {
        List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
        List<Pod> evict = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (Pod p : pods) {
            String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
            if (p.getMetadata().getAnnotations() != null && p.getMetadata().getAnnotations().containsKey(MIRROR)) {
                skipped.add(key + ": a mirror pod, managed by its node");
                continue;
            }
            if (p.getMetadata().getDeletionTimestamp() != null) {
                skipped.add(key + ": already terminating");
                continue;
            }
            boolean finished = p.getStatus() != null && ("Succeeded".equals(p.getStatus().getPhase())
                    || "Failed".equals(p.getStatus().getPhase()));
            OwnerReference controller = controller(p);
            if (!finished && controller != null && "DaemonSet".equals(controller.getKind())) {
                if (options.ignoreDaemonSets()) {
                    skipped.add(key + ": managed by DaemonSet " + controller.getName());
                } else {
                    errors.computeIfAbsent("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)",
                            k -> new ArrayList<>()).add(key);
                }
                continue;
            }
            if (!finished && controller == null && !options.force()) {
                errors.computeIfAbsent("cannot delete Pods that declare no controller (use --force to override)",
                        k -> new ArrayList<>()).add(key);
                continue;
            }
            if (!finished && hasEmptyDir(p) && !options.deleteEmptyDirData()) {
                errors.computeIfAbsent("cannot delete Pods with local storage (use --delete-emptydir-data to override)",
                        k -> new ArrayList<>()).add(key);
                continue;
            }
            evict.add(p);
        }
        List<String> messages = new ArrayList<>();
        errors.forEach((why, keys) -> messages.add(why + ": " + String.join(", ", keys)));
        return new Plan(evict, skipped, messages);
    }

    /**
     * Cordons the node, then evicts and waits as the plan says; {@code progress} hears each step
     * in kubectl's words. Throws {@link DrainException} when the plan has errors or time runs out.
     */
    public void run(String node, Options options, Consumer<String> progress) throws InterruptedException {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(true).endSpec().build());
        progress.accept("node/" + node + " cordoned");
        Plan plan = plan(node, options);
        if (!plan.errors().isEmpty()) {
            throw new DrainException("cannot drain node/" + node + ": " + String.join("; ", plan.errors()));
        }
        for (String s : plan.skipped()) {
            progress.accept("Warning: ignoring " + s);
        }
        Instant deadline = clock.instant().plus(options.timeout());
        List<Pod> pending = new ArrayList<>(plan.evict());
        for (Pod p : pending) {
            progress.accept("evicting pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
        }
        // evict every pod; those a disruption budget protects are tried again each poll
        List<Pod> refused = new ArrayList<>(pending);
        while (!refused.isEmpty()) {
            List<Pod> again = new ArrayList<>();
            for (Pod p : refused) {
                String message = evict(p, options);
                if (message != null) {
                    progress.accept("error when evicting pods/\"" + p.getMetadata().getName() + "\" -n \""
                            + p.getMetadata().getNamespace() + "\" (will retry after " + seconds(options.pollInterval()) + "): "
                            + message);
                    again.add(p);
                }
            }
            refused = again;
            if (!refused.isEmpty()) {
                waitOrFail(deadline, node, refused, options);
            }
        }
        // then wait until each is gone (or replaced by another pod of the same name)
        List<Pod> left = new ArrayList<>(pending);
        while (true) {
            List<Pod> still = new ArrayList<>();
            for (Pod p : left) {
                Pod now = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).get();
                if (now != null && Objects.equals(now.getMetadata().getUid(), p.getMetadata().getUid())) {
                    still.add(p);
                } else {
                    progress.accept("pod/" + p.getMetadata().getName() + " evicted");
                }
            }
            left = still;
            if (left.isEmpty()) {
                break;
            }
            waitOrFail(deadline, node, left, options);
        }
        progress.accept("node/" + node + " drained");
    }

    private void waitOrFail(Instant deadline, String node, List<Pod> left, Options options) throws InterruptedException {
        if (!clock.instant().isBefore(deadline)) {
            throw new DrainException("cannot drain node/" + node + ": drain did not complete within " + seconds(options.timeout())
                    + "; still there: " + String.join(", ", left.stream()
                    .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).toList()));
        }
        pause.sleep(options.pollInterval());
    }

    /** null when the eviction was accepted (or the pod is gone), else the server's reason for refusing it. */
    private String evict(Pod p, Options options) {
        var builder = new EvictionBuilder().withNewMetadata().withName(p.getMetadata().getName())
                .withNamespace(p.getMetadata().getNamespace()).endMetadata();
        if (options.gracePeriodSeconds() >= 0) {
            builder.withDeleteOptions(new io.fabric8.kubernetes.api.model.DeleteOptionsBuilder()
                    .withGracePeriodSeconds(options.gracePeriodSeconds()).build());
        }
        Eviction eviction = builder.build();
        try {
            boolean done = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).evict(eviction);
            return done ? null : "Cannot evict pod as it would violate the pod's disruption budget.";
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            if (e.getCode() == 429) {
                return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                        : "Cannot evict pod as it would violate the pod's disruption budget.";
            }
            throw e;
        }
    }

    private static OwnerReference controller(Pod p) {
        List<OwnerReference> refs = p.getMetadata().getOwnerReferences();
        return refs == null ? null : refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
    }

    private static boolean hasEmptyDir(Pod p) {
        List<Volume> vs = p.getSpec() == null ? null : p.getSpec().getVolumes();
        return vs != null && vs.stream().anyMatch(v -> v.getEmptyDir() != null);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
