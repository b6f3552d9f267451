package dev.berth.core.provision;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Builds the agent bundle: the jars of the agent's classpath ({@code lib/}), optionally a Java
 * runtime trimmed with jlink ({@code runtime/}, with a CDS archive), the launcher
 * {@code bin/berth-agent}, the fallback supervisor {@code bin/berth-agent-supervise}, the systemd
 * unit ({@code systemd/berth-agent.service}) and {@code manifest.json} (every file's SHA-256), as
 * one {@code tar.gz} plus a manifest of the archive. The agent's infra image is not in it: the agent
 * makes it itself from its own files on first start.
 */
public final class BundleBuilder {
    /** The modules the agent needs (fabric8 client, Netty, docker-java, Jackson, BouncyCastle, logback, SQLite JDBC). */
    public static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.instrument",
            "java.logging", "java.management", "java.naming", "java.net.http", "java.prefs", "java.scripting",
            "java.security.jgss", "java.security.sasl", "java.sql", "java.xml", "jdk.crypto.ec", "jdk.naming.dns",
            "jdk.unsupported", "jdk.zipfs", "jdk.management", "jdk.net");
    public static final String MAIN_CLASS = "dev.berth.app.cli.Main";

    private final String version;
    private final List<Path> classpath;
    private String mainClass = MAIN_CLASS;
    private boolean jlink;
    private Path runtimeFrom;

    public BundleBuilder(String version, List<Path> classpath) {
        if (!version.matches("[A-Za-z0-9._+-]+")) {
            throw new IllegalArgumentException("version \"" + version + "\" must be letters, digits, '.', '_', '+' or '-'");
        }
        this.version = version;
        this.classpath = List.copyOf(classpath);
    }

    /** The jars (and class directories) of the running JVM's class path. */
    public static List<Path> runningClasspath() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).filter(Files::exists).toList();
    }

    /** The class the launcher runs ({@code agent} is its first argument). */
    public BundleBuilder mainClass(String mainClass) {
        this.mainClass = mainClass;
        return this;
    }

    /** Whether to include a jlink runtime made from the running JDK. */
    public BundleBuilder jlink(boolean jlink) {
        this.jlink = jlink;
        return this;
    }

    /**
     * Include a copy of an existing Java runtime (a JDK or a jlink image, e.g. the one an installed
     * app runs on) instead of linking one: what the agent does not need is left out (JavaFX's native
     * libraries, CDS archives made for that machine, headers, man pages, debug symbols). The bundle
     * then runs on nodes of this machine's processor only, as one made with jlink. Null: none.
     */
    public BundleBuilder runtimeFrom(Path javaHome) {
        if (javaHome != null && !Files.isRegularFile(javaHome.resolve("lib").resolve("modules"))) {
            throw new IllegalArgumentException("runtime " + javaHome + " has no lib/modules: not a Java runtime image");
        }
        this.runtimeFrom = javaHome;
        return this;
    }

    /** Whether a file of a copied runtime stays out of the bundle (path relative to the runtime, with '/'). */
    static boolean leaveOutOfRuntime(String relative) {
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        return relative.startsWith("include/") || relative.startsWith("man/") || relative.startsWith("jmods/")
                || name.endsWith(".jsa") || name.endsWith(".debuginfo") || name.endsWith(".diz")
                || name.startsWith("libglass") || name.startsWith("libprism") || name.startsWith("libjavafx")
                || name.startsWith("libdecora") || name.startsWith("libglib-lite") || name.startsWith("libgstreamer-lite")
                || name.startsWith("libfxplugins") || name.startsWith("libjfxwebkit") || name.startsWith("libjfxmedia");
    }

    /** {@code x86_64} or {@code aarch64}, as {@code uname -m} says, for the running JVM. */
    public static String hostArch() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    /** Builds into {@code outDir}; returns the bundle (its manifest file is {@code berth-agent-VERSION-ARCH.json}). */
    public Bundle build(Path outDir, ProgressListener progress) throws IOException {
        Files.createDirectories(outDir);
        String arch = hostArch();
        String base = "berth-agent-" + version + "-" + arch;
        Path work = Files.createTempDirectory(outDir, ".build-");
        try {
            Path runtime = null;
            if (runtimeFrom != null) {
                progress.report("bundle", 0.1, "taking the Java runtime " + runtimeFrom);
                runtime = runtimeFrom;
            } else if (jlink) {
                progress.report("bundle", 0.1, "making a Java runtime with jlink");
                runtime = work.resolve("runtime");
                runJlink(runtime);
            }
            progress.report("bundle", 0.6, "writing " + base + ".tar.gz");
            Path archive = outDir.resolve(base + ".tar.gz");
            Path partial = outDir.resolve(base + ".tar.gz.part");
            List<String[]> sums = new ArrayList<>();
            try (OutputStream file = Files.newOutputStream(partial);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                Set<String> names = new java.util.HashSet<>();
                for (Path entry : classpath) {
                    if (Files.isDirectory(entry)) {
                        // a class directory (a build tree): packed as a jar so lib/* finds it
                        // (several modules' target/classes: numbered, so that none replaces another)
                        String stem = "lib/" + entry.getParent().getFileName() + "-" + entry.getFileName();
                        String name = stem + ".jar";
                        for (int i = 2; !names.add(name); i++) name = stem + "-" + i + ".jar";
                        add(tar, name, jarOf(entry), 0644, sums);
                    } else {
                        String name = "lib/" + entry.getFileName();
                        if (names.add(name)) add(tar, name, Files.readAllBytes(entry), 0644, sums);
                    }
                }
                if (runtime != null) {
                    try (Stream<Path> files = Files.walk(runtime)) {
                        Path root = runtime;
                        for (Path p : files.filter(Files::isRegularFile)
                                .filter(f -> !leaveOutOfRuntime(root.relativize(f).toString().replace('\\', '/'))).sorted().toList()) {
                            int mode = Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
                            add(tar, "runtime/" + runtime.relativize(p), Files.readAllBytes(p), mode, sums);
                        }
                    }
                }
                add(tar, "bin/berth-agent", launcher().getBytes(StandardCharsets.UTF_8), 0755, sums);
                add(tar, "bin/berth-agent-supervise", supervisor().getBytes(StandardCharsets.UTF_8), 0755, sums);
                add(tar, "systemd/berth-agent.service", unit().getBytes(StandardCharsets.UTF_8), 0644, sums);
                add(tar, "VERSION", (version + "\n").getBytes(StandardCharsets.UTF_8), 0644, sums);
                StringBuilder sha256sums = new StringBuilder();
                for (String[] s : sums) sha256sums.append(s[1]).append("  ").append(s[0]).append('\n');
                add(tar, "SHA256SUMS", sha256sums.toString().getBytes(StandardCharsets.UTF_8), 0644, new ArrayList<>());
                ObjectNode inner = Bundle.JSON.createObjectNode().put("version", version).put("arch", arch);
                ArrayNode files = inner.putArray("files");
                for (String[] s : sums) files.addObject().put("path", s[0]).put("sha256", s[1]);
                add(tar, "manifest.json", Bundle.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(inner), 0644, new ArrayList<>());
            }
            Files.move(partial, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            String sha = Bundle.sha256(archive);
            ObjectNode manifest = Bundle.JSON.createObjectNode().put("version", version).put("arch", arch)
                    .put("archive", archive.getFileName().toString()).put("sha256", sha).put("size", Files.size(archive))
                    .put("runtime", runtime != null);
            Path manifestFile = outDir.resolve(base + ".json");
            Files.write(manifestFile, Bundle.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            progress.report("bundle", 1.0, archive + " (" + (Files.size(archive) >> 20) + " MiB)");
            return Bundle.open(manifestFile);
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private void runJlink(Path out) {
        ToolProvider jlinkTool = ToolProvider.findFirst("jlink").orElseThrow(() -> new ProvisionException(
                "jlink is not available in " + System.getProperty("java.home") + ": build the bundle with a JDK 25, not a JRE"));
        List<String> available = ModuleLayer.boot().configuration().modules().stream().map(m -> m.name()).toList();
        List<String> modules = MODULES.stream().filter(m -> available.contains(m)
                || java.lang.module.ModuleFinder.ofSystem().find(m).isPresent()).toList();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintWriter w = new PrintWriter(log, true, StandardCharsets.UTF_8);
        int rc = jlinkTool.run(w, w, "--add-modules", String.join(",", modules), "--strip-debug", "--no-header-files",
                "--no-man-pages", "--compress", "zip-6", "--generate-cds-archive", "--output", out.toString());
        if (rc != 0) {
            throw new ProvisionException("jlink failed (" + rc + "): " + log.toString(StandardCharsets.UTF_8));
        }
    }

    private static byte[] jarOf(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var jar = new java.util.jar.JarOutputStream(bytes); Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new java.util.jar.JarEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] data, int mode, List<String[]> sums) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(mode);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
        try {
            sums.add(new String[]{name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data))});
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Runs the agent with the bundled runtime where it works on this machine, else Java 25 from the PATH. */
    String launcher() {
        return """
                #!/bin/sh
                # berth-agent: runs the Berth node agent from this bundle.
                dir=$(cd "$(dirname "$0")/.." && pwd)
                java="$dir/runtime/bin/java"
                if ! [ -x "$java" ] || ! "$java" -version >/dev/null 2>&1; then java=java; fi
                exec "$java" -Xshare:auto -XX:+UseSerialGC -Xss512k $BERTH_AGENT_JAVA_OPTS -cp "$dir/lib/*" %s agent "$@"
                """.formatted(mainClass);
    }

    /**
     * Restarts the agent whenever it exits, where systemd does not run; started detached (in a
     * session of its own, so the installer can stop it and the agent as one process group). It
     * writes its pid file atomically, and on TERM removes it only while it still holds its own pid:
     * a supervisor started after it (an upgrade's restart) owns the file by then.
     */
    static String supervisor() {
        return """
                #!/bin/sh
                # berth-agent-supervise PIDFILE LOG ENVFILE: keeps the agent running (where systemd does not).
                pidfile=$1; log=$2; envfile=$3
                echo $$ > "$pidfile.$$" && mv -f "$pidfile.$$" "$pidfile"
                child=
                stop() {
                  [ -n "$child" ] && kill "$child" 2>/dev/null
                  wait
                  [ "$(cat "$pidfile" 2>/dev/null)" = "$$" ] && rm -f "$pidfile"
                  exit 0
                }
                trap stop TERM INT
                while :; do
                  . "$envfile"
                  "$(dirname "$0")/berth-agent" $BERTH_AGENT_ARGS >>"$log" 2>&1 &
                  child=$!
                  wait "$child"
                  echo "berth-agent exited with $?; restarting in 2 s" >>"$log"
                  sleep 2
                done
                """;
    }

    /** The systemd unit; {@code @ROOT@} is replaced by the install root (empty on a real host). */
    static String unit() {
        return """
                [Unit]
                Description=Berth node agent
                Documentation=https://github.com/berth-dev/berth
                After=network-online.target docker.service
                Wants=network-online.target
                Requires=docker.service

                [Service]
                EnvironmentFile=@ROOT@/etc/berth/agent.env
                ExecStart=@ROOT@/opt/berth/current/bin/berth-agent $BERTH_AGENT_ARGS
                Restart=always
                RestartSec=2
                KillMode=process
                Delegate=yes

                [Install]
                WantedBy=multi-user.target
                """;
    }
}
