package dev.berth.core.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.apiserver.http.ApiResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The {@code nodes/NAME/proxy/PATH} subresource, already authorized: the request goes to
 * {@code PATH} on the node's agent with its body streamed as it arrives (an image upload can be
 * gigabytes), and the agent's answer, whatever its status, is streamed back.
 */
public final class NodeProxy {
    /** How long the agent may take to answer once the whole body is sent (loading a big image takes a while). */
    static final long ANSWER_TIMEOUT_SECONDS = 600;
    private static final Pattern STREAMED = Pattern.compile("/api/v1/nodes/[^/]+/proxy(/.*)?");
    private static final Set<String> DROPPED_HEADERS = Set.of("authorization", "host", "connection", "keep-alive",
            "upgrade", "te", "trailer", "cookie", "proxy-authorization", "expect");
    private static final Set<String> DROPPED_ANSWER_HEADERS = Set.of("content-length", "transfer-encoding",
            "content-type", "connection", "keep-alive");

    private final NodeDialer dialer;

    public NodeProxy(NodeDialer dialer) {
        this.dialer = dialer;
    }

    /** Whether the API server should stream, rather than aggregate, the body of this request. */
    public static boolean streamsBody(String method, String uri) {
        return !method.equals("GET") && !method.equals("HEAD")
                && STREAMED.matcher(new QueryStringDecoder(uri).path()).matches();
    }

    public ApiResponse handle(ApiRequest req, JsonNode node) {
        String name = node.path("metadata").path("name").asText();
        String prefix = "/api/v1/nodes/" + name + "/proxy";
        String path = req.path().startsWith(prefix) ? req.path().substring(prefix.length()) : "";
        if (path.isEmpty()) {
            path = "/";
        }
        if (req.header("Upgrade") != null) {
            throw ApiException.badRequest("nodes/" + name + "/proxy does not pass on upgrades (Upgrade: "
                    + req.header("Upgrade") + "); use pods/exec, pods/attach or pods/portforward");
        }
        QueryStringEncoder query = new QueryStringEncoder(path);
        for (Map.Entry<String, List<String>> p : req.query().entrySet()) {
            p.getValue().forEach(v -> query.addParam(p.getKey(), v));
        }
        NodeDialer.Dialed dialed;
        try {
            dialed = dialer.dial(node, PodStreamProxy.DIAL_TIMEOUT);
        } catch (NodeDialer.NoEndpointException e) {
            throw new ApiException(503, "ServiceUnavailable", "node " + name + ": proxy needs a node agent ("
                    + e.getMessage() + ")");
        } catch (NodeDialer.DialException e) {
            throw backend("node " + name + ": " + e.getMessage());
        }
        DefaultHttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(req.method()),
                query.toString());
        for (Map.Entry<String, String> h : req.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!DROPPED_HEADERS.contains(lower) && !lower.startsWith("impersonate-")
                    && !lower.equals("content-length") && !lower.equals("transfer-encoding")) {
                out.headers().add(h.getKey(), h.getValue());
            }
        }
        out.headers().set(HttpHeaderNames.HOST, dialed.authority());
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        String length = req.header("Content-Length");
        if (req.bodyStreamed() && length == null) {
            out.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
            out.headers().set(HttpHeaderNames.CONTENT_LENGTH, req.bodyStreamed() ? length : String.valueOf(req.body().length));
        }
        Backend backend = new Backend(dialed.channel());
        String where = "node " + name + " at " + dialed.authority();
        HttpResponse head;
        try (InputStream body = req.bodyStream()) {
            head = backend.send(out, body).get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            backend.close();
            throw backend(where + ": the node agent did not answer in " + ANSWER_TIMEOUT_SECONDS + "s");
        } catch (ExecutionException e) {
            backend.close();
            throw backend(where + ": " + e.getCause().getMessage());
        } catch (IOException e) {
            backend.close();
            throw backend(where + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backend.close();
            throw backend(where + ": interrupted");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : head.headers()) {
            if (!DROPPED_ANSWER_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                headers.put(h.getKey(), h.getValue());
            }
        }
        String contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return new ApiResponse.Streaming(head.status().code(), contentType, headers, stream -> {
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

    private static ApiException backend(String message) {
        return new ApiException(500, "InternalError", "error dialing backend: " + message);
    }
}
