package dev.berth.core.apiserver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A raw HTTPS client for wire-level tests (trusts the test server's self-signed certificate). */
final class TestHttp {
    private final HttpClient client;
    private final String base;

    TestHttp(TestApiServer server) {
        this.client = HttpClient.newBuilder().sslContext(server.sslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.base = server.url();
    }

    HttpResponse<String> send(String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TestApiServer.TOKEN);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, String json) throws Exception {
        return send(method, path, "application/json", json == null ? null : json.getBytes());
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null);
    }
}
