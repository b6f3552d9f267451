package dev.berth.core.apiserver.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' DefaultTolerationSeconds admission: a new pod that does not tolerate the
 * {@code node.kubernetes.io/not-ready} or {@code node.kubernetes.io/unreachable} NoExecute taints
 * gets a toleration of each for a limited time, so that its pods leave a failed node after that
 * time rather than at once. Kubernetes defaults both to 300 s; a lab wants its pods replaced
 * quickly, so Berth's API server defaults them to {@link #LAB_DEFAULT_SECONDS}.
 */
public final class DefaultTolerationSeconds implements AdmissionPlugin {
    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    /** Kubernetes' {@code --default-not-ready-toleration-seconds} and {@code --default-unreachable-toleration-seconds}. */
    public static final long KUBERNETES_DEFAULT_SECONDS = 300;
    /** Berth's default: with a 15 s node grace period, pods of a failed node are replaced within 20 s. */
    public static final long LAB_DEFAULT_SECONDS = 5;

    private final long notReadySeconds;
    private final long unreachableSeconds;

    public DefaultTolerationSeconds(long notReadySeconds, long unreachableSeconds) {
        if (notReadySeconds < 0) {
            throw new IllegalArgumentException("default not-ready toleration seconds " + notReadySeconds + " must not be negative");
        }
        if (unreachableSeconds < 0) {
            throw new IllegalArgumentException("default unreachable toleration seconds " + unreachableSeconds
                    + " must not be negative");
        }
        this.notReadySeconds = notReadySeconds;
        this.unreachableSeconds = unreachableSeconds;
    }

    public static DefaultTolerationSeconds labDefaults() {
        return new DefaultTolerationSeconds(LAB_DEFAULT_SECONDS, LAB_DEFAULT_SECONDS);
    }

    public long notReadySeconds() {
        return notReadySeconds;
    }

    public long unreachableSeconds() {
        return unreachableSeconds;
    }

    @Override
    public void mutate(AdmissionRequest r) {
        if (!(r.object() instanceof Pod pod) || r.operation() != AdmissionRequest.Operation.CREATE
                || pod.getSpec() == null) {
            return;
        }
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        boolean notReady = false;
        boolean unreachable = false;
        for (Toleration t : tolerations) {
            boolean anyKey = t.getKey() == null || t.getKey().isEmpty();
            boolean noExecute = t.getEffect() == null || t.getEffect().isEmpty() || "NoExecute".equals(t.getEffect());
            if (noExecute && (anyKey || NOT_READY.equals(t.getKey()))) {
                notReady = true;
            }
            if (noExecute && (anyKey || UNREACHABLE.equals(t.getKey()))) {
                unreachable = true;
            }
        }
        if (notReady && unreachable) {
            return;
        }
        List<Toleration> updated = new ArrayList<>(tolerations);
        if (!notReady) {
            updated.add(toleration(NOT_READY, notReadySeconds));
        }
        if (!unreachable) {
            updated.add(toleration(UNREACHABLE, unreachableSeconds));
        }
        pod.getSpec().setTolerations(updated);
    }

    private static Toleration toleration(String key, long seconds) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(seconds).build();
    }
}
