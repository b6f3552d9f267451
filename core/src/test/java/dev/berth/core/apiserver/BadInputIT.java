package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets a Status with the right code and a message that says what is wrong; the server keeps serving. */
class BadInputIT {
    @TempDir
    static Path dir;
    static TestApiServer server;
    static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode status(HttpResponse<String> r, int code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        JsonNode s = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(s.path("kind").asText()).isEqualTo("Status");
        assertThat(s.path("code").asInt()).isEqualTo(code);
        return s;
    }

    @Test
    void requestWithoutCredentialsIsUnauthorized() throws Exception {
        java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().sslContext(trusted()).build();
        HttpResponse<String> noToken = c.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/api/v1/namespaces")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status(noToken, 401).path("reason").asText()).isEqualTo("Unauthorized");
        HttpResponse<String> wrongToken = c.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/api/v1/namespaces")).header("Authorization", "Bearer nope").build(),
                HttpResponse.BodyHandlers.ofString());
        status(wrongToken, 401);
    }

    static javax.net.ssl.SSLContext trusted() {
        return server.sslContext();
    }

    @Test
    void malformedJsonIsABadRequest() throws Exception {
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\": {"), 400);
        assertThat(s.path("message").asText()).contains("error decoding JSON");
    }

    @Test
    void malformedYamlIsABadRequest() throws Exception {
        status(http.send("POST", "/api/v1/namespaces/default/configmaps", "application/yaml",
                "metadata: [unclosed".getBytes()), 400);
    }

    @Test
    void wrongTypeOfFieldIsABadRequestNamingTheField() throws Exception {
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/default/configmaps",
                "{\"metadata\":{\"name\":\"x\"},\"data\":[1,2]}"), 400);
        assertThat(s.path("message").asText()).contains("data");
    }

    @Test
    void bodyOverThreeMebibytesIsTooLarge() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) 'a');
        status(http.send("POST", "/api/v1/namespaces/default/configmaps", "application/json", big), 413);
        // and the server still serves
        assertThat(http.get("/api/v1/namespaces").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownResourceIsNotFound() throws Exception {
        status(http.get("/api/v1/namespaces/default/frobnicators"), 404);
        status(http.get("/apis/nosuch.example.com/v1/things"), 404);
    }

    @Test
    void missingObjectIsNotFoundWithKubernetesMessage() throws Exception {
        JsonNode s = status(http.get("/apis/apps/v1/namespaces/default/deployments/web"), 404);
        assertThat(s.path("message").asText()).isEqualTo("deployments.apps \"web\" not found");
        assertThat(s.path("details").path("name").asText()).isEqualTo("web");
    }

    @Test
    void duplicateCreateIsAlreadyExists() throws Exception {
        String cm = "{\"metadata\":{\"name\":\"dup\"}}";
        assertThat(http.send("POST", "/api/v1/namespaces/default/configmaps", cm).statusCode()).isEqualTo(201);
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/default/configmaps", cm), 409);
        assertThat(s.path("reason").asText()).isEqualTo("AlreadyExists");
        assertThat(s.path("message").asText()).isEqualTo("configmaps \"dup\" already exists");
    }

    @Test
    void createInMissingNamespaceIsNotFound() throws Exception {
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/nope/configmaps", "{\"metadata\":{\"name\":\"a\"}}"), 404);
        assertThat(s.path("message").asText()).isEqualTo("namespaces \"nope\" not found");
    }

    @Test
    void mismatchedKindIsABadRequest() throws Exception {
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/default/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"a\"}}"), 400);
        assertThat(s.path("message").asText()).contains("kind", "Secret", "ConfigMap");
    }

    @Test
    void unknownFieldsAreRefusedUnderStrictValidationAndDroppedOtherwise() throws Exception {
        String body = "{\"metadata\":{\"name\":\"uf\"},\"data\":{\"a\":\"b\"},\"bogus\":1}";
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", body), 400);
        assertThat(s.path("message").asText()).contains("unknown field \"bogus\"");
        HttpResponse<String> warn = http.send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn", body);
        assertThat(warn.statusCode()).isEqualTo(201);
        assertThat(warn.headers().firstValue("Warning").orElse("")).startsWith("299 - ").contains("unknown field \\\"bogus\\\"");
        assertThat(http.get("/api/v1/namespaces/default/configmaps/uf").body()).doesNotContain("bogus");
    }

    @Test
    void aHugeStringUnderTheBodyLimitIsRefusedByTheSizeRuleNotByACrash() throws Exception {
        String huge = "x".repeat(2 * 1024 * 1024);
        JsonNode s = status(http.send("POST", "/api/v1/namespaces/default/configmaps",
                "{\"metadata\":{\"name\":\"huge\"},\"data\":{\"k\":\"" + huge + "\"}}"), 422);
        assertThat(s.path("message").asText()).contains("is invalid", "Too long", "1048576");
        assertThat(http.get("/api/v1/namespaces").statusCode()).isEqualTo(200);
    }

    @Test
    void deepNestingIsRefusedWithoutCrash() throws Exception {
        String deep = "{\"metadata\":{\"name\":\"deep\"},\"data\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000) + "}";
        status(http.send("POST", "/api/v1/namespaces/default/configmaps", deep), 400);
        assertThat(http.get("/api/v1/namespaces").statusCode()).isEqualTo(200);
    }

    @Test
    void thousandsOfMutatedRequestsNeverBreakTheServer() throws Exception {
        Random rnd = new Random(42);
        String seed = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"fuzz\",\"labels\":{\"a\":\"b\"}},"
                + "\"data\":{\"k\":\"v\"}}";
        String[] paths = {"/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/pods",
                "/apis/apps/v1/namespaces/default/deployments", "/api/v1/namespaces/default/services",
                "/api/v1/namespaces"};
        String[] methods = {"POST", "PUT", "PATCH", "GET", "DELETE"};
        int served = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] b = seed.getBytes(StandardCharsets.UTF_8);
            int mutations = 1 + rnd.nextInt(6);
            for (int m = 0; m < mutations; m++) {
                int at = rnd.nextInt(b.length);
                switch (rnd.nextInt(3)) {
                    case 0 -> b[at] = (byte) rnd.nextInt(256);
                    case 1 -> b = java.util.Arrays.copyOf(b, Math.max(1, at));
                    default -> {
                        byte[] n = new byte[b.length + 1];
                        System.arraycopy(b, 0, n, 0, at);
                        n[at] = (byte) "{}[]\":,0a".charAt(rnd.nextInt(9));
                        System.arraycopy(b, at, n, at + 1, b.length - at);
                        b = n;
                    }
                }
            }
            String path = paths[rnd.nextInt(paths.length)] + (rnd.nextBoolean() ? "/fuzz" : "");
            String method = methods[rnd.nextInt(methods.length)];
            String ct = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
            HttpResponse<String> r = http.send(method, path, ct, b);
            assertThat(r.statusCode()).as("%s %s %s -> %s", method, path, new String(b, StandardCharsets.UTF_8), r.body())
                    .isLessThan(500);
            if (r.statusCode() >= 400) {
                assertThat(Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("kind").asText()).isEqualTo("Status");
            }
            served++;
        }
        assertThat(served).isEqualTo(2000);
        assertThat(http.get("/api/v1/namespaces").statusCode()).isEqualTo(200);
    }
}
