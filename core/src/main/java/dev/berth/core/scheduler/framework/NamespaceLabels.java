package dev.berth.core.scheduler.framework;

import java.util.List;
import java.util.Map;

/** Namespaces and their labels, for affinity terms with a namespaceSelector. */
public interface NamespaceLabels {
    Map<String, String> labels(String namespace);

    Iterable<String> names();

    NamespaceLabels NONE = new NamespaceLabels() {
        @Override
        public Map<String, String> labels(String namespace) {
            return Map.of();
        }

        @Override
        public Iterable<String> names() {
            return List.of();
        }
    };
}
