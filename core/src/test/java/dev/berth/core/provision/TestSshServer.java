package dev.berth.core.provision;

import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.shell.ProcessShellFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process SSH server (Apache MINA SSHD) on 127.0.0.1 with a real shell behind it: every
 * command runs as {@code /bin/sh -c COMMAND} on this machine, after the prefix the test sets (for
 * example {@code env PATH=DIR}, to hide tools). Tests keep every path their commands touch under
 * their own temporary directory. Public for the app's wizard tests (core's test-jar).
 */
public final class TestSshServer implements AutoCloseable {
    private final SshServer server;
    private final KeyPair hostKey;
    private final Set<PublicKey> authorized = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile List<String> commandPrefix = List.of();
    public final List<String> commands = new CopyOnWriteArrayList<>();

    public TestSshServer() {
        this(newKeyPair());
    }

    public TestSshServer(KeyPair hostKey) {
        this.hostKey = hostKey;
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> authorized.stream()
                .anyMatch(k -> org.apache.sshd.common.config.keys.KeyUtils.compareKeys(k, key)));
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        server.setCommandFactory((channel, command) -> {
            commands.add(command);
            // MINA runs the raw command with /bin/sh -c: the prefix goes in front of a nested shell
            List<String> prefix = commandPrefix;
            String raw = prefix.isEmpty() ? command : String.join(" ", prefix.stream().map(Shell::quote).toList())
                    + " /bin/sh -c " + Shell.quote(command);
            return new ProcessShellFactory(raw, List.of("/bin/sh", "-c", raw)).createShell(channel);
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public KeyPair hostKey() {
        return hostKey;
    }

    /** Lets {@code key} log in (as any user). */
    public void authorize(PublicKey key) {
        authorized.add(key);
    }

    /** Runs commands as {@code PREFIX... /bin/sh -c COMMAND}. */
    public void commandPrefix(List<String> prefix) {
        this.commandPrefix = List.copyOf(prefix);
    }

    /** Drops every connection at once, as a network failure would. */
    public void dropConnections() {
        server.getActiveSessions().forEach(s -> s.close(true));
    }

    /** The known_hosts line for this server. */
    public String knownHostsLine() {
        return knownHostsLine(port(), hostKey.getPublic());
    }

    /** A known_hosts line recording {@code key} for 127.0.0.1 on {@code port}. */
    public static String knownHostsLine(int port, PublicKey key) {
        return KnownHosts.entryName("127.0.0.1", port) + " " + net.schmizz.sshj.common.KeyType.fromKey(key)
                + " " + java.util.Base64.getEncoder().encodeToString(
                new net.schmizz.sshj.common.Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    /** Writes {@code pair} as an OpenSSH private key file, encrypted when {@code passphrase} is not null. */
    public static Path writeKey(KeyPair pair, Path file, String passphrase) {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyEncryptionContext ctx = null;
            if (passphrase != null) {
                ctx = new OpenSSHKeyEncryptionContext();
                ctx.setPassword(passphrase);
                ctx.setCipherName("AES");
                ctx.setCipherMode("CTR");
                ctx.setCipherType("256");
            }
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "test", ctx, out);
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException ignored) {
            // stopping anyway
        }
    }
}
