package dev.berth.agent.ingress;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The ingress's HTTP/1.1 reverse proxy on Netty: a plain listener and a TLS listener (certificate
 * by SNI), each request routed by {@link Router} and streamed to the chosen endpoint and back (see
 * {@link ProxyFrontend}).
 */
public final class IngressProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngressProxy.class);

    /** Where a request goes. Called on a network thread: it must not block. */
    public interface Router {
        /**
         * The endpoint for a request.
         *
         * @param host     the Host header (null when absent)
         * @param path     the request path without query
         */
        Decision route(String host, String path);
    }

    /** A routing decision. */
    public sealed interface Decision permits Forward, Refuse {
    }

    /** Forward to {@code address}; {@code description} names the Ingress and Service for logs. */
    public record Forward(InetSocketAddress address, String description) implements Decision {
    }

    /** Answer {@code status} with {@code message} as the body. */
    public record Refuse(int status, String message) implements Decision {
    }

    private final IngressSettings settings;
    private final Router router;
    private final Mapping<String, SslContext> certificates;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel http;
    private Channel https;

    public IngressProxy(IngressSettings settings, Router router, Mapping<String, SslContext> certificates) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.router = Objects.requireNonNull(router, "router");
        this.certificates = Objects.requireNonNull(certificates, "certificates");
    }

    /**
     * Binds both listeners.
     *
     * @throws IllegalStateException naming the address that could not be bound
     */
    public synchronized IngressProxy start() throws InterruptedException {
        if (boss != null) throw new IllegalStateException("the ingress proxy is already started");
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
        Bootstrap backends = new Bootstrap().channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        try {
            http = bind(settings.httpPort(), false, backends);
            https = bind(settings.httpsPort(), true, backends);
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        log.info("ingress listening on {} (HTTP) and {} (HTTPS)", http.localAddress(), https.localAddress());
        return this;
    }

    private Channel bind(int port, boolean tls, Bootstrap backends) throws InterruptedException {
        InetSocketAddress at = new InetSocketAddress(settings.address(), port);
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls) ch.pipeline().addLast("sni", new SniHandler(certificates));
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0,
                                settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("http", new HttpServerCodec(8192, 32 * 1024, 64 * 1024));
                        ch.pipeline().addLast("proxy", new ProxyFrontend(router, backends, tls, settings.responseTimeout()));
                    }
                });
        var future = b.bind(at).await();
        if (!future.isSuccess()) {
            throw new IllegalStateException("ingress cannot listen on " + at + " for " + (tls ? "HTTPS" : "HTTP") + ": "
                    + future.cause().getMessage(), future.cause());
        }
        return future.channel();
    }

    /** The bound HTTP address. */
    public InetSocketAddress httpAddress() {
        return (InetSocketAddress) http.localAddress();
    }

    /** The bound HTTPS address. */
    public InetSocketAddress httpsAddress() {
        return (InetSocketAddress) https.localAddress();
    }

    /** Stops listening and closes every connection. */
    @Override
    public synchronized void close() {
        if (http != null) http.close().awaitUninterruptibly();
        if (https != null) https.close().awaitUninterruptibly();
        if (boss != null) boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        if (workers != null) workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        http = null;
        https = null;
    }
}
