package dev.berth.core.provision;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SshConnectorIT {
    @TempDir
    Path dir;
    TestSshServer server;
    KeyPair userKey;
    Path keyFile;
    Path userKnownHosts;
    KnownHosts knownHosts;
    final List<Progress> progress = new ArrayList<>();

    @BeforeEach
    void start() {
        server = new TestSshServer();
        userKey = TestSshServer.newKeyPair();
        server.authorize(userKey.getPublic());
        keyFile = TestSshServer.writeKey(userKey, dir.resolve("id_test"), null);
        userKnownHosts = dir.resolve("user_known_hosts");
        knownHosts = new KnownHosts(userKnownHosts, dir.resolve("berth/known_hosts"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    SshTarget target(Path identity) {
        return new SshTarget("127.0.0.1", "127.0.0.1", server.port(), "lab", List.of(identity), List.of());
    }

    SshConnector connector(Prompter prompter) {
        return new SshConnector(knownHosts, prompter, Duration.ofSeconds(5));
    }

    @Test
    void unknownHostStopsWithItsFingerprintAndSendsNoCommand() {
        String expected = KnownHosts.fingerprint(server.hostKey().getPublic());
        assertThatThrownBy(() -> connector(Prompter.NONE).connect(target(keyFile), null, progress::add))
                .isInstanceOfSatisfying(UnknownHostKeyException.class, e -> {
                    assertThat(e.fingerprint()).isEqualTo(expected).startsWith("SHA256:");
                    assertThat(e.getMessage()).contains("--accept-host-key " + expected);
                });
        assertThat(server.commands).isEmpty();
        assertThat(knownHosts.berthFile()).doesNotExist();
    }

    @Test
    void acceptedFingerprintIsRecordedInBerthsKnownHostsAndTrustedNextTime() throws Exception {
        String fp = KnownHosts.fingerprint(server.hostKey().getPublic());
        try (SshConnection c = connector(Prompter.NONE).connect(target(keyFile), fp, progress::add)) {
            assertThat(c.exec("echo hello").stdout()).isEqualTo("hello\n");
        }
        assertThat(Files.readString(knownHosts.berthFile())).contains("[127.0.0.1]:" + server.port());
        try (SshConnection c = connector(Prompter.NONE).connect(target(keyFile), null, progress::add)) {
            assertThat(c.exec("exit 3").exitCode()).isEqualTo(3);
        }
        assertThat(progress).extracting(Progress::step).containsOnly(SshConnector.STEP);
        assertThat(progress).last().extracting(Progress::fraction).isEqualTo(1.0);
    }

    @Test
    void aWrongAcceptedFingerprintIsNotAccepted() {
        assertThatThrownBy(() -> connector(Prompter.NONE).connect(target(keyFile),
                "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", progress::add))
                .isInstanceOf(UnknownHostKeyException.class);
        assertThat(knownHosts.berthFile()).doesNotExist();
    }

    @Test
    void keyFromTheUsersKnownHostsIsTrusted() throws Exception {
        Files.writeString(userKnownHosts, server.knownHostsLine() + "\n");
        try (SshConnection c = connector(Prompter.NONE).connect(target(keyFile), null, progress::add)) {
            assertThat(c.exec("printf '%s' \"$0\"").stdout()).isEqualTo("/bin/sh");
        }
    }

    @Test
    void changedHostKeyIsRefusedLoudlyEvenWhenAFingerprintIsGiven() throws Exception {
        // the host was known with another key
        Files.writeString(userKnownHosts, TestSshServer.knownHostsLine(server.port(), TestSshServer.newKeyPair().getPublic()) + "\n");
        String newFp = KnownHosts.fingerprint(server.hostKey().getPublic());
        assertThatThrownBy(() -> connector(Prompter.NONE).connect(target(keyFile), newFp, progress::add))
                .isInstanceOfSatisfying(HostKeyChangedException.class, e -> {
                    assertThat(e.fingerprint()).isEqualTo(newFp);
                    assertThat(e.knownHosts()).isEqualTo(userKnownHosts);
                    assertThat(e.getMessage()).contains("HAS CHANGED").contains("ssh-keygen -R");
                });
        assertThat(server.commands).isEmpty();
    }

    @Test
    void refusedKeyIsAnAuthenticationFailureNamingTheKeyAndTheRemedy() throws Exception {
        Files.writeString(userKnownHosts, server.knownHostsLine() + "\n");
        Path other = TestSshServer.writeKey(TestSshServer.newKeyPair(), dir.resolve("id_other"), null);
        assertThatThrownBy(() -> connector(Prompter.NONE).connect(target(other), null, progress::add))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining(other.toString())
                .hasMessageContaining("ssh-copy-id");
    }

    @Test
    void passphraseIsAskedThroughThePrompter() throws Exception {
        Files.writeString(userKnownHosts, server.knownHostsLine() + "\n");
        Path encrypted = TestSshServer.writeKey(userKey, dir.resolve("id_encrypted"), "s3cret");
        List<String> asked = new ArrayList<>();
        Prompter prompter = new Prompter() {
            @Override
            public Optional<char[]> passphrase(String file) {
                asked.add(file);
                return Optional.of("s3cret".toCharArray());
            }

            @Override
            public Optional<char[]> sudoPassword(String userAtHost) {
                return Optional.empty();
            }
        };
        try (SshConnection c = connector(prompter).connect(target(encrypted), null, progress::add)) {
            assertThat(c.exec("echo ok").stdout()).isEqualTo("ok\n");
        }
        assertThat(asked).containsExactly(encrypted.toString());
        assertThatThrownBy(() -> connector(Prompter.NONE).connect(target(encrypted), null, progress::add))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("no usable SSH key");
    }

    @Test
    void nothingListeningIsUnreachableWithARemedy() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SshTarget closed = new SshTarget("127.0.0.1", "127.0.0.1", port, "lab", List.of(keyFile), List.of());
        assertThatThrownBy(() -> connector(Prompter.NONE).connect(closed, null, progress::add))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("cannot reach lab@127.0.0.1:" + port)
                .hasMessageContaining("is sshd running");
    }

    @Test
    void proxyJumpReachesTheTargetThroughTheJumpHost() throws Exception {
        try (TestSshServer jump = new TestSshServer()) {
            jump.authorize(userKey.getPublic());
            Files.writeString(userKnownHosts, server.knownHostsLine() + "\n" + jump.knownHostsLine() + "\n");
            SshTarget hop = new SshTarget("jump", "127.0.0.1", jump.port(), "lab", List.of(keyFile), List.of());
            SshTarget viaJump = new SshTarget("node", "127.0.0.1", server.port(), "lab", List.of(keyFile), List.of(hop));
            try (SshConnection c = connector(Prompter.NONE).connect(viaJump, null, progress::add)) {
                assertThat(c.exec("echo through").stdout()).isEqualTo("through\n");
            }
            assertThat(server.commands).contains("echo through");
            assertThat(jump.commands).isEmpty();
        }
    }

    @Test
    void stdinIsStreamedToTheCommand() throws Exception {
        Files.writeString(userKnownHosts, server.knownHostsLine() + "\n");
        Path out = dir.resolve("uploaded");
        byte[] data = new byte[300_000];
        new java.util.Random(1).nextBytes(data);
        try (SshConnection c = connector(Prompter.NONE).connect(target(keyFile), null, progress::add)) {
            ExecResult r = c.exec("cat > " + Shell.quote(out.toString()), new java.io.ByteArrayInputStream(data),
                    Duration.ofSeconds(30));
            assertThat(r.exitCode()).isZero();
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }
}
