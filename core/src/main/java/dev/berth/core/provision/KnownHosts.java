package dev.berth.core.provision;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Host key verification against the user's {@code ~/.ssh/known_hosts} (read only) and Berth's own
 * known_hosts in its data dir (where accepted keys are recorded). A key found in either passes. A
 * host with a recorded key that does not match is refused ({@link HostKeyChangedException}); a
 * host with none stops with its fingerprint ({@link UnknownHostKeyException}) unless that exact
 * fingerprint was accepted for this connection, which then records it in Berth's file.
 *
 * <p>Entries are parsed and matched (hashed names, {@code [host]:port}, markers) by SSHJ's
 * {@link OpenSSHKnownHosts}.
 */
public final class KnownHosts {
    private final List<Path> readOnly;
    private final Path berthFile;

    /**
     * @param userFile  the user's known_hosts (may be missing)
     * @param berthFile Berth's own, created when a key is accepted
     */
    public KnownHosts(Path userFile, Path berthFile) {
        this.readOnly = userFile == null ? List.of() : List.of(userFile);
        this.berthFile = berthFile;
    }

    /** {@code ~/.ssh/known_hosts} and {@code DATA_DIR/known_hosts}. */
    public static KnownHosts defaults(Path dataDir) {
        return new KnownHosts(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"), dataDir.resolve("known_hosts"));
    }

    public Path berthFile() {
        return berthFile;
    }

    /** OpenSSH's fingerprint of a key: {@code SHA256:} and the unpadded base64 of the key blob's digest. */
    public static String fingerprint(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The name known_hosts uses for a host and port: {@code host} on 22, else {@code [host]:port}. */
    static String entryName(String host, int port) {
        return port == SshTarget.DEFAULT_PORT ? host : "[" + host + "]:" + port;
    }

    /**
     * A verifier for one connection. {@code acceptedFingerprint} (nullable) is what the person
     * confirmed; after a failed key exchange {@link Verifier#failure()} tells why.
     */
    public Verifier verifier(String acceptedFingerprint) {
        return new Verifier(acceptedFingerprint);
    }

    /** Checks the host key of one connection and remembers why it refused. */
    public final class Verifier implements HostKeyVerifier {
        private final String accepted;
        private volatile ProvisionException failure;

        private Verifier(String accepted) {
            this.accepted = accepted;
        }

        /** Why the last key was refused, if it was. */
        public Optional<ProvisionException> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public boolean verify(String hostname, int port, PublicKey key) {
            String name = entryName(hostname, port);
            KeyType type = KeyType.fromKey(key);
            String fp = fingerprint(key);
            try {
                List<Path> files = new ArrayList<>(readOnly);
                files.add(berthFile);
                Path mismatchIn = null;
                for (Path file : files) {
                    for (OpenSSHKnownHosts.KnownHostEntry e : entries(file)) {
                        if (!e.appliesTo(name)) continue;
                        if (e.getType() == type && e.verify(key)) {
                            return true;
                        }
                        if (e.getType() == type && mismatchIn == null) {
                            mismatchIn = file;   // a recorded key of this type, and it differs
                        }
                    }
                }
                if (mismatchIn != null) {
                    failure = new HostKeyChangedException(name, type.toString(), fp, mismatchIn);
                    return false;
                }
                if (accepted != null && accepted.equals(fp)) {
                    record(name, key);
                    return true;
                }
                failure = new UnknownHostKeyException(name, type.toString(), fp);
                return false;
            } catch (IOException e) {
                failure = new ProvisionException("cannot read known_hosts: " + e.getMessage(), e);
                return false;
            }
        }

        @Override
        public List<String> findExistingAlgorithms(String hostname, int port) {
            String name = entryName(hostname, port);
            List<String> algorithms = new ArrayList<>();
            List<Path> files = new ArrayList<>(readOnly);
            files.add(berthFile);
            for (Path file : files) {
                try {
                    for (OpenSSHKnownHosts.KnownHostEntry e : entries(file)) {
                        if (e.appliesTo(name) && e.getType() != KeyType.UNKNOWN) algorithms.add(e.getType().toString());
                    }
                } catch (IOException e) {
                    // verify() reports it
                }
            }
            return algorithms;
        }
    }

    private static List<OpenSSHKnownHosts.KnownHostEntry> entries(Path file) throws IOException {
        if (file == null || !Files.exists(file)) return List.of();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return new OpenSSHKnownHosts(new StringReader(text)).entries();
    }

    private synchronized void record(String name, PublicKey key) throws IOException {
        String line = name + " " + KeyType.fromKey(key) + " "
                + Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData()) + "\n";
        if (berthFile.getParent() != null) Files.createDirectories(berthFile.getParent());
        if (!Files.exists(berthFile)) {
            Files.createFile(berthFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(berthFile, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
