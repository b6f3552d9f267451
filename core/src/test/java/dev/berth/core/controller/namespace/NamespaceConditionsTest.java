package dev.berth.core.controller.namespace;

import io.fabric8.kubernetes.api.model.NamespaceCondition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceConditionsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T00:01:00Z");

    @Test
    void reportsRemainingResourcesAndTheFinalizersHoldingThem() {
        ContentDeletion pass = new ContentDeletion(Map.of(), List.of(),
                new TreeMap<>(Map.of("configmaps.", 2, "replicasets.apps", 1)), new TreeMap<>(Map.of("example.com/x", 2)));

        Map<String, NamespaceCondition> c = byType(NamespaceConditions.compute(pass, List.of(), T0));

        assertThat(c.get(NamespaceConditions.CONTENT_REMAINING).getMessage()).isEqualTo(
                "Some resources are remaining: configmaps. has 2 resource instances, replicasets.apps has 1 resource instances");
        assertThat(c.get(NamespaceConditions.FINALIZERS_REMAINING).getMessage()).isEqualTo(
                "Some content in the namespace has finalizers remaining: example.com/x in 2 resource instances");
        assertThat(c.get(NamespaceConditions.CONTENT_FAILURE).getStatus()).isEqualTo("False");
        assertThat(c.get(NamespaceConditions.DISCOVERY_FAILURE).getReason()).isEqualTo("ResourcesDiscovered");
        assertThat(c.values()).allMatch(x -> x.getLastTransitionTime().equals("2026-01-01T00:00:00Z"));
    }

    @Test
    void reportsFailedDeletesAndDiscovery() {
        ContentDeletion pass = new ContentDeletion(Map.of("example.com/v1", "503"), List.of("widgets.example.com: 500"),
                new TreeMap<>(), new TreeMap<>());

        Map<String, NamespaceCondition> c = byType(NamespaceConditions.compute(pass, List.of(), T0));

        assertThat(c.get(NamespaceConditions.DISCOVERY_FAILURE).getStatus()).isEqualTo("True");
        assertThat(c.get(NamespaceConditions.DISCOVERY_FAILURE).getMessage()).contains("example.com/v1: 503");
        assertThat(c.get(NamespaceConditions.CONTENT_FAILURE).getStatus()).isEqualTo("True");
        assertThat(c.get(NamespaceConditions.CONTENT_FAILURE).getMessage()).contains("widgets.example.com: 500");
    }

    @Test
    void keepsTheTransitionTimeOfConditionsWhoseStatusDidNotChange() {
        ContentDeletion remaining = new ContentDeletion(Map.of(), List.of(),
                new TreeMap<>(Map.of("configmaps.", 1)), new TreeMap<>());
        ContentDeletion fewer = new ContentDeletion(Map.of(), List.of(), new TreeMap<>(), new TreeMap<>());
        List<NamespaceCondition> first = NamespaceConditions.compute(remaining, List.of(), T0);

        List<NamespaceCondition> second = NamespaceConditions.compute(fewer, first, T1);

        Map<String, NamespaceCondition> c = byType(second);
        assertThat(c.get(NamespaceConditions.CONTENT_REMAINING).getLastTransitionTime()).isEqualTo("2026-01-01T00:01:00Z");
        assertThat(c.get(NamespaceConditions.CONTENT_FAILURE).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(NamespaceConditions.differ(first, second)).isTrue();
        assertThat(NamespaceConditions.differ(second, NamespaceConditions.compute(fewer, second, T1))).isFalse();
    }

    private static Map<String, NamespaceCondition> byType(List<NamespaceCondition> list) {
        return list.stream().collect(java.util.stream.Collectors.toMap(NamespaceCondition::getType, c -> c));
    }
}
