package dev.berth.app.cli;

import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.Kubeconfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** berth server --local-node runs berth agent as a child process with the node's credentials. */
class LocalNodeIT {
    @TempDir
    Path dir;

    @Test
    void runsTheAgentAsAChildWithNodeCredentialsAndItsOutputInAgentLog() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());

        try (LocalNode node = LocalNode.start(ca, "https://127.0.0.1:6443", dir, "lab-1")) {
            assertThat(node.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            // this build has not all the agent's parts yet: the child says so and exits, it does not pretend
            assertThat(node.process().exitValue()).isEqualTo(1);
            assertThat(Files.readString(dir.resolve("agent.log")))
                    .contains("berth agent: this build of berth cannot run a node agent yet; missing: ");
        }
        Kubeconfig credentials = Kubeconfig.read(dir.resolve(LocalNode.KUBECONFIG));
        assertThat(((Kubeconfig.ClientCertificate) credentials.credentials()).certifiedKey().certificate()
                .getSubjectX500Principal().getName()).contains("CN=system:node:lab-1");
    }

    @Test
    void theChildIsBerthAgentOnTheSameJavaAndClasspath() {
        assertThat(LocalNode.command(dir.resolve("k"), "lab-1", dir.resolve("agent")))
                .startsWith(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                        System.getProperty("java.class.path"))
                .containsSubsequence("dev.berth.app.cli.Main", "agent", "--kubeconfig", dir.resolve("k").toString(),
                        "--node-name", "lab-1", "--data-dir", dir.resolve("agent").toString());
    }

    @Test
    void closingStopsTheChild() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (LocalNode node = new LocalNode(sleeper, dir.resolve("agent.log"))) {
            assertThat(node.process().isAlive()).isTrue();
        }
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(sleeper.exitValue()).isEqualTo(143);
    }
}
