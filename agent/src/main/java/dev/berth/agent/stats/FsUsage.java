package dev.berth.agent.stats;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** A filesystem's space, as the Summary API's {@code fs} (without inodes, which Java cannot read). */
public record FsUsage(long capacityBytes, long availableBytes, long usedBytes) {
    /** The filesystem holding {@code path} (its nearest existing ancestor when it does not exist yet). */
    public static FsUsage of(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IOException("no existing directory above " + path);
        }
        FileStore store = Files.getFileStore(p);
        long total = store.getTotalSpace();
        long free = store.getUnallocatedSpace();
        return new FsUsage(total, store.getUsableSpace(), Math.max(0, total - free));
    }
}
