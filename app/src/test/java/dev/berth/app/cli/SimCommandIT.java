package dev.berth.app.cli;

import dev.berth.core.apiserver.TestApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SimCommandIT {
    @TempDir
    Path dir;

    @Test
    void registersTheRequestedNodesWithTheirCapacityAndLabelsUntilStopped() throws Exception {
        try (TestApiServer server = new TestApiServer(dir);
             KubernetesClient client = new KubernetesClientBuilder()
                     .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig()))).build()) {
            CommandLine cl = new CommandLine(new BerthCommand());
            SimCommand sim = (SimCommand) cl.getSubcommands().get("sim").getCommand();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread t = Thread.ofPlatform().start(() -> exit.set(cl.execute("sim", "--kubeconfig",
                    server.kubeconfig().toString(), "--nodes", "3", "--name-prefix", "lab-", "--cpu", "2",
                    "--memory", "8Gi", "--labels", "topology.kubernetes.io/zone=a,tier=sim")));
            await().atMost(Duration.ofSeconds(30)).until(() -> client.nodes().list().getItems().size() == 3
                    && client.leases().inNamespace("kube-node-lease").list().getItems().size() == 3);
            assertThat(client.nodes().list().getItems()).allSatisfy(n -> {
                assertThat(n.getMetadata().getName()).matches("lab-[0-2]");
                assertThat(n.getMetadata().getLabels()).containsEntry("topology.kubernetes.io/zone", "a")
                        .containsEntry("tier", "sim");
                assertThat(n.getStatus().getCapacity().get("cpu").toString()).isEqualTo("2");
                assertThat(n.getStatus().getCapacity().get("memory").toString()).isEqualTo("8Gi");
            });
            sim.stop();
            t.join(Duration.ofSeconds(20));
            assertThat(exit.get()).isZero();
        }
    }

    @Test
    void refusesBadOptionsNamingTheOptionValueAndRule() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new BerthCommand()).setErr(new PrintWriter(err));
        int code = cl.execute("sim", "--kubeconfig", dir.resolve("none").toString(), "--nodes", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--nodes: invalid value 0: must be at least 1");

        err.getBuffer().setLength(0);
        code = cl.execute("sim", "--kubeconfig", dir.resolve("none").toString(), "--nodes", "1", "--memory", "lots");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--memory: invalid value \"lots\": must be a positive quantity like 4, 500m or 16Gi");

        err.getBuffer().setLength(0);
        code = cl.execute("sim", "--kubeconfig", dir.resolve("none").toString(), "--nodes", "1", "--labels", "novalue");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--labels: invalid value \"novalue\": must be KEY=VALUE pairs separated by commas");
    }
}
