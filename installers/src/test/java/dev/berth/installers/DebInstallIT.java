package dev.berth.installers;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Installs the built {@code .deb} on this machine as a person would (apt-get), checks the
 * installation (launcher, desktop entry, icons, the berth command, the CDS archives postinst makes,
 * the agent bundle the installed app makes offline), starts the
 * installed app headless ({@code berth server}) and asks its control plane with kubectl, then
 * purges the package and checks that nothing is left. It changes the machine, so it runs only as
 * root (CI), and never where berth is already installed.
 */
class DebInstallIT {
    static final Path OPT = Path.of("/opt/berth");
    static final Path DESKTOP = Path.of("/usr/share/applications/berth-Berth.desktop");

    @TempDir
    Path tmp;

    @Test
    void installsStartsTheControlPlaneAndPurgesCleanly() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "installing a .deb needs root: run as root (CI does) to check the installer");
        Assumptions.assumeTrue(ci || run(List.of("dpkg", "-s", "berth")).exit() != 0,
                "berth is installed on this machine; this test would purge it");
        Path deb = deb();

        Result install = run(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", deb.toString()));
        try {
            assertThat(install.exit()).as("apt-get install: %s", install.output()).isZero();

            // the installation: launcher, runtime, class data archive, desktop entry, icons, berth on the PATH
            assertThat(OPT.resolve("bin/Berth")).isExecutable();
            assertThat(OPT.resolve("lib/runtime/bin/java")).isExecutable();
            String cfg = Files.readString(OPT.resolve("lib/app/Berth.cfg"));
            assertThat(cfg).contains("app.mainclass=" + InstallerBuild.MAIN_CLASS);
            // the class data archive postinst made from the build's class list with the installed runtime and jars
            if (cfg.contains(AotTraining.ARCHIVE_OPTION)) {
                assertThat(OPT.resolve("lib/app/" + AotTraining.CLASS_LIST)).isRegularFile();
                assertThat(OPT.resolve("lib/app/" + AotTraining.ARCHIVE)).isRegularFile();
            }
            String entry = Files.readString(DESKTOP);
            String exec = entry.lines().filter(l -> l.startsWith("Exec=")).findFirst().orElseThrow().substring(5).split(" ")[0];
            assertThat(Path.of(exec)).isExecutable();
            assertThat(entry).contains("Icon=berth", "StartupWMClass=" + InstallerBuild.WM_CLASS, "Categories=Development;");
            for (int size : new int[] {16, 32, 48, 128, 256}) {
                assertThat(Path.of("/usr/share/icons/hicolor/" + size + "x" + size + "/apps/berth.png")).isRegularFile();
            }
            assertThat(Files.readSymbolicLink(Path.of("/usr/bin/berth"))).isEqualTo(OPT.resolve("bin/Berth"));
            // no CDS archive in the package: postinst made both with the installed runtime
            assertThat(OPT.resolve("lib/runtime/lib/server/classes_coh.jsa")).isRegularFile();
            assertThat(OPT.resolve("lib/runtime/lib/server/classes.jsa")).isRegularFile();
            // berth node add's agent bundle, made offline from the installation's own runtime and jars
            Path bundles = tmp.resolve("bundles");
            Result bundle = run(List.of("/usr/bin/berth", "node", "bundle", "--out", bundles.toString()));
            assertThat(bundle.exit()).as("berth node bundle: %s", bundle.output()).isZero();
            Path unpacked = Files.createDirectories(tmp.resolve("bundle"));
            try (Stream<Path> s = Files.list(bundles)) {
                Path archive = s.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).findFirst().orElseThrow();
                assertThat(run(List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString())).exit()).isZero();
            }
            assertThat(unpacked.resolve("runtime/bin/java")).isExecutable();
            try (Stream<Path> s = Files.list(unpacked.resolve("lib"))) {
                assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("berth-agent-"))
                        .noneMatch(n -> n.startsWith("javafx-") || n.startsWith("controlsfx-"));
            }
            Result agentHelp = run(List.of(unpacked.resolve("bin/berth-agent").toString(), "--help"));
            assertThat(agentHelp.exit()).as("berth-agent --help: %s", agentHelp.output()).isZero();
            assertThat(agentHelp.output()).contains("--kubeconfig");
            String depends = run(List.of("dpkg-query", "-W", "-f=${Depends}", "berth")).output();
            assertThat(depends).contains("libgtk-3-0");

            // subcommands work through the installed launcher
            Result version = run(List.of("/usr/bin/berth", "--version"));
            // nothing but the version: a JVM warning (a refused cache or archive) would come first
            assertThat(version.output()).as("berth --version").startsWith("berth ").doesNotContain("warning", "error");
            assertThat(version.exit()).isZero();

            // the installed app's embedded control plane, headless, answers kubectl
            int port = freePort();
            Path data = tmp.resolve("data");
            Path log = tmp.resolve("server.log");
            Process server = new ProcessBuilder(OPT.resolve("bin/Berth").toString(), "server", "--data-dir", data.toString(),
                    "--listen", "127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Path kubeconfig = data.resolve("admin.kubeconfig");
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(server.isAlive()).as("berth server is running: %s", Files.readString(log)).isTrue();
                    assertThat(kubeconfig).isRegularFile();
                    Result ready = run(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "get", "--raw", "/readyz"));
                    assertThat(ready.output()).isEqualTo("ok");
                });
                Result ns = run(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "get", "namespaces", "-o", "name"));
                assertThat(ns.output()).contains("namespace/default", "namespace/kube-system");
            } finally {
                server.destroy();
                if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
            }
        } finally {
            Result purge = run(List.of("apt-get", "purge", "-y", "-q", "berth"));
            assertThat(purge.exit()).as("apt-get purge: %s", purge.output()).isZero();
        }

        // nothing left behind
        assertThat(OPT).doesNotExist();
        try (Stream<Path> s = Files.list(Path.of("/usr/share/applications"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.toLowerCase(java.util.Locale.ROOT).contains("berth"));
        }
        assertThat(Path.of("/usr/share/icons/hicolor/256x256/apps/berth.png")).doesNotExist();
        assertThat(Path.of("/usr/bin/berth")).doesNotExist();
        assertThat(run(List.of("dpkg", "-s", "berth")).exit()).isNotZero();
    }

    static Path deb() throws IOException {
        Path out = Path.of(System.getProperty("installers.out", "target/installers"));
        try (Stream<Path> s = Files.exists(out) ? Files.list(out) : Stream.empty()) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("berth_.*\\.deb")).sorted().toList();
            assertThat(debs).as("a .deb in %s (./mvnw -Pinstallers package)", out).isNotEmpty();
            return debs.getLast().toAbsolutePath();
        }
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        pb.environment().putAll(Map.of("DEBIAN_FRONTEND", "noninteractive"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 5 minutes");
        }
        return new Result(p.exitValue(), out.trim());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
