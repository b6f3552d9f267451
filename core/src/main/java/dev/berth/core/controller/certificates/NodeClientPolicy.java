package dev.berth.core.controller.certificates;

import dev.berth.core.pki.Pem;
import dev.berth.core.pki.PkiException;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestSpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When a {@code kubernetes.io/kube-apiserver-client-kubelet} request (a node's client certificate)
 * may be approved without a person, as Kubernetes' csrapproving controller does: the request is a
 * node client certificate ({@code CN=system:node:NAME, O=system:nodes}, no subjectAltNames, usages
 * digital signature and client auth, key encipherment allowed), asked either by a bootstrap token
 * (group {@code system:bootstrappers}: a machine joining) or by that node itself (a renewal).
 * Pure.
 */
public final class NodeClientPolicy {
    public static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    public static final String BOOTSTRAPPERS_GROUP = "system:bootstrappers";
    static final Set<String> USAGES = Set.of("digital signature", "client auth");
    static final Set<String> USAGES_RSA = Set.of("digital signature", "key encipherment", "client auth");

    private NodeClientPolicy() {
    }

    /** Decides on a request; {@code Approve.nodeName} is the node the certificate is for. */
    public static KubeletServingPolicy.Verdict decide(CertificateSigningRequest csr) {
        CertificateSigningRequestSpec spec = csr.getSpec();
        if (spec == null || !SIGNER.equals(spec.getSignerName())) {
            return new KubeletServingPolicy.Verdict.Leave("spec.signerName is not " + SIGNER);
        }
        Set<String> usages = spec.getUsages() == null ? Set.of() : new HashSet<>(spec.getUsages());
        if (!(usages.equals(USAGES) || usages.equals(USAGES_RSA)) || usages.size() != spec.getUsages().size()) {
            return new KubeletServingPolicy.Verdict.Leave("spec.usages " + spec.getUsages() + " must be exactly "
                    + List.of("digital signature", "key encipherment", "client auth") + " (key encipherment may be left out)");
        }
        PKCS10CertificationRequest request;
        try {
            request = Pem.parseCertificateRequest(new String(Base64.getDecoder().decode(spec.getRequest()),
                    StandardCharsets.US_ASCII), "spec.request");
        } catch (PkiException | IllegalArgumentException | NullPointerException e) {
            return new KubeletServingPolicy.Verdict.Leave("spec.request is not a PEM certificate request: " + e.getMessage());
        }
        X500Name subject = request.getSubject();
        List<String> cns = values(subject, BCStyle.CN);
        List<String> orgs = values(subject, BCStyle.O);
        if (cns.size() != 1 || !cns.getFirst().startsWith(KubeletServingPolicy.NODE_USER_PREFIX)
                || cns.getFirst().length() == KubeletServingPolicy.NODE_USER_PREFIX.length()) {
            return new KubeletServingPolicy.Verdict.Leave("subject CN " + cns + " must be [system:node:NAME]");
        }
        if (!orgs.equals(List.of(KubeletServingPolicy.NODES_GROUP)) || subject.getRDNs().length != 2) {
            return new KubeletServingPolicy.Verdict.Leave("subject " + subject + " must be exactly CN=system:node:NAME, O="
                    + KubeletServingPolicy.NODES_GROUP);
        }
        Attribute[] attributes = request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attributes.length > 0) {
            Extensions requested = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
            if (requested.getExtension(Extension.subjectAlternativeName) != null) {
                return new KubeletServingPolicy.Verdict.Leave("a node client certificate must not name DNS names, addresses,"
                        + " emails or URIs");
            }
        }
        String nodeName = cns.getFirst().substring(KubeletServingPolicy.NODE_USER_PREFIX.length());
        List<String> groups = spec.getGroups() == null ? List.of() : spec.getGroups();
        if (groups.contains(BOOTSTRAPPERS_GROUP)) {
            return new KubeletServingPolicy.Verdict.Approve(nodeName);
        }
        if (cns.getFirst().equals(spec.getUsername()) && groups.contains(KubeletServingPolicy.NODES_GROUP)) {
            return new KubeletServingPolicy.Verdict.Approve(nodeName);   // the node renews its own certificate
        }
        return new KubeletServingPolicy.Verdict.Leave("requestor " + spec.getUsername() + " " + groups
                + " is neither a bootstrap token (" + BOOTSTRAPPERS_GROUP + ") nor node " + nodeName + " itself");
    }

    private static List<String> values(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> out = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            for (AttributeTypeAndValue tv : rdn.getTypesAndValues()) {
                if (tv.getType().equals(type)) {
                    ASN1Encodable v = tv.getValue();
                    out.add(v instanceof ASN1String s ? s.getString() : v.toString());
                }
            }
        }
        return out;
    }
}
