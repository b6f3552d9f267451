package dev.berth.app.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubeContextsTest {
    @TempDir
    Path dir;

    static String kubeconfig(String context, String server) {
        return """
                apiVersion: v1
                kind: Config
                current-context: %1$s
                clusters:
                  - name: %1$s
                    cluster:
                      server: %2$s
                users:
                  - name: %1$s
                    user:
                      token: t-%1$s
                contexts:
                  - name: %1$s
                    context:
                      cluster: %1$s
                      user: %1$s
                      namespace: lab
                """.formatted(context, server);
    }

    @Test
    void readsTheFilesOfKubeconfigInOrderAndTheFirstNameWins() throws Exception {
        Path a = Files.writeString(dir.resolve("a"), kubeconfig("kind-lab", "https://127.0.0.1:1"));
        Path b = Files.writeString(dir.resolve("b"), kubeconfig("k3s", "https://127.0.0.1:2")
                + "  - name: kind-lab\n    context:\n      cluster: k3s\n      user: k3s\n");
        List<Path> files = KubeContexts.files(Map.of("KUBECONFIG", a + java.io.File.pathSeparator + b
                + java.io.File.pathSeparator + dir.resolve("missing")), "/home/x");
        assertThat(files).containsExactly(a, b, dir.resolve("missing"));
        List<KubeContexts.Context> contexts = KubeContexts.list(files);
        assertThat(contexts).extracting(KubeContexts.Context::name).containsExactly("kind-lab", "k3s");
        assertThat(contexts.getFirst().file()).isEqualTo(a);
        assertThat(contexts.getFirst().namespace()).isEqualTo("lab");
        assertThat(KubeContexts.files(Map.of(), "/home/x")).containsExactly(Path.of("/home/x/.kube/config"));
    }

    @Test
    void addsTheBerthContextBesideExistingOnesAndKeepsTheCurrentContext() throws Exception {
        Path admin = Files.writeString(dir.resolve("admin.kubeconfig"), kubeconfig("admin@berth", "https://127.0.0.1:6443"));
        Path target = Files.writeString(dir.resolve("config"), kubeconfig("k3s", "https://10.0.0.1:6443"));
        KubeContexts.addBerthContext(target, admin);
        KubeContexts.addBerthContext(target, admin);   // twice changes nothing
        List<KubeContexts.Context> contexts = KubeContexts.list(List.of(target));
        assertThat(contexts).extracting(KubeContexts.Context::name).containsExactly("k3s", "berth");
        var config = io.fabric8.kubernetes.client.internal.KubeConfigUtils.parseConfig(target.toFile());
        assertThat(config.getCurrentContext()).isEqualTo("k3s");
        assertThat(config.getClusters()).anySatisfy(c -> {
            assertThat(c.getName()).isEqualTo("berth");
            assertThat(c.getCluster().getServer()).isEqualTo("https://127.0.0.1:6443");
        });
        assertThat(config.getUsers()).anySatisfy(u -> assertThat(u.getUser().getToken()).isEqualTo("t-admin@berth"));
        assertThat(Files.getPosixFilePermissions(target)).hasSize(2);

        Path fresh = dir.resolve("new/.kube/config");
        KubeContexts.addBerthContext(fresh, admin);
        assertThat(io.fabric8.kubernetes.client.internal.KubeConfigUtils.parseConfig(fresh.toFile()).getCurrentContext())
                .isEqualTo("berth");
        assertThatThrownBy(() -> KubeContexts.addBerthContext(fresh, dir.resolve("none")))
                .hasMessageContaining("the control plane has not started yet");
    }
}
