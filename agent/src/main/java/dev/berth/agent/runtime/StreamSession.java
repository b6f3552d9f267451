package dev.berth.agent.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * An interactive exec or attach: the caller writes {@link #stdin()} and reads {@link #stdout()}
 * and {@link #stderr()} (with a TTY everything arrives on stdout; stderr is then empty).
 * {@link #exit()} completes with the exit code of an exec (for attach: when the stream ends, -1).
 */
public interface StreamSession extends AutoCloseable {
    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    void resize(int columns, int rows);

    CompletableFuture<Integer> exit();

    @Override
    void close();
}
