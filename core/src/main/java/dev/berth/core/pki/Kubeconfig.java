package dev.berth.core.pki;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A kubeconfig with one cluster, one user and one context: what {@code berth server} writes to
 * {@code DIR/admin.kubeconfig} and what {@code berth agent --kubeconfig FILE} reads.
 *
 * @param clusterName name of the cluster entry (the context is named {@code user@cluster})
 * @param server the API server URL, {@code https://host:port}
 * @param certificateAuthorities the CA(s) the server certificate must chain to
 * @param userName name of the user entry (a label: the server decides who the credentials are)
 * @param credentials a bearer token or a client certificate
 */
public record Kubeconfig(String clusterName, String server, List<X509Certificate> certificateAuthorities,
                         String userName, Credentials credentials) {

    /** How the user authenticates. */
    public sealed interface Credentials permits Token, ClientCertificate {}

    /** A bearer token ({@code users[].user.token}). */
    public record Token(String token) implements Credentials {
        public Token {
            if (token == null || token.isBlank()) throw new IllegalArgumentException("token must not be blank");
        }

        @Override
        public String toString() { return "Token[redacted]"; }
    }

    /** A client certificate and key ({@code client-certificate-data}, {@code client-key-data}). */
    public record ClientCertificate(CertifiedKey certifiedKey) implements Credentials {
        public ClientCertificate {
            Objects.requireNonNull(certifiedKey, "certifiedKey");
        }
    }

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            // every string value stays quoted: unquoted, a token such as 0x1F or 1e5 reads back as a number
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // long base64 values stay on one line, as kubectl writes them
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    public Kubeconfig {
        requireName(clusterName, "clusterName");
        requireName(userName, "userName");
        Objects.requireNonNull(server, "server");
        certificateAuthorities = List.copyOf(certificateAuthorities);
        if (certificateAuthorities.isEmpty()) {
            throw new IllegalArgumentException("kubeconfig needs the cluster CA to verify " + server);
        }
        Objects.requireNonNull(credentials, "credentials");
    }

    /** A kubeconfig authenticating with a bearer token. */
    public static Kubeconfig withToken(String clusterName, String server, X509Certificate ca, String userName, String token) {
        return new Kubeconfig(clusterName, server, List.of(ca), userName, new Token(token));
    }

    /** A kubeconfig authenticating with a client certificate. */
    public static Kubeconfig withClientCertificate(String clusterName, String server, X509Certificate ca,
                                                   String userName, CertifiedKey clientCertificate) {
        return new Kubeconfig(clusterName, server, List.of(ca), userName, new ClientCertificate(clientCertificate));
    }

    /** The name of the single context: {@code userName@clusterName}, like kubeadm's {@code kubernetes-admin@kubernetes}. */
    public String contextName() { return userName + "@" + clusterName; }

    /** The bearer token, or null when the user authenticates with a client certificate. */
    public String token() { return credentials instanceof Token t ? t.token() : null; }

    /** The kubeconfig as YAML ({@code apiVersion: v1}, {@code kind: Config}). */
    public String toYaml() {
        ObjectNode root = YAML.createObjectNode();
        root.put("apiVersion", "v1");
        root.put("kind", "Config");
        StringBuilder caPem = new StringBuilder();
        certificateAuthorities.forEach(ca -> caPem.append(Pem.encode(ca)));

        ObjectNode cluster = root.putArray("clusters").addObject().put("name", clusterName).putObject("cluster");
        cluster.put("server", server);
        cluster.put("certificate-authority-data", base64(caPem.toString()));

        ObjectNode user = root.putArray("users").addObject().put("name", userName).putObject("user");
        switch (credentials) {
            case Token t -> user.put("token", t.token());
            case ClientCertificate c -> {
                user.put("client-certificate-data", base64(c.certifiedKey().certificatePem()));
                user.put("client-key-data", base64(c.certifiedKey().privateKeyPem()));
            }
        }
        ObjectNode context = root.putArray("contexts").addObject().put("name", contextName()).putObject("context");
        context.put("cluster", clusterName);
        context.put("user", userName);
        root.put("current-context", contextName());
        root.putObject("preferences");
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new PkiException("cannot write kubeconfig for " + server + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the kubeconfig to {@code file} with mode 0600, atomically: a reader (kubectl, an agent)
     * sees the old file or the new one, never a partial one. Fails unless {@link #server} is an
     * absolute https URL: kubectl sends credentials over TLS only.
     */
    public void write(Path file) {
        URI uri;
        try {
            uri = new URI(server);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("kubeconfig server \"" + server + "\" is not a URL: " + e.getMessage(), e);
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("kubeconfig server \"" + server + "\" must be an https://host:port URL");
        }
        SecureFiles.writeAtomically(file, toYaml().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the current context of a kubeconfig file (or its only context): server, CA and the
     * user's token or client certificate. File references ({@code certificate-authority},
     * {@code client-certificate}, {@code client-key}, {@code tokenFile}) resolve against the
     * file's directory, as kubectl does.
     *
     * @throws PkiException naming the file and the entry that is missing or unsupported
     *     (exec plugins, auth providers and basic auth are not)
     */
    public static Kubeconfig read(Path file) {
        return parse(SecureFiles.readString(file), file.toString(), file.toAbsolutePath().getParent());
    }

    /** Parses kubeconfig YAML; {@code source} names it in errors, {@code baseDir} resolves relative file references. */
    public static Kubeconfig parse(String yaml, String source, Path baseDir) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new PkiException("kubeconfig " + source + " is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new PkiException("kubeconfig " + source + " is empty");

        String contextName = text(root, "current-context");
        JsonNode contexts = root.path("contexts");
        if (contextName == null) {
            if (contexts.size() != 1) {
                throw new PkiException("kubeconfig " + source + " has no current-context and "
                        + contexts.size() + " contexts; set current-context");
            }
            contextName = text(contexts.get(0), "name");
        }
        JsonNode context = named(contexts, contextName, "context", source).path("context");
        String clusterName = required(context, "cluster", "context \"" + contextName + "\"", source);
        String userName = required(context, "user", "context \"" + contextName + "\"", source);

        String clusterWhere = "cluster \"" + clusterName + "\"";
        JsonNode cluster = named(root.path("clusters"), clusterName, "cluster", source).path("cluster");
        String server = required(cluster, "server", clusterWhere, source);
        String caPem;
        if (text(cluster, "certificate-authority-data") != null) {
            caPem = decode(text(cluster, "certificate-authority-data"), clusterWhere + " certificate-authority-data", source);
        } else if (text(cluster, "certificate-authority") != null) {
            caPem = SecureFiles.readString(resolve(baseDir, text(cluster, "certificate-authority")));
        } else {
            throw new PkiException("kubeconfig " + source + ": " + clusterWhere
                    + " has neither certificate-authority-data nor certificate-authority; the cluster CA is needed to verify "
                    + server);
        }
        List<X509Certificate> cas = Pem.parseCertificates(caPem,
                "kubeconfig " + source + " " + clusterWhere + " certificate authority");

        String userWhere = "user \"" + userName + "\"";
        JsonNode user = named(root.path("users"), userName, "user", source).path("user");
        for (String unsupported : List.of("exec", "auth-provider", "username")) {
            if (user.has(unsupported)) {
                throw new PkiException("kubeconfig " + source + ": " + userWhere + " uses " + unsupported
                        + ", which berth does not support; use a token or a client certificate");
            }
        }
        Credentials credentials;
        if (text(user, "token") != null) {
            credentials = new Token(text(user, "token"));
        } else if (text(user, "tokenFile") != null) {
            credentials = new Token(SecureFiles.readString(resolve(baseDir, text(user, "tokenFile"))).strip());
        } else if (user.has("client-certificate-data") || user.has("client-certificate")) {
            String certPem = user.has("client-certificate-data")
                    ? decode(text(user, "client-certificate-data"), userWhere + " client-certificate-data", source)
                    : SecureFiles.readString(resolve(baseDir, text(user, "client-certificate")));
            String keyPem;
            if (user.has("client-key-data")) {
                keyPem = decode(text(user, "client-key-data"), userWhere + " client-key-data", source);
            } else if (user.has("client-key")) {
                keyPem = SecureFiles.readString(resolve(baseDir, text(user, "client-key")));
            } else {
                throw new PkiException("kubeconfig " + source + ": " + userWhere
                        + " has a client certificate but neither client-key-data nor client-key");
            }
            CertifiedKey certifiedKey = new CertifiedKey(
                    Pem.parseCertificate(certPem, "kubeconfig " + source + " " + userWhere + " client certificate"),
                    Pem.parsePrivateKey(keyPem, "kubeconfig " + source + " " + userWhere + " client key"));
            if (!ClusterCa.keyMatches(certifiedKey.privateKey(), certifiedKey.certificate().getPublicKey())) {
                throw new PkiException("kubeconfig " + source + ": " + userWhere
                        + " client key does not belong to its client certificate");
            }
            credentials = new ClientCertificate(certifiedKey);
        } else {
            throw new PkiException("kubeconfig " + source + ": " + userWhere
                    + " has no credentials (token, tokenFile or client-certificate-data and client-key-data)");
        }
        return new Kubeconfig(clusterName, server, cas, userName, credentials);
    }

    private static JsonNode named(JsonNode list, String name, String what, String source) {
        if (list.isArray()) {
            for (JsonNode entry : (ArrayNode) list) {
                if (name.equals(text(entry, "name"))) return entry;
            }
        }
        throw new PkiException("kubeconfig " + source + ": no " + what + " named \"" + name + "\" in " + what + "s");
    }

    private static String required(JsonNode node, String field, String where, String source) {
        String value = text(node, field);
        if (value == null || value.isBlank()) {
            throw new PkiException("kubeconfig " + source + ": " + where + " has no " + field);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String decode(String base64, String where, String source) {
        try {
            return new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new PkiException("kubeconfig " + source + ": " + where + " is not valid base64: " + e.getMessage(), e);
        }
    }

    private static Path resolve(Path baseDir, String reference) {
        Path path = Path.of(reference);
        return path.isAbsolute() || baseDir == null ? path : baseDir.resolve(path);
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static void requireName(String name, String field) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("kubeconfig " + field + " must not be blank");
    }
}
