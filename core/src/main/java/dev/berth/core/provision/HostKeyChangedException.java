package dev.berth.core.provision;

import java.nio.file.Path;

/**
 * The host offered a key other than the one recorded for it: possibly someone is in the middle.
 * Provisioning refuses; only removing the old line from the known_hosts file named lets it go on.
 */
public final class HostKeyChangedException extends ProvisionException {
    private final String host;
    private final String fingerprint;
    private final Path knownHosts;

    public HostKeyChangedException(String host, String keyType, String fingerprint, Path knownHosts) {
        super("WARNING: THE HOST KEY OF " + host + " HAS CHANGED: it now offers the " + keyType + " key " + fingerprint
                + ", which is not the key recorded in " + knownHosts + ". Someone could be intercepting the connection,"
                + " or the host was reinstalled. Refusing to connect; if the change is expected, remove the old key with"
                + " ssh-keygen -R " + host + " -f " + knownHosts);
        this.host = host;
        this.fingerprint = fingerprint;
        this.knownHosts = knownHosts;
    }

    public String host() { return host; }

    public String fingerprint() { return fingerprint; }

    public Path knownHosts() { return knownHosts; }
}
