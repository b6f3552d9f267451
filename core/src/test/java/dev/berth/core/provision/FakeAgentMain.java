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
        // written whole, then moved into place: a reader never sees half of it
        java.nio.file.Path tmp = data.resolve("fake-agent.tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n" + String.join(" ", args) + "\n");
        Files.move(tmp, data.resolve("fake-agent"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(Long.MAX_VALUE);
    }
}
