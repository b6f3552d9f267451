package dev.berth.app.terminal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * One running exec with a terminal: what the container prints, what the person types, the
 * terminal's size and how the command ended. {@link Fabric8Exec} is the real one over the API
 * server's {@code pods/exec}; tests use their own.
 */
public interface ExecStream extends AutoCloseable {
    /** What the command prints (stdout; stderr joins it under a tty). Ends when the exec ends. */
    InputStream output();

    /** The command's stdin. */
    OutputStream input();

    /** Sends the terminal's size through the exec's resize channel. */
    void resize(int columns, int rows);

    /** Completes with the command's exit code when the exec ends ({@code -1} when the server told none). */
    CompletableFuture<Integer> exitCode();

    /** Ends the exec (the server ends the command when its stream closes). */
    @Override
    void close();
}
