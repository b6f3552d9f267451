package dev.berth.core.provision;

/**
 * The host's key is in neither known_hosts: nothing was sent to it. A person compares the
 * fingerprint with the host's own ({@code ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub} on it)
 * and accepts it ({@code --accept-host-key SHA256:...}, or the app's dialog).
 */
public final class UnknownHostKeyException extends ProvisionException {
    private final String host;
    private final String keyType;
    private final String fingerprint;

    public UnknownHostKeyException(String host, String keyType, String fingerprint) {
        super("the authenticity of host " + host + " can't be established: its " + keyType + " key fingerprint is "
                + fingerprint + "; check it on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it with "
                + "--accept-host-key " + fingerprint);
        this.host = host;
        this.keyType = keyType;
        this.fingerprint = fingerprint;
    }

    public String host() { return host; }

    public String keyType() { return keyType; }

    /** {@code SHA256:...}, as OpenSSH prints it. */
    public String fingerprint() { return fingerprint; }
}
