package dev.berth.agent.runtime.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * A bounded in-memory pipe between two threads: one writes {@link #sink()}, another reads
 * {@link #source()}. Unlike {@link java.io.PipedInputStream} it does not care which threads
 * come and go. The writer blocks while the buffer is full; once the reader has closed, writes
 * are dropped (nobody will read them), and once the writer has closed, reads drain what is left
 * and then see end of stream.
 */
final class BytePipe {
    private byte[] buffer;
    private Runnable onDrain = () -> { };
    private int drainBelow = -1;
    private int head;
    private int count;
    private boolean writerClosed;
    private boolean readerClosed;
    private IOException failure;
    private final Runnable onReaderClose;

    BytePipe(int capacity) {
        this(capacity, () -> { });
    }

    /** {@code onReaderClose} runs once when the reading side is closed (to stop the producer). */
    BytePipe(int capacity, Runnable onReaderClose) {
        this.buffer = new byte[capacity];
        this.onReaderClose = onReaderClose;
    }

    private final OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (BytePipe.this) {
                while (len > 0) {
                    if (writerClosed) {
                        throw new IOException("pipe closed");
                    }
                    if (readerClosed) {
                        return;
                    }
                    if (count == buffer.length) {
                        await();
                        continue;
                    }
                    int tail = (head + count) % buffer.length;
                    int n = Math.min(len, Math.min(buffer.length - count, buffer.length - tail));
                    System.arraycopy(b, off, buffer, tail, n);
                    count += n;
                    off += n;
                    len -= n;
                    BytePipe.this.notifyAll();
                }
            }
        }

        @Override
        public void close() {
            closeWriter();
        }
    };

    private final InputStream source = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            synchronized (BytePipe.this) {
                while (count == 0) {
                    if (failure != null && !readerClosed) {
                        throw new IOException(failure.getMessage(), failure);
                    }
                    if (writerClosed || readerClosed) {
                        return -1;
                    }
                    await();
                }
                int n = Math.min(len, Math.min(count, buffer.length - head));
                System.arraycopy(buffer, head, b, off, n);
                head = (head + n) % buffer.length;
                count -= n;
                BytePipe.this.notifyAll();
                if (drainBelow >= 0 && count < drainBelow) {
                    drainBelow = -1;
                    onDrain.run();
                }
                return n;
            }
        }

        @Override
        public int available() {
            synchronized (BytePipe.this) {
                return count;
            }
        }

        @Override
        public void close() {
            boolean first;
            synchronized (BytePipe.this) {
                first = !readerClosed;
                readerClosed = true;
                count = 0;
                BytePipe.this.notifyAll();
            }
            if (first) {
                onReaderClose.run();
            }
        }
    };

    OutputStream sink() {
        return sink;
    }

    InputStream source() {
        return source;
    }

    /**
     * Writes without blocking, growing the buffer as needed: for producers that must not block
     * (an event loop). Returns the bytes now buffered, so the producer can pause itself above a
     * mark and be resumed through {@link #resumeBelow}.
     */
    synchronized int offer(byte[] b, int off, int len) {
        if (readerClosed || writerClosed) {
            return count;
        }
        if (buffer.length - count < len) {
            byte[] bigger = new byte[Math.max(buffer.length * 2, count + len)];
            for (int i = 0; i < count; i++) {
                bigger[i] = buffer[(head + i) % buffer.length];
            }
            buffer = bigger;
            head = 0;
        }
        for (int i = 0; i < len; i++) {
            buffer[(head + count + i) % buffer.length] = b[off + i];
        }
        count += len;
        notifyAll();
        return count;
    }

    /** Runs {@code resume} once (on the reader's thread) when fewer than {@code mark} bytes remain buffered. */
    synchronized void resumeBelow(int mark, Runnable resume) {
        if (count < mark || readerClosed) {
            resume.run();
            return;
        }
        this.drainBelow = mark;
        this.onDrain = resume;
    }

    /**
     * Ends the stream with an error, unless it has ended already: the reader gets what was
     * written, then this as an IOException.
     */
    synchronized void fail(IOException error) {
        if (writerClosed) {
            return; // already ended on purpose (a byte limit reached): what follows is not an error
        }
        failure = error;
        writerClosed = true;
        notifyAll();
    }

    /** Ends the stream: the reader sees end of stream after what was written. */
    synchronized void closeWriter() {
        writerClosed = true;
        notifyAll();
    }

    private void await() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on a pipe");
        }
    }
}
