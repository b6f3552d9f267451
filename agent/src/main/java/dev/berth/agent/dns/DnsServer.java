package dev.berth.agent.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A DNS server on one address and port, over UDP and TCP, every query on a virtual thread of its
 * own. It reads and writes the wire format with dnsjava and leaves the answers to a
 * {@link Handler}. UDP answers larger than the client's buffer (512 bytes, or its EDNS payload
 * size) are truncated with the TC flag, so the client asks again over TCP. Queries beyond
 * {@link #MAX_IN_FLIGHT} at once are dropped, as an overloaded resolver does; the client retries.
 */
public final class DnsServer implements AutoCloseable {
    /** Answers one query; never throws for a bad question, it answers it. */
    @FunctionalInterface
    public interface Handler {
        Message handle(Message query, boolean tcp);
    }

    /** Queries handled at once, over UDP and TCP together. */
    public static final int MAX_IN_FLIGHT = 1024;
    /** How long a TCP connection may stay idle between queries. */
    public static final Duration TCP_IDLE = Duration.ofSeconds(10);
    /** The largest UDP answer given to an EDNS client, whatever buffer it offers. */
    public static final int MAX_UDP = 4096;

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Handler handler;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread udpLoop;
    private final Thread tcpLoop;
    private volatile boolean closed;

    private DnsServer(DatagramSocket udp, ServerSocket tcp, Handler handler, String name) {
        this.udp = udp;
        this.tcp = tcp;
        this.handler = handler;
        this.udpLoop = Thread.ofVirtual().name(name + "-udp").start(this::serveUdp);
        this.tcpLoop = Thread.ofVirtual().name(name + "-tcp").start(this::serveTcp);
    }

    /**
     * Listens on {@code address:port} over UDP and TCP; port 0 picks one that is free for both.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static DnsServer start(InetAddress address, int port, Handler handler, String name) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? 20 : 1); attempt++) {
            DatagramSocket udp = null;
            try {
                udp = new DatagramSocket(null);
                udp.bind(new InetSocketAddress(address, port));
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.setReuseAddress(true);
                    tcp.bind(new InetSocketAddress(address, udp.getLocalPort()), 128);
                } catch (IOException e) {
                    tcp.close();
                    throw e;
                }
                return new DnsServer(udp, tcp, handler, name);
            } catch (IOException e) {
                if (udp != null) udp.close();
                last = e;
            }
        }
        String where = (address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress())
                + ":" + port;
        BindException failure = new BindException("cannot listen on " + where + " (UDP and TCP): " + last.getMessage());
        failure.initCause(last);
        throw failure;
    }

    /** The address and port it listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) udp.getLocalSocketAddress();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (!closed) log.warn("DNS server {}: receiving over UDP failed: {}", address(), e.toString());
                continue;
            }
            byte[] data = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
            InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
            if (!inFlight.tryAcquire()) {
                log.debug("DNS server {}: {} queries in flight, dropping one from {}", address(), MAX_IN_FLIGHT, client);
                continue;
            }
            Thread.ofVirtual().start(() -> {
                try {
                    byte[] answer = answer(data, false);
                    if (answer != null) udp.send(new DatagramPacket(answer, answer.length, client));
                } catch (IOException e) {
                    if (!closed) log.debug("DNS server {}: cannot answer {} over UDP: {}", address(), client, e.toString());
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private void serveTcp() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (!closed) log.warn("DNS server {}: accepting over TCP failed: {}", address(), e.toString());
                continue;
            }
            connections.add(socket);
            Thread.ofVirtual().start(() -> serveConnection(socket));
        }
    }

    private void serveConnection(Socket socket) {
        try (socket) {
            socket.setSoTimeout((int) TCP_IDLE.toMillis());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (!closed) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return;
                }
                byte[] data = in.readNBytes(length);
                if (data.length < length) return;
                inFlight.acquire();
                byte[] answer;
                try {
                    answer = answer(data, true);
                } finally {
                    inFlight.release();
                }
                if (answer == null) return;
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SocketException e) {
            // closed by the client or by close()
        } catch (IOException e) {
            if (!closed) log.debug("DNS server {}: TCP connection from {} failed: {}", address(), socket.getRemoteSocketAddress(), e.toString());
        } finally {
            connections.remove(socket);
        }
    }

    /** The wire answer to a wire query; null when it is not worth one (too short to carry an ID, or itself a response). */
    byte[] answer(byte[] data, boolean tcp) {
        Message query;
        try {
            query = new Message(data);
        } catch (IOException e) {
            return formatError(data);
        }
        if (query.getHeader().getFlag(Flags.QR)) return null;
        Message response;
        try {
            response = handler.handle(query, tcp);
        } catch (RuntimeException e) {
            log.warn("DNS server {}: answering {} failed", address(), query.getQuestion(), e);
            response = failure(query, Rcode.SERVFAIL);
        }
        if (tcp) return response.toWire(65535);
        OPTRecord opt = query.getOPT();
        int limit = opt == null ? 512 : Math.max(512, Math.min(opt.getPayloadSize(), MAX_UDP));
        return response.toWire(limit);
    }

    /** An answer with {@code rcode} and nothing else, echoing the question. */
    static Message failure(Message query, int rcode) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
        response.getHeader().setFlag(Flags.RA);
        response.getHeader().setOpcode(query.getHeader().getOpcode());
        response.getHeader().setRcode(rcode);
        if (query.getQuestion() != null) response.addRecord(query.getQuestion(), org.xbill.DNS.Section.QUESTION);
        return response;
    }

    private static byte[] formatError(byte[] data) {
        if (data.length < Header.LENGTH) return null;
        try {
            Header h = new Header(Arrays.copyOf(data, Header.LENGTH));
            if (h.getFlag(Flags.QR)) return null;
            Message response = new Message(h.getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setOpcode(h.getOpcode());
            response.getHeader().setRcode(Rcode.FORMERR);
            return response.toWire();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        udpLoop.interrupt();
        tcpLoop.interrupt();
    }
}
