package dev.berth.core.apiserver.admission.podsecurity;

import java.util.Locale;
import java.util.Optional;

/** The three Pod Security Standards, from least to most restrictive. */
public enum Level {
    PRIVILEGED, BASELINE, RESTRICTED;

    /** The label value: {@code privileged}, {@code baseline}, {@code restricted}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level a label value names, or empty for anything else (case matters, as in Kubernetes). */
    public static Optional<Level> parse(String value) {
        for (Level l : values()) {
            if (l.label().equals(value)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}
