package dev.berth.agent.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes /proc and cgroup trees, v1 or v2, as the kernel lays them out, into a test directory. */
final class CgroupFixtures {
    final Path proc;
    final Path cgroup;

    CgroupFixtures(Path root) {
        this.proc = root.resolve("proc");
        this.cgroup = root.resolve("sys/fs/cgroup");
    }

    CgroupStats stats() {
        return new CgroupStats(proc, cgroup);
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The machine-wide files: 2 CPUs, 4 GiB. */
    CgroupFixtures node(long userTicks, long systemTicks) {
        write(proc.resolve("stat"), "cpu  " + userTicks + " 0 " + systemTicks + " 900000 500 0 100 0 0 0\n"
                + "cpu0 1 0 1 1 0 0 0 0 0 0\nintr 1 2 3\nctxt 12345\nbtime 1796183341\nprocesses 4000\n");
        write(proc.resolve("meminfo"), """
                MemTotal:        4194304 kB
                MemFree:         1048576 kB
                MemAvailable:    2097152 kB
                Buffers:           10240 kB
                Cached:          1048576 kB
                Active(file):     524288 kB
                Inactive(file):   262144 kB
                AnonPages:       1572864 kB
                """);
        write(proc.resolve("vmstat"), "nr_free_pages 262144\npgfault 987654\npgmajfault 321\n");
        write(proc.resolve("sys/kernel/pid_max"), "4194304\n");
        write(proc.resolve("loadavg"), "0.50 0.40 0.30 3/412 98765\n");
        return this;
    }

    /** A v1 (cgroupfs driver) container: separate cpu and cpuacct hierarchies, as on this project's CI. */
    CgroupFixtures v1Container(long pid, String id, long cpuNanos, long usage, long inactiveFile, long rss) {
        write(proc.resolve(pid + "/cgroup"), """
                12:pids:/docker/%1$s
                4:memory:/docker/%1$s
                3:cpuacct:/docker/%1$s
                2:cpu:/docker/%1$s
                1:name=systemd:/docker/%1$s
                0::/docker/%1$s
                """.formatted(id));
        write(cgroup.resolve("cpuacct/docker/" + id + "/cpuacct.usage"), cpuNanos + "\n");
        write(cgroup.resolve("memory/docker/" + id + "/memory.usage_in_bytes"), usage + "\n");
        write(cgroup.resolve("memory/docker/" + id + "/memory.stat"), """
                cache 1000
                rss 999
                inactive_file 5
                pgfault 11
                pgmajfault 1
                total_cache %d
                total_rss %d
                total_inactive_file %d
                total_active_file 4096
                total_pgfault 1234
                total_pgmajfault 12
                """.formatted(usage - rss, rss, inactiveFile));
        return this;
    }

    /** A v2 (systemd driver) container in the unified hierarchy. */
    CgroupFixtures v2Container(long pid, String id, long cpuMicros, long usage, long inactiveFile, long anon) {
        write(cgroup.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        String path = "system.slice/docker-" + id + ".scope";
        write(proc.resolve(pid + "/cgroup"), "0::/" + path + "\n");
        write(cgroup.resolve(path + "/cpu.stat"), """
                usage_usec %d
                user_usec 100
                system_usec 50
                nr_periods 0
                nr_throttled 0
                throttled_usec 0
                """.formatted(cpuMicros));
        write(cgroup.resolve(path + "/memory.current"), usage + "\n");
        write(cgroup.resolve(path + "/memory.stat"), """
                anon %d
                file 8192
                kernel 4096
                active_file 4096
                inactive_file %d
                pgfault 777
                pgmajfault 7
                """.formatted(anon, inactiveFile));
        return this;
    }
}
