package dev.berth.app.cluster;

import dev.berth.core.datadir.DataDirInUseException;
import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The control plane the app carries: a {@link BerthServer} on the app's data dir, started on a
 * background thread so the window is up at once. When another process (a {@code berth server}, or
 * an app left running in the background) holds the data dir, the app uses that one through its
 * admin kubeconfig instead of starting a second.
 */
public final class EmbeddedControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedControlPlane.class);

    /** Where the control plane is. Transitions: STOPPED → STARTING → RUNNING | ELSEWHERE | FAILED → STOPPED. */
    public enum Phase { STOPPED, STARTING, RUNNING, ELSEWHERE, FAILED, STOPPING }

    /**
     * @param phase      where it is
     * @param message    what a person reads in the status bar
     * @param kubeconfig the admin kubeconfig once RUNNING or ELSEWHERE, otherwise null
     */
    public record State(Phase phase, String message, Path kubeconfig) {
        public boolean usable() {
            return phase == Phase.RUNNING || phase == Phase.ELSEWHERE;
        }
    }

    private final ServerOptions options;
    private final Clock clock;
    private final CopyOnWriteArrayList<Consumer<State>> listeners = new CopyOnWriteArrayList<>();
    private volatile State state;
    private BerthServer server;
    private Thread starter;

    public EmbeddedControlPlane(ServerOptions options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.state = new State(Phase.STOPPED, "Control plane stopped", null);
    }

    public Path dataDir() {
        return options.dataDir();
    }

    /** Where the control plane writes its audit log. */
    public Path auditDir() {
        return options.auditDir();
    }

    public State state() {
        return state;
    }

    /** Called on the starting thread at every transition, and at once with the current state. */
    public void addListener(Consumer<State> listener) {
        listeners.add(listener);
        listener.accept(state);
    }

    /** Starts in the background; returns at once. */
    public synchronized void start() {
        if (state.phase() == Phase.STARTING || state.usable()) {
            return;
        }
        transition(new State(Phase.STARTING, "Starting the control plane in " + options.dataDir() + "…", null));
        starter = Thread.ofPlatform().name("berth-embedded-control-plane").daemon(true).start(this::run);
    }

    private void run() {
        try {
            BerthServer s = new BerthServer(options, clock).start();
            synchronized (this) {
                server = s;
            }
            String url = "https://" + options.listenHost() + ":" + s.address().getPort();
            transition(new State(Phase.RUNNING, "Control plane running on " + url, s.adminKubeconfig()));
        } catch (DataDirInUseException e) {
            Path kubeconfig = options.dataDir().resolve("admin.kubeconfig");
            if (Files.isRegularFile(kubeconfig)) {
                transition(new State(Phase.ELSEWHERE, "Control plane of " + options.dataDir() + " runs in process "
                        + e.pid() + "; connected through its admin.kubeconfig", kubeconfig));
            } else {
                transition(new State(Phase.FAILED, e.getMessage() + "; it has written no admin.kubeconfig yet."
                        + " Stop it, or start the app with another --data-dir", null));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            transition(new State(Phase.STOPPED, "Control plane start interrupted", null));
        } catch (RuntimeException e) {
            LOG.warn("embedded control plane did not start", e);
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            if (why.contains("Address already in use") || (e.getCause() != null
                    && String.valueOf(e.getCause().getMessage()).contains("Address already in use"))) {
                why = "port " + options.listenPort() + " on " + options.listenHost()
                        + " is in use by another program; start the app with --listen 127.0.0.1:PORT";
            }
            transition(new State(Phase.FAILED, "Control plane failed to start: " + why, null));
        }
    }

    private void transition(State next) {
        state = next;
        for (Consumer<State> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("control plane state listener failed", e);
            }
        }
    }

    /** Stops the server if this process runs it; waits for a start in progress first. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = starter;
        }
        if (t != null) {
            try {
                t.join(java.time.Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        BerthServer s;
        synchronized (this) {
            s = server;
            server = null;
        }
        if (s != null) {
            transition(new State(Phase.STOPPING, "Stopping the control plane…", null));
            s.close();
        }
        transition(new State(Phase.STOPPED, "Control plane stopped", null));
    }
}
