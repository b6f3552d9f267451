package dev.berth.agent.volume;

import dev.berth.agent.testing.TestDocker;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running container sees a changed ConfigMap at the same path without a restart, through a bind
 * mount of the volume directory, while a single file bound on its own (a subPath mount) keeps the
 * content it had, as in Kubernetes.
 */
class ConfigMapUpdateIT {
    private static final String NS = "live";
    private static final String PREFIX = TestDocker.runPrefix();

    @TempDir
    static Path dataDir;
    static VolumeTestSupport api;

    @BeforeAll
    static void start() throws Exception {
        TestDocker.busybox();
        api = VolumeTestSupport.shared(NS);
    }

    @AfterAll
    static void stop() {
        TestDocker.removeAll(PREFIX);
    }

    private static String exec(String container, String... cmd) throws IOException {
        String[] args = new String[cmd.length + 2];
        args[0] = "exec";
        args[1] = container;
        System.arraycopy(cmd, 0, args, 2, cmd.length);
        TestDocker.Result r = TestDocker.docker(args);
        return r.exit() == 0 ? r.output() : "exit " + r.exit() + ": " + r.output();
    }

    @Test
    void changedConfigMapReachesARunningContainerButNotASubPathMount() throws IOException {
        api.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("web")
                .endMetadata().withData(Map.of("greeting", "hello")).build()).create();
        Pod pod = VolumeTestSupport.pod(NS, "web", new VolumeBuilder().withName("config").withNewConfigMap()
                .withName("web").endConfigMap().build());
        DefaultPodVolumes volumes = new DefaultPodVolumes(dataDir, api.client, Clock.systemUTC(), "node-a");
        Path dir = volumes.setUp(pod).get("config");
        String name = PREFIX + "configmap";
        TestDocker.Result run = TestDocker.docker("run", "-d", "--name", name,
                "-v", dir + ":/etc/config:ro",
                "-v", dir.resolve("greeting") + ":/etc/greeting:ro",
                TestDocker.BUSYBOX, "sleep", "300");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(exec(name, "cat", "/etc/config/greeting")).isEqualTo("hello");
        assertThat(exec(name, "cat", "/etc/greeting")).isEqualTo("hello");
        assertThat(exec(name, "sh", "-c", "echo x > /etc/config/new")).startsWith("exit ");

        api.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("web")
                .endMetadata().withData(Map.of("greeting", "bonjour")).build()).update();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            volumes.setUp(pod);
            return exec(name, "cat", "/etc/config/greeting").equals("bonjour");
        });

        assertThat(exec(name, "cat", "/etc/greeting")).isEqualTo("hello");
        assertThat(TestDocker.docker("inspect", "-f", "{{.RestartCount}}", name).output().strip()).isEqualTo("0");
    }
}
