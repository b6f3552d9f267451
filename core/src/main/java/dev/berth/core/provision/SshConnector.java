package dev.berth.core.provision;

import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Opens verified, authenticated SSH connections with SSHJ: through the {@code ProxyJump} hosts of
 * the target, with the target's key files (a passphrase is asked through the {@link Prompter} when
 * a key has one), host keys checked by {@link KnownHosts}.
 *
 * <p>ssh-agent is not used: SSHJ has no maintained agent support (the only add-on,
 * jsch-agent-proxy, has been unmaintained since 2016), so keys come from files.
 */
public final class SshConnector {
    public static final String STEP = "connect";

    private final KnownHosts knownHosts;
    private final Prompter prompter;
    private final Duration connectTimeout;

    public SshConnector(KnownHosts knownHosts, Prompter prompter, Duration connectTimeout) {
        this.knownHosts = knownHosts;
        this.prompter = prompter;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Connects and authenticates. {@code acceptedFingerprint} (nullable) is the host key the person
     * confirmed for {@code target} (not for the jump hosts, which must be known already).
     *
     * @throws UnknownHostKeyException       the target's key is not known (nothing was sent to it)
     * @throws HostKeyChangedException       a recorded key differs
     * @throws AuthenticationFailedException no key was accepted
     * @throws ProvisionException            the host cannot be reached
     */
    public SshConnection connect(SshTarget target, String acceptedFingerprint, ProgressListener progress) {
        List<SSHClient> opened = new ArrayList<>();
        try {
            SSHClient client = open(target, acceptedFingerprint, progress, opened);
            progress.report(STEP, 1.0, "connected to " + target.describe());
            return new SshConnection(target, client, opened);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private SSHClient open(SshTarget target, String accepted, ProgressListener progress, List<SSHClient> opened) {
        SSHClient via = null;
        for (SshTarget hop : target.proxyJump()) {
            via = openHop(hop, via, null, progress, opened);
        }
        return openHop(target, via, accepted, progress, opened);
    }

    private SSHClient openHop(SshTarget target, SSHClient via, String accepted, ProgressListener progress,
                              List<SSHClient> opened) {
        progress.report(STEP, 0.1, "connecting to " + target.describe() + (via == null ? "" : " (through a jump host)"));
        SSHClient client = new SSHClient(new DefaultConfig());
        opened.add(client);
        KnownHosts.Verifier verifier = knownHosts.verifier(accepted);
        client.addHostKeyVerifier(verifier);
        client.setConnectTimeout((int) connectTimeout.toMillis());
        client.setTimeout((int) Math.max(connectTimeout.toMillis(), Duration.ofSeconds(30).toMillis()));
        try {
            if (via == null) {
                client.connect(target.hostName(), target.port());
            } else {
                client.connectVia(via.newDirectConnection(target.hostName(), target.port()));
            }
        } catch (TransportException e) {
            Optional<ProvisionException> why = verifier.failure();
            if (why.isPresent()) throw why.get();
            throw unreachable(target, e);
        } catch (IOException e) {
            Optional<ProvisionException> why = verifier.failure();
            if (why.isPresent()) throw why.get();
            throw unreachable(target, e);
        }
        progress.report(STEP, 0.5, "authenticating as " + target.user());
        authenticate(client, target);
        return client;
    }

    private void authenticate(SSHClient client, SshTarget target) {
        List<KeyProvider> keys = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : target.identities()) {
            if (!Files.isReadable(file)) {
                problems.add(file + " is not readable");
                continue;
            }
            try {
                KeyProvider provider = client.loadKeys(file.toString(), new AskOnce(file));
                provider.getPublic();   // decrypts now, so a wrong passphrase is reported for this file
                keys.add(provider);
            } catch (IOException | RuntimeException e) {
                problems.add(file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        if (keys.isEmpty()) {
            throw new AuthenticationFailedException("no usable SSH key for " + target.describe()
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")")
                    + ": give one with --identity FILE or IdentityFile in ~/.ssh/config", null);
        }
        try {
            client.authPublickey(target.user(), keys);
        } catch (UserAuthException e) {
            throw new AuthenticationFailedException(target.describe() + " refused the keys "
                    + target.identities().stream().filter(Files::isReadable).toList()
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")")
                    + ": install the public key on the host (ssh-copy-id -i KEY.pub " + target.user() + "@"
                    + target.hostName() + (target.port() == SshTarget.DEFAULT_PORT ? "" : " -p " + target.port())
                    + ") or give the right one with --identity FILE", e);
        } catch (TransportException e) {
            throw new ProvisionException("the connection to " + target.describe() + " dropped while authenticating: "
                    + e.getMessage(), e);
        }
    }

    private static ProvisionException unreachable(SshTarget target, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String remedy;
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        if (root instanceof UnknownHostException) {
            remedy = "the name does not resolve: check HOST or HostName in ~/.ssh/config";
        } else if (root instanceof ConnectException) {
            remedy = "nothing accepts connections on port " + target.port() + ": is sshd running (systemctl status ssh) and the port right (--port)?";
        } else if (root instanceof SocketTimeoutException || root instanceof NoRouteToHostException) {
            remedy = "no answer: check that the host is up and that no firewall drops port " + target.port();
        } else {
            remedy = "check that an SSH server answers there";
        }
        return new ProvisionException("cannot reach " + target.describe() + ": " + why + "; " + remedy, e);
    }

    private static void closeAll(List<SSHClient> opened) {
        for (SSHClient c : opened.reversed()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Asks the prompter for a key's passphrase once; the answer is cleared by SSHJ after use. */
    private final class AskOnce implements PasswordFinder {
        private final Path file;
        private boolean asked;

        AskOnce(Path file) {
            this.file = file;
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            asked = true;
            Optional<char[]> answer = prompter.passphrase(file.toString());
            return answer.map(a -> Arrays.copyOf(a, a.length)).orElse(null);
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return false;
        }
    }
}
