package dev.berth.core.api.labels;

import dev.berth.core.api.ApiException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A field selector ({@code ?fieldSelector=metadata.name=web,status.phase!=Running}) over the field
 * values an object exposes. Backslash escapes ',', '=' and '\' inside values. Immutable.
 */
public final class FieldSelector {

    public enum Operator { EQUALS, DOUBLE_EQUALS, NOT_EQUALS }

    public record Term(String field, Operator operator, String value) {
        public boolean matches(Map<String, String> fields) {
            String actual = fields == null ? null : fields.get(field);
            boolean equal = value.equals(actual == null ? "" : actual);
            return operator == Operator.NOT_EQUALS ? !equal : equal;
        }

        @Override
        public String toString() {
            String op = switch (operator) {
                case EQUALS -> "=";
                case DOUBLE_EQUALS -> "==";
                case NOT_EQUALS -> "!=";
            };
            return field + op + escape(value);
        }
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    public static FieldSelector everything() { return EVERYTHING; }

    /**
     * Parses the query syntax.
     *
     * @throws ApiException 400 {@code invalid selector: 'x'; can't understand 'y'}
     */
    public static FieldSelector parse(String selector) {
        if (selector == null || selector.isBlank()) return EVERYTHING;
        List<Term> terms = new ArrayList<>();
        for (String part : splitUnescaped(selector, ',')) {
            if (part.isEmpty()) continue;
            Term term = null;
            for (var candidate : List.of(Map.entry("!=", Operator.NOT_EQUALS), Map.entry("==", Operator.DOUBLE_EQUALS),
                    Map.entry("=", Operator.EQUALS))) {
                int at = indexOfUnescaped(part, candidate.getKey());
                if (at >= 0) {
                    String field = part.substring(0, at);
                    String rawValue = part.substring(at + candidate.getKey().length());
                    String value;
                    try {
                        value = unescape(rawValue);
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest("invalid field selector: " + e.getMessage());
                    }
                    term = new Term(field, candidate.getValue(), value);
                    break;
                }
            }
            if (term == null) {
                throw ApiException.badRequest("invalid selector: '" + selector + "'; can't understand '" + part + "'");
            }
            terms.add(term);
        }
        return new FieldSelector(terms);
    }

    public boolean matches(Map<String, String> fields) {
        for (Term t : terms) {
            if (!t.matches(fields)) return false;
        }
        return true;
    }

    public List<Term> terms() { return terms; }

    public boolean isEmpty() { return terms.isEmpty(); }

    /** The value this selector requires for {@code field} with = or ==, or null (used to narrow a list by name). */
    public String requiredValue(String field) {
        for (Term t : terms) {
            if (t.field.equals(field) && t.operator != Operator.NOT_EQUALS) return t.value;
        }
        return null;
    }

    /**
     * Rejects fields the resource does not support.
     *
     * @throws ApiException 400 {@code field label not supported: spec.foo}
     */
    public FieldSelector requireSupported(Collection<String> supportedFields) {
        for (Term t : terms) {
            if (!supportedFields.contains(t.field)) {
                throw ApiException.badRequest("field label not supported: " + t.field);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return String.join(",", terms.stream().map(Term::toString).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSelector f && f.terms.equals(terms);
    }

    @Override
    public int hashCode() { return terms.hashCode(); }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }

    private static String unescape(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                if (i + 1 >= v.length()) throw new IllegalArgumentException("unterminated escape sequence in '" + v + "'");
                char n = v.charAt(++i);
                if (n != '\\' && n != ',' && n != '=') {
                    throw new IllegalArgumentException("invalid escape sequence '\\" + n + "' in '" + v + "'");
                }
                sb.append(n);
            } else if (c == '=' || c == ',') {
                throw new IllegalArgumentException("unescaped '" + c + "' in '" + v + "'");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static List<String> splitUnescaped(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == sep) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static int indexOfUnescaped(String s, String op) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (s.startsWith(op, i)) {
                return i;
            }
        }
        return -1;
    }
}
