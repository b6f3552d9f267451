package dev.berth.app.shell;

import dev.berth.app.cluster.EmbeddedControlPlane;
import dev.berth.app.cluster.KubeContexts;
import dev.berth.app.settings.Settings;
import dev.berth.core.server.ServerOptions;
import javafx.application.Platform;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts the desktop app: the window first, the embedded control plane behind it. Returns when the
 * person closed the window and chose to stop, or keeps the process (and so the control plane)
 * running when they chose to keep it in the background.
 */
public final class DesktopLauncher {
    private DesktopLauncher() {}

    /**
     * @param options        the embedded control plane's options, or null to run without one
     * @param initialContext a kubeconfig context to open instead of the embedded control plane, or null
     * @return the exit code
     */
    public static int run(ServerOptions options, String initialContext) throws InterruptedException {
        return run(options, initialContext, false);
    }

    /**
     * As {@link #run(ServerOptions, String)}; with {@code exitWhenShown} the app stops as soon as its
     * window is shown (the installers' AOT training run and start-up benchmark).
     */
    public static int run(ServerOptions options, String initialContext, boolean exitWhenShown) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        Path dataDir = options != null ? options.dataDir() : ServerOptions.defaultDataDir();
        Settings settings = Settings.load(dataDir.resolve("app.properties"));
        EmbeddedControlPlane cp = options == null ? null : new EmbeddedControlPlane(options, clock);
        String home = System.getProperty("user.home");
        AppContext ctx = new AppContext(cp, settings, clock, KubeContexts.files(System.getenv(), home),
                Path.of(home, ".kube", "config"), initialContext);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<MainWindow.CloseChoice> choice = new AtomicReference<>(MainWindow.CloseChoice.STOP);
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        Platform.setImplicitExit(false);
        Platform.runLater(() -> {
            nameWindowClass("Berth");
            MainWindow w = new MainWindow(new Stage(), ctx);
            w.offerFirstRun(cp != null && !exitWhenShown);
            w.onClose(c -> {
                choice.set(c);
                closed.countDown();
            });
            // one line when the window is on screen: benchmarks and the installers read it
            w.stage().addEventHandler(WindowEvent.WINDOW_SHOWN, e -> {
                Instant now = clock.instant();
                long sinceStart = ProcessHandle.current().info().startInstant()
                        .map(t -> Duration.between(t, now).toMillis()).orElse(-1L);
                System.out.println(shownLine(now, sinceStart));
                System.out.flush();
                if (exitWhenShown) {
                    Platform.runLater(closed::countDown);
                }
            });
            w.show();
            // the window is up: now the control plane, so that a slow start never delays it
            if (cp != null) {
                cp.start();
            }
        });
        closed.await();
        if (choice.get() == MainWindow.CloseChoice.KEEP_RUNNING && cp != null) {
            System.out.println("berth: the window is closed; the control plane keeps running in process "
                    + ProcessHandle.current().pid() + " (data dir " + cp.dataDir() + ").");
            System.out.println("  ./berth opens the window again and connects to it; kill " + ProcessHandle.current().pid()
                    + " stops it.");
            System.out.flush();
            Platform.exit();
            Runtime.getRuntime().addShutdownHook(new Thread(cp::close, "berth-shutdown"));
            new CountDownLatch(1).await();
            return 0;
        }
        if (cp != null) {
            cp.close();
        }
        Platform.exit();
        return 0;
    }

    /**
     * Names the X11 window class (WM_CLASS) of the app's windows, which JavaFX's GTK glass takes from
     * its application name ("java" unless set), so that desktops match the window to the desktop
     * entry's StartupWMClass. JavaFX has no public API for it; where the internal one is not
     * reachable the class stays "java" and nothing else changes.
     */
    static void nameWindowClass(String name) {
        try {
            Class<?> glass = Class.forName("com.sun.glass.ui.Application");
            Object app = glass.getMethod("GetApplication").invoke(null);
            if (app != null) glass.getMethod("setName", String.class).invoke(app, name);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // not exported to the app (no --add-exports javafx.graphics/com.sun.glass.ui): keep JavaFX's default
        }
    }

    /** {@code berth: window shown at 2026-12-02T12:00:00.123Z, 1200 ms after the process started}. */
    public static String shownLine(Instant at, long sinceProcessStartMs) {
        return "berth: window shown at " + at + ", " + sinceProcessStartMs + " ms after the process started";
    }
}
