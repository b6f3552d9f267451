package dev.berth.core.api.labels;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields a {@link FieldSelector} may name for each kind, and their values on an object, as
 * Kubernetes' registries define them ({@code GetAttrs} / {@code AddFieldLabelConversionFunc}).
 * Every kind supports {@code metadata.name} and {@code metadata.namespace}.
 */
public final class ObjectFields {
    private ObjectFields() {}

    private static final List<String> META = List.of("metadata.name", "metadata.namespace");

    private static final Map<String, List<String>> EXTRA = Map.of(
            "Pod", List.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
            "Node", List.of("spec.unschedulable"),
            "Secret", List.of("type"),
            "Namespace", List.of("status.phase"),
            "ReplicaSet", List.of("status.replicas"),
            "ReplicationController", List.of("status.replicas"),
            "Job", List.of("status.successful"),
            "CertificateSigningRequest", List.of("spec.signerName"),
            "Service", List.of("spec.clusterIP", "spec.type"),
            "Event", List.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                    "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                    "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"));

    /** The field names {@code kind} supports in a field selector. */
    public static Set<String> supported(String kind) {
        Set<String> fields = new java.util.LinkedHashSet<>(META);
        fields.addAll(EXTRA.getOrDefault(kind, List.of()));
        return fields;
    }

    /** The values of the supported fields of {@code obj}; absent values are empty strings. */
    public static Map<String, String> values(HasMetadata obj) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("metadata.name", str(obj.getMetadata() == null ? null : obj.getMetadata().getName()));
        v.put("metadata.namespace", str(obj.getMetadata() == null ? null : obj.getMetadata().getNamespace()));
        switch (obj) {
            case Pod pod -> {
                var spec = pod.getSpec();
                var status = pod.getStatus();
                v.put("spec.nodeName", str(spec == null ? null : spec.getNodeName()));
                v.put("spec.restartPolicy", str(spec == null ? null : spec.getRestartPolicy()));
                v.put("spec.schedulerName", str(spec == null ? null : spec.getSchedulerName()));
                v.put("spec.serviceAccountName", str(spec == null ? null : spec.getServiceAccountName()));
                v.put("spec.hostNetwork", String.valueOf(spec != null && Boolean.TRUE.equals(spec.getHostNetwork())));
                v.put("status.phase", str(status == null ? null : status.getPhase()));
                v.put("status.podIP", str(status == null ? null : status.getPodIP()));
                v.put("status.nominatedNodeName", str(status == null ? null : status.getNominatedNodeName()));
            }
            case Node node -> v.put("spec.unschedulable",
                    String.valueOf(node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())));
            case Secret secret -> v.put("type", str(secret.getType()));
            case Namespace ns -> v.put("status.phase", str(ns.getStatus() == null ? null : ns.getStatus().getPhase()));
            case ReplicaSet rs -> v.put("status.replicas", String.valueOf(
                    rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas()));
            case ReplicationController rc -> v.put("status.replicas", String.valueOf(
                    rc.getStatus() == null || rc.getStatus().getReplicas() == null ? 0 : rc.getStatus().getReplicas()));
            case Job job -> v.put("status.successful", String.valueOf(
                    job.getStatus() == null || job.getStatus().getSucceeded() == null ? 0 : job.getStatus().getSucceeded()));
            case CertificateSigningRequest csr -> v.put("spec.signerName",
                    str(csr.getSpec() == null ? null : csr.getSpec().getSignerName()));
            case Service svc -> {
                v.put("spec.clusterIP", str(svc.getSpec() == null ? null : svc.getSpec().getClusterIP()));
                v.put("spec.type", str(svc.getSpec() == null ? null : svc.getSpec().getType()));
            }
            case Event e -> {
                var ref = e.getInvolvedObject();
                v.put("involvedObject.kind", str(ref == null ? null : ref.getKind()));
                v.put("involvedObject.namespace", str(ref == null ? null : ref.getNamespace()));
                v.put("involvedObject.name", str(ref == null ? null : ref.getName()));
                v.put("involvedObject.uid", str(ref == null ? null : ref.getUid()));
                v.put("involvedObject.apiVersion", str(ref == null ? null : ref.getApiVersion()));
                v.put("involvedObject.resourceVersion", str(ref == null ? null : ref.getResourceVersion()));
                v.put("involvedObject.fieldPath", str(ref == null ? null : ref.getFieldPath()));
                v.put("reason", str(e.getReason()));
                v.put("reportingComponent", str(e.getReportingComponent()));
                v.put("source", str(e.getSource() == null ? null : e.getSource().getComponent()));
                v.put("type", str(e.getType()));
            }
            default -> { }
        }
        return v;
    }

    private static String str(String s) {
        return s == null ? "" : s;
    }
}
