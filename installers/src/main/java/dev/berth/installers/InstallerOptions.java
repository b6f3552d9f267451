package dev.berth.installers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What {@link InstallerBuild} makes, from which inputs, and where. */
public record InstallerOptions(Path app, Path icons, String version, Set<String> types, boolean aot, Path work, Path out) {
    /** Package types jpackage knows, plus {@code tar.gz}: the app image as a portable archive. */
    public static final List<String> TYPES = List.of("app-image", "deb", "tar.gz", "rpm", "msi", "exe", "dmg", "pkg");

    public static InstallerOptions parse(String[] args) {
        Path app = null, icons = null, work = null, out = null;
        String version = null;
        Set<String> types = new LinkedHashSet<>(List.of("app-image"));
        boolean aot = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--app" -> app = Path.of(value(args, ++i, "--app"));
                case "--icons" -> icons = Path.of(value(args, ++i, "--icons"));
                case "--version" -> version = value(args, ++i, "--version");
                case "--work" -> work = Path.of(value(args, ++i, "--work"));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--aot" -> {
                    String v = value(args, ++i, "--aot");
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new IllegalArgumentException("--aot " + v + " must be true or false");
                    }
                    aot = Boolean.parseBoolean(v);
                }
                case "--types" -> {
                    types = new LinkedHashSet<>();
                    for (String t : value(args, ++i, "--types").split(",")) {
                        String type = t.trim();
                        if (!TYPES.contains(type)) {
                            throw new IllegalArgumentException("--types: \"" + type + "\" is not a package type; known: " + String.join(", ", TYPES));
                        }
                        types.add(type);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; known: --app --icons --version --types --aot --work --out");
            }
        }
        List<String> missing = new ArrayList<>();
        if (app == null) missing.add("--app");
        if (icons == null) missing.add("--icons");
        if (version == null) missing.add("--version");
        if (work == null) missing.add("--work");
        if (out == null) missing.add("--out");
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing " + String.join(", ", missing));
        }
        InstallerVersion.of(version);
        // every package is made from the app image
        types.add("app-image");
        // made in the order of TYPES
        Set<String> ordered = new LinkedHashSet<>(TYPES);
        ordered.retainAll(types);
        return new InstallerOptions(app, icons, version, java.util.Collections.unmodifiableSet(ordered), aot, work, out);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
