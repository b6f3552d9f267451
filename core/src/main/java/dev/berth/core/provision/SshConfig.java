package dev.berth.core.provision;

import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what OpenSSH's client configuration ({@code ~/.ssh/config}) says about a host: {@code
 * HostName}, {@code User}, {@code Port}, {@code IdentityFile} and {@code ProxyJump}, with OpenSSH's
 * rule that the first value found wins and options on the command line win over the file. The file
 * is parsed by Apache MINA SSHD's reader ({@link HostConfigEntry}), not by hand.
 */
public final class SshConfig {
    /** Key files OpenSSH tries when no IdentityFile is given, in its order. */
    static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final List<HostConfigEntry> entries;
    private final Path home;

    private SshConfig(List<HostConfigEntry> entries, Path home) {
        this.entries = entries;
        this.home = home;
    }

    /** The user's {@code ~/.ssh/config} (none is fine). */
    public static SshConfig userDefault() {
        Path home = Path.of(System.getProperty("user.home"));
        return load(home.resolve(".ssh").resolve("config"), home);
    }

    /** {@code file} (a missing file is an empty configuration); {@code ~} in paths means {@code home}. */
    public static SshConfig load(Path file, Path home) {
        if (!Files.exists(file)) {
            return new SshConfig(List.of(), home);
        }
        try {
            return new SshConfig(HostConfigEntry.readHostConfigEntries(file), home);
        } catch (IOException | RuntimeException e) {
            throw new ProvisionException("cannot read the SSH client configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The target for {@code host} ({@code [user@]host[:port]} is not parsed here: give the parts).
     * {@code user}, {@code port} and {@code identity} come from the command line and win when not
     * null; the local user name is the last default for the user, 22 for the port.
     */
    public SshTarget resolve(String host, String user, Integer port, Path identity) {
        return resolve(host, user, port, identity, 0);
    }

    private SshTarget resolve(String host, String user, Integer port, Path identity, int depth) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("HOST must not be empty");
        }
        if (depth > 8) {
            throw new ProvisionException("ProxyJump of " + host + " nests more than 8 hosts deep (a loop?)");
        }
        HostConfigEntry entry;
        try {
            HostConfigEntryResolver resolver = HostConfigEntry.toHostConfigEntryResolver(entries);
            entry = resolver.resolveEffectiveHost(host, port == null ? 0 : port, null, user, null, null);
        } catch (IOException | RuntimeException e) {
            throw new ProvisionException("cannot apply the SSH client configuration to " + host + ": " + e.getMessage(), e);
        }
        String hostName = host;
        int effectivePort = port != null ? port : SshTarget.DEFAULT_PORT;
        String effectiveUser = user;
        List<Path> identities = new ArrayList<>();
        String proxyJump = null;
        if (entry != null) {
            if (entry.getHostName() != null && !entry.getHostName().isBlank()) hostName = entry.getHostName();
            if (port == null && entry.getPort() > 0) effectivePort = entry.getPort();
            if (user == null && entry.getUsername() != null && !entry.getUsername().isBlank()) effectiveUser = entry.getUsername();
            if (entry.getIdentities() != null) {
                for (String id : entry.getIdentities()) identities.add(expand(id));
            }
            proxyJump = entry.getProxyJump();
        }
        if (effectiveUser == null) effectiveUser = System.getProperty("user.name");
        if (identity != null) {
            identities.addFirst(identity);
        }
        if (identities.isEmpty()) {
            for (String name : DEFAULT_IDENTITIES) {
                Path p = home.resolve(".ssh").resolve(name);
                if (Files.exists(p)) identities.add(p);
            }
        }
        List<SshTarget> jumps = new ArrayList<>();
        if (proxyJump != null && !proxyJump.isBlank() && !"none".equalsIgnoreCase(proxyJump.trim())) {
            for (String hop : proxyJump.split(",")) {
                jumps.add(resolveHop(hop.trim(), depth));
            }
        }
        return new SshTarget(host, hostName, effectivePort, effectiveUser, identities.stream().distinct().toList(), jumps);
    }

    /** One ProxyJump hop: {@code [user@]host[:port]}, itself looked up in the configuration. */
    private SshTarget resolveHop(String hop, int depth) {
        String user = null;
        Integer port = null;
        String host = hop;
        if (host.startsWith("ssh://")) host = host.substring(6);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            user = host.substring(0, at);
            host = host.substring(at + 1);
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) throw new ProvisionException("ProxyJump hop \"" + hop + "\" has an unclosed [");
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (rest.startsWith(":")) port = parsePort(rest.substring(1), hop);
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            port = parsePort(host.substring(host.indexOf(':') + 1), hop);
            host = host.substring(0, host.indexOf(':'));
        }
        return resolve(host, user, port, null, depth + 1);
    }

    private static int parsePort(String s, String hop) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ProvisionException("ProxyJump hop \"" + hop + "\": port \"" + s + "\" is not a number");
        }
    }

    private Path expand(String path) {
        if (path.equals("~")) return home;
        if (path.startsWith("~/")) return home.resolve(path.substring(2));
        return Path.of(path);
    }
}
