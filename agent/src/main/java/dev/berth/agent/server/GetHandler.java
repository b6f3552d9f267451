package dev.berth.agent.server;

import java.util.List;
import java.util.Map;

/** A plain GET endpoint of the agent's HTTPS server (stats, metrics, health). */
@FunctionalInterface
public interface GetHandler {
    Response handle(String path, Map<String, List<String>> query) throws Exception;

    record Response(int status, String contentType, byte[] body) {
        public static Response json(byte[] body) {
            return new Response(200, "application/json", body);
        }

        public static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
