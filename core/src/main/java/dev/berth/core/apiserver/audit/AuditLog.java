package dev.berth.core.apiserver.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The audit log file: one JSON line per event in {@code DIR/audit.log}, written by one thread
 * off the request path. When the file would pass {@code maxFileBytes} it is renamed
 * {@code audit-2026-12-02T12-30-00.000.log} (as kube-apiserver's log rotation names them) and a
 * new one started; only the newest {@code maxBackups} renamed files are kept. A full queue makes
 * requests wait rather than lose events; {@link #close} writes every event queued before it.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    public static final String FILE = "audit.log";
    private static final DateTimeFormatter BACKUP_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS").withZone(ZoneOffset.UTC);
    private static final byte[] STOP = new byte[0];

    /**
     * @param maxFileBytes rotate before a file grows past this
     * @param maxBackups   rotated files kept (the oldest go first)
     * @param queue        events waiting for the writer before requests wait for it
     */
    public record Settings(long maxFileBytes, int maxBackups, int queue) {
        public Settings {
            if (maxFileBytes < 1024) {
                throw new IllegalArgumentException("audit log maxFileBytes: invalid value " + maxFileBytes + ": must be at least 1024");
            }
            if (maxBackups < 0) {
                throw new IllegalArgumentException("audit log maxBackups: invalid value " + maxBackups + ": must not be negative");
            }
            if (queue < 1) {
                throw new IllegalArgumentException("audit log queue: invalid value " + queue + ": must be at least 1");
            }
        }

        /** 100 MiB files, 10 kept, as kube-apiserver's usual settings. */
        public static Settings defaults() {
            return new Settings(100L * 1024 * 1024, 10, 10_000);
        }
    }

    private final Path dir;
    private final Path file;
    private final Settings settings;
    private final Clock clock;
    private final BlockingQueue<byte[]> queue;
    private final Thread writer;
    private final Object fileLock = new Object();
    private OutputStream out;
    private long size;
    private java.time.Instant lastRotation;
    private volatile boolean closed;

    public AuditLog(Path dir, Settings settings, Clock clock) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.settings = settings;
        this.clock = clock;
        this.queue = new LinkedBlockingQueue<>(settings.queue());
        try {
            Files.createDirectories(dir);
            open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + file + ": " + e.getMessage(), e);
        }
        writer = Thread.ofPlatform().daemon().name("audit-log-writer").start(this::drain);
    }

    public Path file() {
        return file;
    }

    /** Queues one event (a JSON object without line breaks) for the file. */
    public void record(byte[] jsonLine) {
        if (closed) {
            // a request finishing while the server stops: written at once rather than lost
            synchronized (fileLock) {
                try {
                    open();
                    write(jsonLine);
                    out.close();
                } catch (IOException e) {
                    LOG.error("cannot write the audit log {}: {}", file, e.toString());
                }
            }
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (queue.offer(jsonLine, 100, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    if (closed) {
                        record(jsonLine);
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;   // the event still goes in; the flag is restored below
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drain() {
        List<byte[]> batch = new ArrayList<>();
        try {
            while (true) {
                byte[] first = queue.take();
                batch.add(first);
                queue.drainTo(batch, 1000);
                boolean stop = false;
                synchronized (fileLock) {
                    for (byte[] line : batch) {
                        if (line == STOP) {
                            stop = true;
                        } else {
                            write(line);
                        }
                    }
                    flush();
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(byte[] line) {
        try {
            if (size > 0 && size + line.length + 1 > settings.maxFileBytes()) {
                rotate();
            }
            out.write(line);
            out.write('\n');
            size += line.length + 1;
        } catch (IOException e) {
            LOG.error("cannot write the audit log {}: {}", file, e.toString());
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.error("cannot write the audit log {}: {}", file, e.toString());
        }
    }

    private void open() throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), 64 * 1024);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        // names stay unique and in time order even when the clock has not moved on
        java.time.Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        lastRotation = lastRotation != null && !now.isAfter(lastRotation) ? lastRotation.plusMillis(1) : now;
        Path backup = dir.resolve("audit-" + BACKUP_TIME.format(lastRotation) + ".log");
        Files.move(file, backup);
        open();
        List<Path> backups = backups(dir);
        for (int i = 0; i < backups.size() - settings.maxBackups(); i++) {
            Files.deleteIfExists(backups.get(i));
        }
    }

    /** The rotated files of {@code dir}, oldest first. */
    public static List<Path> backups(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("audit-") && n.endsWith(".log");
            }).sorted(java.util.Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /** Writes every event queued so far, then closes the file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(STOP);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (fileLock) {
            // events that raced with the stop marker
            List<byte[]> rest = new ArrayList<>();
            queue.drainTo(rest);
            rest.stream().filter(b -> b != STOP).forEach(this::write);
            try {
                out.close();
            } catch (IOException e) {
                LOG.error("cannot close the audit log {}: {}", file, e.toString());
            }
        }
    }
}
