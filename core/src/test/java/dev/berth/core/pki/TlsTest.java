package dev.berth.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handshakes run engine to engine in memory: the same code paths as over a socket, without one. */
class TlsTest {
    @TempDir Path dir;
    // the JDK checks certificate validity against the system clock during the handshake
    final Clock clock = Clock.systemUTC();
    ClusterCa ca;
    SslContext server;

    @BeforeEach
    void setUp() {
        ca = ClusterCa.loadOrCreate(dir, clock);
        CertifiedKey serving = ca.issueServing(Set.of("localhost"), Set.of(InetAddress.ofLiteral("127.0.0.1")),
                Duration.ofDays(365));
        server = Tls.serverContext(serving.certificate(), serving.privateKey(), ca, ClientAuth.OPTIONAL);
    }

    @Test
    void negotiatesTls13AndHttp11AndPassesTheClientCertificateToAuthentication() throws Exception {
        CertifiedKey alice = ca.issueClient("alice", List.of("devs"), Duration.ofDays(1));
        SSLEngine client = jdkClient("localhost", alice);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        client.setSSLParameters(parameters);
        SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);

        handshake(client, serverEngine);

        SSLSession session = serverEngine.getSession();
        assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(serverEngine.getApplicationProtocol()).isEqualTo("http/1.1");
        assertThat(ca.verifyClientChain((X509Certificate[]) session.getPeerCertificates()))
                .isEqualTo(new Identity("alice", List.of("devs")));
    }

    @Test
    void acceptsAClientWithoutCertificateWhenClientAuthIsOptional() throws Exception {
        SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);

        handshake(jdkClient("localhost", null), serverEngine);

        assertThatThrownBy(() -> serverEngine.getSession().getPeerCertificates())
                .isInstanceOf(SSLPeerUnverifiedException.class);
    }

    @Test
    void failsTheHandshakeForAClientCertificateFromAnotherCa() throws Exception {
        ClusterCa other = ClusterCa.loadOrCreate(dir.resolve("other"), clock);
        CertifiedKey mallory = other.issueClient("admin", List.of("system:masters"), Duration.ofDays(1));
        // The JDK client would offer its certificate only if its issuer were among the CAs the
        // server names; an attacker's client sends it regardless.
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new AlwaysPresent(mallory)},
                trustManagersFor(ca.certificate()), null);
        SSLEngine client = context.createSSLEngine("localhost", 6443);
        client.setUseClientMode(true);

        assertThatThrownBy(() -> handshake(client, server.newEngine(ByteBufAllocator.DEFAULT)))
                .isInstanceOf(SSLException.class)
                .hasMessageContaining("client certificate \"CN=admin,O=system:masters\" is not signed by the cluster CA");
    }

    @Test
    void clientRefusesAServerWhoseCertificateDoesNotNameIt() {
        assertThatThrownBy(() -> handshake(jdkClient("api.elsewhere.example", null),
                server.newEngine(ByteBufAllocator.DEFAULT)))
                .isInstanceOf(SSLException.class)
                .hasMessageContaining("api.elsewhere.example");
    }

    @Test
    void offersOnlyTls12And13WithAeadCipherSuites() {
        SSLEngine engine = server.newEngine(ByteBufAllocator.DEFAULT);

        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getEnabledCipherSuites()).isNotEmpty().allSatisfy(suite -> {
            assertThat(Tls.CIPHER_SUITES).contains(suite);
            assertThat(suite).containsAnyOf("_GCM_", "_CHACHA20_POLY1305_");
        });
    }

    @Test
    void speaksTls12WithForwardSecrecyToOlderClients() throws Exception {
        SSLEngine client = jdkClient("localhost", null);
        client.setEnabledProtocols(new String[] {"TLSv1.2"});
        SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);

        handshake(client, serverEngine);

        assertThat(serverEngine.getSession().getProtocol()).isEqualTo("TLSv1.2");
        assertThat(serverEngine.getSession().getCipherSuite()).startsWith("TLS_ECDHE_ECDSA_WITH_");
    }

    @Test
    void refusesAClientOfferingOnlyCbcCipherSuites() {
        SSLEngine client = jdkClient("localhost", null);
        client.setEnabledProtocols(new String[] {"TLSv1.2"});
        client.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});

        assertThatThrownBy(() -> handshake(client, server.newEngine(ByteBufAllocator.DEFAULT)))
                .isInstanceOf(SSLException.class)
                .hasMessageContaining("no cipher suites in common");
    }

    @Test
    void nettyClientContextTrustsTheClusterCaAndPresentsItsCertificate() throws Exception {
        CertifiedKey node = ca.issueClient("system:node:lab1", List.of("system:nodes"), Duration.ofDays(1));
        SslContext clientContext = Tls.clientSslContext(ca.certificate(), node);
        SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);

        handshake(clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 6443), serverEngine);

        assertThat(ca.verifyClientChain((X509Certificate[]) serverEngine.getSession().getPeerCertificates()).user())
                .isEqualTo("system:node:lab1");
    }

    @Test
    void nettyClientContextRefusesAServerFromAnotherCa() {
        ClusterCa other = ClusterCa.loadOrCreate(dir.resolve("other"), clock);
        SslContext clientContext = Tls.clientSslContext(other.certificate(), null);

        assertThatThrownBy(() -> handshake(clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 6443),
                server.newEngine(ByteBufAllocator.DEFAULT)))
                .isInstanceOf(SSLException.class);
    }

    /** A client key manager that presents its certificate whatever CAs the server asks for. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final CertifiedKey key;

        AlwaysPresent(CertifiedKey key) { this.key = key; }

        @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) { return "c"; }
        @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return "c"; }
        @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {"c"}; }
        @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
        @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
        @Override public X509Certificate[] getCertificateChain(String alias) { return new X509Certificate[] {key.certificate()}; }
        @Override public PrivateKey getPrivateKey(String alias) { return key.privateKey(); }
    }

    private static TrustManager[] trustManagersFor(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private SSLEngine jdkClient(String host, CertifiedKey clientCertificate) {
        SSLEngine engine = Tls.clientSSLContext(ca.certificate(), clientCertificate).createSSLEngine(host, 6443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** Pumps records between the two engines until both finish the handshake; throws what either throws. */
    static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        int packetSize = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int appSize = Math.max(client.getSession().getApplicationBufferSize(), server.getSession().getApplicationBufferSize());
        ByteBuffer clientToServer = ByteBuffer.allocate(packetSize * 4);
        ByteBuffer serverToClient = ByteBuffer.allocate(packetSize * 4);
        ByteBuffer clientApp = ByteBuffer.allocate(appSize);
        ByteBuffer serverApp = ByteBuffer.allocate(appSize);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            step(client, serverToClient, clientToServer, clientApp);
            step(server, clientToServer, serverToClient, serverApp);
            if (done(client) && done(server) && clientToServer.position() == 0 && serverToClient.position() == 0) {
                return;
            }
        }
        throw new AssertionError("handshake did not finish in 100 rounds: client "
                + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    private static void step(SSLEngine engine, ByteBuffer inbound, ByteBuffer outbound, ByteBuffer app) throws SSLException {
        engine.wrap(ByteBuffer.allocate(0), outbound);
        runTasks(engine);
        inbound.flip();
        while (inbound.hasRemaining()) {
            int before = inbound.remaining();
            engine.unwrap(inbound, app);
            runTasks(engine);
            app.clear(); // no application data is exchanged; drop anything that arrives
            if (inbound.remaining() == before) break;
        }
        inbound.compact();
        engine.wrap(ByteBuffer.allocate(0), outbound);
        runTasks(engine);
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) task.run();
    }
}
