package dev.berth.core.provision;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where and as whom to connect, once the command line and {@code ~/.ssh/config} are combined.
 *
 * @param alias      the name the person gave (the node's default name, the known_hosts name)
 * @param hostName   the address to connect to ({@code HostName}, else the alias)
 * @param port       the SSH port
 * @param user       the login user
 * @param identities private key files to offer, in order
 * @param proxyJump  hosts to jump through, in order ({@code ProxyJump}); empty for a direct connection
 */
public record SshTarget(String alias, String hostName, int port, String user, List<Path> identities,
                        List<SshTarget> proxyJump) {
    public static final int DEFAULT_PORT = 22;

    public SshTarget {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " must be between 1 and 65535");
        }
        identities = List.copyOf(identities);
        proxyJump = List.copyOf(proxyJump);
    }

    /** {@code user@host:port}, for messages. */
    public String describe() {
        return user + "@" + hostName + (port == DEFAULT_PORT ? "" : ":" + port);
    }
}
