package dev.berth.core.store.sqlite;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Child process of {@link SqliteCrashTest}: writes keys from several threads until killed and
 * prints "ack KEY" for each write that returned. A printed line means the store acknowledged it.
 */
public final class SqliteCrashWriter {
    private SqliteCrashWriter() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        int threads = Integer.parseInt(args[2]);
        SqliteStore store = SqliteStore.open(file, SqliteStoreConfig.defaults().withCompactionInterval(Duration.ZERO));
        System.out.println("open");
        System.out.flush();
        Thread[] writers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers[t] = Thread.ofPlatform().start(() -> {
                byte[] value = new byte[512];
                for (int i = 0; ; i++) {
                    String key = prefix + "/t" + thread + "-" + i;
                    store.create(key, value);
                    synchronized (System.out) {
                        System.out.println("ack " + key);
                        System.out.flush();
                    }
                }
            });
        }
        for (Thread writer : writers) writer.join();
    }
}
