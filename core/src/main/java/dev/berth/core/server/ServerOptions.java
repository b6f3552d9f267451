package dev.berth.core.server;

import dev.berth.core.apiserver.admission.podsecurity.PodSecurityConfig;
import dev.berth.core.apiserver.audit.AuditLog;
import dev.berth.core.apiserver.flowcontrol.FlowControl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of {@code berth server}.
 *
 * @param dataDir        data directory (store, PKI, admin.kubeconfig), locked while running
 * @param pkiDir         CA, serving certificate and encryption key; shared by replicas on one etcd
 * @param listenHost     address to listen on
 * @param listenPort     port (6443 by default; 0 picks a free one)
 * @param store          "sqlite" or "etcd"
 * @param etcdEndpoints  etcd client URLs when store is etcd
 * @param clusterCidr    pod address range, one /24 per node
 * @param serviceCidr    Service cluster IP range
 * @param nodePortMin    NodePort range start
 * @param nodePortMax    NodePort range end
 * @param eventTtl       how long events are kept
 * @param flowControl    requests in flight, per-user rate limits and request timeout
 * @param audit          size and number of the audit log files in {@code dataDir/audit}
 * @param podSecurity    Pod Security admission's defaults and exemptions
 * @param certificates   lifetimes of the certificates the server issues and when they are renewed
 */
public record ServerOptions(Path dataDir, Path pkiDir, String listenHost, int listenPort, String store,
                            List<String> etcdEndpoints, String clusterCidr, String serviceCidr, int nodePortMin,
                            int nodePortMax, Duration eventTtl, FlowControl.Settings flowControl,
                            AuditLog.Settings audit, PodSecurityConfig podSecurity,
                            dev.berth.core.pki.RotationPolicy certificates) {

    public ServerOptions {
        java.util.Objects.requireNonNull(certificates, "certificates");
    }

    /** The settings before certificate rotation could be set: its defaults. */
    public ServerOptions(Path dataDir, Path pkiDir, String listenHost, int listenPort, String store,
                         List<String> etcdEndpoints, String clusterCidr, String serviceCidr, int nodePortMin,
                         int nodePortMax, Duration eventTtl, FlowControl.Settings flowControl,
                         AuditLog.Settings audit, PodSecurityConfig podSecurity) {
        this(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, clusterCidr, serviceCidr, nodePortMin,
                nodePortMax, eventTtl, flowControl, audit, podSecurity, dev.berth.core.pki.RotationPolicy.defaults());
    }

    /** The settings before flow control, audit and Pod Security could be set: their defaults. */
    public ServerOptions(Path dataDir, Path pkiDir, String listenHost, int listenPort, String store,
                         List<String> etcdEndpoints, String clusterCidr, String serviceCidr, int nodePortMin,
                         int nodePortMax, Duration eventTtl) {
        this(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, clusterCidr, serviceCidr, nodePortMin,
                nodePortMax, eventTtl, FlowControl.Settings.defaults(), AuditLog.Settings.defaults(),
                PodSecurityConfig.defaults());
    }

    public static ServerOptions defaults(Path dataDir) {
        return new ServerOptions(dataDir, dataDir.resolve("pki"), "127.0.0.1", 6443, "sqlite", List.of(),
                "10.42.0.0/16", "10.43.0.0/16", 30000, 32767, Duration.ofHours(1));
    }

    public ServerOptions withListen(String host, int port) {
        return new ServerOptions(dataDir, pkiDir, host, port, store, etcdEndpoints, clusterCidr, serviceCidr,
                nodePortMin, nodePortMax, eventTtl, flowControl, audit, podSecurity, certificates);
    }

    public ServerOptions withClusterCidr(String cidr) {
        return new ServerOptions(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, cidr, serviceCidr,
                nodePortMin, nodePortMax, eventTtl, flowControl, audit, podSecurity, certificates);
    }

    public ServerOptions withFlowControl(FlowControl.Settings settings) {
        return new ServerOptions(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, clusterCidr, serviceCidr,
                nodePortMin, nodePortMax, eventTtl, settings, audit, podSecurity, certificates);
    }

    public ServerOptions withAudit(AuditLog.Settings settings) {
        return new ServerOptions(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, clusterCidr, serviceCidr,
                nodePortMin, nodePortMax, eventTtl, flowControl, settings, podSecurity, certificates);
    }

    public ServerOptions withPodSecurity(PodSecurityConfig config) {
        return new ServerOptions(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, clusterCidr, serviceCidr,
                nodePortMin, nodePortMax, eventTtl, flowControl, audit, config, certificates);
    }

    /** These settings with certificates issued and renewed as {@code policy} says ({@code --cert-lifetime}). */
    public ServerOptions withCertificates(dev.berth.core.pki.RotationPolicy policy) {
        return new ServerOptions(dataDir, pkiDir, listenHost, listenPort, store, etcdEndpoints, clusterCidr, serviceCidr,
                nodePortMin, nodePortMax, eventTtl, flowControl, audit, podSecurity, policy);
    }

    /** Where the audit log is written: {@code dataDir/audit}. */
    public Path auditDir() {
        return dataDir.resolve("audit");
    }

    /** The default data dir: $XDG_DATA_HOME/berth, ~/.local/share/berth, or the platform's equivalent. */
    public static Path defaultDataDir() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String home = System.getProperty("user.home");
        if (os.contains("mac")) {
            return Path.of(home, "Library", "Application Support", "Berth");
        }
        if (os.contains("win")) {
            String appData = System.getenv("APPDATA");
            return appData != null ? Path.of(appData, "Berth") : Path.of(home, "AppData", "Roaming", "Berth");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "berth") : Path.of(home, ".local", "share", "berth");
    }
}
