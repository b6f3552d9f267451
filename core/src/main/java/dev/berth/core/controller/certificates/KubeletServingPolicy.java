package dev.berth.core.controller.certificates;

import dev.berth.core.pki.Pem;
import dev.berth.core.pki.PkiException;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
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
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * When a {@code kubernetes.io/kubelet-serving} CertificateSigningRequest may be approved without a
 * person: the requestor is the node itself ({@code system:node:NAME} in group {@code system:nodes}),
 * the subject is exactly {@code CN=system:node:NAME, O=system:nodes}, the usages are those kubelet
 * asks for (digital signature, key encipherment, server auth; or without key encipherment, as kubelet
 * does for ECDSA keys), and every subjectAltName is the node's name or one of its addresses.
 * Pure: the caller gives the node as its informer has it.
 */
public final class KubeletServingPolicy {
    public static final String SIGNER = "kubernetes.io/kubelet-serving";
    public static final String NODE_USER_PREFIX = "system:node:";
    public static final String NODES_GROUP = "system:nodes";
    static final Set<String> USAGES_RSA = Set.of("digital signature", "key encipherment", "server auth");
    static final Set<String> USAGES_NO_RSA = Set.of("digital signature", "server auth");

    /** The verdict on one request. */
    public sealed interface Verdict {
        /** Approve: the node asked for a certificate for its own names. */
        record Approve(String nodeName) implements Verdict {}

        /** Leave it for a person, for this reason. */
        record Leave(String reason) implements Verdict {}
    }

    private KubeletServingPolicy() {
    }

    /** The node a request is from, when its requestor is a node: {@code system:node:NAME} gives NAME. */
    public static Optional<String> requestingNode(CertificateSigningRequest csr) {
        CertificateSigningRequestSpec spec = csr.getSpec();
        if (spec == null || spec.getUsername() == null || !spec.getUsername().startsWith(NODE_USER_PREFIX)) {
            return Optional.empty();
        }
        String name = spec.getUsername().substring(NODE_USER_PREFIX.length());
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    /**
     * Decides on a kubelet-serving request from {@code node} as the cluster has it (null: no such
     * Node, which leaves the request for now).
     */
    public static Verdict decide(CertificateSigningRequest csr, Node node) {
        CertificateSigningRequestSpec spec = csr.getSpec();
        if (spec == null || !SIGNER.equals(spec.getSignerName())) {
            return new Verdict.Leave("spec.signerName is not " + SIGNER);
        }
        Optional<String> requesting = requestingNode(csr);
        if (requesting.isEmpty()) {
            return new Verdict.Leave("spec.username \"" + spec.getUsername() + "\" is not a node (" + NODE_USER_PREFIX + "NAME)");
        }
        String nodeName = requesting.get();
        if (spec.getGroups() == null || !spec.getGroups().contains(NODES_GROUP)) {
            return new Verdict.Leave("spec.groups " + spec.getGroups() + " does not contain " + NODES_GROUP);
        }
        Set<String> usages = spec.getUsages() == null ? Set.of() : new HashSet<>(spec.getUsages());
        if (!usages.equals(USAGES_RSA) || spec.getUsages().size() != USAGES_RSA.size()) {
            if (!usages.equals(USAGES_NO_RSA) || spec.getUsages().size() != USAGES_NO_RSA.size()) {
                return new Verdict.Leave("spec.usages " + spec.getUsages() + " must be exactly "
                        + List.of("digital signature", "key encipherment", "server auth")
                        + " (key encipherment may be left out)");
            }
        }
        PKCS10CertificationRequest request;
        try {
            request = Pem.parseCertificateRequest(new String(Base64.getDecoder().decode(spec.getRequest()),
                    StandardCharsets.US_ASCII), "spec.request");
        } catch (PkiException | IllegalArgumentException | NullPointerException e) {
            return new Verdict.Leave("spec.request is not a PEM certificate request: " + e.getMessage());
        }
        X500Name subject = request.getSubject();
        List<String> commonNames = values(subject, BCStyle.CN);
        List<String> organizations = values(subject, BCStyle.O);
        String wantCn = NODE_USER_PREFIX + nodeName;
        if (!commonNames.equals(List.of(wantCn))) {
            return new Verdict.Leave("subject CN " + commonNames + " must be [" + wantCn + "], the requesting node");
        }
        if (!organizations.equals(List.of(NODES_GROUP))) {
            return new Verdict.Leave("subject O " + organizations + " must be [" + NODES_GROUP + "]");
        }
        if (subject.getRDNs().length != 2) {
            return new Verdict.Leave("subject " + subject + " must hold only CN and O");
        }
        if (node == null) {
            return new Verdict.Leave("node \"" + nodeName + "\" does not exist (yet)");
        }
        Set<String> allowedNames = new HashSet<>();
        Set<InetAddress> allowedIps = new HashSet<>();
        allowedNames.add(nodeName.toLowerCase(java.util.Locale.ROOT));
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress a : node.getStatus().getAddresses()) {
                if (a.getAddress() == null || a.getAddress().isEmpty()) continue;
                Optional<InetAddress> ip = ipLiteral(a.getAddress());
                if (ip.isPresent()) {
                    allowedIps.add(ip.get());
                } else {
                    allowedNames.add(a.getAddress().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        int count = 0;
        for (GeneralName name : subjectAltNames(request)) {
            count++;
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> {
                    String dns = name.getName().toString().toLowerCase(java.util.Locale.ROOT);
                    if (!allowedNames.contains(dns)) problems.add("DNS name " + dns);
                }
                case GeneralName.iPAddress -> {
                    byte[] raw = org.bouncycastle.asn1.DEROctetString.getInstance(name.getName()).getOctets();
                    try {
                        InetAddress ip = InetAddress.getByAddress(raw);
                        if (!allowedIps.contains(ip)) problems.add("IP address " + ip.getHostAddress());
                    } catch (UnknownHostException e) {
                        problems.add("IP address of " + raw.length + " bytes");
                    }
                }
                default -> problems.add("subjectAltName " + name + " (only DNS names and IP addresses are allowed)");
            }
        }
        if (count == 0) {
            return new Verdict.Leave("the request names no DNS name or IP address");
        }
        if (!problems.isEmpty()) {
            return new Verdict.Leave("subjectAltNames " + problems + " are not the name or an address of node \""
                    + nodeName + "\"");
        }
        return new Verdict.Approve(nodeName);
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

    private static List<GeneralName> subjectAltNames(PKCS10CertificationRequest request) {
        Attribute[] attributes = request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attributes.length == 0) return List.of();
        Extensions requested = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
        GeneralNames names = GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName);
        return names == null ? List.of() : List.of(names.getNames());
    }

    private static Optional<InetAddress> ipLiteral(String s) {
        boolean looksLikeIp = s.contains(":") || s.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (!looksLikeIp) return Optional.empty();
        try {
            return Optional.of(InetAddress.ofLiteral(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
