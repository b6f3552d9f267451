package dev.berth.app.cli;

import dev.berth.app.shell.DesktopLauncher;
import dev.berth.app.shell.Display;
import dev.berth.core.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "app", mixinStandardHelpOptions = true,
        description = {"Opens the desktop app (what ./berth does without arguments): the window first, then the",
                "embedded control plane in the background on the data dir (locked like berth server; when",
                "a berth server already holds it, the app connects to that one). Needs a display."})
public final class DesktopCommand implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory of the embedded control plane and the app's settings"
                    + " (default: $XDG_DATA_HOME/berth or ~/.local/share/berth).")
    Path dataDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:6443",
            description = "Address of the embedded control plane's API (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--no-control-plane",
            description = "Start no embedded control plane; connect to kubeconfig contexts only.")
    boolean noControlPlane;

    @Option(names = "--context", paramLabel = "NAME",
            description = "Connect to this kubeconfig context at start ($KUBECONFIG or ~/.kube/config).")
    String context;

    @Option(names = "--exit-when-shown", hidden = true,
            description = "Exit as soon as the window is shown (AOT training runs and start-up benchmarks).")
    boolean exitWhenShown;

    @Override
    public Integer call() throws Exception {
        HostPort hp = HostPort.parse("--listen", listen);
        Optional<String> noDisplay = Display.missing(System.getProperty("os.name", ""), System.getenv(),
                System.getProperty("glass.platform"));
        if (noDisplay.isPresent()) {
            System.err.println(noDisplay.get());
            return 1;
        }
        Path dir = dataDir != null ? dataDir : ServerOptions.defaultDataDir();
        ServerOptions options = noControlPlane ? null : ServerOptions.defaults(dir).withListen(hp.host(), hp.port());
        return DesktopLauncher.run(options, context, exitWhenShown);
    }
}
