package dev.berth.agent.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One forwarded connection: a TCP connection to the pod's IP and port, its bytes relayed to the
 * client's data stream and back. Errors go to the client's error stream as kubelet words them.
 */
final class PortForwardConnection {
    private static final Logger LOG = LoggerFactory.getLogger(PortForwardConnection.class);
    private static final byte[] EOF = new byte[0];
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    /** The client side; called from worker threads, never an event loop. */
    interface Client {
        void data(byte[] bytes) throws IOException;

        /** Writes a message on the error stream. */
        void error(String message);

        /** The pod closed its side (or the connection failed): end the client's streams. */
        void done();
    }

    private final String podIp;
    private final int port;
    private final String podName;
    private final Client client;
    private final InboundBuffer toPod;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Socket socket;

    PortForwardConnection(String podIp, int port, String podName, Client client, io.netty.channel.Channel channel) {
        this.toPod = new InboundBuffer(channel);
        this.podIp = podIp;
        this.port = port;
        this.podName = podName;
        this.client = client;
    }

    void start() {
        Thread.ofVirtual().name("portforward-" + port).start(this::run);
    }

    private void run() {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(podIp, port), CONNECT_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(s);
            client.error("error forwarding port " + port + " to pod " + podName + ": dial tcp " + podIp + ":" + port
                    + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            client.done();
            return;
        }
        socket = s;
        if (closed.get()) {
            closeQuietly(s);
            return;
        }
        Thread.ofVirtual().name("portforward-in-" + port).start(() -> feed(s));
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = s.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (n > 0) {
                    client.data(java.util.Arrays.copyOf(buf, n));
                }
            }
        } catch (IOException e) {
            if (!closed.get()) {
                LOG.debug("port-forward to {}:{} ended: {}", podIp, port, e.toString());
            }
        }
        close();
        client.done();
    }

    private void feed(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            while (true) {
                byte[] b = toPod.take();
                if (b == EOF) {
                    if (!s.isClosed()) {
                        s.shutdownOutput();
                    }
                    return;
                }
                out.write(b);
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("writing to {}:{} failed: {}", podIp, port, e.toString());
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void fromClient(byte[] bytes) {
        if (bytes.length > 0) {
            toPod.add(bytes);
        }
    }

    /** The client half-closed its data stream: no more bytes for the pod. */
    void clientDone() {
        toPod.add(EOF);
    }

    /** The client went away: drop the connection. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            toPod.add(EOF);
            Socket s = socket;
            if (s != null) {
                closeQuietly(s);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
