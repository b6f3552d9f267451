package dev.berth.app.shell;

import java.util.Map;
import java.util.Optional;

/** Whether a window can be opened here, and what to tell a person when not. */
public final class Display {
    private Display() {}

    /**
     * Empty when a window can open: on macOS and Windows always; on Linux and other Unixes when
     * DISPLAY or WAYLAND_DISPLAY is set, or a headless glass platform (Monocle) was chosen.
     */
    public static Optional<String> missing(String osName, Map<String, String> env, String glassPlatform) {
        String os = osName.toLowerCase(java.util.Locale.ROOT);
        if (os.contains("mac") || os.contains("win") || "Monocle".equalsIgnoreCase(glassPlatform)
                || "Headless".equalsIgnoreCase(glassPlatform)) {
            return Optional.empty();
        }
        if (nonEmpty(env.get("DISPLAY")) || nonEmpty(env.get("WAYLAND_DISPLAY"))) {
            return Optional.empty();
        }
        return Optional.of("berth: no display to open the desktop app on (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                + "  On a machine without a screen, run the control plane headless:  ./berth server\n"
                + "  Every command:                                                    ./berth --help");
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isBlank();
    }
}
