package dev.berth.core.apiserver;

import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.cache.SelectableFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        Set<String> supported = SelectableFields.supported(storage);
        List<Predicate<Map<String, String>>> terms = new ArrayList<>();
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (t.isEmpty()) {
                continue;
            }
            String op;
            int at;
            if ((at = t.indexOf("!=")) > 0) {
                op = "!=";
            } else if ((at = t.indexOf("==")) > 0) {
                op = "==";
            } else if ((at = t.indexOf('=')) > 0) {
                op = "=";
            } else {
                throw ApiException.badRequest("invalid field selector: \"" + t + "\": expected key=value, key==value or key!=value");
            }
            String key = t.substring(0, at).trim();
            String value = t.substring(at + op.length()).trim();
            if (!supported.contains(key)) {
                throw ApiException.badRequest("field label not supported: " + key);
            }
            boolean negate = op.equals("!=");
            terms.add(m -> value.equals(m.getOrDefault(key, "")) != negate);
        }
        return m -> terms.stream().allMatch(p -> p.test(m));
    }
}
