package dev.berth.core.apiserver.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.apiserver.KubectlStub;
import dev.berth.core.apiserver.KubectlStub.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Decodes the protobuf bodies the real {@code kubectl create} sends. */
class ProtobufKubectlIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;
    private KubectlStub stub;
    private final Map<String, ObjectNode> created = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        assumeTrue(KubectlStub.kubectlInstalled(), "kubectl is not installed");
        stub = new KubectlStub(dir, request -> {
            if (!request.method().equals("POST")) {
                return Optional.empty();
            }
            ObjectNode object = request.contentType() != null && request.contentType().startsWith("application/vnd.kubernetes.protobuf")
                    ? ProtobufDecoder.decode(request.body()) : readJson(request.body());
            created.put(request.path(), object);
            try {
                return Optional.of(Response.json(201, MAPPER.writeValueAsBytes(object)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static ObjectNode readJson(byte[] body) {
        try {
            return (ObjectNode) MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    private KubectlStub.Request post(String path) {
        return stub.requests().stream().filter(r -> r.method().equals("POST") && r.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no POST " + path + " in " + stub.requests()));
    }

    @Test
    void decodesNamespaceConfigMapSecretAndDeploymentFromKubectlCreate() throws Exception {
        assertThat(stub.kubectl("create", "namespace", "dev")).contains("namespace/dev created");
        assertThat(post("/api/v1/namespaces").contentType()).startsWith("application/vnd.kubernetes.protobuf");
        assertThat(created.get("/api/v1/namespaces").toString())
                .isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"dev\"},"
                        + "\"spec\":{},\"status\":{}}");

        stub.kubectl("create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=empty=");
        JsonNode cm = created.get("/api/v1/namespaces/default/configmaps");
        assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(cm.path("data").toString()).isEqualTo("{\"a\":\"1\",\"empty\":\"\"}");

        stub.kubectl("create", "secret", "generic", "s", "--from-literal=password=p\u00e4ss");
        JsonNode secret = created.get("/api/v1/namespaces/default/secrets");
        assertThat(new String(Base64.getDecoder().decode(secret.at("/data/password").asText()), StandardCharsets.UTF_8))
                .isEqualTo("p\u00e4ss");
        assertThat(secret.has("type")).as("empty type stays unset so defaulting makes it Opaque").isFalse();

        stub.kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80");
        JsonNode deploy = created.get("/apis/apps/v1/namespaces/default/deployments");
        assertThat(deploy.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(deploy.at("/spec/selector/matchLabels/app").asText()).isEqualTo("web");
        assertThat(deploy.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.27");
        assertThat(deploy.at("/spec/template/spec/containers/0/ports/0/containerPort").asInt()).isEqualTo(80);
        assertThat(deploy.at("/metadata").has("creationTimestamp")).isFalse();
    }
}
