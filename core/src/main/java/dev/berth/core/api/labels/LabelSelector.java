package dev.berth.core.api.labels;

import dev.berth.core.api.ApiException;
import dev.berth.core.api.FieldError;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A set of requirements on labels, all of which must hold. Built from the query-string syntax
 * ({@code a=b,c!=d,e in (x,y),f notin (z),g,!h}) or from a {@code metav1.LabelSelector}.
 * Immutable.
 */
public final class LabelSelector {

    public enum Operator {
        IN("in"), NOT_IN("notin"), EQUALS("="), DOUBLE_EQUALS("=="), NOT_EQUALS("!="),
        EXISTS("exists"), DOES_NOT_EXIST("!"), GREATER_THAN("gt"), LESS_THAN("lt");

        private final String symbol;

        Operator(String symbol) { this.symbol = symbol; }

        public String symbol() { return symbol; }
    }

    /** One requirement: key, operator and (sorted, de-duplicated) values. */
    public record Requirement(String key, Operator operator, List<String> values) {
        public Requirement {
            values = List.copyOf(new TreeSet<>(values));
        }

        /**
         * A requirement after the checks Kubernetes' {@code NewRequirement} makes.
         *
         * @throws ApiException 400 {@code unable to parse requirement: ...} when it breaks a rule
         */
        public static Requirement of(String key, Operator operator, Collection<String> values) {
            List<FieldError> errs = check(key, operator, List.copyOf(values));
            if (!errs.isEmpty()) {
                throw ApiException.badRequest("unable to parse requirement: " + join(errs));
            }
            return new Requirement(key, operator, List.copyOf(values));
        }

        public boolean matches(Map<String, String> labels) {
            Map<String, String> ls = labels == null ? Map.of() : labels;
            String actual = ls.get(key);
            boolean has = ls.containsKey(key);
            return switch (operator) {
                case IN, EQUALS, DOUBLE_EQUALS -> has && values.contains(actual);
                case NOT_IN, NOT_EQUALS -> !has || !values.contains(actual);
                case EXISTS -> has;
                case DOES_NOT_EXIST -> !has;
                case GREATER_THAN, LESS_THAN -> {
                    if (!has) yield false;
                    long a;
                    try {
                        a = Long.parseLong(actual);
                    } catch (NumberFormatException e) {
                        yield false;
                    }
                    long bound = Long.parseLong(values.getFirst());
                    yield operator == Operator.GREATER_THAN ? a > bound : a < bound;
                }
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
                case IN, NOT_IN -> key + " " + operator.symbol + " (" + String.join(",", values) + ")";
                case GREATER_THAN -> key + ">" + values.getFirst();
                case LESS_THAN -> key + "<" + values.getFirst();
                default -> key + operator.symbol + values.getFirst();
            };
        }
    }

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        List<Requirement> sorted = new ArrayList<>(requirements);
        sorted.sort(Comparator.comparing(Requirement::key));
        this.requirements = List.copyOf(sorted);
        this.nothing = nothing;
    }

    /** Matches every set of labels. */
    public static LabelSelector everything() { return EVERYTHING; }

    /** Matches no set of labels: what a null {@code metav1.LabelSelector} selects. */
    public static LabelSelector nothing() { return NOTHING; }

    public static LabelSelector of(List<Requirement> requirements) {
        return new LabelSelector(requirements, false);
    }

    /** Equality on every pair, as a Service or ReplicationController selector means; empty selects everything. */
    public static LabelSelector fromMap(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) return EVERYTHING;
        List<Requirement> reqs = new ArrayList<>();
        new TreeMap<>(labels).forEach((k, v) -> reqs.add(Requirement.of(k, Operator.EQUALS, List.of(v))));
        return new LabelSelector(reqs, false);
    }

    /**
     * Converts a {@code metav1.LabelSelector}: null selects nothing, empty selects everything.
     *
     * @throws ApiException 400 when an operator is unknown or values break the rules
     */
    public static LabelSelector from(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) return NOTHING;
        List<Requirement> reqs = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            new TreeMap<>(selector.getMatchLabels())
                    .forEach((k, v) -> reqs.add(Requirement.of(k, Operator.EQUALS, List.of(v))));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement expr : selector.getMatchExpressions()) {
                Operator op = switch (String.valueOf(expr.getOperator())) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> throw ApiException.badRequest("\"" + expr.getOperator()
                            + "\" is not a valid label selector operator");
                };
                List<String> values = expr.getValues() == null ? List.of() : expr.getValues();
                reqs.add(Requirement.of(expr.getKey(), op, values));
            }
        }
        return new LabelSelector(reqs, false);
    }

    /**
     * Parses the query-string syntax of {@code ?labelSelector=}.
     *
     * @throws ApiException 400 with Kubernetes' message when the syntax or a key or value is invalid
     */
    public static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) return EVERYTHING;
        return new LabelSelector(new SelectorParser(selector).parse(), false);
    }

    public boolean matches(Map<String, String> labels) {
        if (nothing) return false;
        for (Requirement r : requirements) {
            if (!r.matches(labels)) return false;
        }
        return true;
    }

    public List<Requirement> requirements() { return requirements; }

    /** True when this selects everything. */
    public boolean isEmpty() { return !nothing && requirements.isEmpty(); }

    public boolean selectsNothing() { return nothing; }

    @Override
    public String toString() {
        if (nothing) return "<none>";
        return String.join(",", requirements.stream().map(Requirement::toString).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector other && other.nothing == nothing && other.requirements.equals(requirements);
    }

    @Override
    public int hashCode() { return requirements.hashCode() * 31 + (nothing ? 1 : 0); }

    // ---- validation of metav1.LabelSelector, as objects carry it --------------------------------

    /** Checks a {@code metav1.LabelSelector} inside an object; {@code path} is e.g. {@code spec.selector}. */
    public static List<FieldError> validate(io.fabric8.kubernetes.api.model.LabelSelector selector, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (selector == null) return errs;
        errs.addAll(Labels.validate(selector.getMatchLabels(), path + ".matchLabels"));
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions();
        if (exprs != null) {
            for (int i = 0; i < exprs.size(); i++) {
                errs.addAll(validateRequirement(exprs.get(i), path + ".matchExpressions[" + i + "]"));
            }
        }
        return errs;
    }

    private static List<FieldError> validateRequirement(LabelSelectorRequirement r, String path) {
        List<FieldError> errs = new ArrayList<>();
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        String op = r.getOperator();
        if ("In".equals(op) || "NotIn".equals(op)) {
            if (values.isEmpty()) {
                errs.add(FieldError.required(path + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
            }
        } else if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
            if (!values.isEmpty()) {
                errs.add(FieldError.forbidden(path + ".values",
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
            }
        } else {
            errs.add(FieldError.invalid(path + ".operator", op, "not a valid selector operator"));
        }
        errs.addAll(Labels.validateKey(r.getKey(), path + ".key"));
        for (int i = 0; i < values.size(); i++) {
            for (String msg : Names.labelValue(values.get(i))) {
                errs.add(FieldError.invalid(path + ".values[" + i + "]", values.get(i), msg));
            }
        }
        return errs;
    }

    // ---- checks shared by the parser and the converters -------------------------------------------

    static List<FieldError> check(String key, Operator op, List<String> values) {
        List<FieldError> errs = new ArrayList<>();
        for (String msg : Names.qualifiedName(key == null ? "" : key)) {
            errs.add(FieldError.invalid("key", key, msg));
        }
        switch (op) {
            case IN, NOT_IN -> {
                if (values.isEmpty()) {
                    errs.add(FieldError.invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"));
                }
            }
            case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
                if (values.size() != 1) {
                    errs.add(FieldError.invalid("values", values, "exact-match compatibility requires one single value"));
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!values.isEmpty()) {
                    errs.add(FieldError.invalid("values", values, "values set must be empty for exists and does not exist"));
                }
            }
            case GREATER_THAN, LESS_THAN -> {
                if (values.size() != 1) {
                    errs.add(FieldError.invalid("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"));
                } else {
                    try {
                        Long.parseLong(values.getFirst());
                    } catch (NumberFormatException e) {
                        errs.add(FieldError.invalid("values[0]", values.getFirst(),
                                "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }
            }
        }
        for (int i = 0; i < values.size(); i++) {
            for (String msg : Names.labelValue(values.get(i))) {
                errs.add(FieldError.invalid("values[" + i + "][" + key + "]", values.get(i), msg));
            }
        }
        return errs;
    }

    static String join(List<FieldError> errs) {
        if (errs.size() == 1) return errs.getFirst().toString();
        return "[" + String.join(", ", errs.stream().map(FieldError::toString).toList()) + "]";
    }
}
