package dev.berth.agent.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.agent.runtime.StreamSession;
import dev.berth.core.api.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One exec or attach between a runtime {@link StreamSession} and a client, whatever the wire
 * protocol (WebSocket or SPDY): copies stdout and stderr out, stdin and resizes in, and when the
 * command ends writes its exit status on the error stream and finishes.
 */
final class RemoteCommand {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCommand.class);
    private static final byte[] EOF = new byte[0];

    /** Where output goes; the protocol adapter implements it. Called from worker threads, never an event loop. */
    interface Output {
        void stdout(byte[] bytes) throws IOException;

        void stderr(byte[] bytes) throws IOException;

        /** Writes the status on the error stream, then ends every stream and the connection. */
        void finish(byte[] status);
    }

    private final StreamSession session;
    private final Output output;
    private final List<String> command;
    private final InboundBuffer stdin;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param client the client's connection, paused while stdin waits for the command */
    RemoteCommand(StreamSession session, Output output, List<String> command, io.netty.channel.Channel client) {
        this.stdin = new InboundBuffer(client);
        this.session = session;
        this.output = output;
        this.command = List.copyOf(command);
    }

    void start(StreamOptions options) {
        List<Thread> pumps = new ArrayList<>();
        if (options.stdout()) {
            pumps.add(Thread.ofVirtual().name("stream-stdout").start(() -> pump(session.stdout(), true)));
        }
        if (options.stderr() && !options.tty()) {
            pumps.add(Thread.ofVirtual().name("stream-stderr").start(() -> pump(session.stderr(), false)));
        }
        if (options.stdin()) {
            Thread.ofVirtual().name("stream-stdin").start(this::feedStdin);
        }
        Thread.ofVirtual().name("stream-exit").start(() -> awaitExit(pumps));
    }

    private void pump(InputStream in, boolean stdout) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (n == 0) {
                    continue;
                }
                byte[] chunk = java.util.Arrays.copyOf(buf, n);
                if (stdout) {
                    output.stdout(chunk);
                } else {
                    output.stderr(chunk);
                }
            }
        } catch (IOException e) {
            if (!closed.get()) {
                LOG.debug("{} of {} ended: {}", stdout ? "stdout" : "stderr", command, e.toString());
                clientGone();
            }
        }
    }

    private void feedStdin() {
        try {
            while (true) {
                byte[] b = stdin.take();
                if (b == EOF) {
                    session.stdin().close();
                    return;
                }
                session.stdin().write(b);
                session.stdin().flush();
            }
        } catch (IOException e) {
            LOG.debug("stdin of {} closed: {}", command, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitExit(List<Thread> pumps) {
        byte[] status;
        try {
            int code = session.exit().get();
            // the output a process wrote before it exited is still in the pipes: send it first
            for (Thread t : pumps) {
                t.join(java.time.Duration.ofSeconds(5));
            }
            status = Statuses.exit(command, code);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            status = Statuses.internal(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!closed.get()) {
            output.finish(status);
        }
        close();
    }

    void stdin(byte[] bytes) {
        if (bytes.length > 0) {
            stdin.add(bytes);
        }
    }

    void stdinClosed() {
        stdin.add(EOF);
    }

    /** A terminal size message: {@code {"Width":80,"Height":24}} (one or more, concatenated). */
    void resize(byte[] json) {
        try (var values = Json.MAPPER.readerFor(JsonNode.class).<JsonNode>readValues(json)) {
            while (values.hasNext()) {
                JsonNode size = values.next();
                int width = size.path("Width").asInt(0);
                int height = size.path("Height").asInt(0);
                if (width > 0 && height > 0) {
                    session.resize(width, height);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("ignoring a malformed resize message for {}: {}", command, e.toString());
        }
    }

    void clientGone() {
        close();
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            stdin.add(EOF);
            try {
                session.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the session of {}: {}", command, e.toString());
            }
        }
    }

}
