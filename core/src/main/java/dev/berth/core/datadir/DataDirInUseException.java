package dev.berth.core.datadir;

import java.nio.file.Path;

/** Another process holds the data dir: {@code data dir DIR is in use by PID N}. */
public final class DataDirInUseException extends RuntimeException {
    private final Path dir;
    private final long pid;

    public DataDirInUseException(Path dir, long pid) {
        super(pid > 0 ? "data dir " + dir + " is in use by PID " + pid
                : "data dir " + dir + " is in use by another process");
        this.dir = dir;
        this.pid = pid;
    }

    public Path dir() { return dir; }

    /** The owner's PID, or -1 if it could not be read. */
    public long pid() { return pid; }
}
