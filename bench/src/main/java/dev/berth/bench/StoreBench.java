package dev.berth.bench;

import dev.berth.core.store.sqlite.SqliteStore;
import dev.berth.core.store.sqlite.SqliteStoreConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Store benchmark: durable writes per second into {@link SqliteStore} with 1 and 16 concurrent
 * writers beside the raw fsync rate of a plain file on the same disk, the time to list 10,000
 * keys, and the time to reopen a store holding 100,000 keys. Prints one JSON object per line.
 *
 * <pre>
 * StoreBench [--dir DIR] [--seconds N] [--value-bytes N] [--list-keys N] [--reopen-keys N] [--smoke]
 * </pre>
 * {@code --smoke} shrinks everything so a CI run takes seconds.
 */
public final class StoreBench {
    private StoreBench() {}

    /**
     * @param dir        where the files go (the disk under test); null for a temporary directory
     * @param duration   how long each write measurement runs
     * @param valueBytes size of each written value
     * @param listKeys   keys in the list measurement
     * @param reopenKeys keys in the store that is reopened
     */
    public record Options(Path dir, Duration duration, int valueBytes, int listKeys, int reopenKeys) {
        public static Options defaults() {
            return new Options(null, Duration.ofSeconds(5), 1024, 10_000, 100_000);
        }

        public static Options smoke() {
            return new Options(null, Duration.ofMillis(500), 1024, 1_000, 5_000);
        }

        public static Options parse(String[] args) {
            Options options = List.of(args).contains("--smoke") ? smoke() : defaults();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--smoke")) continue;
                if (i + 1 >= args.length) throw new IllegalArgumentException("option " + arg + " needs a value");
                String value = args[++i];
                options = switch (arg) {
                    case "--dir" -> new Options(Path.of(value), options.duration, options.valueBytes, options.listKeys, options.reopenKeys);
                    case "--seconds" -> new Options(options.dir, Duration.ofMillis((long) (Double.parseDouble(value) * 1000)),
                            options.valueBytes, options.listKeys, options.reopenKeys);
                    case "--value-bytes" -> new Options(options.dir, options.duration, Integer.parseInt(value), options.listKeys, options.reopenKeys);
                    case "--list-keys" -> new Options(options.dir, options.duration, options.valueBytes, Integer.parseInt(value), options.reopenKeys);
                    case "--reopen-keys" -> new Options(options.dir, options.duration, options.valueBytes, options.listKeys, Integer.parseInt(value));
                    default -> throw new IllegalArgumentException("unknown option " + arg
                            + "; known: --dir, --seconds, --value-bytes, --list-keys, --reopen-keys, --smoke");
                };
            }
            return options;
        }
    }

    public static void main(String[] args) throws Exception {
        run(Options.parse(args), System.out);
    }

    public static void run(Options options, PrintStream out) throws Exception {
        Path dir = options.dir() != null ? Files.createDirectories(options.dir()) : Files.createTempDirectory("berth-store-bench-");
        Path work = Files.createTempDirectory(dir, "run-");
        try {
            double fsyncRate = Fsync.rate(work.resolve("fsync.bin"), options.valueBytes(), options.duration());
            out.println(json("fsync_baseline", "writes_per_s", round(fsyncRate), "value_bytes", options.valueBytes(),
                    "seconds", options.duration().toMillis() / 1000.0));
            for (int writers : new int[] {1, 16}) {
                WriteResult result = durableWrites(work.resolve("writes-" + writers + ".db"), writers, options);
                out.println(json("sqlite_durable_writes", "writers", writers, "writes_per_s", round(result.rate()),
                        "fsync_baseline_per_s", round(fsyncRate), "ratio_to_fsync", round(result.rate() / fsyncRate),
                        "writes_per_commit", round(result.writesPerCommit()), "value_bytes", options.valueBytes()));
            }
            Path listFile = work.resolve("list.db");
            try (SqliteStore store = open(listFile)) {
                load(store, "/bench/list/", options.listKeys(), options.valueBytes());
                store.list("/bench/list/"); // warm the statement and page cache, as a running server would be
                long start = System.nanoTime();
                int size = store.list("/bench/list/").items().size();
                double millis = (System.nanoTime() - start) / 1e6;
                out.println(json("sqlite_list", "keys", size, "millis", round(millis)));
            }
            Path reopenFile = work.resolve("reopen.db");
            try (SqliteStore store = open(reopenFile)) {
                load(store, "/bench/reopen/", options.reopenKeys(), options.valueBytes());
            }
            long start = System.nanoTime();
            long revision;
            try (SqliteStore store = open(reopenFile)) {
                revision = store.currentRevision();
                store.get("/bench/reopen/k0"); // the first read proves the store serves requests
            }
            double millis = (System.nanoTime() - start) / 1e6;
            out.println(json("sqlite_reopen", "keys", options.reopenKeys(), "revision", revision, "millis", round(millis),
                    "file_mib", round(Files.size(reopenFile) / 1048576.0)));
        } finally {
            deleteTree(work);
            if (options.dir() == null) deleteTree(dir);
        }
    }

    private static SqliteStore open(Path file) {
        return SqliteStore.open(file, SqliteStoreConfig.defaults().withCompactionInterval(Duration.ZERO));
    }

    private record WriteResult(double rate, double writesPerCommit) {}

    private static WriteResult durableWrites(Path file, int writers, Options options) throws InterruptedException {
        byte[] value = new byte[options.valueBytes()];
        AtomicLong written = new AtomicLong();
        try (SqliteStore store = open(file)) {
            long start = System.nanoTime();
            long deadline = start + options.duration().toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String prefix = "/bench/writes/w" + w + "-";
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        store.create(prefix + i, value);
                        written.incrementAndGet();
                    }
                }));
            }
            for (Thread thread : threads) thread.join();
            double rate = written.get() / ((System.nanoTime() - start) / 1e9);
            return new WriteResult(rate, (double) written.get() / Math.max(1, store.commitCount()));
        }
    }

    /** Loads keys through many concurrent writers, so group commit makes loading quick. */
    private static void load(SqliteStore store, String prefix, int keys, int valueBytes) throws InterruptedException {
        byte[] value = new byte[valueBytes];
        int loaders = 64;
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int l = 0; l < loaders; l++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (long i = next.getAndIncrement(); i < keys; i = next.getAndIncrement()) {
                    store.create(prefix + "k" + i, value);
                }
            }));
        }
        for (Thread thread : threads) thread.join();
    }

    private static double round(double value) { return Math.round(value * 100) / 100.0; }

    private static String json(String metric, Object... fields) {
        StringBuilder line = new StringBuilder("{\"bench\":\"store\",\"metric\":\"").append(metric).append('"');
        for (int i = 0; i < fields.length; i += 2) {
            line.append(",\"").append(fields[i]).append("\":");
            Object value = fields[i + 1];
            line.append(value instanceof Number ? String.format(Locale.ROOT, "%s", value) : "\"" + value + "\"");
        }
        return line.append('}').toString();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(file);
        }
    }
}
