package dev.berth.core.pki;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kubeconfig's client key is recognised as its certificate's whichever security provider comes
 * first: with BouncyCastle first (SSH libraries register it) the key is "ECDSA", the certificate's
 * "EC", and a re-run of {@code berth node add} took the node's valid credentials for broken ones.
 */
class KeyProviderOrderTest {
    @TempDir
    Path dir;

    @Test
    void aNodeKubeconfigStaysReadableWithBouncyCastleAsTheFirstProvider() {
        ClusterCa ca = ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        String yaml = Kubeconfig.withClientCertificate("berth", "https://192.0.2.1:6443", ca.certificate(), "system:node:a",
                ca.issueClient("system:node:a", List.of("system:nodes"), Duration.ofDays(365))).toYaml();
        Provider earlier = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        int earlierPosition = java.util.Arrays.asList(Security.getProviders()).indexOf(earlier) + 1;
        Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
        Security.insertProviderAt(new BouncyCastleProvider(), 1);
        try {
            Kubeconfig k = Kubeconfig.parse(yaml, "node.kubeconfig", null);
            assertThat(k.userName()).isEqualTo("system:node:a");
        } finally {
            Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
            if (earlier != null) Security.insertProviderAt(earlier, earlierPosition);
        }
    }
}
