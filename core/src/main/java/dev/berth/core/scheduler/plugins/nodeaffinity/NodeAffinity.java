package dev.berth.core.scheduler.plugins.nodeaffinity;

import dev.berth.core.scheduler.framework.CycleState;
import dev.berth.core.scheduler.framework.FilterPlugin;
import dev.berth.core.scheduler.framework.NodeInfo;
import dev.berth.core.scheduler.framework.PodInfo;
import dev.berth.core.scheduler.framework.ScorePlugin;
import dev.berth.core.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;

import java.util.List;
import java.util.Map;

/**
 * spec.nodeSelector and requiredDuringScheduling node affinity as a filter; the weights of the
 * matching preferredDuringScheduling terms as a score.
 */
public final class NodeAffinity implements FilterPlugin, ScorePlugin {
    public static final String NAME = "NodeAffinity";
    public static final String ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

    private NodeAffinity() {
    }

    public static NodeAffinity create() {
        return new NodeAffinity();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return matchesRequired(pod.pod(), node.node()) ? Status.SUCCESS : Status.unresolvable(NAME, ERR_REASON_POD);
    }

    /** The pod's nodeSelector and required node affinity both hold for the node. */
    public static boolean matchesRequired(Pod pod, Node node) {
        Map<String, String> labels = labels(node);
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector != null) {
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return true;
        }
        NodeSelector required = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        return required == null || matchesAnyTerm(required.getNodeSelectorTerms(), node);
    }

    /** Terms are ORed; a term's expressions and fields are ANDed; an empty term matches nothing. */
    public static boolean matchesAnyTerm(List<NodeSelectorTerm> terms, Node node) {
        if (terms == null) {
            return false;
        }
        for (NodeSelectorTerm t : terms) {
            if (matchesTerm(t, node)) {
                return true;
            }
        }
        return false;
    }

    public static boolean matchesTerm(NodeSelectorTerm term, Node node) {
        List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (exprs.isEmpty() && fields.isEmpty()) {
            return false;
        }
        Map<String, String> labels = labels(node);
        for (NodeSelectorRequirement r : exprs) {
            if (!matches(r, labels)) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : fields) {
            // metadata.name is the only field Kubernetes supports
            if (!"metadata.name".equals(r.getKey())
                    || !matches(r, Map.of("metadata.name", node.getMetadata().getName()))) {
                return false;
            }
        }
        return true;
    }

    /** One requirement against a map of labels (or fields). An unknown operator matches nothing. */
    public static boolean matches(NodeSelectorRequirement r, Map<String, String> labels) {
        String key = r.getKey();
        boolean has = labels.containsKey(key);
        String value = labels.get(key);
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        return switch (String.valueOf(r.getOperator())) {
            case "In" -> has && values.contains(value);
            case "NotIn" -> !has || !values.contains(value);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            case "Gt", "Lt" -> {
                if (!has || values.size() != 1) {
                    yield false;
                }
                try {
                    long actual = Long.parseLong(value);
                    long bound = Long.parseLong(values.getFirst());
                    yield "Gt".equals(r.getOperator()) ? actual > bound : actual < bound;
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> false;
        };
    }

    private static Map<String, String> labels(Node node) {
        Map<String, String> l = node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        return preferredWeight(pod.pod(), node.node());
    }

    /** The sum of the weights of the preferred terms that match the node. */
    public static long preferredWeight(Pod pod, Node node) {
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return 0;
        }
        List<PreferredSchedulingTerm> preferred = affinity.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        if (preferred == null) {
            return 0;
        }
        long sum = 0;
        for (PreferredSchedulingTerm p : preferred) {
            if (p.getPreference() != null && p.getWeight() != null && p.getWeight() != 0
                    && matchesTerm(p.getPreference(), node)) {
                sum += p.getWeight();
            }
        }
        return sum;
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        ScorePlugin.defaultNormalize(scores, false);
    }
}
