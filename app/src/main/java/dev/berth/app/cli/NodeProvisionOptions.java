package dev.berth.app.cli;

import dev.berth.core.BerthVersion;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.provision.Bundle;
import dev.berth.core.provision.BundleBuilder;
import dev.berth.core.provision.KnownHosts;
import dev.berth.core.provision.Progress;
import dev.berth.core.provision.ProgressListener;
import dev.berth.core.provision.Prompter;
import dev.berth.core.provision.SshConfig;
import dev.berth.core.provision.SshConnection;
import dev.berth.core.provision.SshConnector;
import dev.berth.core.provision.SshTarget;
import dev.berth.core.server.ServerOptions;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine.Option;

import java.io.Console;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The options every {@code berth node add|upgrade|remove} shares: how to reach the host and the cluster. */
final class NodeProvisionOptions {
    @Option(names = "--user", paramLabel = "U", description = "SSH login user (default: ~/.ssh/config's User, else yours).")
    String user;

    @Option(names = "--port", paramLabel = "P", description = "SSH port (default: ~/.ssh/config's Port, else 22).")
    Integer port;

    @Option(names = "--identity", paramLabel = "FILE", description = "Private key file (default: ~/.ssh/config's IdentityFile, else ~/.ssh/id_*).")
    Path identity;

    @Option(names = "--sudo", description = "Ask for the sudo password when sudo needs one (it is never stored).")
    boolean sudo;

    @Option(names = "--accept-host-key", paramLabel = "SHA256:...",
            description = "Accept this host key fingerprint for a host not in known_hosts (recorded in Berth's known_hosts).")
    String acceptHostKey;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The cluster (default: $KUBECONFIG, else admin.kubeconfig in the data dir).")
    Path kubeconfig;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Berth's data dir: its known_hosts and built bundles (default: $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    Path dataDir;

    Path dataDir() {
        return dataDir != null ? dataDir : ServerOptions.defaultDataDir();
    }

    Path kubeconfigFile() {
        if (kubeconfig != null) return kubeconfig;
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) return Path.of(env.split(java.io.File.pathSeparator)[0]);
        return dataDir().resolve("admin.kubeconfig");
    }

    Kubeconfig cluster() {
        return Kubeconfig.read(kubeconfigFile());
    }

    KubernetesClient admin() throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfigFile()))).build();
    }

    SshTarget target(String host) {
        return SshConfig.userDefault().resolve(host, user, port, identity);
    }

    SshConnection connect(SshTarget target, ProgressListener progress) {
        return new SshConnector(KnownHosts.defaults(dataDir()), consolePrompter(), Duration.ofSeconds(10))
                .connect(target, acceptHostKey, progress);
    }

    /**
     * The server URL the node is told: the kubeconfig's when it is not loopback, else this machine's
     * address on the interface that routes to the host (no packet is sent to find it).
     */
    URI server(String given, SshTarget target) {
        if (given != null) return URI.create(given);
        URI url = URI.create(cluster().server());
        String host = url.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (!loopback) return url;
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(target.hostName(), target.port()));
            var local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress() || local.isLoopbackAddress()) return url;
            String h = local instanceof java.net.Inet6Address ? "[" + local.getHostAddress() + "]" : local.getHostAddress();
            return URI.create(url.getScheme() + "://" + h + ":" + url.getPort());
        } catch (IOException | RuntimeException e) {
            return url;
        }
    }

    /**
     * The bundle given, else the one inside this installation of the app, else the one built for this
     * version in the data dir, built now if missing.
     */
    static Bundle bundle(Path manifest, Path dataDir, boolean jlink, ProgressListener progress) throws IOException {
        return bundle(manifest, dataDir, jlink, progress, System.getProperty(InstalledBundle.APP_PATH));
    }

    /** As above, for the app installed with its launcher at {@code launcherPath} (null: run from a build). */
    static Bundle bundle(Path manifest, Path dataDir, boolean jlink, ProgressListener progress, String launcherPath)
            throws IOException {
        if (manifest != null) return Bundle.open(manifest);
        Optional<Path> installed = InstalledBundle.manifest(launcherPath, BerthVersion.version(), BundleBuilder.hostArch());
        if (installed.isPresent()) return Bundle.open(installed.get());
        Path dir = dataDir.resolve("bundles");
        Path built = dir.resolve("berth-agent-" + BerthVersion.version() + "-" + BundleBuilder.hostArch() + ".json");
        if (Files.exists(built)) return Bundle.open(built);
        return InstalledBundle.builder(BerthVersion.version(), jlink, launcherPath, Path.of(System.getProperty("java.home")),
                BundleBuilder.runningClasspath(), System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"))
                .build(dir, progress);
    }

    static ProgressListener printer() {
        return new ProgressListener() {
            @Override
            public void progress(Progress p) {
                System.out.printf("[%-11s %3d%%] %s%n", p.step(), Math.round(p.fraction() * 100), p.message());
                System.out.flush();
            }
        };
    }

    /** Asks on the terminal, without echo; with no terminal nothing can be asked. */
    static Prompter consolePrompter() {
        return new Prompter() {
            @Override
            public Optional<char[]> passphrase(String keyFile) {
                return ask("Passphrase for " + keyFile + ": ");
            }

            @Override
            public Optional<char[]> sudoPassword(String userAtHost) {
                return ask("[sudo] password for " + userAtHost + ": ");
            }

            private Optional<char[]> ask(String prompt) {
                Console c = System.console();
                if (c == null) return Optional.empty();
                char[] answer = c.readPassword("%s", prompt);
                return answer == null || answer.length == 0 ? Optional.empty() : Optional.of(answer);
            }
        };
    }
}
