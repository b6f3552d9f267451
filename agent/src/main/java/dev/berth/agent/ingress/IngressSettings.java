package dev.berth.agent.ingress;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the ingress proxy listens.
 *
 * @param address         the address both listeners bind (all addresses by default)
 * @param httpPort        plain HTTP port (80; 0 picks a free one, for tests)
 * @param httpsPort       HTTPS port (443; 0 picks a free one)
 * @param connectTimeout  how long a connection to an endpoint may take before the client gets 504
 * @param responseTimeout how long an endpoint may take to start its response once the request is
 *                        sent before the client gets 504
 * @param idleTimeout     how long a client connection may stay idle between requests
 */
public record IngressSettings(InetAddress address, int httpPort, int httpsPort, Duration connectTimeout,
                              Duration responseTimeout, Duration idleTimeout) {
    public static final int DEFAULT_HTTP_PORT = 80;
    public static final int DEFAULT_HTTPS_PORT = 443;

    public IngressSettings {
        Objects.requireNonNull(address, "address");
        requirePort("HTTP port", httpPort);
        requirePort("HTTPS port", httpsPort);
        if (httpPort != 0 && httpPort == httpsPort) {
            throw new IllegalArgumentException("ingress HTTP and HTTPS ports must differ, both are " + httpPort);
        }
        requirePositive("connect timeout", connectTimeout);
        requirePositive("response timeout", responseTimeout);
        requirePositive("idle timeout", idleTimeout);
    }

    /** Ports 80 and 443 on every address; 5 s to connect, 60 s to answer, 75 s idle (nginx's keepalive_timeout). */
    public static IngressSettings defaults() {
        return new IngressSettings(InetAddress.ofLiteral("0.0.0.0"), DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT,
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(75));
    }

    public IngressSettings withAddress(InetAddress v) {
        return new IngressSettings(v, httpPort, httpsPort, connectTimeout, responseTimeout, idleTimeout);
    }

    public IngressSettings withPorts(int http, int https) {
        return new IngressSettings(address, http, https, connectTimeout, responseTimeout, idleTimeout);
    }

    public IngressSettings withResponseTimeout(Duration v) {
        return new IngressSettings(address, httpPort, httpsPort, connectTimeout, v, idleTimeout);
    }

    private static void requirePort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("ingress " + what + " " + port + " must be between 0 and 65535");
        }
    }

    private static void requirePositive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("ingress " + what + " " + d + " must be positive");
    }
}
