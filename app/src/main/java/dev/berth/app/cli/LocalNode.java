package dev.berth.app.cli;

import dev.berth.agent.AgentOptions;
import dev.berth.agent.identity.NodeCredentials;
import dev.berth.core.pki.ClusterCa;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code berth server --local-node}: the node agent for the machine the control plane runs on, as a
 * child process ({@code berth agent}) with the same Java and classpath, acting with node
 * credentials written into the server's data dir. Its output goes to {@code DATA_DIR/agent.log}.
 */
final class LocalNode implements AutoCloseable {
    static final String KUBECONFIG = "local-node.kubeconfig";
    static final String LOG = "agent.log";
    static final String AGENT_DIR = "agent";
    static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Process process;
    private final Path log;

    LocalNode(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Writes the node's credentials and starts {@code berth agent} for this machine. */
    static LocalNode start(ClusterCa ca, String serverUrl, Path dataDir, String nodeName) throws IOException {
        return start(ca, serverUrl, dataDir, nodeName, List.of());
    }

    /** As {@link #start(ClusterCa, String, Path, String)}, passing {@code agentArgs} on to {@code berth agent}. */
    static LocalNode start(ClusterCa ca, String serverUrl, Path dataDir, String nodeName, List<String> agentArgs)
            throws IOException {
        Path kubeconfig = dataDir.resolve(KUBECONFIG);
        NodeCredentials.issue(ca, serverUrl, nodeName, NodeCredentials.DEFAULT_VALIDITY).write(kubeconfig);
        Path log = dataDir.resolve(LOG);
        List<String> command = new ArrayList<>(command(kubeconfig, nodeName, dataDir.resolve(AGENT_DIR)));
        command.addAll(agentArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new LocalNode(builder.start(), log);
    }

    /** {@code java -cp CLASSPATH dev.berth.app.cli.Main agent --kubeconfig ... --node-name ... --data-dir ...}. */
    static List<String> command(Path kubeconfig, String nodeName, Path agentDataDir) {
        String runtimeJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // an installed app runs from jpackage's launcher, which takes no java options: use its runtime's java
        String java = System.getProperty(InstalledBundle.APP_PATH) != null ? runtimeJava
                : ProcessHandle.current().info().command().orElse(runtimeJava);
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "agent", "--kubeconfig", kubeconfig.toString(), "--node-name", nodeName,
                "--data-dir", agentDataDir.toString()));
        return command;
    }

    static String defaultNodeName() {
        return AgentOptions.defaultNodeName();
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    /** Stops the agent: SIGTERM (its shutdown hook closes it), then SIGKILL after {@link #STOP_GRACE}. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of the agent's log, to show why it stopped. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
