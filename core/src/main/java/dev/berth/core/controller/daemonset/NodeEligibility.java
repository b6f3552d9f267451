package dev.berth.core.controller.daemonset;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a node should run a DaemonSet's pod, as Kubernetes' {@code NodeShouldRunDaemonPod}
 * decides: the template's nodeName, nodeSelector and required node affinity must match the node,
 * and its taints with effect NoSchedule or NoExecute must be tolerated by the template's
 * tolerations plus the ones the DaemonSet controller adds to every daemon pod. A pod already on a
 * node keeps running there unless a NoExecute taint is not tolerated. {@code spec.unschedulable}
 * is ignored, as daemon pods tolerate it.
 */
public final class NodeEligibility {
    public static final String TAINT_NOT_READY = "node.kubernetes.io/not-ready";
    public static final String TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    public static final String TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    public static final String TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    public static final String TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    public static final String TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

    /** shouldRun: a pod belongs here; shouldContinueRunning: a pod already here may stay. */
    public record Verdict(boolean shouldRun, boolean shouldContinueRunning) {
    }

    private NodeEligibility() {
    }

    public static Verdict evaluate(Node node, PodSpec template) {
        String nodeName = node.getMetadata().getName();
        if (template.getNodeName() != null && !template.getNodeName().isEmpty()
                && !template.getNodeName().equals(nodeName)) {
            return new Verdict(false, false);
        }
        if (!matchesNodeSelector(node, template.getNodeSelector()) || !matchesRequiredAffinity(node, template)) {
            return new Verdict(false, false);
        }
        List<Toleration> tolerations = withDaemonTolerations(template.getTolerations(),
                Boolean.TRUE.equals(template.getHostNetwork()));
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                ? List.of() : node.getSpec().getTaints();
        boolean run = true;
        boolean keep = true;
        for (Taint taint : taints) {
            String effect = taint.getEffect();
            if (!"NoSchedule".equals(effect) && !"NoExecute".equals(effect)) {
                continue;
            }
            if (tolerations.stream().anyMatch(t -> tolerates(t, taint))) {
                continue;
            }
            run = false;
            if ("NoExecute".equals(effect)) {
                keep = false;
            }
        }
        return new Verdict(run, keep);
    }

    static boolean matchesNodeSelector(Node node, Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    static boolean matchesRequiredAffinity(Node node, PodSpec spec) {
        if (spec.getAffinity() == null || spec.getAffinity().getNodeAffinity() == null) {
            return true;
        }
        NodeSelector required = spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null) {
            return true;
        }
        return matches(node, required);
    }

    /** Terms are ORed; inside a term every expression and field must hold; an empty term matches nothing. */
    public static boolean matches(Node node, NodeSelector selector) {
        List<NodeSelectorTerm> terms = selector.getNodeSelectorTerms() == null ? List.of() : selector.getNodeSelectorTerms();
        for (NodeSelectorTerm term : terms) {
            List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
            List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
            if (exprs.isEmpty() && fields.isEmpty()) {
                continue;
            }
            Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
            boolean ok = exprs.stream().allMatch(r -> requirement(r, labels.get(r.getKey()), labels.containsKey(r.getKey())))
                    && fields.stream().allMatch(r -> "metadata.name".equals(r.getKey())
                    && requirement(r, node.getMetadata().getName(), true));
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static boolean requirement(NodeSelectorRequirement r, String value, boolean present) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        return switch (r.getOperator()) {
            case "In" -> present && values.contains(value);
            case "NotIn" -> !present || !values.contains(value);
            case "Exists" -> present;
            case "DoesNotExist" -> !present;
            case "Gt", "Lt" -> {
                if (!present || values.size() != 1) {
                    yield false;
                }
                try {
                    long have = Long.parseLong(value);
                    long want = Long.parseLong(values.getFirst());
                    yield "Gt".equals(r.getOperator()) ? have > want : have < want;
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> false;
        };
    }

    /** Kubernetes' {@code Toleration.ToleratesTaint}. */
    static boolean tolerates(Toleration t, Taint taint) {
        if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (t.getKey() != null && !t.getKey().isEmpty() && !t.getKey().equals(taint.getKey())) {
            return false;
        }
        String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
        return switch (op) {
            case "Exists" -> true;
            case "Equal" -> (t.getKey() != null && !t.getKey().isEmpty())
                    && Objects.equals(emptyToNull(t.getValue()), emptyToNull(taint.getValue()));
            default -> false;
        };
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /**
     * The tolerations of a daemon pod: the template's plus those Kubernetes' DaemonSet controller adds
     * ({@code AddOrUpdateDaemonPodTolerations}), each added only when no toleration of that key and
     * effect is there already.
     */
    public static List<Toleration> withDaemonTolerations(List<Toleration> template, boolean hostNetwork) {
        List<Toleration> out = new ArrayList<>(template == null ? List.of() : template);
        add(out, TAINT_NOT_READY, "NoExecute");
        add(out, TAINT_UNREACHABLE, "NoExecute");
        add(out, TAINT_DISK_PRESSURE, "NoSchedule");
        add(out, TAINT_MEMORY_PRESSURE, "NoSchedule");
        add(out, TAINT_PID_PRESSURE, "NoSchedule");
        add(out, TAINT_UNSCHEDULABLE, "NoSchedule");
        if (hostNetwork) {
            add(out, TAINT_NETWORK_UNAVAILABLE, "NoSchedule");
        }
        return out;
    }

    private static void add(List<Toleration> out, String key, String effect) {
        boolean present = out.stream().anyMatch(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()));
        if (!present) {
            out.add(new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build());
        }
    }
}
