package dev.berth.agent.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.berth.agent.runtime.LogOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A container's log as one byte stream, cut the way {@code kubectl logs} asks: the engine does
 * follow and tail (and "since" to the second), this cuts "since" to the nanosecond, drops the
 * timestamps again when they were only fetched for that, and stops after {@code limitBytes}.
 * Closing the stream closes the engine's connection (ending a follow).
 */
final class LogStream {
    private final LogOptions options;
    private final BytePipe pipe;
    private final ResultCallback.Adapter<Frame> callback;
    private long written;

    LogStream(LogOptions options) {
        this.options = options;
        this.callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                accept(frame.getPayload());
            }

            @Override
            public void onError(Throwable throwable) {
                pipe.fail(new IOException("reading the log failed: " + DockerRuntime.engineMessage(throwable), throwable));
                super.onError(throwable);
            }

            @Override
            public void onComplete() {
                pipe.closeWriter();
                super.onComplete();
            }
        };
        this.pipe = new BytePipe(DockerStreamSession.BUFFER, () -> DockerRuntime.closeQuietly(callback));
    }

    ResultCallback.Adapter<Frame> callback() {
        return callback;
    }

    InputStream source() {
        return pipe.source();
    }

    private void accept(byte[] payload) {
        byte[] out = payload;
        boolean fetchedTimestamps = options.timestamps() || options.since() != null;
        if (fetchedTimestamps) {
            int space = indexOf(payload, (byte) ' ');
            if (space > 0) {
                if (options.since() != null) {
                    try {
                        Instant at = Instant.parse(new String(payload, 0, space, StandardCharsets.US_ASCII));
                        if (at.isBefore(options.since())) {
                            return;
                        }
                    } catch (DateTimeParseException notATimestamp) {
                        // a continuation without a timestamp: keep it
                    }
                }
                if (!options.timestamps()) {
                    out = java.util.Arrays.copyOfRange(payload, space + 1, payload.length);
                }
            }
        }
        try {
            if (options.limitBytes() >= 0) {
                long room = options.limitBytes() - written;
                if (room <= 0) {
                    finishAtLimit();
                    return;
                }
                int n = (int) Math.min(room, out.length);
                pipe.sink().write(out, 0, n);
                written += n;
                if (written >= options.limitBytes()) {
                    finishAtLimit();
                }
            } else {
                pipe.sink().write(out);
            }
        } catch (IOException e) {
            // the reader went away
        }
    }

    private void finishAtLimit() {
        pipe.closeWriter();
        DockerRuntime.closeQuietly(callback);
    }

    private static int indexOf(byte[] b, byte value) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
