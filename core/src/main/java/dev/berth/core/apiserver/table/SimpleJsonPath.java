package dev.berth.core.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSONPath subset CRD printer columns use: {@code .spec.x}, {@code .status.y[0].z},
 * {@code .metadata.labels['app.kubernetes.io/name']}, optionally wrapped in {@code {}}.
 */
record SimpleJsonPath(List<Object> steps) {
    static SimpleJsonPath parse(String expression) {
        String e = expression == null ? "" : expression.strip();
        if (e.startsWith("{") && e.endsWith("}")) {
            e = e.substring(1, e.length() - 1).strip();
        }
        if (e.startsWith("$")) {
            e = e.substring(1);
        }
        if (!e.startsWith(".") && !e.startsWith("[")) {
            throw new IllegalArgumentException("must start with '.'");
        }
        List<Object> steps = new ArrayList<>();
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '.') {
                int start = ++i;
                StringBuilder key = new StringBuilder();
                while (i < e.length() && e.charAt(i) != '.' && e.charAt(i) != '[') {
                    // "\." escapes a dot inside a key.
                    if (e.charAt(i) == '\\' && i + 1 < e.length()) {
                        i++;
                    }
                    key.append(e.charAt(i++));
                }
                if (i == start) {
                    throw new IllegalArgumentException("empty field name at offset " + start);
                }
                steps.add(key.toString());
            } else if (c == '[') {
                int end = e.indexOf(']', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed '[' at offset " + i);
                }
                String inner = e.substring(i + 1, end).strip();
                if ((inner.startsWith("'") && inner.endsWith("'") || inner.startsWith("\"") && inner.endsWith("\""))
                        && inner.length() >= 2) {
                    steps.add(inner.substring(1, inner.length() - 1));
                } else {
                    try {
                        steps.add(Integer.parseInt(inner));
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("unsupported subscript [" + inner + "]");
                    }
                }
                i = end + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at offset " + i);
            }
        }
        return new SimpleJsonPath(List.copyOf(steps));
    }

    /** The value at this path, or null when any step is missing. */
    JsonNode find(JsonNode root) {
        JsonNode n = root;
        for (Object step : steps) {
            if (n == null) {
                return null;
            }
            if (step instanceof Integer index) {
                if (!n.isArray()) {
                    return null;
                }
                n = n.get(index < 0 ? n.size() + index : index);
            } else {
                n = n.isObject() ? n.get((String) step) : null;
            }
        }
        return n;
    }
}
