package dev.berth.app.portforward;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Opens one stream to a target's port through the cluster (one per local connection). */
@FunctionalInterface
public interface Tunnels {
    /**
     * Sends what {@code fromClient} gives to the target's port and what comes back into {@code toClient},
     * which is closed when the stream ends. Closing the result ends the stream.
     *
     * @throws IOException the target cannot be reached (no such pod, no ready pod behind a service, ...)
     */
    Closeable open(ForwardTarget target, ReadableByteChannel fromClient, WritableByteChannel toClient) throws IOException;
}
