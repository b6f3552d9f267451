package dev.berth.core.scheduler.framework;

import dev.berth.core.api.labels.LabelSelector;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;

import java.util.Map;
import java.util.Set;

/**
 * A pod (anti-)affinity term ready to match: the label selector, the namespaces it looks at
 * ({@code null} = every namespace, from an empty namespaceSelector) and the topology key.
 *
 * @param weight the preferred term's weight; 1 for required terms
 */
public record AffinityTerm(LabelSelector selector, Set<String> namespaces, String topologyKey, int weight) {

    /**
     * Kubernetes' rule: the namespaces listed, plus all when namespaceSelector is empty; with
     * neither, the namespace of the pod that carries the term. A non-empty namespaceSelector
     * is matched against namespace labels through {@code namespaceLabels}.
     */
    public static AffinityTerm of(PodAffinityTerm term, String ownNamespace, int weight,
                                  java.util.function.Function<String, Map<String, String>> namespaceLabels,
                                  Iterable<String> allNamespaces) {
        LabelSelector selector = LabelSelector.from(term.getLabelSelector());
        Set<String> namespaces = new java.util.HashSet<>();
        if (term.getNamespaces() != null) {
            namespaces.addAll(term.getNamespaces());
        }
        var nsSelector = term.getNamespaceSelector();
        if (nsSelector != null) {
            boolean empty = (nsSelector.getMatchLabels() == null || nsSelector.getMatchLabels().isEmpty())
                    && (nsSelector.getMatchExpressions() == null || nsSelector.getMatchExpressions().isEmpty());
            if (empty) {
                return new AffinityTerm(selector, null, term.getTopologyKey(), weight);
            }
            LabelSelector nsSel = LabelSelector.from(nsSelector);
            for (String ns : allNamespaces) {
                if (nsSel.matches(namespaceLabels.apply(ns))) {
                    namespaces.add(ns);
                }
            }
        } else if (namespaces.isEmpty()) {
            namespaces.add(ownNamespace);
        }
        return new AffinityTerm(selector, Set.copyOf(namespaces), term.getTopologyKey(), weight);
    }

    /** Whether the term selects {@code pod}. */
    public boolean matches(PodInfo pod) {
        return (namespaces == null || namespaces.contains(pod.namespace())) && selector.matches(pod.labels());
    }
}
