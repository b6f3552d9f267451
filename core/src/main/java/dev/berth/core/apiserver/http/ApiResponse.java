package dev.berth.core.apiserver.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response: either a whole body, or a stream written by the handler as events come. */
public sealed interface ApiResponse {

    int status();

    Map<String, String> headers();

    /** A complete response. */
    record Full(int status, String contentType, byte[] body, Map<String, String> headers) implements ApiResponse {
        public static Full json(int status, byte[] body) {
            return new Full(status, "application/json", body, new LinkedHashMap<>());
        }

        public static Full text(int status, String body) {
            return new Full(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), new LinkedHashMap<>());
        }

        public Full header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    /**
     * A streamed response (watch, follow logs): headers go out first, then the producer writes
     * chunks until it returns or the client goes away. Over a WebSocket each chunk is one frame.
     */
    record Streaming(int status, String contentType, Map<String, String> headers, StreamProducer producer)
            implements ApiResponse {}

    /**
     * A backend accepted an upgrade (exec, attach, port-forward on a node agent): the client gets
     * {@code status} (101) with these headers, then {@link Tunnel#splice} relays raw bytes both
     * ways. The protocol after the upgrade is the backend's business.
     */
    record Upgraded(int status, Map<String, String> headers, Tunnel tunnel) implements ApiResponse {}

    /** The backend side of an {@link Upgraded} response. */
    interface Tunnel {
        /** Called on the client channel's event loop once the 101 is written and HTTP handling removed. */
        void splice(io.netty.channel.Channel client);

        /** The client went away before the splice. */
        void abort();
    }

    interface StreamProducer {
        void produce(ResponseStream out) throws Exception;
    }

    /** Where a streaming handler writes. */
    interface ResponseStream {
        /** Writes one chunk (one WebSocket text frame); blocks while the client is slow. */
        void write(byte[] chunk) throws java.io.IOException;

        /** True once the client has gone away. */
        boolean isClosed();

        /** Runs when the client goes away. */
        void onClose(Runnable r);
    }
}
