package dev.berth.core.datadir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DataDirLockTest}: locks the dir given as argument, prints
 * {@code locked PID}, and holds the lock until its stdin closes or it is killed.
 */
public final class DataDirLockHolder {
    private DataDirLockHolder() {}

    public static void main(String[] args) throws IOException {
        DataDirLock lock = DataDirLock.acquire(Path.of(args[0]));
        System.out.println("locked " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() != -1) {
            // hold the lock until the parent closes our stdin
        }
        lock.close();
    }
}
