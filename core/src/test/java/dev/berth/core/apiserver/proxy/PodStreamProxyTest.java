package dev.berth.core.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.http.ApiRequest;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.KubeletClientCertificate;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodStreamProxyTest {
    private static JsonNode json(String s) {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ApiRequest get(Map<String, List<String>> query) {
        return new ApiRequest("GET", "/api/v1/namespaces/default/pods/web/log", query, new DefaultHttpHeaders(),
                new byte[0], null, "127.0.0.1", false);
    }

    private static final JsonNode TWO = json("""
            {"metadata":{"name":"web","namespace":"default"},
             "spec":{"containers":[{"name":"app"},{"name":"side"}],"initContainers":[{"name":"setup"}]}}""");

    @Test
    void containerIsTheOnlyOneTheAnnotatedOneOrMustBeNamed() {
        JsonNode one = json("{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}");
        assertThat(PodStreamProxy.container(get(Map.of()), one, "web")).isEqualTo("app");
        JsonNode annotated = json("""
                {"metadata":{"annotations":{"kubectl.kubernetes.io/default-container":"side"}},
                 "spec":{"containers":[{"name":"app"},{"name":"side"}]}}""");
        assertThat(PodStreamProxy.container(get(Map.of()), annotated, "web")).isEqualTo("side");
        assertThatThrownBy(() -> PodStreamProxy.container(get(Map.of()), TWO, "web"))
                .isInstanceOf(ApiException.class)
                .hasMessage("a container name must be specified for pod web, choose one of: [app, side]"
                        + " or one of the init containers: [setup]");
        assertThat(PodStreamProxy.container(get(Map.of("container", List.of("setup"))), TWO, "web")).isEqualTo("setup");
        assertThatThrownBy(() -> PodStreamProxy.container(get(Map.of("container", List.of("nope"))), TWO, "web"))
                .hasMessage("container nope is not valid for pod web");
    }

    @Test
    void podWithoutNodeIsABadRequest() {
        PodStreamProxy proxy = new PodStreamProxy((node, timeout) -> {
            throw new AssertionError("nothing to dial");
        }, n -> {
            throw new AssertionError("no node to look up");
        });
        JsonNode pod = json("{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"app\"}]}}");
        assertThatThrownBy(() -> proxy.handle(get(Map.of()), "log", pod))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                .hasMessage("pod web does not have a host assigned");
    }

    @Test
    void execOfACompletedPodIsRefusedAsKubernetesDoes() {
        PodStreamProxy proxy = new PodStreamProxy((node, timeout) -> {
            throw new AssertionError("nothing to dial");
        }, n -> json("{}"));
        JsonNode pod = json("""
                {"metadata":{"name":"web","namespace":"default"},"spec":{"nodeName":"n1","containers":[{"name":"app"}]},
                 "status":{"phase":"Succeeded"}}""");
        DefaultHttpHeaders upgrade = new DefaultHttpHeaders();
        upgrade.set("Upgrade", "websocket");
        ApiRequest exec = new ApiRequest("GET", "/x", Map.of("command", List.of("ls"), "stdout", List.of("true")),
                upgrade, new byte[0], null, "127.0.0.1", true);
        assertThatThrownBy(() -> proxy.handle(exec, "exec", pod))
                .hasMessage("cannot exec into a container in a completed pod; current phase is Succeeded");
    }

    @Test
    void tlsDialerNamesWhyANodeHasNoEndpoint(@TempDir Path dir) {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, Clock.systemUTC());
        try (TlsNodeDialer dialer = new TlsNodeDialer(ca.certificate(), KubeletClientCertificate.ensure(dir, ca, Clock.systemUTC()))) {
            assertThatThrownBy(() -> dialer.dial(json("{\"metadata\":{\"name\":\"n1\"}}"), Duration.ofSeconds(1)))
                    .isInstanceOf(NodeDialer.NoEndpointException.class)
                    .hasMessageContaining("node n1 has no agent endpoint");
            assertThatThrownBy(() -> dialer.dial(json("""
                    {"metadata":{"name":"sim-1","labels":{"sim.berth.dev/node":"true"}},
                     "status":{"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}}}}"""), Duration.ofSeconds(1)))
                    .isInstanceOf(NodeDialer.NoEndpointException.class)
                    .hasMessageContaining("simulated");
        }
        assertThat(TlsNodeDialer.address(json("""
                {"status":{"addresses":[{"type":"Hostname","address":"h1"},{"type":"InternalIP","address":"10.0.0.2"}]}}""")))
                .isEqualTo("10.0.0.2");
        assertThat(TlsNodeDialer.address(json("{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"h1\"}]}}")))
                .isEqualTo("h1");
    }

    @Test
    void kubeletClientCertificateIsKeptAndCarriesTheIdentity(@TempDir Path dir) {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, Clock.systemUTC());
        var first = KubeletClientCertificate.ensure(dir, ca, Clock.systemUTC());
        var again = KubeletClientCertificate.ensure(dir, ca, Clock.systemUTC());
        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThat(KubeletClientCertificate.isIdentity(first.certificate())).isTrue();
        assertThat(ca.verifyClientChain(new java.security.cert.X509Certificate[] {first.certificate()}))
                .isEqualTo(KubeletClientCertificate.IDENTITY);
        var other = ca.issueClient("admin", List.of("system:masters"), Duration.ofDays(1));
        assertThat(KubeletClientCertificate.isIdentity(other.certificate())).isFalse();
    }
}
