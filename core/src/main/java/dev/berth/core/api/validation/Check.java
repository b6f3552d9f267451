package dev.berth.core.api.validation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.core.api.FieldError;
import dev.berth.core.api.labels.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/** Small rules every kind's validation uses, each appending FieldErrors worded as Kubernetes does. */
final class Check {
    private Check() {}

    static final String NEGATIVE = "must be greater than or equal to 0";
    static final String NOT_POSITIVE = "must be greater than zero";
    static final String IMMUTABLE = "field is immutable";
    static final String QUANTITY_REGEX = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    static <K, V> Map<K, V> map(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    /** Renders a value the way Kubernetes shows it after {@code Invalid value:}. */
    static String render(Object v) {
        if (v == null) return "null";
        if (v instanceof String || v instanceof Number || v instanceof Boolean) return String.valueOf(v);
        if (v instanceof IntOrString ios) return ios.getIntVal() != null ? String.valueOf(ios.getIntVal()) : ios.getStrVal();
        if (v instanceof Quantity q) return q.toString();
        if (v instanceof io.fabric8.kubernetes.api.model.LabelSelector ls) return goSelector(ls);
        if (v instanceof Map<?, ?> m) {
            // Go's %#v of a map[string]string, as Kubernetes prints label maps
            StringBuilder sb = new StringBuilder("map[string]string{");
            boolean first = true;
            for (var e : new TreeMap<>(m).entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
            }
            return sb.append('}').toString();
        }
        try {
            return JSON.writeValueAsString(v);
        } catch (Exception e) {
            return String.valueOf(v);
        }
    }

    /** A label selector as Go prints it ({@code %#v}), the form kubectl users know from Kubernetes' messages. */
    static String goSelector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        StringBuilder sb = new StringBuilder("v1.LabelSelector{MatchLabels:");
        if (s.getMatchLabels() == null || s.getMatchLabels().isEmpty()) {
            sb.append("map[string]string(nil)");
        } else {
            sb.append("map[string]string{");
            boolean first = true;
            for (var e : new TreeMap<>(s.getMatchLabels()).entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
            }
            sb.append('}');
        }
        sb.append(", MatchExpressions:");
        if (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty()) {
            sb.append("[]v1.LabelSelectorRequirement(nil)");
        } else {
            sb.append("[]v1.LabelSelectorRequirement{");
            boolean first = true;
            for (var r : s.getMatchExpressions()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append("v1.LabelSelectorRequirement{Key:\"").append(r.getKey()).append("\", Operator:\"")
                        .append(r.getOperator()).append("\", Values:");
                if (r.getValues() == null) {
                    sb.append("[]string(nil)");
                } else {
                    sb.append("[]string{").append(String.join(", ", r.getValues().stream().map(x -> "\"" + x + "\"").toList()))
                            .append('}');
                }
                sb.append('}');
            }
            sb.append('}');
        }
        return sb.append('}').toString();
    }

    static void invalid(List<FieldError> errs, String path, Object value, String detail) {
        errs.add(FieldError.invalid(path, render(value), detail));
    }

    static void each(List<FieldError> errs, String path, String value, List<String> messages) {
        for (String m : messages) errs.add(FieldError.invalid(path, value, m));
    }

    static void name(List<FieldError> errs, String path, String value, Function<String, List<String>> rule) {
        each(errs, path, value, rule.apply(value));
    }

    static void nonNegative(List<FieldError> errs, String path, Number value) {
        if (value != null && value.longValue() < 0) errs.add(FieldError.invalid(path, value, NEGATIVE));
    }

    static void positive(List<FieldError> errs, String path, Number value) {
        if (value != null && value.longValue() <= 0) errs.add(FieldError.invalid(path, value, NOT_POSITIVE));
    }

    static void oneOf(List<FieldError> errs, String path, String value, Collection<String> supported) {
        if (isEmpty(value)) {
            errs.add(FieldError.required(path, ""));
        } else if (!supported.contains(value)) {
            errs.add(FieldError.notSupported(path, value, supported));
        }
    }

    static void oneOfIfSet(List<FieldError> errs, String path, String value, Collection<String> supported) {
        if (!isEmpty(value) && !supported.contains(value)) errs.add(FieldError.notSupported(path, value, supported));
    }

    static void immutable(List<FieldError> errs, String path, Object newValue, Object oldValue) {
        if (!same(newValue, oldValue)) errs.add(FieldError.invalid(path, render(newValue), IMMUTABLE));
    }

    private static final ObjectMapper TREE = new ObjectMapper()
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY);

    /**
     * Semantic equality of two API values: an empty list or map equals an absent one, as in
     * Kubernetes' {@code apiequality.Semantic.DeepEqual}, whatever way the objects were built.
     */
    static boolean same(Object a, Object b) {
        if (Objects.equals(a, b)) return true;
        if (a == null || b == null) {
            Object other = a == null ? b : a;
            return TREE.valueToTree(other).isEmpty() && !(other instanceof String) && !(other instanceof Number)
                    && !(other instanceof Boolean);
        }
        try {
            return TREE.valueToTree(a).equals(TREE.valueToTree(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Port number or IANA service name, as probes and targetPorts take. */
    static void portNumOrName(List<FieldError> errs, String path, IntOrString port) {
        if (port == null || (port.getIntVal() == null && isEmpty(port.getStrVal()))) {
            errs.add(FieldError.required(path, ""));
        } else if (port.getIntVal() != null) {
            each(errs, path, String.valueOf(port.getIntVal()), Names.portNumber(port.getIntVal()));
        } else {
            each(errs, path, port.getStrVal(), Names.portName(port.getStrVal()));
        }
    }

    /** A valid number or percent; {@code 25%} or {@code 1}. */
    static void intOrPercent(List<FieldError> errs, String path, IntOrString v) {
        if (v == null) return;
        if (v.getIntVal() != null) {
            nonNegative(errs, path, v.getIntVal());
        } else {
            String s = v.getStrVal() == null ? "" : v.getStrVal();
            List<String> msgs = Names.percent(s);
            if (!msgs.isEmpty()) {
                each(errs, path, s, msgs);
            }
        }
    }

    static int percentOf(IntOrString v) {
        if (v == null || v.getIntVal() != null || v.getStrVal() == null || !v.getStrVal().endsWith("%")) return -1;
        try {
            return Integer.parseInt(v.getStrVal().substring(0, v.getStrVal().length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean isZero(IntOrString v) {
        if (v == null) return false;
        if (v.getIntVal() != null) return v.getIntVal() == 0;
        return percentOf(v) == 0;
    }

    /** The amount of a quantity, or null after adding the error when it does not parse. */
    static BigDecimal quantity(List<FieldError> errs, String path, Quantity q) {
        if (q == null) return null;
        try {
            return Quantity.getAmountInBytes(q);
        } catch (RuntimeException e) {
            errs.add(FieldError.invalid(path, q.toString(),
                    "quantities must match the regular expression '" + QUANTITY_REGEX + "'"));
            return null;
        }
    }

    static BigDecimal amount(Quantity q) {
        try {
            return q == null ? null : Quantity.getAmountInBytes(q);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static void nonNegativeQuantity(List<FieldError> errs, String path, Quantity q) {
        BigDecimal a = quantity(errs, path, q);
        if (a != null && a.signum() < 0) errs.add(FieldError.invalid(path, q.toString(), NEGATIVE));
    }

    static List<FieldError> newList() {
        return new ArrayList<>();
    }
}
