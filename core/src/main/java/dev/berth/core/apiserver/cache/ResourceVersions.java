package dev.berth.core.apiserver.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Puts the resourceVersion into stored JSON without re-serializing it. Objects are stored in
 * canonical form — compact JSON whose top-level {@code metadata} object carries no
 * resourceVersion — so the first {@code "metadata":{} is the object's own metadata (apiVersion and
 * kind, the only fields written before it, are plain strings).
 */
public final class ResourceVersions {
    private static final byte[] METADATA = "\"metadata\":{".getBytes(StandardCharsets.US_ASCII);

    private ResourceVersions() {}

    public static byte[] stamp(byte[] json, long revision) {
        int at = indexOf(json, METADATA);
        if (at < 0) {
            return json;
        }
        int insert = at + METADATA.length;
        boolean empty = insert < json.length && json[insert] == '}';
        byte[] rv = ("\"resourceVersion\":\"" + revision + "\"" + (empty ? "" : ",")).getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(json, json.length + rv.length);
        System.arraycopy(rv, 0, out, insert, rv.length);
        System.arraycopy(json, insert, out, insert + rv.length, json.length - insert);
        return out;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0, n = haystack.length - needle.length; i <= n; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
