package dev.berth.core.provision;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The checks run on a host before anything is installed, each ok, warn or fail with a precise
 * remedy. Nothing here changes the host.
 */
public final class Preflight {
    public static final String STEP = "preflight";
    public static final String REACHABILITY = "reachability";
    public static final String AUTHENTICATION = "authentication";
    public static final String SUDO = "sudo";
    public static final String OS = "os";
    public static final String DOCKER = "docker";
    public static final String JAVA = "java";
    public static final String DISK = "disk";
    public static final String CLOCK = "clock";
    public static final String CGROUPS = "cgroups";
    public static final String IP_FORWARDING = "ip-forwarding";
    public static final String AGENT_PORT = "agent-port";
    public static final String CONTROL_PLANE = "control-plane";
    public static final String TOOLS = "tools";

    /** Clock skew that only warns; beyond {@link #SKEW_FAIL} certificates may not be valid yet on one side. */
    static final Duration SKEW_WARN = Duration.ofSeconds(2);
    static final Duration SKEW_FAIL = Duration.ofSeconds(60);
    /** Room the agent's data needs beyond the bundle: images and pod volumes live elsewhere (Docker). */
    static final long DATA_MIN_BYTES = 512L << 20;

    /** What the checks need to know. */
    public record Settings(RemoteLayout layout, URI server, long bundleBytes, String bundleArch, int agentPort,
                           Clock clock) {}

    private final Settings settings;

    public Preflight(Settings settings) {
        this.settings = settings;
    }

    /**
     * The control plane's address as the node will be told it: a loopback address cannot work from
     * another machine, so provisioning stops before touching the host. (It does when the node is
     * this machine, reached at a loopback address itself.)
     */
    public static CheckResult serverAddress(URI server, String nodeHost) {
        if (isLoopback(nodeHost)) {
            return CheckResult.ok(CONTROL_PLANE, "the node is this machine and will use " + server);
        }
        String host = server.getHost();
        if (host == null) {
            return CheckResult.fail(CONTROL_PLANE, "the server URL " + server + " has no host",
                    "give --server https://ADDRESS:6443");
        }
        if (isLoopback(host)) {
            int port = server.getPort() > 0 ? server.getPort() : 6443;
            return CheckResult.fail(CONTROL_PLANE, "the control plane is at " + server + ", a loopback address other"
                            + " machines cannot reach",
                    "restart it listening on the network: berth server --listen 0.0.0.0:" + port
                            + " (then give --server https://THIS-MACHINE:" + port + " if the default is wrong)");
        }
        return CheckResult.ok(CONTROL_PLANE, "the node will use " + server);
    }

    /**
     * Runs every check on a connected host; {@code root} is null when becoming root failed
     * ({@code sudoFailure} says why), and the checks that need root are then skipped as failures.
     */
    public PreflightReport run(RemoteHost login, Privileged root, String sudoFailure, ProgressListener progress) {
        List<CheckResult> results = new ArrayList<>();
        results.add(CheckResult.ok(REACHABILITY, "SSH answers at " + login.describe()));
        results.add(CheckResult.ok(AUTHENTICATION, "logged in as " + login.describe()));
        if (root == null) {
            results.add(CheckResult.fail(SUDO, sudoFailure, "see the message"));
        } else {
            results.add(CheckResult.ok(SUDO, switch (root.mode()) {
                case ROOT -> "logged in as root";
                case SUDO -> "passwordless sudo";
                case SUDO_WITH_PASSWORD -> "sudo with the password given";
            }));
        }
        RemoteHost admin = root != null ? root : login;
        List<Check> checks = List.of(
                new Check(TOOLS, () -> tools(login)),
                new Check(OS, () -> os(login)),
                new Check(JAVA, () -> java(login)),
                new Check(DOCKER, () -> root == null ? skipped(DOCKER) : docker(login, root)),
                new Check(DISK, () -> disk(login)),
                new Check(CLOCK, () -> clock(login)),
                new Check(CGROUPS, () -> cgroups(login)),
                new Check(IP_FORWARDING, () -> ipForwarding(login)),
                new Check(AGENT_PORT, () -> agentPort(login, admin)),
                new Check(CONTROL_PLANE, () -> controlPlane(login)));
        int i = 0;
        for (Check c : checks) {
            progress.report(STEP, (double) i++ / checks.size(), "checking " + c.name());
            CheckResult r;
            try {
                r = c.body().run();
            } catch (IOException e) {
                r = CheckResult.fail(c.name(), "the connection failed during the check: " + e.getMessage(),
                        "check the network and run again");
            }
            results.add(r);
        }
        progress.report(STEP, 1.0, results.stream().filter(r -> r.status() == CheckResult.Status.FAIL).count() + " failed, "
                + results.stream().filter(r -> r.status() == CheckResult.Status.WARN).count() + " warnings");
        return new PreflightReport(results);
    }

    private record Check(String name, Body body) {}

    @FunctionalInterface
    private interface Body {
        CheckResult run() throws IOException;
    }

    private static CheckResult skipped(String name) {
        return CheckResult.fail(name, "not checked: root is needed", "fix the sudo check first");
    }

    /** The tools the install uses (coreutils, tar, gzip): present on any Debian or Ubuntu. */
    CheckResult tools(RemoteHost h) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("sh", "tar", "gzip", "sha256sum", "uname", "df", "mkdir", "mv", "rm", "ln", "chmod", "cat")) {
            if (!h.exec("command -v " + tool).ok()) missing.add(tool);
        }
        if (!missing.isEmpty()) {
            return CheckResult.fail(TOOLS, "missing " + String.join(", ", missing),
                    "install them (apt-get install coreutils tar gzip)");
        }
        return CheckResult.ok(TOOLS, "sh, tar, gzip, sha256sum and coreutils present");
    }

    CheckResult os(RemoteHost h) throws IOException {
        ExecResult kernel = h.exec("uname -s; uname -m");
        String[] lines = kernel.stdout().strip().split("\n");
        if (!kernel.ok() || lines.length < 2) {
            return CheckResult.fail(OS, "uname failed: " + kernel.diagnostic(), "the node must be a Linux machine");
        }
        String system = lines[0].strip();
        String arch = lines[1].strip();
        Map<String, String> release = parseOsRelease(h.exec("cat /etc/os-release 2>/dev/null").stdout());
        String pretty = release.getOrDefault("PRETTY_NAME", release.getOrDefault("ID", "unknown Linux"));
        if (!system.equals("Linux")) {
            return CheckResult.fail(OS, "the host runs " + system + ", not Linux", "use a Linux machine (Debian 12 or Ubuntu 22.04+ are tested)");
        }
        if (!arch.equals("x86_64") && !arch.equals("aarch64")) {
            return CheckResult.fail(OS, pretty + " on " + arch, "the agent runs on x86_64 and aarch64 only");
        }
        String id = release.getOrDefault("ID", "");
        String like = release.getOrDefault("ID_LIKE", "");
        if (!id.equals("debian") && !id.equals("ubuntu") && !like.contains("debian")) {
            return CheckResult.warn(OS, pretty + " on " + arch + " (not Debian-like: untested)",
                    "Debian 12 and Ubuntu 22.04+ are tested; others should work with Docker and systemd");
        }
        return CheckResult.ok(OS, pretty + " on " + arch);
    }

    CheckResult java(RemoteHost h) throws IOException {
        String arch = h.exec("uname -m").stdout().strip();
        if (arch.equals(settings.bundleArch())) {
            return CheckResult.ok(JAVA, "the bundled Java runtime (" + settings.bundleArch() + ") will be used");
        }
        ExecResult v = h.exec("java -version 2>&1");
        int major = javaMajor(v.stdout());
        if (v.ok() && major >= 25) {
            return CheckResult.ok(JAVA, "Java " + major + " on the node (the bundled runtime is " + settings.bundleArch() + ", the node " + arch + ")");
        }
        return CheckResult.fail(JAVA, "the bundled runtime is " + settings.bundleArch() + " but the node is " + arch
                        + (v.ok() ? ", and its java is version " + major : ", and it has no java")
                        + ": the agent bundle carries no runtime for " + arch,
                "install Java 25 on the node (e.g. apt-get install openjdk-25-jre-headless, or Temurin 25) so that 'java' is on the PATH,"
                        + " or pass --bundle with a bundle made on an " + arch + " machine (berth node bundle --out DIR)");
    }

    CheckResult docker(RemoteHost login, Privileged root) throws IOException {
        if (!login.exec("command -v docker").ok()) {
            return CheckResult.fail(DOCKER, "Docker is not installed",
                    "install it: apt-get install docker.io (Debian/Ubuntu), or run berth node add with --install-docker");
        }
        ExecResult info = root.exec("docker info --format '{{.ServerVersion}} {{.CgroupVersion}} {{.CgroupDriver}}'");
        if (!info.ok()) {
            String why = info.diagnostic();
            String remedy = why.contains("Cannot connect") || why.contains("Is the docker daemon running")
                    ? "start it: systemctl enable --now docker" : "make 'docker info' work as root on the node";
            return CheckResult.fail(DOCKER, "Docker is installed but not usable: " + why, remedy);
        }
        return CheckResult.ok(DOCKER, "Docker " + info.stdout().strip().split(" ")[0] + " runs");
    }

    CheckResult disk(RemoteHost h) throws IOException {
        long needOpt = settings.bundleBytes() * 3;   // the archive, its unpacked copy, and the previous version
        List<String> problems = new ArrayList<>();
        List<String> facts = new ArrayList<>();
        for (var e : Map.of(settings.layout().opt(), needOpt, settings.layout().data(), DATA_MIN_BYTES).entrySet()) {
            ExecResult df = h.exec("d=" + Shell.quote(e.getKey()) + "; while [ ! -e \"$d\" ]; do d=$(dirname \"$d\"); done; df -Pk \"$d\"");
            OptionalLong free = parseDfAvailable(df.stdout());
            if (free.isEmpty()) {
                return CheckResult.warn(DISK, "cannot read the free space for " + e.getKey() + ": " + df.diagnostic(),
                        "make sure " + (needOpt >> 20) + " MiB are free under /opt");
            }
            facts.add(e.getKey() + " " + (free.getAsLong() >> 20) + " MiB free");
            if (free.getAsLong() < e.getValue()) {
                problems.add(e.getKey() + " has " + (free.getAsLong() >> 20) + " MiB free, " + (e.getValue() >> 20) + " MiB needed");
            }
        }
        if (!problems.isEmpty()) {
            return CheckResult.fail(DISK, String.join("; ", problems), "free space on the node (docker system prune, apt-get clean)");
        }
        return CheckResult.ok(DISK, String.join(", ", facts));
    }

    CheckResult clock(RemoteHost h) throws IOException {
        Instant before = settings.clock().instant();
        ExecResult date = h.exec("date -u +%s.%N");
        Instant after = settings.clock().instant();
        Instant remote = parseEpoch(date.stdout().strip());
        if (!date.ok() || remote == null) {
            return CheckResult.warn(CLOCK, "cannot read the node's clock: " + date.diagnostic(), "make sure NTP runs on the node");
        }
        Instant local = before.plus(Duration.between(before, after).dividedBy(2));
        Duration skew = Duration.between(local, remote).abs();
        String msg = "the node's clock is " + skew.toMillis() + " ms " + (remote.isAfter(local) ? "ahead of" : "behind") + " this machine's";
        String remedy = "synchronise the clocks: timedatectl set-ntp true (on the node and here)";
        if (skew.compareTo(SKEW_FAIL) >= 0) return CheckResult.fail(CLOCK, msg + "; certificates would not be valid on both sides", remedy);
        if (skew.compareTo(SKEW_WARN) >= 0) return CheckResult.warn(CLOCK, msg, remedy);
        return CheckResult.ok(CLOCK, msg);
    }

    CheckResult cgroups(RemoteHost h) throws IOException {
        String fs = h.exec("stat -fc %T /sys/fs/cgroup 2>/dev/null").stdout().strip();
        if (fs.equals("cgroup2fs")) {
            String controllers = h.exec("cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null").stdout();
            List<String> missing = new ArrayList<>();
            for (String c : List.of("cpu", "memory", "pids")) {
                if (!List.of(controllers.strip().split("\\s+")).contains(c)) missing.add(c);
            }
            if (!missing.isEmpty()) {
                return CheckResult.fail(CGROUPS, "cgroup v2 without the " + String.join(", ", missing) + " controller(s)",
                        "enable them: add cgroup_enable=memory to the kernel command line and reboot");
            }
            return CheckResult.ok(CGROUPS, "cgroup v2 with cpu, memory and pids");
        }
        if (h.exec("test -d /sys/fs/cgroup/memory && test -d /sys/fs/cgroup/cpu").ok()) {
            return CheckResult.ok(CGROUPS, "cgroup v1 with cpu and memory");
        }
        return CheckResult.fail(CGROUPS, "no usable cgroup hierarchy under /sys/fs/cgroup (" + (fs.isEmpty() ? "not mounted" : fs) + ")",
                "boot a kernel with cgroups (any Debian or Ubuntu kernel) and mount /sys/fs/cgroup");
    }

    CheckResult ipForwarding(RemoteHost h) throws IOException {
        String v = h.exec("cat /proc/sys/net/ipv4/ip_forward 2>/dev/null").stdout().strip();
        if (v.equals("1")) return CheckResult.ok(IP_FORWARDING, "net.ipv4.ip_forward=1");
        return CheckResult.warn(IP_FORWARDING, "net.ipv4.ip_forward=" + (v.isEmpty() ? "unknown" : v)
                        + ": pods cannot reach other nodes or the outside",
                "sysctl -w net.ipv4.ip_forward=1 and add net.ipv4.ip_forward=1 to /etc/sysctl.d/99-berth.conf (Docker also sets it when it starts)");
    }

    CheckResult agentPort(RemoteHost login, RemoteHost admin) throws IOException {
        String tables = login.exec("cat /proc/net/tcp /proc/net/tcp6 2>/dev/null").stdout();
        if (!listening(tables, settings.agentPort())) {
            return CheckResult.ok(AGENT_PORT, "port " + settings.agentPort() + " is free");
        }
        if (admin.exec("test -e " + Shell.quote(settings.layout().current())).ok()) {
            return CheckResult.ok(AGENT_PORT, "port " + settings.agentPort() + " is in use by the Berth agent installed there");
        }
        return CheckResult.fail(AGENT_PORT, "port " + settings.agentPort() + " is already in use on the node (a kubelet?)",
                "stop what listens there (ss -ltnp 'sport = :" + settings.agentPort() + "')");
    }

    CheckResult controlPlane(RemoteHost h) throws IOException {
        URI server = settings.server();
        String host = server.getHost().startsWith("[") ? server.getHost().substring(1, server.getHost().length() - 1) : server.getHost();
        int port = server.getPort() > 0 ? server.getPort() : 443;
        String script = """
                h=%s; p=%s
                if command -v bash >/dev/null 2>&1; then
                  if command -v timeout >/dev/null 2>&1; then t="timeout 5"; else t=""; fi
                  if $t bash -c "exec 3<>/dev/tcp/$h/$p" 2>/dev/null; then echo bash; exit 0; else echo "bash: no connection"; exit 1; fi
                fi
                if command -v nc >/dev/null 2>&1; then nc -z -w 5 "$h" "$p" && { echo nc; exit 0; }; echo "nc: no connection"; exit 1; fi
                if command -v curl >/dev/null 2>&1; then curl -sk --max-time 5 -o /dev/null "https://$h:$p/"; rc=$?
                  case $rc in 6|7|28) echo "curl: exit $rc"; exit 1;; *) echo curl; exit 0;; esac; fi
                echo "no bash, nc or curl to test with"; exit 2
                """.formatted(Shell.quote(host), port);
        ExecResult r = h.exec(script);
        if (r.ok()) {
            return CheckResult.ok(CONTROL_PLANE, "the node reaches " + host + ":" + port);
        }
        if (r.exitCode() == 2) {
            return CheckResult.warn(CONTROL_PLANE, "cannot test whether the node reaches " + host + ":" + port + " (" + r.stdout().strip() + ")",
                    "make sure the node can connect to " + host + ":" + port);
        }
        return CheckResult.fail(CONTROL_PLANE, "the node cannot connect to the control plane at " + host + ":" + port
                        + " (" + r.stdout().strip() + ")",
                "check that berth server listens on the network (--listen 0.0.0.0:" + port + "), that no firewall blocks port "
                        + port + ", or give --server with an address the node can reach");
    }

    /** {@code localhost} or a loopback literal; names are not resolved. */
    static boolean isLoopback(String host) {
        if (host == null) return false;
        if (host.equalsIgnoreCase("localhost")) return true;
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!(literal.contains(":") || literal.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) return false;
        try {
            return InetAddress.ofLiteral(literal).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ---- parsing, pure ----

    static Map<String, String> parseOsRelease(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0 || line.startsWith("#")) continue;
            String v = line.substring(eq + 1).strip();
            if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                v = v.substring(1, v.length() - 1);
            }
            out.put(line.substring(0, eq).strip(), v);
        }
        return out;
    }

    static int javaMajor(String versionOutput) {
        var m = java.util.regex.Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?").matcher(versionOutput);
        if (!m.find()) return 0;
        int first = Integer.parseInt(m.group(1));
        return first == 1 && m.group(2) != null ? Integer.parseInt(m.group(2)) : first;
    }

    /** Available bytes from {@code df -Pk} output. */
    static OptionalLong parseDfAvailable(String df) {
        String[] lines = df.strip().split("\n");
        if (lines.length < 2) return OptionalLong.empty();
        String[] cols = lines[lines.length - 1].trim().split("\\s+");
        if (cols.length < 4) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(cols[3]) * 1024);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** {@code seconds[.fraction]}; busybox prints {@code %N} literally, which leaves whole seconds. */
    static Instant parseEpoch(String s) {
        var m = java.util.regex.Pattern.compile("^(\\d+)(?:\\.(\\d{1,9}))?").matcher(s);
        if (!m.find()) return null;
        long secs = Long.parseLong(m.group(1));
        long nanos = 0;
        if (m.group(2) != null) {
            String f = (m.group(2) + "000000000").substring(0, 9);
            nanos = Long.parseLong(f);
        }
        return Instant.ofEpochSecond(secs, nanos);
    }

    /** Whether {@code /proc/net/tcp}-style tables show a socket listening on {@code port}. */
    static boolean listening(String tables, int port) {
        String hex = ":" + String.format(Locale.ROOT, "%04X", port);
        for (String line : tables.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 3 && cols[1].toUpperCase(Locale.ROOT).endsWith(hex) && cols[3].equals("0A")) {
                return true;
            }
        }
        return false;
    }
}
