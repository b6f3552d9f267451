package dev.berth.core.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringEncoder;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@code pods/log}, {@code pods/exec}, {@code pods/attach} and {@code pods/portforward}, already
 * authorized: the request goes to the agent of the pod's node under kubelet's path, and for
 * upgrades the connection is passed through byte for byte after the agent's 101.
 */
public final class PodStreamProxy {
    static final java.time.Duration DIAL_TIMEOUT = java.time.Duration.ofSeconds(10);
    static final long ANSWER_TIMEOUT_SECONDS = 30;
    private static final Set<String> DROPPED_HEADERS = Set.of("authorization", "host", "content-length",
            "transfer-encoding", "cookie", "proxy-authorization");

    private final NodeDialer dialer;
    private final Function<String, JsonNode> nodes;

    /**
     * @param dialer how nodes are reached
     * @param nodes  the Node object (JSON) by name; throws {@link ApiException} 404 when absent
     */
    public PodStreamProxy(NodeDialer dialer, Function<String, JsonNode> nodes) {
        this.dialer = dialer;
        this.nodes = nodes;
    }

    public ApiResponse handle(ApiRequest req, String subresource, JsonNode pod) {
        String ns = pod.path("metadata").path("namespace").asText();
        String name = pod.path("metadata").path("name").asText();
        String path;
        QueryStringEncoder query;
        boolean upgrade = req.header("Upgrade") != null;
        switch (subresource) {
            case "log" -> {
                if (!req.method().equals("GET")) {
                    throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
                }
                String container = container(req, pod, name);
                path = "/containerLogs/" + ns + "/" + name + "/" + container;
                query = new QueryStringEncoder(path);
                for (String p : List.of("follow", "previous", "sinceSeconds", "sinceTime", "timestamps", "tailLines", "limitBytes")) {
                    List<String> v = req.query().get(p);
                    if (v != null && !v.isEmpty()) {
                        query.addParam(p, v.getFirst());
                    }
                }
            }
            case "exec", "attach" -> {
                requireUpgrade(req, upgrade);
                String container = container(req, pod, name);
                String phase = pod.path("status").path("phase").asText("");
                if (phase.equals("Succeeded") || phase.equals("Failed")) {
                    throw ApiException.badRequest("cannot " + (subresource.equals("exec") ? "exec into" : "attach to")
                            + " a container in a completed pod; current phase is " + phase);
                }
                path = "/" + subresource + "/" + ns + "/" + name + "/" + container;
                query = new QueryStringEncoder(path);
                if (subresource.equals("exec")) {
                    List<String> command = req.query().getOrDefault("command", List.of());
                    if (command.isEmpty()) {
                        throw ApiException.badRequest("you must specify at least one command for the container");
                    }
                    command.forEach(c -> query.addParam("command", c));
                }
                boolean tty = req.flag("tty");
                if (req.flag("stdin")) query.addParam("input", "1");
                if (req.flag("stdout")) query.addParam("output", "1");
                if (req.flag("stderr") && !tty) query.addParam("error", "1");
                if (tty) query.addParam("tty", "1");
            }
            case "portforward" -> {
                requireUpgrade(req, upgrade);
                path = "/portForward/" + ns + "/" + name;
                query = new QueryStringEncoder(path);
                for (String p : req.query().getOrDefault("ports", List.of())) {
                    query.addParam("ports", p);
                }
            }
            default -> throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        String nodeName = pod.path("spec").path("nodeName").asText("");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + name + " does not have a host assigned");
        }
        JsonNode node;
        try {
            node = nodes.apply(nodeName);
        } catch (ApiException e) {
            throw backend("pod " + ns + "/" + name + ": its node " + nodeName + " is not found");
        }
        NodeDialer.Dialed dialed;
        try {
            dialed = dialer.dial(node, DIAL_TIMEOUT);
        } catch (NodeDialer.NoEndpointException e) {
            throw new ApiException(503, "ServiceUnavailable",
                    "pod " + name + ": " + subresource + " needs a node agent, and no node serves this pod (" + e.getMessage() + ")");
        } catch (NodeDialer.DialException e) {
            throw backend("pod " + ns + "/" + name + ": " + e.getMessage());
        }
        FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(req.method()),
                query.toString(), Unpooled.wrappedBuffer(req.body()));
        for (Map.Entry<String, String> h : req.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!DROPPED_HEADERS.contains(lower) && !lower.startsWith("impersonate-")) {
                out.headers().add(h.getKey(), h.getValue());
            }
        }
        out.headers().set(HttpHeaderNames.HOST, dialed.authority());
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, req.body().length);
        if (!upgrade) {
            out.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        Backend backend = new Backend(dialed.channel());
        String where = "pod " + ns + "/" + name + " on node " + nodeName + " at " + dialed.authority();
        HttpResponse head;
        try {
            head = backend.send(out).get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            backend.close();
            throw backend(where + ": the node agent did not answer in " + ANSWER_TIMEOUT_SECONDS + "s");
        } catch (ExecutionException e) {
            backend.close();
            throw backend(where + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backend.close();
            throw backend(where + ": interrupted");
        }
        int status = head.status().code();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : head.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!lower.equals("content-length") && !lower.equals("transfer-encoding") && !lower.equals("content-type")) {
                headers.put(h.getKey(), h.getValue());
            }
        }
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (status == 101) {
            return new ApiResponse.Upgraded(101, headers, backend);
        }
        if (status != 200) {
            // errors are small: answer them whole
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                for (byte[] chunk; (chunk = backend.next()) != null && body.size() < 1 << 20; ) {
                    body.write(chunk);
                }
            } catch (Exception e) {
                // answer what arrived
            } finally {
                backend.close();
            }
            ApiResponse.Full full = new ApiResponse.Full(status, contentType, body.toByteArray(), new LinkedHashMap<>());
            return full;
        }
        return new ApiResponse.Streaming(200, contentType, headers, stream -> {
            stream.onClose(backend::close);
            try {
                for (byte[] chunk; (chunk = backend.next()) != null; ) {
                    stream.write(chunk);
                }
            } finally {
                backend.close();
            }
        });
    }

    private static void requireUpgrade(ApiRequest req, boolean upgrade) {
        if (!upgrade) {
            throw ApiException.badRequest("Upgrade request required");
        }
        if (!req.method().equals("GET") && !req.method().equals("POST")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    private static ApiException backend(String message) {
        return new ApiException(500, "InternalError", "error dialing backend: " + message);
    }

    /** The {@code container} parameter, else the pod's only or default container, as the API server picks it. */
    static String container(ApiRequest req, JsonNode pod, String podName) {
        List<String> containers = names(pod.path("spec").path("containers"));
        List<String> init = names(pod.path("spec").path("initContainers"));
        List<String> ephemeral = names(pod.path("spec").path("ephemeralContainers"));
        String container = req.param("container");
        if (container == null || container.isEmpty()) {
            String annotated = pod.path("metadata").path("annotations").path("kubectl.kubernetes.io/default-container").asText("");
            if (!annotated.isEmpty() && containers.contains(annotated)) {
                return annotated;
            }
            if (containers.size() == 1) {
                return containers.getFirst();
            }
            StringBuilder m = new StringBuilder("a container name must be specified for pod " + podName
                    + ", choose one of: " + containers);
            if (!init.isEmpty()) {
                m.append(" or one of the init containers: ").append(init);
            }
            throw ApiException.badRequest(m.toString());
        }
        if (!containers.contains(container) && !init.contains(container) && !ephemeral.contains(container)) {
            throw ApiException.badRequest("container " + container + " is not valid for pod " + podName);
        }
        return container;
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : list) {
            names.add(c.path("name").asText());
        }
        return names;
    }
}
