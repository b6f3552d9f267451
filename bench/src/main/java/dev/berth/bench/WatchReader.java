package dev.berth.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One watch connection of {@link ApiBench}: a plain HTTP/1.1 GET over its own TLS socket, read by
 * one blocking (virtual) thread. Each event line is stamped with {@link System#nanoTime()} as soon
 * as it is complete; the object's name {@code PREFIX<index>} picks the slot in {@link #arrivals}.
 */
final class WatchReader implements AutoCloseable {
    private static final byte[] NAME_FIELD = "\"name\":\"".getBytes(StandardCharsets.US_ASCII);

    private final SSLSocket socket;
    private final InputStream in;
    private final byte[] namePrefix;
    /** nanoTime of receipt per object index, 0 when not (yet) received. */
    final long[] arrivals;
    volatile long received;
    volatile long errors;
    volatile String failure;

    private WatchReader(SSLSocket socket, InputStream in, String namePrefix, int capacity) {
        this.socket = socket;
        this.in = in;
        this.namePrefix = namePrefix.getBytes(StandardCharsets.US_ASCII);
        this.arrivals = new long[capacity];
    }

    /** Connects and sends the request; returns once the response headers (status 200) are read. */
    static WatchReader open(SSLContext ssl, int port, String pathAndQuery, String token, String namePrefix, int capacity)
            throws IOException {
        SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        String status = readLine(in);
        boolean chunked = false;
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            if (header.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding:") && header.contains("chunked")) {
                chunked = true;
            }
        }
        if (!status.contains(" 200 ") || !chunked) {
            socket.close();
            throw new IOException("watch " + pathAndQuery + " answered \"" + status + "\" (chunked: " + chunked + ")");
        }
        return new WatchReader(socket, in, namePrefix, capacity);
    }

    /** Reads events until the connection closes; run on its own virtual thread. */
    void readEvents() {
        byte[] line = new byte[64 * 1024];
        byte[] chunk = new byte[16 * 1024];
        int length = 0;
        try {
            while (true) {
                int size = Integer.parseInt(readLine(in).trim().split(";", 2)[0], 16);
                if (size == 0) return;
                if (chunk.length < size) chunk = new byte[Math.max(size, chunk.length * 2)];
                if (in.readNBytes(chunk, 0, size) < size) return;
                long now = System.nanoTime(); // the chunk is here: every line completed in it arrived now
                int from = 0;
                for (int i = 0; i < size; i++) {
                    if (chunk[i] != '\n') continue;
                    int part = i - from;
                    if (length + part > line.length) line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, length + part));
                    System.arraycopy(chunk, from, line, length, part);
                    event(line, length + part, now);
                    length = 0;
                    from = i + 1;
                }
                int rest = size - from;
                if (length + rest > line.length) line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, length + rest));
                System.arraycopy(chunk, from, line, length, rest);
                length += rest;
                readLine(in); // CRLF after the chunk
            }
        } catch (IOException | RuntimeException e) {
            if (!socket.isClosed()) failure = e.toString();
        }
    }

    private void event(byte[] line, int length, long now) {
        int at = indexOf(line, length, NAME_FIELD, 0);
        while (at >= 0) {
            int start = at + NAME_FIELD.length;
            if (startsWith(line, length, start, namePrefix)) {
                int index = 0;
                for (int i = start + namePrefix.length; i < length && line[i] >= '0' && line[i] <= '9'; i++) {
                    index = index * 10 + (line[i] - '0');
                }
                if (index < arrivals.length && arrivals[index] == 0) {
                    arrivals[index] = now;
                    received++;
                }
                return;
            }
            at = indexOf(line, length, NAME_FIELD, start);
        }
        errors++; // not one of ours: an ERROR or another event
    }

    private static boolean startsWith(byte[] data, int length, int from, byte[] prefix) {
        if (from + prefix.length > length) return false;
        for (int i = 0; i < prefix.length; i++) if (data[from + i] != prefix[i]) return false;
        return true;
    }

    private static int indexOf(byte[] data, int length, byte[] needle, int from) {
        outer:
        for (int i = from; i <= length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (data[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("connection closed");
            if (b != '\r') s.append((char) b);
        }
        return s.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
