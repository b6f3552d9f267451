package dev.berth.core.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.core.api.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The kubelet Summary API of every hollow node of a process, on one loopback port:
 * {@code GET /stats/summary?node=NAME} answers for node NAME with the usage its pods' annotations
 * report (all of a pod's usage on its first container).
 */
final class SummaryServer implements AutoCloseable {
    private final HttpServer http;
    private final HollowNodes nodes;
    private final Clock clock;

    private SummaryServer(HttpServer http, HollowNodes nodes, Clock clock) {
        this.http = http;
        this.nodes = nodes;
        this.clock = clock;
    }

    static SummaryServer start(HollowNodes nodes, Clock clock) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        SummaryServer server = new SummaryServer(http, nodes, clock);
        http.createContext("/stats/summary", server::handle);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        return server;
    }

    String urlFor(String nodeName) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/stats/summary?node="
                + java.net.URLEncoder.encode(nodeName, StandardCharsets.UTF_8);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String node = query(ex.getRequestURI().getRawQuery()).get("node");
            ResourceUsage.Node usage = node == null ? null : nodes.usage().get(node);
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (usage == null) {
                byte[] body = ("no hollow node named " + node + " runs here\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            byte[] body = Json.bytes(summary(usage));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private ObjectNode summary(ResourceUsage.Node usage) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode node = root.putObject("node");
        node.put("nodeName", usage.nodeName());
        stats(node, usage.total(), now);
        ArrayNode pods = root.putArray("pods");
        usage.pods().forEach((key, u) -> {
            int slash = key.indexOf('/');
            ObjectNode pod = pods.addObject();
            ObjectNode ref = pod.putObject("podRef");
            ref.put("namespace", key.substring(0, slash));
            ref.put("name", key.substring(slash + 1));
            stats(pod, u, now);
            ArrayNode containers = pod.putArray("containers");
            List<String> names = nodes.containerNames(key);
            for (int i = 0; i < names.size(); i++) {
                ObjectNode c = containers.addObject();
                c.put("name", names.get(i));
                stats(c, i == 0 ? u : ResourceUsage.ZERO, now);
            }
        });
        return root;
    }

    private static void stats(ObjectNode into, ResourceUsage u, String now) {
        ObjectNode cpu = into.putObject("cpu");
        cpu.put("time", now);
        cpu.put("usageNanoCores", u.cpuMillis() * 1_000_000L);
        ObjectNode memory = into.putObject("memory");
        memory.put("time", now);
        memory.put("workingSetBytes", u.memoryBytes());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new java.util.HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
