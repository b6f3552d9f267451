package dev.berth.core.provision;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An authenticated SSH connection (and the jump hosts under it), running one command per channel. */
public final class SshConnection implements RemoteHost {
    /** Output kept per stream; the rest is dropped. */
    static final int MAX_OUTPUT = 1 << 20;

    private final SshTarget target;
    private final SSHClient client;
    private final List<SSHClient> chain;

    SshConnection(SshTarget target, SSHClient client, List<SSHClient> chain) {
        this.target = target;
        this.client = client;
        this.chain = List.copyOf(chain);
    }

    public SshTarget target() {
        return target;
    }

    @Override
    public String describe() {
        return target.describe();
    }

    public boolean isConnected() {
        return client.isConnected() && client.isAuthenticated();
    }

    @Override
    public ExecResult exec(String command, InputStream stdin, Duration timeout) throws IOException {
        try (Session session = client.startSession()) {
            Session.Command cmd = session.exec(command);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outReader = Thread.ofVirtual().start(() -> drain(cmd.getInputStream(), out));
            Thread errReader = Thread.ofVirtual().start(() -> drain(cmd.getErrorStream(), err));
            try (OutputStream toRemote = cmd.getOutputStream()) {
                if (stdin != null) {
                    stdin.transferTo(toRemote);
                    toRemote.flush();
                }
            }
            cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (cmd.isOpen() && cmd.getExitStatus() == null) {
                cmd.close();
                throw new IOException("command on " + describe() + " did not finish within " + timeout.toSeconds() + " s");
            }
            try {
                outReader.join(timeout.toMillis());
                errReader.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            Integer status = cmd.getExitStatus();
            if (status == null && !client.isConnected()) {
                throw new IOException("the connection to " + describe() + " dropped");
            }
            return new ExecResult(status == null ? -1 : status, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream sink) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (sink) {
                    if (sink.size() < MAX_OUTPUT) sink.write(buf, 0, Math.min(n, MAX_OUTPUT - sink.size()));
                }
            }
        } catch (IOException ignored) {
            // the channel closed; what came is kept
        }
    }

    @Override
    public void close() {
        for (SSHClient c : chain.reversed()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
