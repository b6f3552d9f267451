package dev.berth.core.provision;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Preflight over a real SSH connection to an in-process server whose commands run on this
 * machine; tools are hidden by running commands with a PATH of the test's own.
 */
class PreflightIT {
    @TempDir
    Path dir;
    TestSshServer server;
    SshConnection connection;
    ServerSocket controlPlane;
    final List<Progress> progress = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TestSshServer();
        KeyPair key = TestSshServer.newKeyPair();
        server.authorize(key.getPublic());
        Path keyFile = TestSshServer.writeKey(key, dir.resolve("id"), null);
        Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        connection = new SshConnector(new KnownHosts(dir.resolve("known_hosts"), dir.resolve("berth_known_hosts")),
                Prompter.NONE, Duration.ofSeconds(5))
                .connect(new SshTarget("127.0.0.1", "127.0.0.1", server.port(), "lab", List.of(keyFile), List.of()), null,
                        ProgressListener.NONE);
        controlPlane = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws Exception {
        connection.close();
        server.close();
        controlPlane.close();
    }

    Preflight preflight(Clock clock, URI server) {
        return new Preflight(new Preflight.Settings(RemoteLayout.under(dir.resolve("host").toString()), server,
                10L << 20, "x86_64", 10250, clock));
    }

    /** A PATH holding only these tools of this machine. */
    String pathWith(String... tools) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String t : tools) {
            for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
                Path p = Path.of(d, t);
                if (Files.isExecutable(p) && !Files.exists(bin.resolve(t))) {
                    Files.createSymbolicLink(bin.resolve(t), p);
                }
            }
        }
        return bin.toString();
    }

    static final String[] BASE_TOOLS = {"sh", "bash", "cat", "uname", "df", "stat", "dirname", "date", "tar", "gzip",
            "sha256sum", "mkdir", "mv", "rm", "ln", "chmod", "timeout", "test"};

    @Test
    void everyCheckRunsAndAReachableControlPlanePasses() throws Exception {
        URI url = URI.create("https://127.0.0.1:" + controlPlane.getLocalPort());
        PreflightReport report = preflight(Clock.systemUTC(), url).run(connection, Privileged.root(connection), null, progress::add);
        assertThat(report.results()).extracting(CheckResult::name).containsExactly(Preflight.REACHABILITY,
                Preflight.AUTHENTICATION, Preflight.SUDO, Preflight.TOOLS, Preflight.OS, Preflight.JAVA, Preflight.DOCKER,
                Preflight.DISK, Preflight.CLOCK, Preflight.CGROUPS, Preflight.IP_FORWARDING, Preflight.AGENT_PORT,
                Preflight.CONTROL_PLANE);
        assertThat(report.get(Preflight.CONTROL_PLANE).status()).isEqualTo(CheckResult.Status.OK);
        assertThat(report.get(Preflight.TOOLS).status()).isEqualTo(CheckResult.Status.OK);
        assertThat(report.get(Preflight.CLOCK).status()).isEqualTo(CheckResult.Status.OK);
        assertThat(report.get(Preflight.DISK).message()).contains(dir.resolve("host").toString());
        assertThat(progress).extracting(Progress::step).containsOnly(Preflight.STEP);
        assertThat(progress).last().extracting(Progress::fraction).isEqualTo(1.0);
    }

    @Test
    void unreachableControlPlaneFailsNamingAddressAndRemedy() throws Exception {
        int closed = controlPlane.getLocalPort();
        controlPlane.close();
        CheckResult r = preflight(Clock.systemUTC(), URI.create("https://127.0.0.1:" + closed)).controlPlane(connection);
        assertThat(r.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(r.message()).contains("127.0.0.1:" + closed);
        assertThat(r.remedy()).contains("--listen 0.0.0.0:" + closed);
    }

    @Test
    void skewedClockFailsAndSlightSkewWarns() throws Exception {
        URI url = URI.create("https://127.0.0.1:" + controlPlane.getLocalPort());
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-5));
        CheckResult r = preflight(behind, url).clock(connection);
        assertThat(r.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(r.message()).contains("ahead of");
        assertThat(r.remedy()).contains("timedatectl set-ntp true");
        Clock slightly = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(10));
        assertThat(preflight(slightly, url).clock(connection).status()).isEqualTo(CheckResult.Status.WARN);
    }

    @Test
    void withoutDockerTheCheckFailsWithTheInstallRemedy() throws Exception {
        server.commandPrefix(List.of("/usr/bin/env", "PATH=" + pathWith(BASE_TOOLS)));
        URI url = URI.create("https://127.0.0.1:" + controlPlane.getLocalPort());
        PreflightReport report = preflight(Clock.systemUTC(), url).run(connection, Privileged.root(connection), null, progress::add);
        CheckResult docker = report.get(Preflight.DOCKER);
        assertThat(docker.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(docker.message()).isEqualTo("Docker is not installed");
        assertThat(docker.remedy()).contains("apt-get install docker.io");
        assertThat(report.passed()).isFalse();
        assertThat(report.get(Preflight.TOOLS).status()).isEqualTo(CheckResult.Status.OK);
    }

    @Test
    void missingToolsAreNamed() throws Exception {
        server.commandPrefix(List.of("/usr/bin/env", "PATH=" + pathWith("sh", "cat", "uname")));
        CheckResult r = preflight(Clock.systemUTC(), URI.create("https://127.0.0.1:1")).tools(connection);
        assertThat(r.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(r.message()).contains("tar").contains("sha256sum").doesNotContain("uname");
    }

    @Test
    void notRootWithoutSudoIsRefusedWithTheRemedy() throws Exception {
        // a login user that is not root, on a host without sudo
        Path bin = Path.of(pathWith(BASE_TOOLS));
        Files.writeString(bin.resolve("id"), "#!/bin/sh\necho 1000\n");
        bin.resolve("id").toFile().setExecutable(true);
        server.commandPrefix(List.of("/usr/bin/env", "PATH=" + bin));
        assertThatThrownBy(() -> Privileged.detect(connection, Prompter.NONE, false))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("not root and sudo is not installed")
                .hasMessageContaining("--user root");
    }

    @Test
    void sudoThatNeedsAPasswordAsksOnlyWhenAllowed() throws Exception {
        // sudo here accepts only the password "pw" on stdin, as sudo -S does
        Path bin = Path.of(pathWith(BASE_TOOLS));
        Files.writeString(bin.resolve("id"), "#!/bin/sh\necho 1000\n");
        Files.writeString(bin.resolve("sudo"), """
                #!/bin/sh
                if [ "$1" = "-n" ]; then echo "sudo: a password is required" >&2; exit 1; fi
                read -r pw
                [ "$pw" = "pw" ] || { echo "Sorry, try again." >&2; exit 1; }
                shift 3; [ "$1" = "--" ] && shift
                exec "$@"
                """);
        bin.resolve("id").toFile().setExecutable(true);
        bin.resolve("sudo").toFile().setExecutable(true);
        server.commandPrefix(List.of("/usr/bin/env", "PATH=" + bin));
        assertThatThrownBy(() -> Privileged.detect(connection, Prompter.NONE, false))
                .hasMessageContaining("needs a password").hasMessageContaining("--sudo");
        Prompter wrong = prompter("nope");
        assertThatThrownBy(() -> Privileged.detect(connection, wrong, true)).hasMessageContaining("refused the password");
        try (Privileged p = Privileged.detect(connection, prompter("pw"), true)) {
            assertThat(p.mode()).isEqualTo(Privileged.Mode.SUDO_WITH_PASSWORD);
            ExecResult r = p.exec("cat", new java.io.ByteArrayInputStream("data after the password".getBytes()), Duration.ofSeconds(10));
            assertThat(r.stdout()).isEqualTo("data after the password");
        }
        assertThat(server.commands).noneMatch(c -> c.contains("pw"));   // never on a command line
    }

    static Prompter prompter(String password) {
        return new Prompter() {
            @Override
            public java.util.Optional<char[]> passphrase(String keyFile) { return java.util.Optional.empty(); }

            @Override
            public java.util.Optional<char[]> sudoPassword(String userAtHost) { return java.util.Optional.of(password.toCharArray()); }
        };
    }

    @Test
    void clockIsJudgedAgainstTheInjectedClock() throws Exception {
        Clock fixed = Clock.fixed(Instant.parse("2001-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(preflight(fixed, URI.create("https://127.0.0.1:1")).clock(connection).status())
                .isEqualTo(CheckResult.Status.FAIL);
    }
}
