package dev.berth.core.provision;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stands in for the agent in installer tests (the real agent would take over this machine's Docker
 * and iptables): records its arguments and process id in {@code DATA_DIR/fake-agent}, then waits.
 */
public final class FakeAgentMain {
    public static void main(String[] args) throws Exception {
        Path data = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--data-dir")) data = Path.of(args[i + 1]);
        }
        Files.createDirectories(data);
        Files.writeString(data.resolve("fake-agent"), ProcessHandle.current().pid() + "\n" + String.join(" ", args) + "\n");
        Thread.sleep(Long.MAX_VALUE);
    }
}
