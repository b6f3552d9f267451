package dev.berth.core.apiserver.flowcontrol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests past their deadline get 504 with a Status; watches have none. */
class RequestDeadlineIT {
    @TempDir
    static Path dir;
    static TestApiServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = new TestApiServer(dir);
        server.server().useFlowControl(FlowControl.Settings.defaults().withRequestTimeout(Duration.ofSeconds(1)));
        http = HttpClient.newBuilder().sslContext(server.sslContext()).build();
    }

    @AfterAll
    static void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery))
                .header("Authorization", "Bearer " + TestApiServer.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestStillWaitingAtItsDeadlineGets504() throws Exception {
        // a list at a revision the store has not reached waits (up to 30 s) for it
        HttpResponse<String> r = get("/api/v1/namespaces/default/configmaps?resourceVersion=999999999");
        assertThat(r.statusCode()).isEqualTo(504);
        JsonNode status = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("Timeout");
        assertThat(status.path("message").asText())
                .isEqualTo("Timeout: request did not complete within requested timeout - context deadline exceeded");
        assertThat(get("/api/v1/namespaces/default/configmaps").statusCode()).isEqualTo(200);
    }

    @Test
    void aWatchOutlivesTheDeadline() throws Exception {
        HttpResponse<String> r = get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=2");
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void aBadTimeoutParameterIsRefusedNamingIt() throws Exception {
        HttpResponse<String> r = get("/api/v1/namespaces/default/configmaps?timeout=soon");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("timeout: value \\\"soon\\\" must be a duration");
    }
}
