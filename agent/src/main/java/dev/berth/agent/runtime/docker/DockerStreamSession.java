package dev.berth.agent.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.berth.agent.runtime.StreamSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * An exec or attach over docker-java's hijacked connection: what the caller writes to
 * {@link #stdin()} is piped to the engine, and the engine's multiplexed frames are split into
 * {@link #stdout()} and {@link #stderr()} (with a TTY everything arrives as raw stdout).
 */
final class DockerStreamSession implements StreamSession {
    static final int BUFFER = 64 * 1024;

    interface Resizer {
        void resize(int columns, int rows);
    }

    interface ExitCode {
        int await() throws InterruptedException;
    }

    private final BytePipe stdin;
    private final BytePipe stdout = new BytePipe(BUFFER);
    private final BytePipe stderr = new BytePipe(BUFFER);
    private final Resizer resizer;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final ResultCallback.Adapter<Frame> callback;

    DockerStreamSession(boolean withStdin, Resizer resizer, ExitCode exitCode) {
        this.stdin = withStdin ? new BytePipe(BUFFER) : null;
        this.resizer = resizer;
        this.callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                try {
                    (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).sink().write(frame.getPayload());
                } catch (IOException e) {
                    // the session was closed
                }
            }

            @Override
            public void onError(Throwable throwable) {
                finish(exitCode);
                super.onError(throwable);
            }

            @Override
            public void onComplete() {
                finish(exitCode);
                super.onComplete();
            }
        };
    }

    private void finish(ExitCode exitCode) {
        stdout.closeWriter();
        stderr.closeWriter();
        if (stdin != null) {
            stdin.closeWriter();
        }
        if (exit.isDone()) {
            return;
        }
        Thread.ofVirtual().name("exit-code").start(() -> {
            try {
                exit.complete(exitCode.await());
            } catch (InterruptedException e) {
                exit.complete(-1);
            } catch (RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
    }

    ResultCallback.Adapter<Frame> callback() {
        return callback;
    }

    InputStream stdinSource() {
        return stdin.source();
    }

    @Override
    public OutputStream stdin() {
        return stdin == null ? OutputStream.nullOutputStream() : stdin.sink();
    }

    @Override
    public InputStream stdout() {
        return stdout.source();
    }

    @Override
    public InputStream stderr() {
        return stderr.source();
    }

    @Override
    public void resize(int columns, int rows) {
        if (columns <= 0 || rows <= 0) {
            throw new IllegalArgumentException("terminal size " + columns + "x" + rows
                    + " is not valid: columns and rows must be positive");
        }
        try {
            resizer.resize(columns, rows);
        } catch (RuntimeException e) {
            throw DockerRuntime.failure("ResizeError", "resize the terminal to " + columns + "x" + rows, e);
        }
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public void close() {
        if (stdin != null) {
            stdin.closeWriter();
        }
        DockerRuntime.closeQuietly(callback);
        stdout.closeWriter();
        stderr.closeWriter();
        if (!exit.isDone()) {
            exit.complete(-1);
        }
    }
}
