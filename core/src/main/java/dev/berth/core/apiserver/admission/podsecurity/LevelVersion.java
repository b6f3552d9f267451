package dev.berth.core.apiserver.admission.podsecurity;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Pod Security level at a version of the standards: {@code restricted:latest},
 * {@code baseline:v1.30}. Versions name the Kubernetes minor whose checks apply; {@code latest}
 * (and any version newer than the server's) means the newest checks.
 *
 * @param minor the Kubernetes minor version, or {@link #LATEST}
 */
public record LevelVersion(Level level, int minor) {
    public static final int LATEST = Integer.MAX_VALUE;
    public static final LevelVersion PRIVILEGED_LATEST = new LevelVersion(Level.PRIVILEGED, LATEST);
    public static final LevelVersion RESTRICTED_LATEST = new LevelVersion(Level.RESTRICTED, LATEST);
    private static final Pattern VERSION = Pattern.compile("v1\\.(0|[1-9][0-9]{0,3})");

    /** True when the checks of Kubernetes 1.{@code sinceMinor} are in force at this version. */
    boolean atLeast(int sinceMinor) {
        return minor >= sinceMinor;
    }

    /** {@code latest} or {@code v1.N}, or empty when the value is neither. */
    public static Optional<Integer> parseVersion(String value) {
        if ("latest".equals(value)) {
            return Optional.of(LATEST);
        }
        Matcher m = VERSION.matcher(value == null ? "" : value);
        return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    public String version() {
        return minor == LATEST ? "latest" : "v1." + minor;
    }

    @Override
    public String toString() {
        return level.label() + ":" + version();
    }
}
