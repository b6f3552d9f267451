package dev.berth.core.users;

import dev.berth.core.apiserver.auth.RevokedCertificates;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.pki.Pem;
import dev.berth.core.pki.PkiException;
import dev.berth.core.pki.RotationPolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * People who use a cluster, each with a client certificate of their own and one role binding
 * ({@code berth user add|list|remove}). Everything goes through the API with an administrator's
 * client: the certificate is issued through a CertificateSigningRequest to the
 * {@code kubernetes.io/kube-apiserver-client} signer, approved at once; the binding carries the
 * label {@code berth.dev/user}; removal revokes the certificate's serial in
 * {@link RevokedCertificates} before it deletes the binding.
 */
public final class Users {
    public static final String USER_LABEL = "berth.dev/user";
    public static final String SERIALS_ANNOTATION = "berth.dev/certificate-serials";
    /** Validity of the user's newest certificate, RFC 3339, so that {@code user list} shows when it expires. */
    public static final String NOT_BEFORE_ANNOTATION = "berth.dev/certificate-not-before";
    public static final String NOT_AFTER_ANNOTATION = "berth.dev/certificate-not-after";
    public static final List<String> ROLES = List.of("view", "edit", "admin", "cluster-admin");
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    private static final String SIGNER = "kubernetes.io/kube-apiserver-client";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    /**
     * One user: the role it holds, where ({@code ""} for the whole cluster), its certificates'
     * serials, and the validity of its newest certificate (null for users added before it was recorded).
     */
    public record User(String name, String role, String namespace, List<String> serials, Instant notBefore,
                       Instant notAfter) {
        public User(String name, String role, String namespace, List<String> serials) {
            this(name, role, namespace, serials, null, null);
        }

        /** Whether the newest certificate is within its last 10% of life (or expired) at {@code now}. */
        public boolean expiringSoon(Instant now) {
            if (notBefore == null || notAfter == null) return false;
            long life = Duration.between(notBefore, notAfter).toMillis();
            return !now.isBefore(notAfter.minusMillis((long) (life * RotationPolicy.WARN_FRACTION)));
        }

        /** Whether the newest certificate has expired at {@code now}. */
        public boolean expired(Instant now) {
            return notAfter != null && now.isAfter(notAfter);
        }
    }

    private final KubernetesClient client;
    private final Clock clock;

    public Users(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Refuses a name Berth cannot use for a user, naming the rule. */
    public static void validate(String name, String role, String namespace) {
        if (name == null || name.length() > 200 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("NAME: invalid value \"" + name + "\": must consist of lower case"
                    + " alphanumeric characters, '-' or '.', start and end with an alphanumeric character, at most 200");
        }
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("--role: invalid value \"" + role + "\": must be one of "
                    + String.join(", ", ROLES));
        }
        if (namespace != null && !namespace.isEmpty()
                && !Pattern.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?", namespace)) {
            throw new IllegalArgumentException("--namespace: invalid value \"" + namespace
                    + "\": must be a DNS label (lower case alphanumeric characters or '-')");
        }
    }

    /**
     * Issues the user a certificate ({@code CN=NAME}, no groups) and binds {@code role} to it, in
     * {@code namespace} or cluster-wide when it is empty. Returns a kubeconfig for the user.
     */
    public Kubeconfig add(String name, String role, String namespace, String server, X509Certificate clusterCa,
                          Duration validity) {
        validate(name, role, namespace);
        if (find(name) != null) {
            throw new IllegalStateException("user \"" + name + "\" already exists: remove it first (berth user remove "
                    + name + ")");
        }
        if (namespace != null && !namespace.isEmpty() && client.namespaces().withName(namespace).get() == null) {
            throw new IllegalArgumentException("--namespace: namespace \"" + namespace + "\" does not exist");
        }
        CertifiedKey key = issue(name, validity);
        String serial = RevokedCertificates.serial(key.certificate());
        Map<String, String> labels = Map.of(USER_LABEL, name);
        Map<String, String> annotations = Map.of(SERIALS_ANNOTATION, serial,
                NOT_BEFORE_ANNOTATION, key.certificate().getNotBefore().toInstant().toString(),
                NOT_AFTER_ANNOTATION, key.certificate().getNotAfter().toInstant().toString());
        String bindingName = "berth-user-" + name;
        if (namespace == null || namespace.isEmpty()) {
            client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
                    .withNewMetadata().withName(bindingName).withLabels(labels).withAnnotations(annotations).endMetadata()
                    .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
                    .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(name).endSubject()
                    .build()).create();
        } else {
            client.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
                    .withNewMetadata().withName(bindingName).withNamespace(namespace).withLabels(labels)
                    .withAnnotations(annotations).endMetadata()
                    .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
                    .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(name).endSubject()
                    .build()).create();
        }
        return Kubeconfig.withClientCertificate("berth", server, clusterCa, name, key);
    }

    /**
     * Issues user {@code name} a new certificate with a new key, as {@code add} did, and returns a
     * kubeconfig with it. The certificates issued before stay valid until they expire (so the person
     * can switch without downtime) and are revoked with the user by {@code remove}.
     *
     * @throws IllegalArgumentException when there is no such user: a removed (revoked) user cannot renew
     */
    public Kubeconfig renew(String name, String server, X509Certificate clusterCa, Duration validity) {
        User user = find(name);
        if (user == null) {
            throw new IllegalArgumentException("user \"" + name + "\" not found: a removed user's certificates are"
                    + " revoked and cannot be renewed; add the user again (berth user add " + name + ")");
        }
        CertifiedKey key = issue(name, validity);
        String serial = RevokedCertificates.serial(key.certificate());
        List<String> serials = new java.util.ArrayList<>(user.serials());
        serials.add(serial);
        Map<String, String> annotations = Map.of(SERIALS_ANNOTATION, String.join(",", serials),
                NOT_BEFORE_ANNOTATION, key.certificate().getNotBefore().toInstant().toString(),
                NOT_AFTER_ANNOTATION, key.certificate().getNotAfter().toInstant().toString());
        for (int attempt = 0; ; attempt++) {
            try {
                if (user.namespace().isEmpty()) {
                    client.rbac().clusterRoleBindings().withName("berth-user-" + name).edit(b ->
                            new ClusterRoleBindingBuilder(b).editMetadata().addToAnnotations(annotations).endMetadata().build());
                } else {
                    client.rbac().roleBindings().inNamespace(user.namespace()).withName("berth-user-" + name).edit(b ->
                            new RoleBindingBuilder(b).editMetadata().addToAnnotations(annotations).endMetadata().build());
                }
                break;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) {
                    // the new serial must be recorded, or remove could not revoke it: take the certificate back
                    revoke(new User(name, user.role(), user.namespace(), List.of(serial)));
                    throw e;
                }
            }
        }
        return Kubeconfig.withClientCertificate("berth", server, clusterCa, name, key);
    }

    /** A new key, and a certificate for it signed through a CertificateSigningRequest approved at once. */
    private CertifiedKey issue(String name, Duration validity) {
        KeyPair pair;
        String csrPem;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            pair = g.generateKeyPair();
            var request = new JcaPKCS10CertificationRequestBuilder(
                    new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build(), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            StringWriter w = new StringWriter();
            try (PemWriter pw = new PemWriter(w)) {
                pw.writeObject(new PemObject("CERTIFICATE REQUEST", request.getEncoded()));
            }
            csrPem = w.toString();
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new PkiException("cannot make a certificate request for user " + name + ": " + e.getMessage(), e);
        }
        String csrName = "berth-user-" + name + "-" + Long.toString(clock.millis(), 36);
        CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(csrName).withLabels(Map.of(USER_LABEL, name)).endMetadata()
                .withNewSpec().withSignerName(SIGNER).withUsages("client auth", "digital signature")
                .withExpirationSeconds((int) Math.min(Integer.MAX_VALUE, validity.toSeconds()))
                .withRequest(Base64.getEncoder().encodeToString(csrPem.getBytes(StandardCharsets.US_ASCII)))
                .endSpec().build();
        var csrs = client.certificates().v1().certificateSigningRequests();
        csrs.resource(csr).create();
        try {
            CertificateSigningRequest approved = csrs.withName(csrName).approve();
            String cert = approved.getStatus() == null ? null : approved.getStatus().getCertificate();
            if (cert == null || cert.isEmpty()) {
                cert = csrs.withName(csrName).waitUntilCondition(c -> c != null && c.getStatus() != null
                                && c.getStatus().getCertificate() != null && !c.getStatus().getCertificate().isEmpty(),
                        30, java.util.concurrent.TimeUnit.SECONDS).getStatus().getCertificate();
            }
            X509Certificate certificate = Pem.parseCertificate(new String(Base64.getDecoder().decode(cert),
                    StandardCharsets.US_ASCII), "certificate of CertificateSigningRequest " + csrName);
            return new CertifiedKey(certificate, pair.getPrivate());
        } finally {
            // the certificate is in the kubeconfig only; the request is not kept
            csrs.withName(csrName).delete();
        }
    }

    /** Every user, by name. */
    public List<User> list() {
        Map<String, User> users = new TreeMap<>();
        for (ClusterRoleBinding b : client.rbac().clusterRoleBindings().withLabel(USER_LABEL).list().getItems()) {
            users.put(b.getMetadata().getLabels().get(USER_LABEL), user(b, b.getRoleRef().getName(), ""));
        }
        for (RoleBinding b : client.rbac().roleBindings().inAnyNamespace().withLabel(USER_LABEL).list().getItems()) {
            users.put(b.getMetadata().getLabels().get(USER_LABEL), user(b, b.getRoleRef().getName(),
                    b.getMetadata().getNamespace()));
        }
        return List.copyOf(users.values());
    }

    private static User user(HasMetadata binding, String role, String namespace) {
        String serials = binding.getMetadata().getAnnotations() == null ? null
                : binding.getMetadata().getAnnotations().get(SERIALS_ANNOTATION);
        Map<String, String> annotations = binding.getMetadata().getAnnotations() == null ? Map.of()
                : binding.getMetadata().getAnnotations();
        return new User(binding.getMetadata().getLabels().get(USER_LABEL), role, namespace,
                serials == null || serials.isEmpty() ? List.of() : List.of(serials.split(",")),
                instant(annotations.get(NOT_BEFORE_ANNOTATION)), instant(annotations.get(NOT_AFTER_ANNOTATION)));
    }

    private static Instant instant(String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    public User find(String name) {
        return list().stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Revokes the user's certificates (refused from the next request on) and deletes its bindings.
     *
     * @throws IllegalArgumentException when there is no such user
     */
    public User remove(String name) {
        User user = find(name);
        if (user == null) {
            throw new IllegalArgumentException("user \"" + name + "\" not found");
        }
        revoke(user);
        client.rbac().clusterRoleBindings().withLabel(USER_LABEL, name).delete();
        client.rbac().roleBindings().inAnyNamespace().withLabel(USER_LABEL, name).list().getItems()
                .forEach(b -> client.rbac().roleBindings().inNamespace(b.getMetadata().getNamespace())
                        .withName(b.getMetadata().getName()).delete());
        return user;
    }

    private void revoke(User user) {
        if (user.serials().isEmpty()) {
            return;
        }
        var cms = client.configMaps().inNamespace(RevokedCertificates.NAMESPACE);
        for (int attempt = 0; ; attempt++) {
            ConfigMap current = cms.withName(RevokedCertificates.NAME).get();
            Map<String, String> data = new LinkedHashMap<>();
            if (current != null && current.getData() != null) {
                data.putAll(current.getData());
            }
            String note = "user " + user.name() + ", revoked " + clock.instant();
            user.serials().forEach(s -> data.put(s, note));
            try {
                if (current == null) {
                    cms.resource(new ConfigMapBuilder().withNewMetadata().withName(RevokedCertificates.NAME)
                            .withNamespace(RevokedCertificates.NAMESPACE).endMetadata().withData(data).build()).create();
                } else {
                    cms.resource(new ConfigMapBuilder(current).withData(data).build()).update();
                }
                return;
            } catch (KubernetesClientException e) {
                if ((e.getCode() != 409) || attempt >= 10) {
                    throw e;
                }
            }
        }
    }
}
