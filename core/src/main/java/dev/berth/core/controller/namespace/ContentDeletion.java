package dev.berth.core.controller.namespace;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one pass over a terminating namespace found: resources it could not discover, deletes that
 * failed, and what is left (instances per resource, and per finalizer that holds them).
 */
record ContentDeletion(Map<String, String> discoveryFailures, List<String> deleteFailures,
                       SortedMap<String, Integer> remainingByResource, SortedMap<String, Integer> remainingByFinalizer) {
    ContentDeletion {
        discoveryFailures = Map.copyOf(discoveryFailures);
        deleteFailures = List.copyOf(deleteFailures);
        remainingByResource = new TreeMap<>(remainingByResource);
        remainingByFinalizer = new TreeMap<>(remainingByFinalizer);
    }

    boolean complete() {
        return discoveryFailures.isEmpty() && deleteFailures.isEmpty() && remainingByResource.isEmpty();
    }
}
