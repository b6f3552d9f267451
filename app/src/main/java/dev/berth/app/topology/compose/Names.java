package dev.berth.app.topology.compose;

import java.util.Locale;
import java.util.Set;

/** Names for new objects and containers: DNS-1123 labels, made from images, unique where they must be. */
final class Names {
    static final int MAX = dev.berth.core.api.labels.Names.DNS1123_LABEL_MAX;

    private Names() {}

    /**
     * The name an image suggests: its last path segment without tag or digest, in lower case, other
     * characters turned into '-': {@code ghcr.io/acme/Web_App:2.1} gives {@code web-app}.
     */
    static String fromImage(String image) {
        String s = image.trim();
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int slash = s.lastIndexOf('/');
        String last = slash >= 0 ? s.substring(slash + 1) : s;
        int colon = last.indexOf(':');
        if (colon >= 0) {
            last = last.substring(0, colon);
        }
        return label(last, "app");
    }

    /** {@code text} as a DNS-1123 label: lower case, [a-z0-9-], starting and ending alphanumeric, at most 63. */
    static String label(String text, String fallback) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-");
        s = trimDashes(s);
        if (s.length() > MAX) {
            s = trimDashes(s.substring(0, MAX));
        }
        return s.isEmpty() ? fallback : s;
    }

    /** {@code base}, or {@code base-2}, {@code base-3}... whichever is not taken; shortened to stay within 63. */
    static String unique(String base, Set<String> taken) {
        if (!taken.contains(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            String suffix = "-" + i;
            String stem = base.length() + suffix.length() > MAX ? trimDashes(base.substring(0, MAX - suffix.length())) : base;
            String candidate = stem + suffix;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    private static String trimDashes(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == '-') b++;
        while (e > b && s.charAt(e - 1) == '-') e--;
        return s.substring(b, e);
    }
}
