package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.ApiException;
import dev.berth.core.apiserver.auth.Authenticator;
import dev.berth.core.apiserver.auth.Authorizer;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.ValueTransformer;
import dev.berth.core.apiserver.registry.ResourceType;
import dev.berth.core.store.Store;
import dev.berth.core.store.memory.MemoryStore;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An API server on a free loopback port for tests, with a kubeconfig for kubectl. */
public final class TestApiServer implements AutoCloseable {
    public static final String TOKEN = "test-admin-token";

    private final dev.berth.core.pki.ClusterCa ca;
    private final ApiServer server;
    private final InetSocketAddress address;
    private final Path kubeconfig;

    public TestApiServer(Store store, Path dir) throws Exception {
        ca = dev.berth.core.pki.ClusterCa.loadOrCreate(dir.resolve("pki"), Clock.systemUTC());
        dev.berth.core.pki.CertifiedKey serving = ca.issueServing(java.util.Set.of("localhost"),
                java.util.Set.of(java.net.InetAddress.getByName("127.0.0.1")), java.time.Duration.ofDays(1));
        SslContext ssl = dev.berth.core.pki.Tls.serverContext(serving, ca, io.netty.handler.ssl.ClientAuth.OPTIONAL);
        Authenticator tokens = req -> {
            String h = req.header("Authorization");
            if (h != null && h.equals("Bearer " + TOKEN)) {
                return Optional.of(new UserInfo("admin", List.of(UserInfo.MASTERS)));
            }
            if (h != null) {
                throw new ApiException(401, "Unauthorized", "Unauthorized");
            }
            return Optional.empty();
        };
        server = new ApiServer(new ApiServer.Config(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1:0", ssl, store,
                ValueTransformer.IDENTITY, tokens, Authorizer.ALLOW_AUTHENTICATED, new Patches(t -> null), "10.43.0.0/16",
                30000, 32767, 3600, Clock.systemUTC(), List.of()));
        server.useNodeDialer(new dev.berth.core.apiserver.proxy.TlsNodeDialer(ca.certificate(),
                dev.berth.core.pki.KubeletClientCertificate.ensure(dir.resolve("pki"), ca, Clock.systemUTC())));
        address = server.start();
        kubeconfig = dir.resolve("kubeconfig");
        dev.berth.core.pki.Kubeconfig.withToken("test", url(), ca.certificate(), "admin", TOKEN).write(kubeconfig);
    }

    public TestApiServer(Path dir) throws Exception {
        this(new MemoryStore(), dir);
    }

    /** The cluster CA, for node agents' serving certificates in tests. */
    public dev.berth.core.pki.ClusterCa ca() {
        return ca;
    }

    public ApiServer server() {
        return server;
    }

    public int port() {
        return address.getPort();
    }

    public String url() {
        return "https://127.0.0.1:" + address.getPort();
    }

    /** A client context trusting this server's CA. */
    public javax.net.ssl.SSLContext sslContext() {
        return dev.berth.core.pki.Tls.clientSSLContext(ca.certificate(), null);
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public void close() {
        server.close();
    }
}
