package dev.berth.core.provision;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PreflightTest {
    @Test
    void loopbackControlPlaneStopsWithTheListenFlagToUse() {
        CheckResult r = Preflight.serverAddress(URI.create("https://127.0.0.1:6443"), "lab-pc-2");
        assertThat(r.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(r.remedy()).contains("berth server --listen 0.0.0.0:6443");
        assertThat(Preflight.serverAddress(URI.create("https://localhost:7443"), "10.0.0.5").remedy())
                .contains("--listen 0.0.0.0:7443");
        assertThat(Preflight.serverAddress(URI.create("https://[::1]:6443"), "10.0.0.5").status())
                .isEqualTo(CheckResult.Status.FAIL);
    }

    @Test
    void networkAddressOrALoopbackNodeIsFine() {
        assertThat(Preflight.serverAddress(URI.create("https://192.0.2.10:6443"), "lab-pc-2").status())
                .isEqualTo(CheckResult.Status.OK);
        assertThat(Preflight.serverAddress(URI.create("https://127.0.0.1:6443"), "127.0.0.1").status())
                .isEqualTo(CheckResult.Status.OK);
    }

    @Test
    void osReleaseValuesLoseTheirQuotes() {
        var m = Preflight.parseOsRelease("""
                PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
                ID=debian
                VERSION_ID='12'
                # comment=x
                """);
        assertThat(m).containsEntry("PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)").containsEntry("ID", "debian")
                .containsEntry("VERSION_ID", "12").doesNotContainKey("# comment");
    }

    @Test
    void aNodeOfAnotherProcessorIsRefusedUnlessItHasJava25() throws Exception {
        Preflight p = new Preflight(new Preflight.Settings(RemoteLayout.SYSTEM, URI.create("https://192.0.2.10:6443"), 1,
                "x86_64", 10250, java.time.Clock.systemUTC()));

        CheckResult refused = p.java(host("aarch64", 127, "sh: java: not found"));
        assertThat(refused.status()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(refused.message()).contains("the bundled runtime is x86_64 but the node is aarch64, and it has no java",
                "carries no runtime for aarch64");
        assertThat(refused.remedy()).contains("Java 25", "berth node bundle");
        assertThat(p.java(host("aarch64", 0, "openjdk version \"17.0.2\" 2022-01-18")).message()).contains("its java is version 17");

        assertThat(p.java(host("aarch64", 0, "openjdk version \"25.0.1\" 2025-10-21")).status()).isEqualTo(CheckResult.Status.OK);
        assertThat(p.java(host("x86_64", 127, "sh: java: not found")).status()).isEqualTo(CheckResult.Status.OK);
    }

    private static RemoteHost host(String arch, int javaExit, String javaVersion) {
        return new RemoteHost() {
            @Override
            public String describe() {
                return "ann@lab-pc-2";
            }

            @Override
            public ExecResult exec(String command, java.io.InputStream stdin, java.time.Duration timeout) {
                if (command.equals("uname -m")) return new ExecResult(0, arch + "\n", "");
                if (command.startsWith("java -version")) return new ExecResult(javaExit, javaVersion + "\n", "");
                throw new AssertionError("unexpected command " + command);
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void javaVersionsAreReadInBothSchemes() {
        assertThat(Preflight.javaMajor("openjdk version \"25.0.1\" 2025-10-21")).isEqualTo(25);
        assertThat(Preflight.javaMajor("java version \"1.8.0_392\"")).isEqualTo(8);
        assertThat(Preflight.javaMajor("sh: java: not found")).isZero();
    }

    @Test
    void dfAvailableIsInBytes() {
        assertThat(Preflight.parseDfAvailable("""
                Filesystem     1024-blocks    Used Available Capacity Mounted on
                /dev/sda1         10000000 5000000   4000000      56% /
                """)).hasValue(4_000_000L * 1024);
        assertThat(Preflight.parseDfAvailable("df: /x: No such file")).isEmpty();
    }

    @Test
    void epochWithOrWithoutNanos() {
        assertThat(Preflight.parseEpoch("1700000000.123456789")).isEqualTo(Instant.ofEpochSecond(1700000000, 123456789));
        assertThat(Preflight.parseEpoch("1700000000.N")).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThat(Preflight.parseEpoch("garbage")).isNull();
    }

    @Test
    void listeningSocketsAreFoundByPortAndState() {
        String tables = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000:280A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1
                   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2
                """;
        assertThat(Preflight.listening(tables, 10250)).isTrue();
        assertThat(Preflight.listening(tables, 8080)).isFalse();   // only an established connection
        assertThat(Preflight.listening(tables, 6443)).isFalse();
    }
}
