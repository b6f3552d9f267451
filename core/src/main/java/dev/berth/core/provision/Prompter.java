package dev.berth.core.provision;

import java.util.Optional;

/**
 * Asks a person for a secret when one is needed: a key's passphrase, a sudo password. The answer
 * is used for this connection only and never written anywhere; callers clear the array after use.
 * Empty means the person gave none (or nobody can be asked).
 */
public interface Prompter {
    /** Asks nobody: every secret is missing. */
    Prompter NONE = new Prompter() {
        @Override
        public Optional<char[]> passphrase(String keyFile) { return Optional.empty(); }

        @Override
        public Optional<char[]> sudoPassword(String userAtHost) { return Optional.empty(); }
    };

    Optional<char[]> passphrase(String keyFile);

    Optional<char[]> sudoPassword(String userAtHost);
}
