package dev.berth.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class AgentCommandTest {
    @TempDir
    Path dir;

    private static AgentCommand parse(String... args) {
        CommandLine cl = new CommandLine(new BerthCommand());
        CommandLine.ParseResult result = cl.parseArgs(args);
        return (AgentCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void parsesEveryOptionIntoTheAgentsOptions() throws Exception {
        var options = parse("agent", "--kubeconfig", "node.kubeconfig", "--node-name", "lab-1", "--data-dir", "/srv/berth",
                "--docker-host", "tcp://127.0.0.1:2375", "--node-ip", "10.0.0.7", "--port", "10251").options();

        assertThat(options.kubeconfig()).isEqualTo(Path.of("node.kubeconfig"));
        assertThat(options.nodeName()).isEqualTo("lab-1");
        assertThat(options.dataDir()).isEqualTo(Path.of("/srv/berth"));
        assertThat(options.dockerHost()).isEqualTo(URI.create("tcp://127.0.0.1:2375"));
        assertThat(options.nodeIp()).contains(InetAddress.ofLiteral("10.0.0.7"));
        assertThat(options.port()).isEqualTo(10251);
    }

    @Test
    void ingressListensOnPorts80And443UnlessToldOtherwise() {
        var defaults = parse("agent", "--kubeconfig", "node.kubeconfig", "--ingress").ingressSettings();
        var given = parse("agent", "--kubeconfig", "node.kubeconfig", "--ingress", "--ingress-address", "10.0.0.7",
                "--ingress-http-port", "8080", "--ingress-https-port", "8443").ingressSettings();

        assertThat(defaults.address()).isEqualTo(InetAddress.ofLiteral("0.0.0.0"));
        assertThat(defaults.httpPort()).isEqualTo(80);
        assertThat(defaults.httpsPort()).isEqualTo(443);
        assertThat(given.address()).isEqualTo(InetAddress.ofLiteral("10.0.0.7"));
        assertThat(given.httpPort()).isEqualTo(8080);
        assertThat(given.httpsPort()).isEqualTo(8443);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> parse("agent", "--kubeconfig", "k",
                "--ingress-http-port", "8080", "--ingress-https-port", "8080").ingressSettings()))
                .hasMessage("ingress HTTP and HTTPS ports must differ, both are 8080");
    }

    @Test
    void defaultsAreANodesDefaults() {
        var options = parse("agent", "--kubeconfig", "node.kubeconfig").options();

        assertThat(options.dataDir()).isEqualTo(Path.of("/var/lib/berth"));
        assertThat(options.dockerHost()).isEqualTo(URI.create("unix:///var/run/docker.sock"));
        assertThat(options.port()).isEqualTo(10250);
        assertThat(options.nodeName()).isEqualTo(LocalNode.defaultNodeName());
    }

    @Test
    void aBadOptionFailsNamingTheValue() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new BerthCommand())
                    .execute("agent", "--kubeconfig", dir.resolve("k").toString(), "--node-ip", "lab.example")).isEqualTo(2);
            assertThat(new CommandLine(new BerthCommand()).execute("agent")).isEqualTo(2);
        } finally {
            System.setErr(oldErr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("berth agent: --node-ip \"lab.example\" is not an IPv4 or IPv6 address")
                .contains("Missing required option: '--kubeconfig=FILE'");
    }

    @Test
    void helpListsTheOptionsAndTheSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new BerthCommand()).setOut(new PrintWriter(out));
        assertThat(cl.execute("agent", "--help")).isZero();
        assertThat(out.toString()).contains("--kubeconfig=FILE", "--node-name=NAME", "--data-dir=DIR",
                "--docker-host=URI", "--node-ip=IP", "--port=N", "system:node:NAME");

        out.getBuffer().setLength(0);
        assertThat(cl.execute("node", "credentials", "--help")).isZero();
        assertThat(out.toString()).contains("NAME", "--data-dir=DIR", "--server=URL", "--out=FILE", "system:nodes");

        out.getBuffer().setLength(0);
        assertThat(cl.execute("server", "--help")).isZero();
        assertThat(out.toString()).contains("--local-node", "agent.log");
    }
}
