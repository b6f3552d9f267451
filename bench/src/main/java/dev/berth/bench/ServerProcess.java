package dev.berth.bench;

import dev.berth.core.server.BerthServer;
import dev.berth.core.server.ServerOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * {@code berth server} as a child JVM for the restart measurement of {@link ApiBench}: starts a
 * SQLite-backed control plane on the given data dir and port, prints {@value #READY} and the
 * address once the API answers, and runs until killed.
 *
 * <pre>ServerProcess DATA_DIR PORT</pre>
 */
public final class ServerProcess {
    static final String READY = "berth-bench-server ready";

    private ServerProcess() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ServerProcess DATA_DIR PORT");
            System.exit(2);
        }
        ServerOptions options = ServerOptions.defaults(Path.of(args[0])).withListen("127.0.0.1", Integer.parseInt(args[1]));
        BerthServer server = new BerthServer(options, Clock.systemUTC()).start();
        System.out.println(READY + " https://127.0.0.1:" + server.address().getPort());
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
