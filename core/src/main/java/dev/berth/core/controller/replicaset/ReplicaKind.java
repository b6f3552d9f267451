package dev.berth.core.controller.replicaset;

import dev.berth.core.api.labels.LabelSelector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerCondition;
import io.fabric8.kubernetes.api.model.ReplicationControllerConditionBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;

/**
 * What the shared reconciler needs to know of ReplicaSet (apps/v1, set-based selector) and
 * ReplicationController (v1, the legacy kind with a map selector).
 */
public sealed interface ReplicaKind<T extends HasMetadata> {
    ReplicaKind<ReplicaSet> REPLICA_SET = new ReplicaSets();
    ReplicaKind<ReplicationController> REPLICATION_CONTROLLER = new ReplicationControllers();

    Class<T> type();

    String kind();

    String apiVersion();

    /** The name of the control loop, as Kubernetes names the controller. */
    String controllerName();

    int replicas(T obj);

    int minReadySeconds(T obj);

    /** The selector; {@link LabelSelector#nothing()} when absent, so that nothing is adopted. */
    LabelSelector selector(T obj);

    PodTemplateSpec template(T obj);

    ReplicaStatus status(T obj);

    /** Writes {@code status} through the status subresource. */
    T updateStatus(KubernetesClient client, T obj, ReplicaStatus status);

    T get(KubernetesClient client, String namespace, String name);

    /** Kubernetes leaves these counts out of the JSON when they are zero ({@code omitempty}). */
    private static Integer omitZero(int n) {
        return n == 0 ? null : n;
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    final class ReplicaSets implements ReplicaKind<ReplicaSet> {
        @Override
        public Class<ReplicaSet> type() {
            return ReplicaSet.class;
        }

        @Override
        public String kind() {
            return "ReplicaSet";
        }

        @Override
        public String apiVersion() {
            return "apps/v1";
        }

        @Override
        public String controllerName() {
            return "replicaset";
        }

        @Override
        public int replicas(ReplicaSet rs) {
            return rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        }

        @Override
        public int minReadySeconds(ReplicaSet rs) {
            return rs.getSpec() == null ? 0 : orZero(rs.getSpec().getMinReadySeconds());
        }

        @Override
        public LabelSelector selector(ReplicaSet rs) {
            if (rs.getSpec() == null || rs.getSpec().getSelector() == null) {
                return LabelSelector.nothing();
            }
            return LabelSelector.from(rs.getSpec().getSelector());
        }

        @Override
        public PodTemplateSpec template(ReplicaSet rs) {
            return rs.getSpec() == null ? null : rs.getSpec().getTemplate();
        }

        @Override
        public ReplicaStatus status(ReplicaSet rs) {
            ReplicaSetStatus s = rs.getStatus();
            if (s == null) {
                return new ReplicaStatus(0, 0, 0, 0, 0, List.of());
            }
            List<ReplicaStatus.Condition> conditions = s.getConditions() == null ? List.of() : s.getConditions().stream()
                    .map(c -> new ReplicaStatus.Condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage(),
                            c.getLastTransitionTime())).toList();
            return new ReplicaStatus(orZero(s.getReplicas()), orZero(s.getFullyLabeledReplicas()),
                    orZero(s.getReadyReplicas()), orZero(s.getAvailableReplicas()),
                    s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), conditions);
        }

        @Override
        public ReplicaSet updateStatus(KubernetesClient client, ReplicaSet rs, ReplicaStatus status) {
            List<ReplicaSetCondition> conditions = status.conditions().stream()
                    .map(c -> new ReplicaSetConditionBuilder().withType(c.type()).withStatus(c.status())
                            .withReason(c.reason()).withMessage(c.message())
                            .withLastTransitionTime(c.lastTransitionTime()).build()).toList();
            ReplicaSet copy = new ReplicaSetBuilder(rs).withStatus(new ReplicaSetStatus(
                    omitZero(status.availableReplicas()), conditions.isEmpty() ? null : conditions,
                    omitZero(status.fullyLabeledReplicas()), status.observedGeneration() == 0 ? null : status.observedGeneration(),
                    omitZero(status.readyReplicas()), status.replicas(), null)).build();
            return client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(copy).updateStatus();
        }

        @Override
        public ReplicaSet get(KubernetesClient client, String namespace, String name) {
            return client.apps().replicaSets().inNamespace(namespace).withName(name).get();
        }
    }

    final class ReplicationControllers implements ReplicaKind<ReplicationController> {
        @Override
        public Class<ReplicationController> type() {
            return ReplicationController.class;
        }

        @Override
        public String kind() {
            return "ReplicationController";
        }

        @Override
        public String apiVersion() {
            return "v1";
        }

        @Override
        public String controllerName() {
            return "replicationcontroller";
        }

        @Override
        public int replicas(ReplicationController rc) {
            return rc.getSpec() == null || rc.getSpec().getReplicas() == null ? 1 : rc.getSpec().getReplicas();
        }

        @Override
        public int minReadySeconds(ReplicationController rc) {
            return rc.getSpec() == null ? 0 : orZero(rc.getSpec().getMinReadySeconds());
        }

        @Override
        public LabelSelector selector(ReplicationController rc) {
            if (rc.getSpec() == null || rc.getSpec().getSelector() == null || rc.getSpec().getSelector().isEmpty()) {
                return LabelSelector.nothing();
            }
            return LabelSelector.fromMap(rc.getSpec().getSelector());
        }

        @Override
        public PodTemplateSpec template(ReplicationController rc) {
            return rc.getSpec() == null ? null : rc.getSpec().getTemplate();
        }

        @Override
        public ReplicaStatus status(ReplicationController rc) {
            ReplicationControllerStatus s = rc.getStatus();
            if (s == null) {
                return new ReplicaStatus(0, 0, 0, 0, 0, List.of());
            }
            List<ReplicaStatus.Condition> conditions = s.getConditions() == null ? List.of() : s.getConditions().stream()
                    .map(c -> new ReplicaStatus.Condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage(),
                            c.getLastTransitionTime())).toList();
            return new ReplicaStatus(orZero(s.getReplicas()), orZero(s.getFullyLabeledReplicas()),
                    orZero(s.getReadyReplicas()), orZero(s.getAvailableReplicas()),
                    s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), conditions);
        }

        @Override
        public ReplicationController updateStatus(KubernetesClient client, ReplicationController rc, ReplicaStatus status) {
            List<ReplicationControllerCondition> conditions = status.conditions().stream()
                    .map(c -> new ReplicationControllerConditionBuilder().withType(c.type()).withStatus(c.status())
                            .withReason(c.reason()).withMessage(c.message())
                            .withLastTransitionTime(c.lastTransitionTime()).build()).toList();
            ReplicationController copy = new ReplicationControllerBuilder(rc).withStatus(new ReplicationControllerStatus(
                    omitZero(status.availableReplicas()), conditions.isEmpty() ? null : conditions,
                    omitZero(status.fullyLabeledReplicas()), status.observedGeneration() == 0 ? null : status.observedGeneration(),
                    omitZero(status.readyReplicas()), status.replicas())).build();
            return client.replicationControllers().inNamespace(rc.getMetadata().getNamespace()).resource(copy).updateStatus();
        }

        @Override
        public ReplicationController get(KubernetesClient client, String namespace, String name) {
            return client.replicationControllers().inNamespace(namespace).withName(name).get();
        }
    }
}
