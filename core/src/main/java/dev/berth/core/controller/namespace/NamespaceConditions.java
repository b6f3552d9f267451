package dev.berth.core.controller.namespace;

import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The deletion conditions Kubernetes' namespace controller reports, computed from one pass.
 * Simplified: NamespaceDeletionGroupVersionParsingFailure is always False (discovery hands us
 * parsed group versions), and a failed delete is reported by resource, not by error class.
 */
final class NamespaceConditions {
    static final String DISCOVERY_FAILURE = "NamespaceDeletionDiscoveryFailure";
    static final String GROUP_VERSION_PARSING_FAILURE = "NamespaceDeletionGroupVersionParsingFailure";
    static final String CONTENT_FAILURE = "NamespaceDeletionContentFailure";
    static final String CONTENT_REMAINING = "NamespaceContentRemaining";
    static final String FINALIZERS_REMAINING = "NamespaceFinalizersRemaining";

    private NamespaceConditions() {}

    /** The five conditions for {@code pass}, keeping the transition time of those whose status did not change. */
    static List<NamespaceCondition> compute(ContentDeletion pass, List<NamespaceCondition> existing, Instant now) {
        List<NamespaceCondition> out = new ArrayList<>();
        out.add(pass.discoveryFailures().isEmpty()
                ? condition(DISCOVERY_FAILURE, false, "ResourcesDiscovered", "All resources successfully discovered")
                : condition(DISCOVERY_FAILURE, true, "DiscoveryFailed", "Discovery failed for some groups, "
                + pass.discoveryFailures().size() + " failing: " + join(pass.discoveryFailures())));
        out.add(condition(GROUP_VERSION_PARSING_FAILURE, false, "ParsedGroupVersions",
                "All legacy kube types successfully parsed"));
        out.add(pass.deleteFailures().isEmpty()
                ? condition(CONTENT_FAILURE, false, "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization")
                : condition(CONTENT_FAILURE, true, "ContentDeletionFailed",
                "Failed to delete all resource types, " + pass.deleteFailures().size() + " remaining: "
                        + String.join(", ", pass.deleteFailures())));
        out.add(pass.remainingByResource().isEmpty()
                ? condition(CONTENT_REMAINING, false, "ContentRemoved", "All content successfully removed")
                : condition(CONTENT_REMAINING, true, "SomeResourcesRemain", "Some resources are remaining: "
                + counts(pass.remainingByResource(), " has ")));
        out.add(pass.remainingByFinalizer().isEmpty()
                ? condition(FINALIZERS_REMAINING, false, "ContentHasNoFinalizers", "All content-preserving finalizers finished")
                : condition(FINALIZERS_REMAINING, true, "SomeFinalizersRemain",
                "Some content in the namespace has finalizers remaining: " + counts(pass.remainingByFinalizer(), " in ")));
        String time = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        for (NamespaceCondition c : out) {
            NamespaceCondition before = find(existing, c.getType());
            c.setLastTransitionTime(before != null && before.getStatus().equals(c.getStatus())
                    ? before.getLastTransitionTime() : time);
        }
        return out;
    }

    /** True when {@code next} says something {@code existing} does not (transition times aside). */
    static boolean differ(List<NamespaceCondition> existing, List<NamespaceCondition> next) {
        for (NamespaceCondition c : next) {
            NamespaceCondition before = find(existing, c.getType());
            if (before == null || !c.getStatus().equals(before.getStatus()) || !c.getReason().equals(before.getReason())
                    || !c.getMessage().equals(before.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static NamespaceCondition find(List<NamespaceCondition> list, String type) {
        if (list == null) {
            return null;
        }
        return list.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static NamespaceCondition condition(String type, boolean status, String reason, String message) {
        return new NamespaceConditionBuilder().withType(type).withStatus(status ? "True" : "False")
                .withReason(reason).withMessage(message).build();
    }

    private static String counts(Map<String, Integer> counts, String verb) {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + verb + e.getValue() + " resource instances")
                .collect(Collectors.joining(", "));
    }

    private static String join(Map<String, String> failures) {
        return failures.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
