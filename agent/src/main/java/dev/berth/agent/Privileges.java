package dev.berth.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the agent needs of its host before it starts: root (the Docker socket, iptables, routes and
 * the DNS port), a reachable Docker engine, and iptables. Each missing one is named with what to do.
 */
public final class Privileges {
    /** The host as the checks see it; tests give their own. */
    public interface Host {
        /** The effective user id. */
        long effectiveUid();

        /** Why the Docker engine at {@code uri} cannot be reached, or empty when it can. */
        Optional<String> dockerUnreachable(URI uri);

        /** Where an executable is, if anywhere on the search path. */
        Optional<Path> findExecutable(String name);
    }

    private Privileges() {
    }

    /** The missing privileges, each a sentence naming it; empty when the agent may start. */
    public static List<String> missing(Host host, URI dockerHost) {
        List<String> missing = new ArrayList<>();
        long uid = host.effectiveUid();
        if (uid != 0) {
            missing.add("not root: the agent runs as uid " + uid + " but needs root for the Docker socket, iptables, "
                    + "routes and the DNS port; run it with sudo or as a system service");
        }
        host.dockerUnreachable(dockerHost).ifPresent(reason -> missing.add("Docker socket unreachable at " + dockerHost
                + ": " + reason + "; is dockerd running, and may this user open the socket?"));
        if (host.findExecutable("iptables").isEmpty()) {
            missing.add("iptables not found on the PATH or in /usr/sbin, /sbin: install the iptables package");
        }
        return missing;
    }

    /**
     * @throws MissingPrivilegeException naming every missing privilege
     */
    public static void require(Host host, URI dockerHost) {
        List<String> missing = missing(host, dockerHost);
        if (!missing.isEmpty()) throw new MissingPrivilegeException(missing);
    }

    /** The agent refuses to start without these. */
    public static final class MissingPrivilegeException extends RuntimeException {
        private final List<String> missing;

        public MissingPrivilegeException(List<String> missing) {
            super("the agent cannot start: " + String.join("; ", missing));
            this.missing = List.copyOf(missing);
        }

        public List<String> missing() {
            return missing;
        }
    }

    /** This machine. */
    public static Host system() {
        return new Host() {
            @Override
            public long effectiveUid() {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                        if (line.startsWith("Uid:")) {
                            return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // not Linux: fall back to the user name
                }
                return "root".equals(System.getProperty("user.name")) ? 0 : -1;
            }

            @Override
            public Optional<String> dockerUnreachable(URI uri) {
                try {
                    if ("unix".equals(uri.getScheme())) {
                        Path socket = Path.of(uri.getPath());
                        if (!Files.exists(socket)) return Optional.of(socket + " does not exist");
                        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                            ch.connect(UnixDomainSocketAddress.of(socket));
                        }
                    } else {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 3000);
                        }
                    }
                    return Optional.empty();
                } catch (IOException | RuntimeException e) {
                    return Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                }
            }

            @Override
            public Optional<Path> findExecutable(String name) {
                Set<String> dirs = new LinkedHashSet<>();
                String path = System.getenv("PATH");
                if (path != null) dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
                dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
                for (String dir : dirs) {
                    if (dir.isEmpty()) continue;
                    Path p = Path.of(dir, name);
                    if (Files.isExecutable(p)) return Optional.of(p);
                }
                return Optional.empty();
            }
        };
    }
}
