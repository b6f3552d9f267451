package dev.berth.agent.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads resource usage the way cAdvisor does: a container's from its cgroup (v1 with one hierarchy
 * per controller, or the v2 unified hierarchy; cgroupfs and systemd drivers alike, since the
 * path comes from {@code /proc/<pid>/cgroup}), the machine's from {@code /proc}.
 *
 * <p>Roots are parameters so that tests can point them at fixture directories.
 */
public final class CgroupStats {
    /** The kernel's USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture Berth runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Path procRoot;
    private final Path cgroupRoot;

    public CgroupStats(Path procRoot, Path cgroupRoot) {
        this.procRoot = procRoot;
        this.cgroupRoot = cgroupRoot;
    }

    /** The host's {@code /proc} and {@code /sys/fs/cgroup}. */
    public static CgroupStats host() {
        return new CgroupStats(Path.of("/proc"), Path.of("/sys/fs/cgroup"));
    }

    /** 2 when {@code cgroupRoot} is the unified hierarchy, else 1 (a hybrid layout counts as 1, as runc). */
    public int version() {
        return Files.exists(cgroupRoot.resolve("cgroup.controllers")) ? 2 : 1;
    }

    /**
     * The usage of the cgroup that process {@code pid} belongs to; empty when the process is gone
     * or its cgroup is not visible under the cgroup root.
     */
    public Optional<ContainerUsage> container(long pid) throws IOException {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, was " + pid);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(procRoot.resolve(Long.toString(pid)).resolve("cgroup"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, String> byController = new HashMap<>();
        String unified = null;
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length != 3) {
                continue;
            }
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                unified = parts[2];
                continue;
            }
            byController.put(parts[1], parts[2]);
            for (String c : parts[1].split(",")) {
                byController.putIfAbsent(c, parts[2]);
            }
        }
        try {
            if (version() == 2) {
                return unified == null ? Optional.empty() : Optional.of(readV2(relative(unified)));
            }
            return readV1(byController);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // the container stopped while we read it
        }
    }

    private Path relative(String cgroupPath) {
        String p = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return p.isEmpty() ? cgroupRoot : cgroupRoot.resolve(p);
    }

    private ContainerUsage readV2(Path dir) throws IOException {
        Map<String, Long> cpu = keyed(dir.resolve("cpu.stat"));
        long usage = single(dir.resolve("memory.current"));
        Map<String, Long> mem = keyed(dir.resolve("memory.stat"));
        long inactiveFile = mem.getOrDefault("inactive_file", 0L);
        return new ContainerUsage(cpu.getOrDefault("usage_usec", 0L) * 1000L, usage, Math.max(0, usage - inactiveFile),
                mem.getOrDefault("anon", 0L), mem.getOrDefault("pgfault", 0L), mem.getOrDefault("pgmajfault", 0L));
    }

    private Optional<ContainerUsage> readV1(Map<String, String> byController) throws IOException {
        String cpuPath = byController.get("cpuacct");
        String memPath = byController.get("memory");
        if (cpuPath == null || memPath == null) {
            return Optional.empty();
        }
        Path cpuDir = null;
        for (String dir : List.of("cpuacct", "cpu,cpuacct", "cpuacct,cpu")) {
            Path candidate = cgroupRoot.resolve(dir);
            if (Files.isDirectory(candidate)) {
                cpuDir = under(candidate, cpuPath);
                break;
            }
        }
        Path memDir = under(cgroupRoot.resolve("memory"), memPath);
        if (cpuDir == null || !Files.isDirectory(cpuDir) || !Files.isDirectory(memDir)) {
            return Optional.empty();
        }
        long cpu = single(cpuDir.resolve("cpuacct.usage"));
        long usage = single(memDir.resolve("memory.usage_in_bytes"));
        Map<String, Long> mem = keyed(memDir.resolve("memory.stat"));
        long inactiveFile = mem.getOrDefault("total_inactive_file", mem.getOrDefault("inactive_file", 0L));
        return Optional.of(new ContainerUsage(cpu, usage, Math.max(0, usage - inactiveFile),
                mem.getOrDefault("total_rss", mem.getOrDefault("rss", 0L)),
                mem.getOrDefault("total_pgfault", mem.getOrDefault("pgfault", 0L)),
                mem.getOrDefault("total_pgmajfault", mem.getOrDefault("pgmajfault", 0L))));
    }

    private static Path under(Path hierarchy, String cgroupPath) {
        String p = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return p.isEmpty() ? hierarchy : hierarchy.resolve(p);
    }

    /** The machine's CPU, memory and process readings from /proc. */
    public NodeUsage node() throws IOException {
        long cpuTicks = 0;
        long bootTime = 0;
        for (String line : Files.readAllLines(procRoot.resolve("stat"))) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                // user nice system idle iowait irq softirq steal: busy time leaves out idle and iowait
                int[] busy = {1, 2, 3, 6, 7, 8};
                for (int i : busy) {
                    if (i < f.length) {
                        cpuTicks += Long.parseLong(f[i]);
                    }
                }
            } else if (line.startsWith("btime ")) {
                bootTime = Long.parseLong(line.substring(6).trim());
            }
        }
        Map<String, Long> mem = new HashMap<>();
        for (String line : Files.readAllLines(procRoot.resolve("meminfo"))) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String[] v = line.substring(colon + 1).trim().split("\\s+");
            long value = Long.parseLong(v[0]);
            if (v.length > 1 && v[1].equalsIgnoreCase("kB")) {
                value *= 1024;
            }
            mem.put(line.substring(0, colon), value);
        }
        long total = required(mem, "MemTotal", "meminfo");
        long usage = total - mem.getOrDefault("MemFree", 0L);
        long workingSet = Math.max(0, usage - mem.getOrDefault("Inactive(file)", 0L));
        Map<String, Long> vm = Files.exists(procRoot.resolve("vmstat")) ? keyed(procRoot.resolve("vmstat")) : Map.of();
        long maxPid = single(procRoot.resolve("sys/kernel/pid_max"));
        String[] load = Files.readString(procRoot.resolve("loadavg")).trim().split("\\s+");
        long processes = 0;
        if (load.length >= 4 && load[3].contains("/")) {
            processes = Long.parseLong(load[3].substring(load[3].indexOf('/') + 1));
        }
        return new NodeUsage(cpuTicks * NANOS_PER_TICK, total, total - workingSet, usage, workingSet,
                mem.getOrDefault("AnonPages", 0L), vm.getOrDefault("pgfault", 0L), vm.getOrDefault("pgmajfault", 0L),
                maxPid, processes, bootTime);
    }

    private static long required(Map<String, Long> values, String key, String file) throws IOException {
        Long v = values.get(key);
        if (v == null) {
            throw new IOException(file + " has no " + key + " line");
        }
        return v;
    }

    private static long single(Path file) throws IOException {
        String s = Files.readString(file).trim();
        try {
            return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds \"" + s + "\", not a number", e);
        }
    }

    /** A "key value" per line file (memory.stat, cpu.stat, vmstat). */
    private static Map<String, Long> keyed(Path file) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    out.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    // not a counter (some kernels add text fields): skip it
                }
            }
        }
        return out;
    }
}
