package dev.berth.app.portforward;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One port-forward: a listener on 127.0.0.1 only, each accepted connection tunnelled to the
 * target through {@link Tunnels}, with its bytes and connections counted. Counters and status are
 * safe to read from any thread.
 */
public final class PortForward implements AutoCloseable {
    /** Where the forward is. */
    public enum Status { LISTENING, STOPPED, FAILED }

    private final ForwardTarget target;
    private final Tunnels tunnels;
    private final ServerSocket server;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final Set<Runnable> open = ConcurrentHashMap.newKeySet();
    private volatile Status status = Status.LISTENING;
    private volatile String lastError = "";

    private PortForward(ForwardTarget target, Tunnels tunnels, ServerSocket server) {
        this.target = target;
        this.tunnels = tunnels;
        this.server = server;
    }

    /**
     * Listens on 127.0.0.1:{@code localPort} (0: a free port) and starts accepting.
     *
     * @throws IOException naming the port and what to do when it cannot be had
     */
    static PortForward start(ForwardTarget target, Tunnels tunnels, int localPort) throws IOException {
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("local port: Invalid value: " + localPort + ": must be between 1 and 65535, or empty for a free port");
        }
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), localPort), 50);
        } catch (java.net.BindException e) {
            s.close();
            throw new IOException("local port " + localPort + " on 127.0.0.1 cannot be used (" + e.getMessage()
                    + "): choose another, or leave it empty for a free one", e);
        }
        PortForward f = new PortForward(target, tunnels, s);
        Thread.ofVirtual().name("port-forward-" + s.getLocalPort()).start(f::accept);
        return f;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (status == Status.LISTENING && !server.isClosed()) {
                    status = Status.FAILED;
                    lastError = e.getMessage();
                }
                return;
            }
            Thread.ofVirtual().start(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        total.incrementAndGet();
        active.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        Closeable[] tunnel = new Closeable[1];
        Runnable[] self = new Runnable[1];
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                active.decrementAndGet();
                open.remove(self[0]);
                closeQuietly(socket);
                Closeable t;
                synchronized (tunnel) {
                    t = tunnel[0];
                }
                if (t != null) {
                    closeQuietly(t);
                }
            }
        };
        self[0] = end;
        open.add(end);
        if (status != Status.LISTENING) {
            end.run();
            return;
        }
        try {
            // the local client closing its side ends the stream, as kubectl port-forward does
            ReadableByteChannel in = Channels.newChannel(new CountingInput(socket.getInputStream(),
                    () -> Thread.ofVirtual().start(end)));
            WritableByteChannel out = new CountingOutput(Channels.newChannel(socket.getOutputStream()), end);
            Closeable t = tunnels.open(target, in, out);
            synchronized (tunnel) {
                tunnel[0] = t;
            }
            if (ended.get()) {
                closeQuietly(t);
            }
        } catch (IOException | RuntimeException e) {
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            end.run();
        }
    }

    public ForwardTarget target() {
        return target;
    }

    /** The local port listened on. */
    public int localPort() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT/}, what "Open in browser" opens. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + localPort() + "/");
    }

    public Status status() {
        return status;
    }

    /** The last connection's failure (the target cannot be reached, ...), or empty. */
    public String lastError() {
        return lastError;
    }

    /** Bytes sent to the target. */
    public long bytesSent() {
        return sent.get();
    }

    /** Bytes received from the target. */
    public long bytesReceived() {
        return received.get();
    }

    public long activeConnections() {
        return active.get();
    }

    public long totalConnections() {
        return total.get();
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        if (status == Status.LISTENING) {
            status = Status.STOPPED;
        }
        closeQuietly(server);
        for (Runnable end : List.copyOf(open)) {
            end.run();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }

    /** Counts what the local client sends. */
    private final class CountingInput extends java.io.FilterInputStream {
        private final Runnable atEnd;

        CountingInput(InputStream in, Runnable atEnd) {
            super(in);
            this.atEnd = atEnd;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (java.net.SocketException e) {
                n = -1;   // closed from our side: the stream ends
            }
            if (n > 0) {
                sent.addAndGet(n);
            } else if (n < 0) {
                atEnd.run();
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                sent.incrementAndGet();
            } else {
                atEnd.run();
            }
            return c;
        }
    }

    /** Counts what comes back and ends the connection when the tunnel closes it. */
    private final class CountingOutput implements WritableByteChannel {
        private final WritableByteChannel out;
        private final Runnable onClose;

        CountingOutput(WritableByteChannel out, Runnable onClose) {
            this.out = out;
            this.onClose = onClose;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            received.addAndGet(n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            onClose.run();
        }
    }
}
