package dev.berth.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/** The disk's durable write rate: the baseline every storage figure is compared with. */
final class Fsync {
    private Fsync() {}

    /** Plain file: write one value, force it to disk, repeat; the best a single writer can do. */
    static double rate(Path file, int valueBytes, Duration duration) throws IOException {
        ByteBuffer value = ByteBuffer.allocate(valueBytes);
        long writes = 0;
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (System.nanoTime() < deadline) {
                value.rewind();
                channel.write(value);
                channel.force(false);
                writes++;
            }
        }
        return writes / ((System.nanoTime() - start) / 1e9);
    }
}
