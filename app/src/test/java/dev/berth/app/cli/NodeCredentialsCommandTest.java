package dev.berth.app.cli;

import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.Kubeconfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

class NodeCredentialsCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new BerthCommand()).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void writesAKubeconfigWithTheNodesIdentitySignedByTheClusterCa() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        Kubeconfig.withToken("berth", "https://10.0.0.1:6443", ca.certificate(), "admin", "secret")
                .write(dir.resolve("admin.kubeconfig"));
        Path out = dir.resolve("lab-1.kubeconfig");

        Run run = run("node", "credentials", "lab-1", "--data-dir", dir.toString(), "--out", out.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote " + out, "system:node:lab-1", "https://10.0.0.1:6443");
        Kubeconfig written = Kubeconfig.read(out);
        assertThat(written.server()).isEqualTo("https://10.0.0.1:6443");
        assertThat(written.token()).isNull();
        var certificate = ((Kubeconfig.ClientCertificate) written.credentials()).certifiedKey().certificate();
        assertThat(ca.verifyClientChain(new java.security.cert.X509Certificate[] {certificate}).user())
                .isEqualTo("system:node:lab-1");
        assertThat(ca.verifyClientChain(new java.security.cert.X509Certificate[] {certificate}).groups())
                .contains("system:nodes").doesNotContain("system:masters");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-------");
    }

    @Test
    void refusesABadNameAMissingCaAndAnUnknownServer() throws Exception {
        Run noCa = run("node", "credentials", "lab-1", "--data-dir", dir.toString());
        assertThat(noCa.code()).isEqualTo(1);
        assertThat(noCa.err()).contains("no cluster CA in " + dir.resolve("pki"));

        ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        Run noServer = run("node", "credentials", "lab-1", "--data-dir", dir.toString());
        assertThat(noServer.code()).isEqualTo(2);
        assertThat(noServer.err()).contains("--server is needed: " + dir.resolve("admin.kubeconfig") + " does not exist");

        Run badName = run("node", "credentials", "Lab_1", "--data-dir", dir.toString(), "--server", "https://h:6443");
        assertThat(badName.code()).isEqualTo(2);
        assertThat(badName.err()).contains("node name \"Lab_1\" is invalid");

        Run plainHttp = run("node", "credentials", "lab-1", "--data-dir", dir.toString(), "--server", "http://h:6443",
                "--out", dir.resolve("x").toString());
        assertThat(plainHttp.code()).isEqualTo(2);
        assertThat(plainHttp.err()).contains("must be an https://host:port URL");
    }
}
