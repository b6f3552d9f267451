package dev.berth.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;

class PemTest {
    @Test
    void writesEcKeysAsSec1WithTheNamedCurveAndPublicKeyAsOpenSslDoes() throws Exception {
        KeyPair keys = ClusterCa.newKeyPair();

        String pem = Pem.encode(keys.getPrivate());

        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        byte[] der = new PemReader(new java.io.StringReader(pem)).readPemObject().getContent();
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(der);
        assertThat(sec1.getParametersObject()).isEqualTo(SECObjectIdentifiers.secp256r1);
        assertThat(sec1.getPublicKey()).isNotNull();
        assertThat(((ECPrivateKey) Pem.parsePrivateKey(pem, "test")).getS())
                .isEqualTo(((ECPrivateKey) keys.getPrivate()).getS());
        assertThat(ClusterCa.keyMatches(Pem.parsePrivateKey(pem, "test"), keys.getPublic())).isTrue();
    }

    @Test
    void writesRsaKeysAsPkcs1AndReadsThemBack() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();

        String pem = Pem.encode(keys.getPrivate());

        assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(ClusterCa.keyMatches(Pem.parsePrivateKey(pem, "test"), keys.getPublic())).isTrue();
    }

    @Test
    void namesTheSourceWhenNothingUsableIsFound() {
        assertThatThrownBy(() -> Pem.parseCertificates("not pem", "kubeconfig F cluster \"c\""))
                .isInstanceOf(PkiException.class)
                .hasMessage("kubeconfig F cluster \"c\": no PEM CERTIFICATE block found");
        assertThatThrownBy(() -> Pem.parsePrivateKey("", "ca.key"))
                .hasMessageStartingWith("ca.key: no unencrypted PEM private key block found");
    }
}
