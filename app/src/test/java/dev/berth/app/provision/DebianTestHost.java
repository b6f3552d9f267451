package dev.berth.app.provision;

import dev.berth.agent.testing.TestDocker;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A Debian 12 lab machine for provisioning tests: a container with every privilege this machine's
 * engine grants (all capabilities but CAP_SYS_RESOURCE, no seccomp or AppArmor profile, writable
 * /proc/sys and cgroups, every device), from an image built here
 * ({@code debian-host.sh}: debootstrap from this machine's apt mirror, with sshd and docker.io;
 * tagged with the recipe's hash and kept between runs) on a Docker network of the test's own (a
 * random /24 in 10.240.0.0/12), running sshd and its own dockerd (data on a volume). This
 * machine's JDK is mounted read-only as the host's {@code java}, so a bundle without a runtime
 * runs there. Everything carries the run's prefix and goes on {@link #close}.
 */
public final class DebianTestHost implements AutoCloseable {
    static final String RECIPE = "debian-host.sh";
    static final Pattern DEB822_URI = Pattern.compile("(?m)^URIs:\\s*(\\S+)");
    static final Pattern ONE_LINE = Pattern.compile("(?m)^deb\\s+(?:\\[[^]]*]\\s+)?(\\S+)\\s+bookworm\\s");

    private final String name;
    private final String network;
    private final String volume;
    private String ip;
    private String gateway;

    private DebianTestHost(String prefix, String suffix) {
        this.name = prefix + suffix;
        this.network = prefix + suffix + "-net";
        this.volume = prefix + suffix + "-docker";
    }

    /** The image's tag: the recipe's hash. */
    static String imageTag() throws IOException {
        try (InputStream in = DebianTestHost.class.getResourceAsStream(RECIPE)) {
            byte[] recipe = in.readAllBytes();
            return "berth-test/debian-host:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(recipe))
                    .substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds the image unless a tag of this recipe is there; returns the tag. */
    public static synchronized String image(Path work) throws IOException {
        TestDocker.require();
        String tag = imageTag();
        if (TestDocker.docker("image", "inspect", tag).exit() == 0) return tag;
        if (!Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            unavailable("debootstrap is not installed (apt-get install debootstrap), so the Debian test host image "
                    + tag + " cannot be built");
        }
        Path script = Files.createDirectories(work).resolve(RECIPE);
        try (InputStream in = DebianTestHost.class.getResourceAsStream(RECIPE)) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Result r = run(List.of("sh", script.toString(), tag, mirror()), 3600);
        if (r.exit() != 0) throw new IllegalStateException("building " + tag + " failed: " + r.output());
        return tag;
    }

    /** The Debian mirror this machine's apt uses (deb822 sources first, then sources.list). */
    static String mirror() throws IOException {
        List<Path> files = new ArrayList<>();
        Path dir = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(dir)) {
            try (var list = Files.list(dir)) {
                list.filter(p -> p.toString().endsWith(".sources") || p.toString().endsWith(".list")).sorted().forEach(files::add);
            }
        }
        files.add(Path.of("/etc/apt/sources.list"));
        for (Path f : files) {
            if (!Files.isRegularFile(f)) continue;
            String text = Files.readString(f);
            for (Matcher m : List.of(DEB822_URI.matcher(text), ONE_LINE.matcher(text))) {
                while (m.find()) {
                    String uri = m.group(1);
                    if (!uri.contains("security")) return uri;
                }
            }
        }
        unavailable("no Debian mirror in /etc/apt/sources.list(.d) to build the Debian test host from");
        return null;
    }

    private static void unavailable(String reason) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(reason + " (required when CI=true)");
        Assumptions.abort(reason);
    }

    /** Starts a test host named {@code prefix + suffix}, with sshd and dockerd answering. */
    public static DebianTestHost start(String image, String prefix, String suffix) throws IOException {
        DebianTestHost host = new DebianTestHost(prefix, suffix);
        try {
            host.makeNetwork();
            String javaHome = System.getProperty("java.home");
            // as --privileged would, less CAP_SYS_RESOURCE: an engine that itself lacks a capability
            // (this one runs in a container) refuses --privileged ("unable to apply caps")
            TestDocker.Result r = TestDocker.docker("run", "-d", "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
                    "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
                    "--security-opt", "systempaths=unconfined", "--device-cgroup-rule", "a *:* rwm",
                    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--name", host.name, "--hostname", suffix,
                    "--network", host.network, "-v", host.volume + ":/var/lib/docker",
                    "-v", javaHome + ":/opt/jdk:ro", image);
            if (r.exit() != 0) throw new IllegalStateException("docker run " + host.name + ": " + r.output());
            host.ip = host.inspect("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
            host.check("ln -sf /opt/jdk/bin/java /usr/local/bin/java");
            await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(250))
                    .until(() -> host.exec("docker info >/dev/null 2>&1 && test -s /etc/ssh/ssh_host_ed25519_key.pub"
                            + " && (echo > /dev/tcp/127.0.0.1/22) 2>/dev/null").exit() == 0);
            return host;
        } catch (IOException | RuntimeException | Error e) {
            host.close();
            throw e;
        }
    }

    private void makeNetwork() throws IOException {
        for (int attempt = 0; ; attempt++) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String base = "10." + (240 + r.nextInt(16)) + "." + r.nextInt(256);
            TestDocker.Result made = TestDocker.docker("network", "create", "--driver", "bridge", "--subnet", base + ".0/24",
                    "--gateway", base + ".1", network);
            if (made.exit() == 0) {
                gateway = base + ".1";
                return;
            }
            if (!made.output().contains("overlap") || attempt > 20) {
                throw new IllegalStateException("docker network create " + network + ": " + made.output());
            }
        }
    }

    private String inspect(String format) throws IOException {
        TestDocker.Result r = TestDocker.docker("inspect", "-f", format, name);
        if (r.exit() != 0) throw new IllegalStateException("docker inspect " + name + ": " + r.output());
        return r.output().strip();
    }

    public String name() {
        return name;
    }

    /** The host's address on the test's network. */
    public String ip() {
        return ip;
    }

    /** This machine's address on the test's network (the network's gateway): where the control plane listens. */
    public String gateway() {
        return gateway;
    }

    /** The known_hosts line of the host's ed25519 key. */
    public String knownHostsLine() throws IOException {
        String key = check("cat /etc/ssh/ssh_host_ed25519_key.pub").strip();
        String[] parts = key.split("\\s+");
        return ip + " " + parts[0] + " " + parts[1];
    }

    /** Makes a key pair for root's login; returns the private key file written to {@code file}. */
    public Path rootLoginKey(Path file) throws IOException {
        check("rm -f /root/.ssh/berth-test-key /root/.ssh/berth-test-key.pub && ssh-keygen -q -t ed25519 -N '' -C berth-test"
                + " -f /root/.ssh/berth-test-key && cat /root/.ssh/berth-test-key.pub >> /root/.ssh/authorized_keys"
                + " && chmod 0600 /root/.ssh/authorized_keys");
        Files.writeString(file, check("cat /root/.ssh/berth-test-key && rm -f /root/.ssh/berth-test-key"));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** Loads a local image into the host's own Docker engine. */
    public void loadImage(String image, Path work) throws IOException {
        Path tar = work.resolve(image.replaceAll("[^A-Za-z0-9]", "_") + ".tar");
        if (!Files.exists(tar)) {
            TestDocker.Result saved = TestDocker.docker("save", "-o", tar.toString(), image);
            if (saved.exit() != 0) throw new IllegalStateException("docker save " + image + ": " + saved.output());
        }
        TestDocker.Result copied = TestDocker.docker("cp", tar.toString(), name + ":/tmp/image.tar");
        if (copied.exit() != 0) throw new IllegalStateException("docker cp: " + copied.output());
        check("docker load -q -i /tmp/image.tar && rm -f /tmp/image.tar");
    }

    public record Result(int exit, String output) {
    }

    /** Runs {@code script} with sh inside the host as root. */
    public Result exec(String script) throws IOException {
        TestDocker.Result r = TestDocker.docker("exec", name, "bash", "-c", script);
        return new Result(r.exit(), r.output());
    }

    /** Runs {@code script}; its output, or an error when it fails. */
    public String check(String script) throws IOException {
        Result r = exec(script);
        if (r.exit() != 0) throw new IllegalStateException("in " + name + ": " + script + " -> exit " + r.exit() + ": " + r.output());
        return r.output();
    }

    static Result run(List<String> argv, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + argv);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Removes the container (its engine's containers go with it), its volume and its network. */
    @Override
    public void close() {
        try {
            TestDocker.docker("rm", "-f", "-v", name);
            TestDocker.docker("volume", "rm", "-f", volume);
            TestDocker.docker("network", "rm", network);
        } catch (IOException e) {
            // no docker: nothing was made
        }
    }
}
