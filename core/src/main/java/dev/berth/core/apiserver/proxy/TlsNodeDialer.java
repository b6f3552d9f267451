package dev.berth.core.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.pki.CertifiedKey;
import dev.berth.core.pki.Tls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reaches a node's agent over TLS at its {@code InternalIP} (else {@code Hostname}) and
 * {@code status.daemonEndpoints.kubeletEndpoint.Port}, verifying the agent's serving certificate
 * against the cluster CA and presenting the API server's kubelet-client certificate.
 */
public final class TlsNodeDialer implements NodeDialer {
    /** The label hollow nodes ({@code berth sim}) carry: they run no agent, so nothing is dialed. */
    static final String SIMULATED_NODE_LABEL = "sim.berth.dev/node";
    private final X509Certificate clusterCa;
    private volatile SslContext ssl;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    public TlsNodeDialer(X509Certificate clusterCa, CertifiedKey kubeletClient) {
        this.clusterCa = clusterCa;
        this.ssl = Tls.clientSslContext(clusterCa, kubeletClient);
    }

    /** Presents {@code kubeletClient} (a renewed certificate) on connections made from now on. */
    public void useClientCertificate(CertifiedKey kubeletClient) {
        this.ssl = Tls.clientSslContext(clusterCa, kubeletClient);
    }

    @Override
    public Dialed dial(JsonNode node, Duration timeout) {
        String name = node.path("metadata").path("name").asText();
        if (node.path("metadata").path("labels").has(SIMULATED_NODE_LABEL)) {
            throw new NoEndpointException("node " + name + " is simulated and runs no agent");
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        if (port <= 0) {
            throw new NoEndpointException("node " + name + " has no agent endpoint (status.daemonEndpoints.kubeletEndpoint.Port is unset)");
        }
        String host = address(node);
        if (host == null) {
            throw new NoEndpointException("node " + name + " has no InternalIP or Hostname address in status.addresses");
        }
        String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        SslContext context = ssl;
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("ssl", context.newHandler(ch.alloc(), host, port));
                    }
                });
        ChannelFuture connect = b.connect(host, port);
        String where = "node " + name + " at " + authority;
        try {
            if (!connect.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                connect.channel().close();
                throw new DialException("cannot reach the agent of " + where + ": no answer in " + timeout.toSeconds() + "s", null);
            }
            if (!connect.isSuccess()) {
                throw new DialException("cannot reach the agent of " + where + ": " + message(connect.cause()), connect.cause());
            }
            Channel ch = connect.channel();
            // the handshake needs reads; after it the proxy reads explicitly
            ch.read();
            var handshake = ch.pipeline().get(SslHandler.class).handshakeFuture();
            ch.config().setAutoRead(true);
            if (!handshake.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ch.close();
                throw new DialException("TLS handshake with the agent of " + where + " did not finish in " + timeout.toSeconds() + "s", null);
            }
            ch.config().setAutoRead(false);
            if (!handshake.isSuccess()) {
                ch.close();
                throw new DialException("TLS handshake with the agent of " + where + " failed: " + message(handshake.cause()), handshake.cause());
            }
            return new Dialed(ch, authority);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connect.channel().close();
            throw new DialException("interrupted while connecting to the agent of " + where, e);
        }
    }

    private static String message(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** The node's InternalIP, else its Hostname; null when it has neither. */
    static String address(JsonNode node) {
        for (String type : new String[] {"InternalIP", "Hostname"}) {
            for (JsonNode a : node.path("status").path("addresses")) {
                if (type.equals(a.path("type").asText()) && !a.path("address").asText("").isEmpty()) {
                    return a.path("address").asText();
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
