package dev.berth.core.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON patch (RFC 6902), the body of {@code application/json-patch+json}: an array of
 * {@code add, remove, replace, move, copy, test} operations applied in order, all or nothing.
 *
 * <p>Implemented over Jackson rather than with a library so that failures carry the texts the
 * Kubernetes API server answers with (it uses evanphx/json-patch): a malformed document is a
 * 400, an operation that does not apply (missing path, failed test) a 422.
 */
public final class JsonPatch {
    /** The API server refuses longer patches (apiserver's maxJSONPatchOperations). */
    public static final int MAX_OPERATIONS = 10_000;

    private JsonPatch() {
    }

    /** Returns the patched copy of {@code target}; neither argument is changed. */
    public static ObjectNode apply(ObjectNode target, JsonNode patch) {
        if (patch == null || !patch.isArray()) {
            throw ApiException.badRequest("json patch must be a JSON array of operations, got "
                    + (patch == null ? "nothing" : patch.getNodeType().toString().toLowerCase()));
        }
        if (patch.size() > MAX_OPERATIONS) {
            throw ApiException.tooLarge("The allowed maximum operations in a JSON patch is " + MAX_OPERATIONS
                    + ", got " + patch.size());
        }
        for (int i = 0; i < patch.size(); i++) {
            JsonNode op = patch.get(i);
            if (!op.isObject()) {
                throw ApiException.badRequest("json patch operation " + i + " must be a JSON object");
            }
        }
        JsonNode doc = target == null ? Json.MAPPER.createObjectNode() : target.deepCopy();
        for (JsonNode op : patch) {
            doc = applyOne(doc, (ObjectNode) op);
        }
        if (!doc.isObject()) {
            throw unprocessable("json patch must leave an object at the root, got " + doc.getNodeType().toString().toLowerCase());
        }
        return (ObjectNode) doc;
    }

    private static JsonNode applyOne(JsonNode doc, ObjectNode op) {
        JsonNode kindNode = op.get("op");
        String kind = kindNode == null || !kindNode.isTextual() ? "" : kindNode.asText();
        return switch (kind) {
            case "add" -> add(doc, pointer(op, "path", kind), value(op, kind));
            case "remove" -> {
                String path = pointer(op, "path", kind);
                requireExists(doc, path, "Unable to remove nonexistent key: " + lastToken(path) + ": missing value");
                yield remove(doc, path);
            }
            case "replace" -> {
                String path = pointer(op, "path", kind);
                JsonNode value = value(op, kind);
                requireExists(doc, path, "replace operation does not apply: doc is missing key: " + path + ": missing value");
                yield path.isEmpty() ? value.deepCopy() : replace(doc, path, value);
            }
            case "move" -> {
                String from = pointer(op, "from", kind);
                String path = pointer(op, "path", kind);
                requireExists(doc, from, "move operation does not apply: doc is missing from path: " + from + ": missing value");
                if (path.startsWith(from + "/")) {
                    throw unprocessable("move operation does not apply: path " + path + " is a child of from " + from);
                }
                JsonNode moved = get(doc, from);
                yield add(remove(doc, from), path, moved);
            }
            case "copy" -> {
                String from = pointer(op, "from", kind);
                String path = pointer(op, "path", kind);
                requireExists(doc, from, "copy operation does not apply: doc is missing from path: " + from + ": missing value");
                yield add(doc, path, get(doc, from).deepCopy());
            }
            case "test" -> {
                String path = pointer(op, "path", kind);
                JsonNode expected = value(op, kind);
                JsonNode actual = exists(doc, path) ? get(doc, path) : null;
                if (actual == null ? !expected.isNull() : !Json.same(actual, expected)) {
                    throw unprocessable("testing value " + path + " failed: test failed");
                }
                yield doc;
            }
            default -> throw unprocessable("Unexpected kind: " + (kindNode == null ? "missing op" : kindNode.asText()));
        };
    }

    private static String pointer(ObjectNode op, String field, String kind) {
        JsonNode p = op.get(field);
        if (p == null || !p.isTextual()) {
            throw unprocessable(kind + " operation does not apply: missing " + field);
        }
        String s = p.asText();
        if (!s.isEmpty() && s.charAt(0) != '/') {
            throw unprocessable(kind + " operation does not apply: " + field + " \"" + s + "\" is not a JSON pointer (must start with /)");
        }
        tokens(s); // validates the escapes
        return s;
    }

    private static JsonNode value(ObjectNode op, String kind) {
        JsonNode v = op.get("value");
        if (v == null) {
            throw unprocessable(kind + " operation does not apply: missing value");
        }
        return v;
    }

    static List<String> tokens(String pointer) {
        List<String> out = new ArrayList<>();
        if (pointer.isEmpty()) {
            return out;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            StringBuilder sb = new StringBuilder(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c != '~') {
                    sb.append(c);
                    continue;
                }
                char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
                if (next == '0') {
                    sb.append('~');
                } else if (next == '1') {
                    sb.append('/');
                } else {
                    throw unprocessable("invalid JSON pointer " + pointer + ": ~ must be followed by 0 or 1");
                }
                i++;
            }
            out.add(sb.toString());
        }
        return out;
    }

    private static String lastToken(String path) {
        List<String> t = tokens(path);
        return t.isEmpty() ? "" : t.getLast();
    }

    private static void requireExists(JsonNode doc, String path, String message) {
        if (!exists(doc, path)) {
            throw unprocessable(message);
        }
    }

    private static boolean exists(JsonNode doc, String path) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            cur = child(cur, t);
            if (cur == null) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            cur = child(cur, t);
        }
        return cur;
    }

    private static JsonNode child(JsonNode node, String token) {
        if (node.isObject()) {
            return node.get(token);
        }
        if (node.isArray()) {
            int i = index(token, node.size() - 1, false);
            return i < 0 ? null : node.get(i);
        }
        return null;
    }

    /** Parses an array index; -1 when it is not a valid index up to {@code max}. */
    private static int index(String token, int max, boolean strict) {
        if (token.isEmpty() || token.length() > 9 || !token.chars().allMatch(Character::isDigit)
                || (token.length() > 1 && token.charAt(0) == '0')) {
            if (strict) {
                throw unprocessable("Unable to access invalid index: " + token + ": invalid index referenced");
            }
            return -1;
        }
        int i = Integer.parseInt(token);
        if (i > max) {
            if (strict) {
                throw unprocessable("Unable to access invalid index: " + i + ": invalid index referenced");
            }
            return -1;
        }
        return i;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        if (path.isEmpty()) {
            return value.deepCopy();
        }
        List<String> t = tokens(path);
        String parentPath = path.substring(0, path.lastIndexOf('/'));
        if (!exists(doc, parentPath)) {
            throw unprocessable("add operation does not apply: doc is missing path: \"" + path + "\": missing value");
        }
        JsonNode parent = get(doc, parentPath);
        String last = t.getLast();
        if (parent instanceof ObjectNode o) {
            o.set(last, value.deepCopy());
        } else if (parent instanceof ArrayNode a) {
            int i = "-".equals(last) ? a.size() : index(last, a.size(), true);
            a.insert(i, value.deepCopy());
        } else {
            throw unprocessable("add operation does not apply: doc is missing path: \"" + path + "\": missing value");
        }
        return doc;
    }

    /** Replaces in place, so an object keeps its key order (a remove then add would move the key last). */
    private static JsonNode replace(JsonNode doc, String path, JsonNode value) {
        JsonNode parent = get(doc, path.substring(0, path.lastIndexOf('/')));
        String last = lastToken(path);
        if (parent instanceof ObjectNode o) {
            o.set(last, value.deepCopy());
        } else if (parent instanceof ArrayNode a) {
            a.set(index(last, a.size() - 1, true), value.deepCopy());
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        if (path.isEmpty()) {
            throw unprocessable("remove operation does not apply: cannot remove the whole document");
        }
        JsonNode parent = get(doc, path.substring(0, path.lastIndexOf('/')));
        String last = lastToken(path);
        if (parent instanceof ObjectNode o) {
            o.remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.remove(index(last, a.size() - 1, true));
        }
        return doc;
    }

    private static ApiException unprocessable(String message) {
        return new ApiException(422, "Invalid", message);
    }
}
