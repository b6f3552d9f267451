package dev.berth.core.controller.certificates;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KubeletServingPolicyTest {
    private static final List<String> USAGES = List.of("digital signature", "key encipherment", "server auth");

    private final Node node = new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
            .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.0.0.5").endAddress()
            .addNewAddress().withType("Hostname").withAddress("n1.lab").endAddress().endStatus().build();

    @Test
    void approvesARequestOfTheNodeForItsOwnNamesAndAddresses() throws Exception {
        var csr = csr("system:node:n1", List.of("system:nodes", "system:authenticated"),
                "CN=system:node:n1,O=system:nodes", USAGES, dns("n1"), dns("n1.lab"), ip("10.0.0.5"));

        assertThat(KubeletServingPolicy.decide(csr, node)).isEqualTo(new KubeletServingPolicy.Verdict.Approve("n1"));
    }

    @Test
    void approvesWithoutKeyEnciphermentAsKubeletAsksForEcdsaKeys() throws Exception {
        var csr = csr("system:node:n1", List.of("system:nodes"), "CN=system:node:n1,O=system:nodes",
                List.of("digital signature", "server auth"), ip("10.0.0.5"));

        assertThat(KubeletServingPolicy.decide(csr, node)).isInstanceOf(KubeletServingPolicy.Verdict.Approve.class);
    }

    @Test
    void leavesARequestOfAnotherNodeForThisNodesName() throws Exception {
        var csr = csr("system:node:n2", List.of("system:nodes"), "CN=system:node:n1,O=system:nodes", USAGES, dns("n1"));

        assertThat(leaveReason(csr, node)).contains("subject CN [system:node:n1] must be [system:node:n2]");
    }

    @Test
    void leavesARequestFromSomeoneWhoIsNotANode() throws Exception {
        var csr = csr("admin", List.of("system:masters"), "CN=system:node:n1,O=system:nodes", USAGES, dns("n1"));

        assertThat(leaveReason(csr, node)).contains("spec.username \"admin\" is not a node");
    }

    @Test
    void leavesARequestOutsideTheNodesGroup() throws Exception {
        var csr = csr("system:node:n1", List.of("system:authenticated"), "CN=system:node:n1,O=system:nodes", USAGES, dns("n1"));

        assertThat(leaveReason(csr, node)).contains("does not contain system:nodes");
    }

    @Test
    void leavesARequestWithANameThatIsNotTheNodes() throws Exception {
        var csr = csr("system:node:n1", List.of("system:nodes"), "CN=system:node:n1,O=system:nodes", USAGES,
                dns("n1"), dns("kubernetes.default"), ip("10.0.0.9"));

        assertThat(leaveReason(csr, node))
                .contains("DNS name kubernetes.default").contains("IP address 10.0.0.9").contains("node \"n1\"");
    }

    @Test
    void leavesARequestWithClientAuthUsage() throws Exception {
        var csr = csr("system:node:n1", List.of("system:nodes"), "CN=system:node:n1,O=system:nodes",
                List.of("digital signature", "key encipherment", "server auth", "client auth"), dns("n1"));

        assertThat(leaveReason(csr, node)).contains("spec.usages").contains("client auth");
    }

    @Test
    void leavesARequestWithAnotherOrganization() throws Exception {
        var csr = csr("system:node:n1", List.of("system:nodes"), "CN=system:node:n1,O=system:masters", USAGES, dns("n1"));

        assertThat(leaveReason(csr, node)).contains("subject O [system:masters] must be [system:nodes]");
    }

    @Test
    void leavesARequestUntilTheNodeExists() throws Exception {
        var csr = csr("system:node:n1", List.of("system:nodes"), "CN=system:node:n1,O=system:nodes", USAGES, dns("n1"));

        assertThat(leaveReason(csr, null)).contains("node \"n1\" does not exist");
    }

    @Test
    void leavesOtherSigners() throws Exception {
        var csr = new CertificateSigningRequestBuilder(csr("system:node:n1", List.of("system:nodes"),
                "CN=system:node:n1,O=system:nodes", USAGES, dns("n1")))
                .editSpec().withSignerName("kubernetes.io/kube-apiserver-client").endSpec().build();

        assertThat(leaveReason(csr, node)).contains("spec.signerName");
    }

    private static String leaveReason(CertificateSigningRequest csr, Node node) {
        var verdict = KubeletServingPolicy.decide(csr, node);
        assertThat(verdict).isInstanceOf(KubeletServingPolicy.Verdict.Leave.class);
        return ((KubeletServingPolicy.Verdict.Leave) verdict).reason();
    }

    private static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static GeneralName ip(String address) {
        return new GeneralName(GeneralName.iPAddress, address);
    }

    static CertificateSigningRequest csr(String user, List<String> groups, String subject, List<String> usages,
                                         GeneralName... names) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(request);
        }
        return new CertificateSigningRequestBuilder().withNewMetadata().withName("csr-1").endMetadata()
                .withNewSpec().withSignerName(KubeletServingPolicy.SIGNER).withUsername(user).withGroups(groups)
                .withUsages(usages)
                .withRequest(Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.US_ASCII)))
                .endSpec().build();
    }
}
