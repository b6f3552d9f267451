package dev.berth.core.apiserver.openapi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Serves the OpenAPI documents with a stub discovery to the real kubectl: explain must find the
 * schemas, and apply must leave validation to the server (fieldValidation=Strict).
 */
class OpenApiKubectlIT {
    private static final OpenApiV3 OPENAPI = OpenApiV3.build(BuiltinKinds.all());

    @TempDir
    Path dir;
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        Files.writeString(dir.resolve("kubeconfig"), """
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
                    user: stub
                current-context: stub
                users:
                - name: stub
                  user: {}
                """.formatted(server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        String method = exchange.getRequestMethod();
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        requests.add(method + " " + path + (query == null ? "" : "?" + query));
        int code = 200;
        byte[] body;
        Optional<byte[]> doc = path.startsWith("/openapi/v3/") ? OPENAPI.document(path.substring("/openapi/v3/".length()))
                : Optional.empty();
        if (path.equals("/openapi/v3")) {
            body = OPENAPI.index();
        } else if (doc.isPresent()) {
            body = doc.get();
        } else if (path.equals("/version")) {
            body = utf8("{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\",\"platform\":\"linux/amd64\"}");
        } else if (path.equals("/api")) {
            body = utf8("{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}");
        } else if (path.equals("/apis")) {
            body = utf8("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{\"name\":\"apps\",\"versions\":"
                    + "[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],\"preferredVersion\":"
                    + "{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}]}");
        } else if (path.equals("/api/v1")) {
            body = utf8("{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
                    + resource("configmaps", "configmap", "ConfigMap", true) + ","
                    + resource("namespaces", "namespace", "Namespace", false) + "]}");
        } else if (path.equals("/apis/apps/v1")) {
            body = utf8("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"apps/v1\",\"resources\":["
                    + resource("deployments", "deployment", "Deployment", true) + "]}");
        } else if (method.equals("POST")) {
            code = 201;
            body = requestBody;
        } else {
            code = 404;
            body = utf8("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                    + "\"message\":\"not found\",\"reason\":\"NotFound\",\"code\":404}");
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String resource(String name, String singular, String kind, boolean namespaced) {
        return "{\"name\":\"" + name + "\",\"singularName\":\"" + singular + "\",\"namespaced\":" + namespaced
                + ",\"kind\":\"" + kind + "\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\","
                + "\"watch\"]}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String kubectl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig",
                dir.resolve("kubeconfig").toString(), "--cache-dir", dir.resolve("cache").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static boolean kubectlInstalled() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void kubectlExplainFindsFieldsAndTheirTypes() throws Exception {
        assumeTrue(kubectlInstalled(), "kubectl is not installed");
        String out = kubectl("explain", "deployment.spec.replicas");
        assertThat(out).contains("GROUP:      apps", "KIND:       Deployment", "VERSION:    v1",
                "FIELD: replicas <integer>");
        String strategy = kubectl("explain", "deployment.spec.strategy.rollingUpdate");
        assertThat(strategy).contains("maxSurge", "<IntOrString>");
    }

    @Test
    void kubectlApplyLeavesValidationToTheServer() throws Exception {
        assumeTrue(kubectlInstalled(), "kubectl is not installed");
        Path manifest = dir.resolve("deploy.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: default
                spec:
                  replicas: 2
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: web
                        image: nginx
                """);
        kubectl("apply", "-f", manifest.toString());
        assertThat(requests).anySatisfy(r -> assertThat(r)
                .startsWith("POST /apis/apps/v1/namespaces/default/deployments?")
                .contains("fieldValidation=Strict"));
    }
}
