package dev.berth.core.apiserver.openapi;

import dev.berth.core.apiserver.KubectlStub;
import dev.berth.core.apiserver.KubectlStub.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
    private KubectlStub stub;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(KubectlStub.kubectlInstalled(), "kubectl is not installed");
        stub = new KubectlStub(dir, request -> {
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
