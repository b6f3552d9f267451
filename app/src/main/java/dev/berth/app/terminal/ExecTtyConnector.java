package dev.berth.app.terminal;

import com.techsenger.jeditermfx.core.TtyConnector;
import com.techsenger.jeditermfx.core.util.TermSize;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Connects the terminal emulator to a container's exec: the exec's output is decoded as UTF-8
 * as it arrives (a character split across two reads is kept until its last byte comes), what the
 * person types goes to the exec's stdin, and the terminal's size goes through the resize channel.
 */
public final class ExecTtyConnector implements TtyConnector {
    private final ExecStream exec;
    private final String name;
    private final Reader reader;
    private final AtomicBoolean closed = new AtomicBoolean();

    public ExecTtyConnector(ExecStream exec, String name) {
        this.exec = Objects.requireNonNull(exec, "exec");
        this.name = Objects.requireNonNull(name, "name");
        // InputStreamReader decodes incrementally: it returns the characters it has and keeps the
        // bytes of an unfinished one for the next read
        this.reader = new InputStreamReader(exec.output(), StandardCharsets.UTF_8);
    }

    @Override
    public int read(char[] buf, int offset, int length) throws IOException {
        try {
            return reader.read(buf, offset, length);
        } catch (IOException e) {
            if (closed.get()) {
                return -1;
            }
            throw e;
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        if (closed.get()) {
            return;
        }
        OutputStream in = exec.input();
        in.write(bytes);
        in.flush();
    }

    @Override
    public void write(String string) throws IOException {
        write(string.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean isConnected() {
        return !closed.get() && !exec.exitCode().isDone();
    }

    @Override
    public void resize(TermSize size) {
        if (isConnected() && size.getColumns() > 0 && size.getRows() > 0) {
            exec.resize(size.getColumns(), size.getRows());
        }
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exec.exitCode().get();
        } catch (ExecutionException e) {
            return -1;
        }
    }

    @Override
    public boolean ready() throws IOException {
        return reader.ready();
    }

    @Override
    public String getName() {
        return name;
    }

    /** Ends the exec; a read waiting for output then ends. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            exec.close();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }
}
