package dev.berth.core.apiserver.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.core.apiserver.KubectlStub;
import dev.berth.core.apiserver.KubectlStub.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Serves the OpenAPI documents with a stub discovery to the real kubectl: explain must find the
 * schemas, and apply must leave validation to the server (fieldValidation=Strict).
 */
class OpenApiKubectlIT {
    private static final OpenApiV3 OPENAPI = OpenApiV3.build(withWidgets());

    private static List<ServedKind> withWidgets() {
        List<ServedKind> kinds = new ArrayList<>(BuiltinKinds.all());
        try {
            kinds.add(ServedKind.custom("shop.example.com", "v1", "Widget", "widgets", true, new ObjectMapper().readTree("""
                    {"type":"object","properties":{"spec":{"type":"object","description":"What the widget should be.",
                      "properties":{"size":{"type":"integer","description":"How many parts the widget has."}}}}}
                    """)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return kinds;
    }

    private static final String APIS = "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":["
            + "{\"name\":\"apps\",\"versions\":[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],"
            + "\"preferredVersion\":{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}},"
            + "{\"name\":\"shop.example.com\",\"versions\":[{\"groupVersion\":\"shop.example.com/v1\",\"version\":\"v1\"}],"
            + "\"preferredVersion\":{\"groupVersion\":\"shop.example.com/v1\",\"version\":\"v1\"}}]}";
    private static final String WIDGETS = "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\","
            + "\"groupVersion\":\"shop.example.com/v1\",\"resources\":[{\"name\":\"widgets\",\"singularName\":"
            + "\"widget\",\"namespaced\":true,\"kind\":\"Widget\",\"verbs\":[\"get\",\"list\",\"create\",\"patch\"]}]}";

    @TempDir
    Path dir;
    private KubectlStub stub;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(KubectlStub.kubectlInstalled(), "kubectl is not installed");
        stub = new KubectlStub(dir, request -> {
            if (request.path().equals("/apis")) {
                return Optional.of(Response.json(200, KubectlStub.utf8(APIS)));
            }
            if (request.path().equals("/apis/shop.example.com/v1")) {
                return Optional.of(Response.json(200, KubectlStub.utf8(WIDGETS)));
            }
            if (request.path().equals("/openapi/v3")) {
                return Optional.of(Response.json(200, OPENAPI.index()));
            }
            if (request.path().startsWith("/openapi/v3/")) {
                return OPENAPI.document(request.path().substring("/openapi/v3/".length()))
                        .map(doc -> Response.json(200, doc));
            }
            if (request.method().equals("POST")) {
                return Optional.of(Response.json(201, request.body()));
            }
            return Optional.empty();
        });
    }

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void kubectlExplainFindsFieldsAndTheirTypes() throws Exception {
        String out = stub.kubectl("explain", "deployment.spec.replicas");
        assertThat(out).contains("GROUP:      apps", "KIND:       Deployment", "VERSION:    v1",
                "FIELD: replicas <integer>");
        String strategy = stub.kubectl("explain", "deployment.spec.strategy.rollingUpdate");
        assertThat(strategy).contains("maxSurge", "<IntOrString>");
        assertThat(stub.kubectl("explain", "configmaps")).contains("data", "<map[string]string>");
    }

    @Test
    void kubectlExplainReadsCustomResourceSchemas() throws Exception {
        String out = stub.kubectl("explain", "widgets.spec.size");
        assertThat(out).contains("GROUP:      shop.example.com", "KIND:       Widget", "FIELD: size <integer>",
                "How many parts the widget has.");
        assertThat(stub.kubectl("explain", "widgets.metadata.labels")).contains("<map[string]string>");
    }

    @Test
    void kubectlApplyLeavesValidationToTheServer() throws Exception {
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
        stub.kubectl("apply", "-f", manifest.toString());
        assertThat(stub.requests()).anySatisfy(r -> {
            assertThat(r.method() + " " + r.path()).isEqualTo("POST /apis/apps/v1/namespaces/default/deployments");
            assertThat(r.query()).contains("fieldValidation=Strict");
        });
    }
}
