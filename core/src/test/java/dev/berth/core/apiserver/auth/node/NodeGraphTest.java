package dev.berth.core.apiserver.auth.node;

import dev.berth.core.api.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeGraphTest {
    @Test
    void aPodUsesTheObjectsItsVolumesEnvironmentAndPullSecretsName() {
        var pod = Json.parse("""
                {"spec":{"nodeName":"n1","serviceAccountName":"robot","imagePullSecrets":[{"name":"pull"}],
                 "volumes":[{"name":"a","secret":{"secretName":"vol-secret"}},{"name":"b","configMap":{"name":"vol-cm"}},
                   {"name":"c","persistentVolumeClaim":{"claimName":"data"}},
                   {"name":"d","projected":{"sources":[{"secret":{"name":"proj-secret"}},{"configMap":{"name":"proj-cm"}},
                     {"serviceAccountToken":{"path":"token"}}]}},
                   {"name":"scratch","ephemeral":{"volumeClaimTemplate":{}}}],
                 "initContainers":[{"name":"i","envFrom":[{"secretRef":{"name":"init-env"}}]}],
                 "containers":[{"name":"c","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"env-secret","key":"k"}}},
                   {"name":"Y","valueFrom":{"configMapKeyRef":{"name":"env-cm","key":"k"}}}],
                   "envFrom":[{"configMapRef":{"name":"from-cm"}}]}]}}
                """.getBytes());
        assertThat(NodeGraph.references("ns", "web", pod)).containsExactlyInAnyOrder(
                "serviceaccounts/ns/robot", "secrets/ns/pull", "secrets/ns/vol-secret", "configmaps/ns/vol-cm",
                "persistentvolumeclaims/ns/data", "secrets/ns/proj-secret", "configmaps/ns/proj-cm",
                "persistentvolumeclaims/ns/web-scratch", "secrets/ns/init-env", "secrets/ns/env-secret",
                "configmaps/ns/env-cm", "configmaps/ns/from-cm");
    }

    @Test
    void aPodWithoutServiceAccountNameUsesDefault() {
        assertThat(NodeGraph.references("ns", "p", Json.parse("{\"spec\":{}}".getBytes())))
                .containsExactly("serviceaccounts/ns/default");
    }
}
