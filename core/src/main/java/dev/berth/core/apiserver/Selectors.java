package dev.berth.core.apiserver;

import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.cache.SelectableFields;

import java.util.Map;
import java.util.function.Predicate;

/** Label and field selectors from query parameters, as filters over cached objects. */
public final class Selectors {
    private Selectors() {}

    public static Predicate<CachedObject> filter(String storage, String labelSelector, String fieldSelector) {
        Predicate<Map<String, String>> labels = labels(labelSelector);
        Predicate<Map<String, String>> fields = fields(storage, fieldSelector);
        return o -> labels.test(o.labels()) && fields.test(o.fields());
    }

    static Predicate<Map<String, String>> labels(String selector) {
        if (selector == null || selector.isBlank()) {
            return m -> true;
        }
        dev.berth.core.api.labels.LabelSelector s = dev.berth.core.api.labels.LabelSelector.parse(selector);
        return s::matches;
    }

    static Predicate<Map<String, String>> fields(String storage, String selector) {
        if (selector == null || selector.isBlank()) {
            return m -> true;
        }
        dev.berth.core.api.labels.FieldSelector s = dev.berth.core.api.labels.FieldSelector.parse(selector)
                .requireSupported(SelectableFields.supported(storage));
        return s::matches;
    }
}
