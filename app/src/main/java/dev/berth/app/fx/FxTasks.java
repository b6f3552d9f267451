package dev.berth.app.fx;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Background work for controllers: the work runs on a worker thread, its callbacks on the FX
 * thread (or whatever {@code uiThread} the owner was made with, for tests).
 *
 * <pre>{@code
 * tasks.run(() -> client.apps().deployments().list())
 *      .onSuccess(list -> table.setItems(...))
 *      .onFailure(e -> status.show(e))
 *      .start();
 * }</pre>
 */
public final class FxTasks implements AutoCloseable {
    private final ExecutorService workers;
    private final Executor uiThread;

    public FxTasks(Executor uiThread) {
        this.uiThread = Objects.requireNonNull(uiThread, "uiThread");
        this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("berth-ui-task-", 0).factory());
    }

    /** Tasks whose callbacks run on the JavaFX application thread. */
    public static FxTasks onFxThread() {
        return new FxTasks(javafx.application.Platform::runLater);
    }

    public <T> Builder<T> run(Callable<T> work) {
        return new Builder<>(work);
    }

    /** Runs {@code action} on the UI thread. */
    public void ui(Runnable action) {
        uiThread.execute(action);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }

    public final class Builder<T> {
        private final Callable<T> work;
        private Consumer<? super T> onSuccess = t -> {};
        private Consumer<? super Throwable> onFailure = e -> {};
        private Runnable onDone = () -> {};

        private Builder(Callable<T> work) {
            this.work = Objects.requireNonNull(work, "work");
        }

        public Builder<T> onSuccess(Consumer<? super T> callback) {
            this.onSuccess = callback;
            return this;
        }

        public Builder<T> onFailure(Consumer<? super Throwable> callback) {
            this.onFailure = callback;
            return this;
        }

        /** Runs after success or failure, e.g. to hide a progress indicator. */
        public Builder<T> onDone(Runnable callback) {
            this.onDone = callback;
            return this;
        }

        public void start() {
            workers.execute(() -> {
                T result;
                try {
                    result = work.call();
                } catch (Throwable e) {
                    uiThread.execute(() -> {
                        try {
                            onFailure.accept(e);
                        } finally {
                            onDone.run();
                        }
                    });
                    return;
                }
                uiThread.execute(() -> {
                    try {
                        onSuccess.accept(result);
                    } finally {
                        onDone.run();
                    }
                });
            });
        }
    }
}
