package dev.berth.agent.prober;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Kubelet's probe messages are Go error strings ("dial tcp 10.42.0.5:8080: connect: connection
 * refused"); users search for them, so Java exceptions are worded the same way here.
 */
final class GoText {
    private GoText() {
    }

    /** {@code net.JoinHostPort}: brackets around IPv6 literals. */
    static String joinHostPort(String host, int port) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** The text of a failed {@code net.Dial("tcp", addr)}. */
    static String dialError(String hostPort, Throwable e) {
        Throwable cause = rootCause(e);
        if (cause instanceof UnknownHostException) {
            String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
            return "dial tcp: lookup " + host + ": no such host";
        }
        if (cause instanceof SocketTimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "dial tcp " + hostPort + ": i/o timeout";
        }
        if (cause instanceof NoRouteToHostException) {
            return "dial tcp " + hostPort + ": connect: no route to host";
        }
        if (cause instanceof PortUnreachableException) {
            return "dial tcp " + hostPort + ": connect: connection refused";
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof ConnectException) {
            // the JDK says "Connection refused", Netty "Connection refused: /127.0.0.1:8080"
            int colon = message.indexOf(": ");
            String errno = (colon < 0 ? message : message.substring(0, colon)).toLowerCase(java.util.Locale.ROOT);
            return "dial tcp " + hostPort + ": connect: " + errno;
        }
        return "dial tcp " + hostPort + ": " + message;
    }

    /** Go's {@code time.Duration.String()} for whole seconds: 1s, 1m30s, 1h0m0s. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
    }

    /** Go's {@code %q} of a string: double quotes, with quotes and backslashes escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
