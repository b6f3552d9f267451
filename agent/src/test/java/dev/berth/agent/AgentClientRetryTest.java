package dev.berth.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent's API client gives up quickly on a server it cannot talk to, so that its callers fall back at once. */
class AgentClientRetryTest {

    @Test
    void aRequestThatCannotReachTheServerIsTriedOnceMoreOnly() throws Exception {
        assertThat(attempts(Agent.failFast(config()))).as("the first attempt and %d retry", Agent.API_RETRIES)
                .isEqualTo(1 + Agent.API_RETRIES);
        assertThat(attempts(config())).as("the client's default retries more").isGreaterThan(1 + Agent.API_RETRIES);
    }

    private static Config config() {
        Config c = new ConfigBuilder(Config.empty()).withNamespace("default").build();
        c.setRequestRetryBackoffLimit(3);   // the default is 10; 3 keeps this test short and still retries more
        return c;
    }

    private static int attempts(Config config) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                        // read the request head, then answer as an API server that is not ready yet
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            // skip the headers
                        }
                        s.getOutputStream().write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            config.setMasterUrl("http://127.0.0.1:" + server.getLocalPort());
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                assertThatThrownBy(() -> client.services().inNamespace("default").list()).isInstanceOf(RuntimeException.class);
            }
            return connections.get();
        }
    }
}
