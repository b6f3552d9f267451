package dev.berth.app.explorer;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.labels.LabelSelector;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * The explorer's filter: a text every row's name, namespace or cells must contain (case-insensitive),
 * a label selector in kubectl's syntax ({@code app=web,tier in (front,back),!canary}) parsed by
 * core's selector parser, and a namespace.
 */
public record RowFilter(String text, LabelSelector selector, String namespace) implements Predicate<Row> {
    public static final RowFilter ALL = new RowFilter("", LabelSelector.everything(), null);

    /**
     * @throws IllegalArgumentException naming the selector and the rule it breaks
     */
    public static RowFilter of(String text, String selector, String namespace) {
        LabelSelector s;
        try {
            s = LabelSelector.parse(selector == null ? "" : selector.trim());
        } catch (ApiException e) {
            throw new IllegalArgumentException("label selector \"" + selector.trim() + "\": " + e.getMessage(), e);
        }
        return new RowFilter(text == null ? "" : text.trim().toLowerCase(Locale.ROOT), s,
                namespace == null || namespace.isEmpty() ? null : namespace);
    }

    @Override
    public boolean test(Row row) {
        if (namespace != null && !namespace.equals(row.namespace())) {
            return false;
        }
        if (!text.isEmpty() && !row.haystack().contains(text)) {
            return false;
        }
        return selector.isEmpty() || selector.matches(row.labels());
    }

    public boolean isEmpty() {
        return text.isEmpty() && selector.isEmpty() && namespace == null;
    }
}
