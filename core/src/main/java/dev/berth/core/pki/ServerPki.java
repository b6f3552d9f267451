package dev.berth.core.pki;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code berth server --data-dir DIR} needs before it serves: the cluster CA, the
 * serving certificate, the token store, the encryption key (all in {@code DIR/pki}) and
 * {@code DIR/admin.kubeconfig} for user {@code admin} in group {@code system:masters}.
 * Call it while holding the data dir lock; it is idempotent across restarts.
 *
 * @param ca the cluster CA
 * @param servingCertificate the API server's certificate for the given listen address
 * @param tokens the bearer token store
 * @param encryptor encryption at rest for Secrets
 * @param adminKubeconfig where the admin kubeconfig was written
 */
public record ServerPki(ClusterCa ca, ServingCertificate servingCertificate, Tokens tokens,
                        AesGcmEncryptor encryptor, Path adminKubeconfig) {
    public static final String PKI_DIR = "pki";
    public static final String ADMIN_KUBECONFIG = "admin.kubeconfig";
    public static final String CLUSTER_NAME = "berth";
    /** The identity of the admin kubeconfig: RBAC grants {@code system:masters} everything. */
    public static final Identity ADMIN = new Identity("admin", List.of("system:masters"));

    private static final Logger log = LoggerFactory.getLogger(ServerPki.class);

    /** {@link #prepare(Path, String, int, InetAddress, Collection, Clock)} with the default service IP and no extra names. */
    public static ServerPki prepare(Path dataDir, String listenHost, int listenPort, Clock clock) {
        return prepare(dataDir, listenHost, listenPort, ServingCertificate.DEFAULT_KUBERNETES_SERVICE_IP, List.of(), clock);
    }

    /**
     * Loads or creates the PKI in {@code dataDir} for an API server listening on
     * {@code listenHost:listenPort}.
     *
     * <p>The admin kubeconfig points at {@code https://listenHost:listenPort}, or at 127.0.0.1 when
     * the server listens on a wildcard address. An existing admin kubeconfig keeps its token as
     * long as the token store still knows it as {@link #ADMIN}; the file is rewritten only when
     * its content would change (server URL, CA or token), so hand edits survive only until then.
     *
     * @param extraNames further host names or IPs the serving certificate must cover
     */
    public static ServerPki prepare(Path dataDir, String listenHost, int listenPort, InetAddress kubernetesServiceIp,
                                    Collection<String> extraNames, Clock clock) {
        return prepare(dataDir, dataDir.resolve(PKI_DIR), listenHost, listenPort, kubernetesServiceIp, extraNames, clock);
    }

    /**
     * As above with the PKI in {@code pkiDir}, which control-plane replicas sharing one etcd share.
     * The serving certificate there covers every replica's listen address it was prepared for.
     */
    public static ServerPki prepare(Path dataDir, Path pkiDir, String listenHost, int listenPort,
                                    InetAddress kubernetesServiceIp, Collection<String> extraNames, Clock clock) {
        return prepare(dataDir, pkiDir, listenHost, listenPort, kubernetesServiceIp, extraNames, null, clock);
    }

    /**
     * As above, the serving certificate issued and renewed as {@code policy} says (null: a year,
     * renewed within 30 days of expiry).
     */
    public static ServerPki prepare(Path dataDir, Path pkiDir, String listenHost, int listenPort,
                                    InetAddress kubernetesServiceIp, Collection<String> extraNames,
                                    RotationPolicy policy, Clock clock) {
        SecureFiles.createPrivateDirectory(pkiDir);
        ClusterCa ca = ClusterCa.loadOrCreate(pkiDir, clock);
        List<String> hosts = servingHosts(listenHost, extraNames);
        ServingCertificate serving = policy == null
                ? ServingCertificate.ensure(pkiDir, ca, hosts, kubernetesServiceIp, clock)
                : ServingCertificate.ensure(pkiDir, ca, hosts, kubernetesServiceIp, policy, clock);
        serving.issuedBecause().ifPresent(reason ->
                log.info("issued serving certificate {} because {}", serving.certificateFile(), reason));
        Tokens tokens = Tokens.open(pkiDir.resolve(Tokens.FILE));
        AesGcmEncryptor encryptor = AesGcmEncryptor.open(pkiDir.resolve(AesGcmEncryptor.KEY_FILE));

        Path kubeconfigFile = dataDir.resolve(ADMIN_KUBECONFIG);
        String server = serverUrl(listenHost, listenPort);
        String token = existingAdminToken(kubeconfigFile, tokens).orElseGet(() -> tokens.issue(ADMIN));
        Kubeconfig kubeconfig = Kubeconfig.withToken(CLUSTER_NAME, server, ca.certificate(), ADMIN.user(), token);
        String yaml = kubeconfig.toYaml();
        if (!Files.exists(kubeconfigFile) || !yaml.equals(SecureFiles.readString(kubeconfigFile))) {
            kubeconfig.write(kubeconfigFile);
            log.info("wrote {} for {}", kubeconfigFile, server);
        }
        return new ServerPki(ca, serving, tokens, encryptor, kubeconfigFile);
    }

    /** The hosts a serving certificate must name: the listen host and the extra names. */
    public static List<String> servingHosts(String listenHost, Collection<String> extraNames) {
        List<String> hosts = new ArrayList<>();
        hosts.add(listenHost);
        hosts.addAll(extraNames);
        return hosts;
    }

    /** {@code https://host:port}; wildcard hosts become 127.0.0.1, IPv6 literals get brackets. */
    static String serverUrl(String listenHost, int listenPort) {
        String host = listenHost.startsWith("[") && listenHost.endsWith("]")
                ? listenHost.substring(1, listenHost.length() - 1) : listenHost;
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
            host = "127.0.0.1";
        }
        return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + listenPort;
    }

    private static Optional<String> existingAdminToken(Path kubeconfigFile, Tokens tokens) {
        if (!Files.exists(kubeconfigFile)) return Optional.empty();
        try {
            String token = Kubeconfig.read(kubeconfigFile).token();
            if (token != null && tokens.authenticate(token).filter(ADMIN::equals).isPresent()) return Optional.of(token);
            log.warn("{} holds no admin token known to the token store; issuing a new one", kubeconfigFile);
        } catch (PkiException unreadable) {
            log.warn("{} is unreadable ({}); writing a new one with a new admin token", kubeconfigFile,
                    unreadable.getMessage());
        }
        return Optional.empty();
    }
}
