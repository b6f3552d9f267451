package dev.berth.app.explorer;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.util.Map;

/**
 * One table row, computed once per change of its object (on the watch thread), so that sorting,
 * filtering and drawing never look into the object again.
 *
 * @param key       namespace/name, or name for cluster-scoped objects
 * @param cells     the kind's column values, in {@link Columns} order
 * @param created   creation time in epoch seconds, for the Age column
 * @param haystack  lower-cased text the text filter searches
 */
public record Row(String key, String namespace, String name, Map<String, String> labels, String[] cells, long created,
                  String haystack, GenericKubernetesResource object) {

    public static String keyOf(GenericKubernetesResource o) {
        String ns = o.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? o.getMetadata().getName() : ns + "/" + o.getMetadata().getName();
    }

    public String cell(int i) {
        return i < cells.length ? cells[i] : "";
    }
}
