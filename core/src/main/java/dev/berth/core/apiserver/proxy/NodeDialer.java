package dev.berth.core.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.Channel;

import java.time.Duration;

/**
 * How the API server reaches a node's agent. The default ({@link TlsNodeDialer}) opens TLS to the
 * node's address and kubelet port; a tunnelled node can be reached the same way by another dialer.
 */
public interface NodeDialer extends AutoCloseable {
    /**
     * Connects to the agent of {@code node} (the Node object as JSON).
     *
     * @return an active channel whose pipeline holds only the transport (TLS handshake done), and the
     *     authority to send as {@code Host}
     * @throws NoEndpointException when the node names no endpoint to reach its agent at
     * @throws DialException when the agent does not answer
     */
    Dialed dial(JsonNode node, Duration timeout);

    record Dialed(Channel channel, String authority) {}

    @Override
    default void close() {
    }

    /** The agent could not be reached; the message names the node and the address. */
    class DialException extends RuntimeException {
        public DialException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The node has no agent endpoint (for example a simulated node, or one not yet registered). */
    class NoEndpointException extends DialException {
        public NoEndpointException(String message) {
            super(message, null);
        }
    }
}
