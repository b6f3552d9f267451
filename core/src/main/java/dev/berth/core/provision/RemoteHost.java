package dev.berth.core.provision;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** Runs commands on a host: an SSH connection, or one of its privileged views. */
public interface RemoteHost extends AutoCloseable {
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** {@code user@host}, for messages. */
    String describe();

    /**
     * Runs {@code command} with {@code /bin/sh} on the host, feeding it {@code stdin} (null: none)
     * and waiting at most {@code timeout}. A dropped connection is an {@link IOException}.
     */
    ExecResult exec(String command, InputStream stdin, Duration timeout) throws IOException;

    default ExecResult exec(String command) throws IOException {
        return exec(command, null, DEFAULT_TIMEOUT);
    }

    @Override
    void close();
}
