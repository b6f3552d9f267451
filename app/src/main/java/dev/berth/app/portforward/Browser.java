package dev.berth.app.portforward;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/** Opens a URL in the person's browser with the platform's opener (xdg-open, open, or the Windows shell). */
public final class Browser {
    private Browser() {}

    public static void open(URI url) throws IOException {
        new ProcessBuilder(command(System.getProperty("os.name", ""), url)).inheritIO().start();
    }

    static List<String> command(String os, URI url) {
        String o = os.toLowerCase(Locale.ROOT);
        if (o.contains("mac")) return List.of("open", url.toString());
        if (o.contains("win")) return List.of("rundll32", "url.dll,FileProtocolHandler", url.toString());
        return List.of("xdg-open", url.toString());
    }
}
