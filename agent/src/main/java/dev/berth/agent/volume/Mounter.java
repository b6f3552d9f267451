package dev.berth.agent.volume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** tmpfs mounts for memory-backed emptyDir volumes. */
interface Mounter {
    /** Why this process cannot mount, or empty when it can (it runs as root). */
    Optional<String> cannotMount();

    void mountTmpfs(Path dir, long sizeBytes) throws IOException;

    void unmount(Path dir) throws IOException;

    /** Mount points at {@code dir} or below it. */
    List<Path> mountsUnder(Path dir) throws IOException;

    /** mount(8) and umount(8); the mount table from /proc/self/mountinfo. */
    Mounter SYSTEM = new Mounter() {
        @Override
        public Optional<String> cannotMount() {
            try {
                int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                return uid == 0 ? Optional.empty()
                        : Optional.of("mounting a tmpfs needs root (CAP_SYS_ADMIN) and the agent runs as uid " + uid);
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.of("mounting a tmpfs needs root on Linux, and this system has no /proc/self ("
                        + e.getMessage() + ")");
            }
        }

        @Override
        public void mountTmpfs(Path dir, long sizeBytes) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("mount", "-t", "tmpfs"));
            if (sizeBytes > 0) {
                cmd.add("-o");
                cmd.add("size=" + sizeBytes);
            }
            cmd.add("tmpfs");
            cmd.add(dir.toString());
            run(cmd);
        }

        @Override
        public void unmount(Path dir) throws IOException {
            run(List.of("umount", dir.toString()));
        }

        @Override
        public List<Path> mountsUnder(Path dir) throws IOException {
            Path mountinfo = Path.of("/proc/self/mountinfo");
            if (!Files.exists(mountinfo)) {
                return List.of();
            }
            List<Path> out = new ArrayList<>();
            for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    Path point = Path.of(unescape(f[4]));
                    if (point.startsWith(dir)) {
                        out.add(point);
                    }
                }
            }
            // deepest first, so nested mounts come off before their parents
            out.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
            return out;
        }

        private static String unescape(String s) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 3 < s.length()) {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private static void run(List<String> cmd) throws IOException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", cmd) + " did not finish in 30s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " interrupted", e);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
            }
        }
    };
}
