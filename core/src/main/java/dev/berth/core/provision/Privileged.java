package dev.berth.core.provision;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Runs commands as root on a host: directly when the login user is root, else through {@code sudo}
 * (without a password when sudoers allows it, or with the password the person typed, fed to
 * {@code sudo -S} and kept only in memory while the connection lasts).
 */
public final class Privileged implements RemoteHost {
    /** How commands become root. */
    public enum Mode { ROOT, SUDO, SUDO_WITH_PASSWORD }

    private final RemoteHost host;
    private final Mode mode;
    private final char[] password;

    private Privileged(RemoteHost host, Mode mode, char[] password) {
        this.host = host;
        this.mode = mode;
        this.password = password;
    }

    /** Root already: commands run as they are. */
    public static Privileged root(RemoteHost host) {
        return new Privileged(host, Mode.ROOT, null);
    }

    /**
     * Finds how to become root on {@code host}: root login, passwordless sudo, or (when {@code
     * askPassword}) sudo with a password asked through {@code prompter}.
     *
     * @throws ProvisionException saying what to set up when none works
     */
    public static Privileged detect(RemoteHost host, Prompter prompter, boolean askPassword) throws IOException {
        ExecResult id = host.exec("id -u");
        if (id.ok() && id.stdout().strip().equals("0")) {
            return root(host);
        }
        ExecResult hasSudo = host.exec("command -v sudo");
        if (!hasSudo.ok()) {
            throw new ProvisionException("the login user on " + host.describe() + " is not root and sudo is not installed: "
                    + "log in as root (--user root) or install sudo (apt-get install sudo) and allow the user to use it");
        }
        ExecResult noPassword = host.exec("sudo -n true");
        if (noPassword.ok()) {
            return new Privileged(host, Mode.SUDO, null);
        }
        String user = host.describe();
        String remedy = "allow passwordless sudo (echo '" + userOf(user) + " ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/berth"
                + " as root) or run with --sudo to be asked for the sudo password";
        if (!askPassword) {
            throw new ProvisionException("sudo on " + user + " needs a password (" + noPassword.diagnostic() + "): " + remedy);
        }
        Optional<char[]> typed = prompter.sudoPassword(user);
        if (typed.isEmpty()) {
            throw new ProvisionException("sudo on " + user + " needs a password and none was given: " + remedy);
        }
        Privileged p = new Privileged(host, Mode.SUDO_WITH_PASSWORD, Arrays.copyOf(typed.get(), typed.get().length));
        Arrays.fill(typed.get(), '\0');
        ExecResult check = p.exec("true");
        if (!check.ok()) {
            p.forget();
            throw new ProvisionException("sudo on " + user + " refused the password (" + check.diagnostic()
                    + "), or the user may not use sudo: " + remedy);
        }
        return p;
    }

    private static String userOf(String describe) {
        int at = describe.indexOf('@');
        return at < 0 ? describe : describe.substring(0, at);
    }

    public Mode mode() {
        return mode;
    }

    /** The host as the login user. */
    public RemoteHost unprivileged() {
        return host;
    }

    @Override
    public String describe() {
        return host.describe() + (mode == Mode.ROOT ? "" : " (sudo)");
    }

    @Override
    public ExecResult exec(String command, InputStream stdin, Duration timeout) throws IOException {
        return switch (mode) {
            case ROOT -> host.exec(command, stdin, timeout);
            case SUDO -> host.exec("sudo -n -- sh -c " + Shell.quote(command), stdin, timeout);
            case SUDO_WITH_PASSWORD -> {
                // sudo reads the password line from stdin, the command gets the rest
                byte[] line = passwordLine();
                InputStream in = stdin == null ? new ByteArrayInputStream(line)
                        : new SequenceInputStream(new ByteArrayInputStream(line), stdin);
                try {
                    yield host.exec("sudo -S -p '' -- sh -c " + Shell.quote(command), in, timeout);
                } finally {
                    Arrays.fill(line, (byte) 0);
                }
            }
        };
    }

    private byte[] passwordLine() {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[b.remaining() + 1];
        b.get(out, 0, b.remaining());
        out[out.length - 1] = '\n';
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    /** Clears the password from memory. */
    public void forget() {
        if (password != null) Arrays.fill(password, '\0');
    }

    @Override
    public void close() {
        forget();
        host.close();
    }
}
