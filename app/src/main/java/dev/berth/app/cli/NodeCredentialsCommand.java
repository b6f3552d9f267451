package dev.berth.app.cli;

import dev.berth.agent.identity.NodeCredentials;
import dev.berth.core.pki.ClusterCa;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.pki.PkiException;
import dev.berth.core.pki.ServerPki;
import dev.berth.core.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "credentials", mixinStandardHelpOptions = true,
        description = {"Writes a kubeconfig for node NAME: a client certificate signed by the",
                "cluster CA with CN system:node:NAME and O system:nodes, never the admin",
                "identity. Give it to",
                "  berth agent --kubeconfig FILE --node-name NAME",
                "on that node. Run it where the control plane keeps its data."})
public final class NodeCredentialsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The node's name (a lowercase RFC 1123 subdomain).")
    String nodeName;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The control plane's data directory, holding pki/ca.crt and pki/ca.key "
                    + "(default: $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    Path dataDir;

    @Option(names = "--server", paramLabel = "URL",
            description = "The API server URL the node uses (default: the server of DATA_DIR/admin.kubeconfig).")
    String server;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the kubeconfig, mode 0600 (default: NAME.kubeconfig in the current directory).")
    Path out;

    @Override
    public Integer call() {
        Path dir = dataDir != null ? dataDir : ServerOptions.defaultDataDir();
        try {
            NodeCredentials.requireValidNodeName(nodeName);
            Path pki = dir.resolve(ServerPki.PKI_DIR);
            if (!Files.exists(pki.resolve(ClusterCa.CERTIFICATE_FILE))) {
                System.err.println("berth node credentials: no cluster CA in " + pki
                        + "; give the control plane's --data-dir (berth server writes it on first start)");
                return 1;
            }
            ClusterCa ca = ClusterCa.load(pki, Clock.systemUTC());
            String url = server != null ? server : serverOf(dir);
            Path file = out != null ? out : Path.of(nodeName + ".kubeconfig");
            Kubeconfig kubeconfig = NodeCredentials.issue(ca, url, nodeName, NodeCredentials.DEFAULT_VALIDITY);
            kubeconfig.write(file);
            System.out.println("wrote " + file + " for node " + nodeName + " (" + NodeCredentials.userName(nodeName)
                    + ") at " + url);
            return 0;
        } catch (IllegalArgumentException | PkiException e) {
            System.err.println("berth node credentials: " + e.getMessage());
            return 2;
        }
    }

    private static String serverOf(Path dataDir) {
        Path admin = dataDir.resolve(ServerPki.ADMIN_KUBECONFIG);
        if (!Files.exists(admin)) {
            throw new IllegalArgumentException("--server is needed: " + admin + " does not exist to read the server URL from");
        }
        return Kubeconfig.read(admin).server();
    }
}
