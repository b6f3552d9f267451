package dev.berth.core.controller.certificates;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeClientPolicyTest {
    static final List<String> USAGES = List.of("digital signature", "client auth");

    static CertificateSigningRequest csr(String user, List<String> groups, String subject, List<String> usages) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        var keys = g.generateKeyPair();
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(request);
        }
        return new CertificateSigningRequestBuilder().withNewMetadata().withName("node-csr-1").endMetadata()
                .withNewSpec().withSignerName(NodeClientPolicy.SIGNER).withUsername(user).withGroups(groups)
                .withUsages(usages)
                .withRequest(Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.US_ASCII)))
                .endSpec().build();
    }

    @Test
    void bootstrapTokenRequestForANodeClientCertificateIsApproved() throws Exception {
        var v = NodeClientPolicy.decide(csr("system:bootstrap:abcdef", List.of("system:bootstrappers", "system:authenticated"),
                "CN=system:node:lab-1,O=system:nodes", USAGES));
        assertThat(v).isEqualTo(new KubeletServingPolicy.Verdict.Approve("lab-1"));
        assertThat(NodeClientPolicy.decide(csr("system:bootstrap:abcdef", List.of("system:bootstrappers"),
                "CN=system:node:lab-1,O=system:nodes", List.of("digital signature", "key encipherment", "client auth"))))
                .isInstanceOf(KubeletServingPolicy.Verdict.Approve.class);
    }

    @Test
    void nodeRenewingItsOwnCertificateIsApprovedButNotAnotherNodes() throws Exception {
        assertThat(NodeClientPolicy.decide(csr("system:node:lab-1", List.of("system:nodes"),
                "CN=system:node:lab-1,O=system:nodes", USAGES))).isInstanceOf(KubeletServingPolicy.Verdict.Approve.class);
        assertThat(NodeClientPolicy.decide(csr("system:node:lab-2", List.of("system:nodes"),
                "CN=system:node:lab-1,O=system:nodes", USAGES))).isInstanceOfSatisfying(KubeletServingPolicy.Verdict.Leave.class,
                l -> assertThat(l.reason()).contains("neither a bootstrap token"));
    }

    @Test
    void otherRequestorsSubjectsAndUsagesAreLeftForAPerson() throws Exception {
        assertThat(NodeClientPolicy.decide(csr("alice", List.of("developers"), "CN=system:node:lab-1,O=system:nodes", USAGES)))
                .isInstanceOf(KubeletServingPolicy.Verdict.Leave.class);
        assertThat(NodeClientPolicy.decide(csr("system:bootstrap:abcdef", List.of("system:bootstrappers"),
                "CN=admin,O=system:masters", USAGES)))
                .isInstanceOfSatisfying(KubeletServingPolicy.Verdict.Leave.class, l -> assertThat(l.reason()).contains("CN"));
        assertThat(NodeClientPolicy.decide(csr("system:bootstrap:abcdef", List.of("system:bootstrappers"),
                "CN=system:node:lab-1,O=system:nodes,O=system:masters", USAGES)))
                .isInstanceOf(KubeletServingPolicy.Verdict.Leave.class);
        assertThat(NodeClientPolicy.decide(csr("system:bootstrap:abcdef", List.of("system:bootstrappers"),
                "CN=system:node:lab-1,O=system:nodes", List.of("digital signature", "server auth"))))
                .isInstanceOfSatisfying(KubeletServingPolicy.Verdict.Leave.class, l -> assertThat(l.reason()).contains("spec.usages"));
    }

    @Test
    void subjectAltNamesAreRefused() throws Exception {
        var withNames = KubeletServingPolicyTest.csr("system:bootstrap:abcdef", List.of("system:bootstrappers"),
                "CN=system:node:lab-1,O=system:nodes", USAGES, new GeneralName(GeneralName.dNSName, "lab-1"));
        withNames.getSpec().setSignerName(NodeClientPolicy.SIGNER);
        assertThat(NodeClientPolicy.decide(withNames)).isInstanceOfSatisfying(KubeletServingPolicy.Verdict.Leave.class,
                l -> assertThat(l.reason()).contains("must not name"));
    }
}
