package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.admission.AdmissionChain;
import dev.berth.core.apiserver.admission.DefaultTolerationSeconds;
import dev.berth.core.apiserver.admission.AdmissionPlugin;
import dev.berth.core.apiserver.admission.NamespaceLifecycle;
import dev.berth.core.apiserver.admission.PodCreation;
import dev.berth.core.apiserver.auth.Authenticator;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.ObjectCache;
import dev.berth.core.apiserver.cache.ValueTransformer;
import dev.berth.core.apiserver.crd.CustomResourceAdmission;
import dev.berth.core.apiserver.crd.CustomResourceDecoding;
import dev.berth.core.apiserver.crd.CustomResourceDefinitions;
import dev.berth.core.apiserver.crd.CustomResourcePatches;
import dev.berth.core.apiserver.crd.CustomResources;
import dev.berth.core.apiserver.http.HttpServer;
import dev.berth.core.apiserver.registry.ResourceRegistry;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.store.Store;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kubernetes API server of Berth: store, cache, admission, handlers and the HTTPS front,
 * plus the objects every cluster starts with.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Kubernetes' request body limit. */
    public static final int MAX_BODY = 3 * 1024 * 1024;

    /**
     * @param bind            where to listen
     * @param advertised      host:port clients use (discovery's serverAddressByClientCIDRs)
     * @param ssl             TLS server context; null only in tests of the HTTP layer
     * @param serviceCidr     Service cluster IP range
     * @param nodePortMin     NodePort range start
     * @param nodePortMax     NodePort range end
     * @param eventTtlSeconds how long events live
     */
    public record Config(InetSocketAddress bind, String advertised, SslContext ssl, Store store,
                         ValueTransformer transformer, Authenticator authenticator, Authorizer authorizer,
                         PatchEngine patches, String serviceCidr, int nodePortMin, int nodePortMax,
                         long eventTtlSeconds, Clock clock, List<AdmissionPlugin> extraAdmission) {}

    private final Config config;
    private final ResourceRegistry registry = ResourceRegistry.builtin();
    private final ObjectCache cache;
    private final ResourceStorage storage;
    private final ApiHandlers handlers;
    private final WireFormats formats;
    private final ServiceAllocator allocator;
    private HttpServer http;
    private InetSocketAddress bound;
    private EventExpiry eventExpiry;
    private final CustomResources customResources = new CustomResources();
    private final CustomResourceDefinitions customResourceDefinitions;

    public ApiServer(Config config) {
        this.config = config;
        this.cache = new ObjectCache(config.store(), config.transformer(), 20_000);
        AdmissionChain admission = new AdmissionChain();
        TypedCodec codec = new TypedCodec();
        codec.useCustomResourceDecoding(new CustomResourceDecoding(customResources));
        this.storage = new ResourceStorage(config.store(), cache, config.transformer(), codec, admission,
                new CustomResourcePatches(config.patches(), customResources), config.clock());
        admission.add(new dev.berth.core.apiserver.admission.DefaultingAndValidation(config.nodePortMin(), config.nodePortMax()));
        admission.add(new CustomResourceAdmission(customResources));
        // LimitRanger after defaulting, so that its defaults count in the QoS class and the quota
        admission.add(new dev.berth.core.apiserver.admission.LimitRanger(storage, type("", "limitranges")));
        admission.add(new PodCreation());
        admission.add(new dev.berth.core.apiserver.admission.CsrRequestor());
        admission.add(new dev.berth.core.apiserver.admission.Priority(storage, type("scheduling.k8s.io", "priorityclasses")));
        admission.add(new dev.berth.core.apiserver.admission.DefaultStorageClass(storage, type("storage.k8s.io", "storageclasses")));

        if (config.authorizer() == Authorizer.NODE_RBAC) {
            clusterAuthorization = new dev.berth.core.apiserver.auth.ClusterAuthorization();
            admission.add(new dev.berth.core.apiserver.auth.node.NodeRestriction());
            admission.add(new dev.berth.core.apiserver.auth.rbac.RbacEscalation(clusterAuthorization,
                    clusterAuthorization.rbac()));
        } else {
            clusterAuthorization = null;
        }
        // DefaultTolerationSeconds is always on, as in Kubernetes; one among extraAdmission replaces the lab default
        if (config.extraAdmission().stream().noneMatch(p -> p instanceof DefaultTolerationSeconds)) {
            admission.add(DefaultTolerationSeconds.labDefaults());
        }
        config.extraAdmission().forEach(admission::add);
        admission.add(new NamespaceLifecycle(storage, type("", "namespaces")));
        this.podSecurity = new dev.berth.core.apiserver.admission.podsecurity.PodSecurityAdmission(storage,
                type("", "namespaces"), type("", "pods"),
                dev.berth.core.apiserver.admission.podsecurity.PodSecurityConfig.defaults());
        admission.add(podSecurity);
        // ResourceQuota last, as in Kubernetes: it charges only writes every other step admitted
        admission.add(new dev.berth.core.apiserver.admission.QuotaAdmission(storage, type("", "resourcequotas"),
                config.clock()));
        this.allocator = new ServiceAllocator(config.store(), config.serviceCidr(), config.nodePortMin(), config.nodePortMax());
        storage.addHook(allocator);
        Conversions conversions = new Conversions();
        conversions.useCustomResourceDefaults(new CustomResourceDecoding(customResources)::applyOnRead);
        this.formats = new WireFormats(conversions);
        formats.setTables(new TableFormat(config.clock(), customResources::printerColumns));
        OpenApiEndpoint openApi = new OpenApiEndpoint();
        formats.setOpenApi(openApi);
        formats.setProtobuf(dev.berth.core.apiserver.protobuf.ProtobufDecoder::decode);
        this.subresources = new Subresources(registry, storage, formats);
        subresources.useCustomScale(customResources::scale);
        this.serviceAccountTokens = new ServiceAccountTokens(config.clock());
        subresources.useServiceAccountTokens(serviceAccountTokens);
        // service account tokens first: the configured chain may reject every bearer token it does not know
        this.revokedCertificates = new dev.berth.core.apiserver.auth.RevokedCertificates(cache);
        Authenticator authenticator = Authenticator.chain(List.of(
                revokedCertificates,
                serviceAccountTokens.authenticator(storage, type("", "serviceaccounts"), type("", "pods")),
                config.authenticator()));
        this.customResourceDefinitions = new CustomResourceDefinitions(registry, storage, customResources,
                openApi::customResourcesChanged);
        this.handlers = new ApiHandlers(registry, storage, new Discovery(registry, config.advertised()),
                authenticator, clusterAuthorization != null ? clusterAuthorization : config.authorizer(), subresources,
                formats);
        subresources.setHandlers(handlers);
        handlers.useFlowControl(new dev.berth.core.apiserver.flowcontrol.FlowControl(
                dev.berth.core.apiserver.flowcontrol.FlowControl.Settings.defaults(), config.clock()));
        handlers.setMetricsApi(new MetricsApi(resourceMetrics, storage, registry));
    }

    private final dev.berth.core.metrics.ResourceMetrics resourceMetrics = new dev.berth.core.metrics.ResourceMetrics();
    private final Subresources subresources;
    private volatile dev.berth.core.apiserver.proxy.NodeDialer nodeDialer;

    /**
     * Lets pods/log, exec, attach and portforward reach node agents through {@code dialer}; without
     * one they answer 503. The server closes the dialer when it closes.
     */
    /**
     * Serves new TLS connections with {@code ssl} (a renewed serving certificate) without a
     * restart; open connections and watches are not dropped.
     */
    public void useSslContext(SslContext ssl) {
        if (http == null) throw new IllegalStateException("the API server is not started");
        http.useSslContext(ssl);
    }

    public void useNodeDialer(dev.berth.core.apiserver.proxy.NodeDialer dialer) {
        this.nodeDialer = dialer;
        subresources.useNodeDialer(dialer);
    }

    private final ServiceAccountTokens serviceAccountTokens;
    private final dev.berth.core.apiserver.admission.podsecurity.PodSecurityAdmission podSecurity;
    private volatile dev.berth.core.apiserver.audit.AuditLog auditLog;

    /** Pod Security admission's defaults and exemptions (Kubernetes' defaults unless set). */
    public void usePodSecurity(dev.berth.core.apiserver.admission.podsecurity.PodSecurityConfig config) {
        podSecurity.configure(config);
    }

    /** Request limits and deadlines; {@link dev.berth.core.apiserver.flowcontrol.FlowControl.Settings#defaults()} unless set. */
    public void useFlowControl(dev.berth.core.apiserver.flowcontrol.FlowControl.Settings settings) {
        handlers.useFlowControl(new dev.berth.core.apiserver.flowcontrol.FlowControl(settings, config.clock()));
    }

    /** Records every write and refusal in {@code log}, which the server closes (after its last request) when it closes. */
    public void useAuditLog(dev.berth.core.apiserver.audit.AuditLog log) {
        this.auditLog = log;
        handlers.useAuditor(new dev.berth.core.apiserver.audit.Auditor(log, config.clock()));
    }
    private final dev.berth.core.apiserver.auth.ClusterAuthorization clusterAuthorization;
    private final dev.berth.core.apiserver.auth.RevokedCertificates revokedCertificates;

    /** Node and RBAC authorization when the config asked for {@link Authorizer#NODE_RBAC}, else null. */
    public dev.berth.core.apiserver.auth.ClusterAuthorization clusterAuthorization() {
        return clusterAuthorization;
    }

    /** Issues and checks service account tokens (TokenRequest); its key is generated unless one is given. */
    public ServiceAccountTokens serviceAccountTokens() {
        return serviceAccountTokens;
    }

    /** The resource metrics this server serves as metrics.k8s.io; a scraper fills them. */
    public dev.berth.core.metrics.ResourceMetrics resourceMetrics() {
        return resourceMetrics;
    }

    public ResourceType type(String group, String resource) {
        return registry.all().stream().filter(t -> t.group().equals(group) && t.resource().equals(resource))
                .findFirst().orElseThrow();
    }

    public ResourceRegistry registry() {
        return registry;
    }

    public ResourceStorage storage() {
        return storage;
    }

    public WireFormats formats() {
        return formats;
    }

    /** Loads the cache, creates the initial objects, and starts serving. Returns the bound address. */
    public InetSocketAddress start() throws InterruptedException {
        cache.start();
        if (clusterAuthorization != null) {
            clusterAuthorization.follow(cache);
        }
        bootstrap();
        if (clusterAuthorization != null) {
            new dev.berth.core.apiserver.auth.rbac.PolicyReconciler(storage, type("rbac.authorization.k8s.io", "clusterroles"),
                    type("rbac.authorization.k8s.io", "clusterrolebindings"),
                    new UserInfo("system:apiserver", List.of(UserInfo.MASTERS))).reconcile();
        }
        customResourceDefinitions.start();
        http = new HttpServer(config.bind(), config.ssl(), handlers, MAX_BODY,
                r -> dev.berth.core.apiserver.proxy.NodeProxy.streamsBody(r.method().name(), r.uri()));
        bound = http.start();
        handlers.setReady(true);
        eventExpiry = new EventExpiry(storage, type("", "events"), config.eventTtlSeconds(), config.clock());
        eventExpiry.start();
        LOG.info("API server listening on {}", bound);
        return bound;
    }

    public InetSocketAddress address() {
        return bound;
    }

    private void bootstrap() {
        UserInfo system = new UserInfo("system:apiserver", List.of(UserInfo.MASTERS));
        ResourceType ns = type("", "namespaces");
        for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            if (storage.find(ns, "", name) == null) {
                ObjectNode n = Json.MAPPER.createObjectNode();
                n.put("apiVersion", "v1");
                n.put("kind", "Namespace");
                n.putObject("metadata").put("name", name);
                n.putObject("spec").putArray("finalizers").add("kubernetes");
                n.putObject("status").put("phase", "Active");
                createQuietly(ns, "", n, system);
            }
        }
        ResourceType pcs = type("scheduling.k8s.io", "priorityclasses");
        for (var e : java.util.Map.of("system-node-critical", 2000001000, "system-cluster-critical", 2000000000).entrySet()) {
            if (storage.find(pcs, "", e.getKey()) == null) {
                ObjectNode pc = Json.MAPPER.createObjectNode();
                pc.put("apiVersion", "scheduling.k8s.io/v1");
                pc.put("kind", "PriorityClass");
                pc.putObject("metadata").put("name", e.getKey());
                pc.put("value", e.getValue());
                pc.put("description", "Used for system critical pods that must run in the cluster"
                        + (e.getKey().contains("node") ? ", and on each node." : "."));
                createQuietly(pcs, "", pc, system);
            }
        }
        bootstrapLocalPathStorageClass(system);
        bootstrapIngress(system);
        ResourceType svc = type("", "services");
        if (storage.find(svc, "default", "kubernetes") == null) {
            String ip = allocator.address(1);
            int port = config.bind().getPort() == 0 ? 6443 : config.bind().getPort();
            ObjectNode s = clusterIpService("default", "kubernetes",
                    java.util.Map.of("component", "apiserver", "provider", "kubernetes"), ip);
            ObjectNode p = ((ObjectNode) s.get("spec")).putArray("ports").addObject();
            p.put("name", "https");
            p.put("port", 443);
            p.put("protocol", "TCP");
            p.put("targetPort", port);
            createQuietly(svc, "default", s, system);
        }
        bootstrapClusterDnsService(svc, system);
    }

    /** A ClusterIP Service at {@code ip} without ports, as the bootstrap writes them. */
    private static ObjectNode clusterIpService(String namespace, String name, java.util.Map<String, String> labels,
                                               String ip) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("apiVersion", "v1");
        s.put("kind", "Service");
        ObjectNode meta = s.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", namespace);
        ObjectNode labelNode = meta.putObject("labels");
        labels.forEach(labelNode::put);
        ObjectNode spec = s.putObject("spec");
        spec.put("type", "ClusterIP");
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
        spec.put("sessionAffinity", "None");
        return s;
    }

    /**
     * Service {@code kube-system/kube-dns} at the cluster DNS address (the range's 10th address),
     * created when absent. No pods back it: every node agent answers DNS itself on its pod
     * network's gateway, and the node's service rules send this address there. A Service that
     * already holds the address (data from before it was reserved) keeps it, with a warning.
     */
    private void bootstrapClusterDnsService(ResourceType svc, UserInfo system) {
        if (storage.find(svc, "kube-system", "kube-dns") != null) {
            return;
        }
        java.util.Optional<String> address = allocator.clusterDnsAddress();
        if (address.isEmpty()) {
            LOG.warn("service CIDR {} is too small to hold the cluster DNS address (its {}th); Service kube-system/kube-dns is not created",
                    config.serviceCidr(), ServiceAllocator.CLUSTER_DNS_OFFSET);
            return;
        }
        String ip = address.get();
        var labels = new java.util.LinkedHashMap<String, String>();
        labels.put("k8s-app", "kube-dns");
        labels.put("kubernetes.io/cluster-service", "true");
        labels.put("kubernetes.io/name", "KubeDNS");
        ObjectNode s = clusterIpService("kube-system", "kube-dns", labels, ip);
        var ports = ((ObjectNode) s.get("spec")).putArray("ports");
        for (String[] p : new String[][]{{"dns", "UDP"}, {"dns-tcp", "TCP"}}) {
            ObjectNode port = ports.addObject();
            port.put("name", p[0]);
            port.put("port", 53);
            port.put("protocol", p[1]);
            port.put("targetPort", 53);
        }
        try {
            createQuietly(svc, "kube-system", s, system);
        } catch (ApiException e) {
            LOG.warn("cannot create Service kube-system/kube-dns at {}: {}", ip, e.getMessage());
        }
    }

    /**
     * The default StorageClass {@code local-path}, served by the local-path provisioner, created when
     * absent and never overwritten: a class the user changed (or a default taken away) stays so.
     */
    private void bootstrapLocalPathStorageClass(UserInfo system) {
        ResourceType scs = type("storage.k8s.io", "storageclasses");
        if (storage.find(scs, "", "local-path") != null) {
            return;
        }
        ObjectNode sc = Json.MAPPER.createObjectNode();
        sc.put("apiVersion", "storage.k8s.io/v1");
        sc.put("kind", "StorageClass");
        ObjectNode meta = sc.putObject("metadata");
        meta.put("name", "local-path");
        meta.putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "true");
        sc.put("provisioner", "berth.dev/local-path");
        sc.put("reclaimPolicy", "Delete");
        sc.put("volumeBindingMode", "WaitForFirstConsumer");
        createQuietly(scs, "", sc, system);
    }

    /** The IngressClass served by the agents' built-in ingress controller ({@code berth agent --ingress}). */
    public static final String INGRESS_CLASS = "berth";
    /** The IngressClass's {@code spec.controller}. */
    public static final String INGRESS_CONTROLLER = "berth.dev/ingress";
    /** The built-in ingress controller's ServiceAccount, in kube-system. */
    public static final String INGRESS_SERVICE_ACCOUNT = "berth-ingress";

    /**
     * The IngressClass {@value #INGRESS_CLASS} (marked default, so Ingresses without a class are
     * served too, as k3s does with its bundled controller) and the controller's ServiceAccount in
     * kube-system, each created when absent and never overwritten: a class the user changed (or a
     * default taken away) stays so.
     */
    private void bootstrapIngress(UserInfo system) {
        ResourceType classes = type("networking.k8s.io", "ingressclasses");
        if (storage.find(classes, "", INGRESS_CLASS) == null) {
            ObjectNode ic = Json.MAPPER.createObjectNode();
            ic.put("apiVersion", "networking.k8s.io/v1");
            ic.put("kind", "IngressClass");
            ObjectNode meta = ic.putObject("metadata");
            meta.put("name", INGRESS_CLASS);
            meta.putObject("annotations").put("ingressclass.kubernetes.io/is-default-class", "true");
            meta.putObject("labels").put("app.kubernetes.io/managed-by", "berth");
            ic.putObject("spec").put("controller", INGRESS_CONTROLLER);
            createQuietly(classes, "", ic, system);
        }
        ResourceType accounts = type("", "serviceaccounts");
        if (storage.find(accounts, "kube-system", INGRESS_SERVICE_ACCOUNT) == null) {
            ObjectNode sa = Json.MAPPER.createObjectNode();
            sa.put("apiVersion", "v1");
            sa.put("kind", "ServiceAccount");
            ObjectNode meta = sa.putObject("metadata");
            meta.put("name", INGRESS_SERVICE_ACCOUNT);
            meta.put("namespace", "kube-system");
            meta.putObject("labels").put("app.kubernetes.io/managed-by", "berth");
            createQuietly(accounts, "kube-system", sa, system);
        }
    }

    private void createQuietly(ResourceType t, String ns, ObjectNode body, UserInfo user) {
        try {
            storage.create(t, ns, body, new ResourceStorage.WriteOptions(false, TypedCodec.FieldValidation.IGNORE,
                    "berth-apiserver", user, new ArrayList<>()));
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        handlers.setReady(false);
        if (eventExpiry != null) {
            eventExpiry.close();
        }
        if (http != null) {
            http.close();
        }
        if (nodeDialer != null) {
            nodeDialer.close();
        }
        customResourceDefinitions.close();
        cache.close();
        if (auditLog != null) {
            auditLog.close();
        }
    }
}
