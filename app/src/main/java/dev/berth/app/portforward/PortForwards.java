package dev.berth.app.portforward;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The port-forwards of one connection: started, listed, stopped; all stopped when the connection closes. */
public final class PortForwards implements AutoCloseable {
    private final Tunnels tunnels;
    private final List<PortForward> forwards = new CopyOnWriteArrayList<>();

    public PortForwards(Tunnels tunnels) {
        this.tunnels = tunnels;
    }

    /**
     * Starts forwarding 127.0.0.1:{@code localPort} (null or 0: a free port) to {@code target}.
     *
     * @throws IOException the local port cannot be had (the message says what to do)
     */
    public PortForward start(ForwardTarget target, Integer localPort) throws IOException {
        PortForward f = PortForward.start(target, tunnels, localPort == null ? 0 : localPort);
        forwards.add(f);
        return f;
    }

    /** Stops {@code f}; it stays in the list (stopped) until {@link #remove}d. */
    public void stop(PortForward f) {
        f.close();
    }

    public void remove(PortForward f) {
        f.close();
        forwards.remove(f);
    }

    public List<PortForward> list() {
        return List.copyOf(forwards);
    }

    /**
     * The local port typed in the dialog: empty means a free one (null); otherwise a number from 1
     * to 65535.
     */
    public static Integer parseLocalPort(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return null;
        }
        try {
            int p = Integer.parseInt(t);
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("local port: Invalid value: " + t + ": must be between 1 and 65535, or empty for a free port");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("local port: Invalid value: \"" + t + "\": must be a number between 1 and 65535, or empty for a free port");
        }
    }

    /** The remote port typed or chosen: a number from 1 to 65535. */
    public static int parseRemotePort(String text) {
        String t = text == null ? "" : text.strip();
        int space = t.indexOf(' ');
        if (space > 0) {
            t = t.substring(0, space);   // "8080 (http)"
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("port: Required value: the port to forward to");
        }
        try {
            int p = Integer.parseInt(t);
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port: Invalid value: " + t + ": must be between 1 and 65535");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port: Invalid value: \"" + t + "\": must be a number between 1 and 65535");
        }
    }

    @Override
    public void close() {
        forwards.forEach(PortForward::close);
    }
}
