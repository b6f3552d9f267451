package dev.berth.installers;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version the packages carry. jpackage (and MSI, and macOS bundles) take only numbers:
 * {@code 0.1.0-SNAPSHOT} becomes app version {@code 0.1.0} with package release {@code 0}, so a
 * snapshot sorts before the release {@code 0.1.0} (release {@code 1}) in dpkg and rpm.
 */
public record InstallerVersion(String appVersion, String release) {
    private static final Pattern VERSION = Pattern.compile("(\\d{1,3})(?:\\.(\\d{1,5}))?(?:\\.(\\d{1,5}))?(-[A-Za-z0-9.]+)?");

    public static InstallerVersion of(String buildVersion) {
        Matcher m = VERSION.matcher(buildVersion == null ? "" : buildVersion);
        if (!m.matches()) {
            throw new IllegalArgumentException("version \"" + buildVersion + "\" must be MAJOR[.MINOR[.PATCH]][-QUALIFIER]"
                    + " with MAJOR at most 3 digits (jpackage, MSI and macOS need a numeric version)");
        }
        int major = Integer.parseInt(m.group(1));
        if (major > 255) {
            throw new IllegalArgumentException("version \"" + buildVersion + "\": MAJOR " + major + " must be at most 255 (MSI's limit)");
        }
        String numeric = major + "." + (m.group(2) == null ? "0" : Integer.parseInt(m.group(2)))
                + "." + (m.group(3) == null ? "0" : Integer.parseInt(m.group(3)));
        return new InstallerVersion(numeric, m.group(4) == null ? "1" : "0");
    }
}
