package dev.berth.core.apiserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A tiny HTTP server with just enough discovery for the real kubectl, recording every request.
 * Tests plug in the answers they care about; anything else is a 404 Status.
 */
public final class KubectlStub implements AutoCloseable {
    /** One request kubectl made. */
    public record Request(String method, String path, String query, String contentType, String accept,
                          byte[] body) {
    }

    /** An answer: status code, content type and body. */
    public record Response(int code, String contentType, byte[] body) {
        public static Response json(int code, byte[] body) {
            return new Response(code, "application/json", body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Function<Request, Optional<Response>> handler;
    private final Path kubeconfig;
    private final Path cacheDir;

    public KubectlStub(Path dir, Function<Request, Optional<Response>> handler) throws IOException {
        this.handler = handler;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        kubeconfig = dir.resolve("kubeconfig");
        cacheDir = dir.resolve("cache");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: stub
                  cluster:
                    server: http://127.0.0.1:%d
                contexts:
                - name: stub
                  context:
                    cluster: stub
                    namespace: default
                    user: stub
                current-context: stub
                users:
                - name: stub
                  user: {}
                """.formatted(server.getAddress().getPort()));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private static final Map<String, String> DISCOVERY = Map.of(
            "/version", "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\",\"platform\":\"linux/amd64\"}",
            "/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}",
            "/apis", "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":\"apps\",\"versions\":"
                    + "[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],\"preferredVersion\":"
                    + "{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}]}",
            "/api/v1", "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
                    + resource("configmaps", "configmap", "ConfigMap", true) + ","
                    + resource("secrets", "secret", "Secret", true) + ","
                    + resource("pods", "pod", "Pod", true) + ","
                    + resource("services", "service", "Service", true) + ","
                    + resource("nodes", "node", "Node", false) + ","
                    + resource("namespaces", "namespace", "Namespace", false) + "]}",
            "/apis/apps/v1", "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"apps/v1\","
                    + "\"resources\":[" + resource("deployments", "deployment", "Deployment", true) + "]}");

    private void handle(HttpExchange exchange) throws IOException {
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Accept"), exchange.getRequestBody().readAllBytes());
        requests.add(request);
        Response response;
        try {
            response = handler.apply(request).orElseGet(() -> {
                String discovery = DISCOVERY.get(request.path());
                if (discovery != null) {
                    return Response.json(200, utf8(discovery));
                }
                return Response.json(404, utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                        + "\"status\":\"Failure\",\"message\":\"not found\",\"reason\":\"NotFound\",\"code\":404}"));
            });
        } catch (RuntimeException e) {
            response = Response.json(500, utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"" + e.getMessage().replace("\"", "'")
                    + "\",\"reason\":\"InternalError\",\"code\":500}"));
        }
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(response.code(), response.body().length);
        exchange.getResponseBody().write(response.body());
        exchange.close();
    }

    private static String resource(String name, String singular, String kind, boolean namespaced) {
        return "{\"name\":\"" + name + "\",\"singularName\":\"" + singular + "\",\"namespaced\":" + namespaced
                + ",\"kind\":\"" + kind + "\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\","
                + "\"watch\"]}";
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs kubectl against this server and returns its combined output; fails on a non-zero exit. */
    public String kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish: " + out);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " exited with " + p.exitValue()
                    + ": " + out);
        }
        return out;
    }

    public static boolean kubectlInstalled() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
