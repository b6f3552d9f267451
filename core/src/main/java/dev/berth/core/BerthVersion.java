package dev.berth.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this build and the Kubernetes API level it implements. */
public final class BerthVersion {
    private static final Properties PROPS = load();

    private BerthVersion() {}

    /** The Berth version, for example {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return PROPS.getProperty("version", "0.0.0");
    }

    /** The Kubernetes minor level served, for example {@code 32}. */
    public static String kubernetesMinor() {
        String level = PROPS.getProperty("kubernetesLevel", "1.32");
        return level.substring(level.indexOf('.') + 1);
    }

    /** A Kubernetes-style gitVersion: {@code v1.32.0+berth.0.1.0}. */
    public static String gitVersion() {
        return "v1." + kubernetesMinor() + ".0+berth." + version().replace("-SNAPSHOT", "");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BerthVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
