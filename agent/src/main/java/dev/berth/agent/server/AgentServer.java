package dev.berth.agent.server;

import dev.berth.agent.runtime.ContainerRuntimeException;
import dev.berth.agent.stream.HttpReplies;
import dev.berth.core.api.Json;
import dev.berth.core.http.StreamedBody;
import java.io.OutputStream;
import java.util.List;
import dev.berth.agent.stream.PodStreams;
import dev.berth.core.pki.KubeletClientCertificate;
import dev.berth.core.pki.Pem;
import dev.berth.core.pki.Tls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The agent's HTTPS server (kubelet's port 10250): HTTP/1.1 over TLS only, and only for clients
 * presenting a certificate signed by the cluster CA with the API server's kubelet-client identity
 * ({@link KubeletClientCertificate#IDENTITY}). Plain GETs go to {@link GetHandler}s by path; the
 * streaming paths ({@code /containerLogs}, {@code /exec}, {@code /attach}, {@code /portForward}) to
 * {@link PodStreams}; {@code POST /images/load} streams a {@code docker save} tar into an {@link ImageLoader}.
 */
public final class AgentServer implements AutoCloseable {
    /** kubelet's port. */
    public static final int DEFAULT_PORT = 10250;
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    /** Loads the images of a {@code docker save} tar sent as the request body; answers {@code {"images": [...]}}. */
    public static final String IMAGES_LOAD = "/images/load";

    private final InetSocketAddress bind;
    private volatile SslContext ssl;
    private final Map<String, GetHandler> handlers;
    private final PodStreams streams;
    private final ImageLoader images;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;

    /**
     * @param bind           where to listen (port 0 picks a free one)
     * @param certificatePem the agent's serving certificate
     * @param keyPem         its private key
     * @param clusterCaPem   the cluster CA, which must have signed client certificates
     * @param handlers       plain GET endpoints by exact path
     * @param streams        logs, exec, attach and port-forward
     */
    public AgentServer(InetSocketAddress bind, String certificatePem, String keyPem, String clusterCaPem,
                       Map<String, GetHandler> handlers, PodStreams streams) {
        this(bind, certificatePem, keyPem, clusterCaPem, handlers, streams, null);
    }

    /**
     * @param images loads the tar a {@code POST /images/load} streams in; null answers that path with 404
     */
    public AgentServer(InetSocketAddress bind, String certificatePem, String keyPem, String clusterCaPem,
                       Map<String, GetHandler> handlers, PodStreams streams, ImageLoader images) {
        this.images = images;
        this.bind = bind;
        X509Certificate certificate = Pem.parseCertificate(certificatePem, "the agent's serving certificate");
        this.ssl = Tls.serverContext(certificate, Pem.parsePrivateKey(keyPem, "the agent's serving key"),
                Pem.parseCertificate(clusterCaPem, "the cluster CA certificate"), ClientAuth.REQUIRE);
        this.handlers = Map.copyOf(handlers);
        this.streams = streams;
    }

    /** Serves connections made from now on with a renewed certificate; open connections keep theirs. */
    public void useCertificate(String certificatePem, String keyPem, String clusterCaPem) {
        X509Certificate certificate = Pem.parseCertificate(certificatePem, "the agent's serving certificate");
        this.ssl = Tls.serverContext(certificate, Pem.parsePrivateKey(keyPem, "the agent's serving key"),
                Pem.parseCertificate(clusterCaPem, "the cluster CA certificate"), ClientAuth.REQUIRE);
    }

    /** Binds and serves; returns the bound address. */
    public InetSocketAddress start() throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("ssl", ssl.newHandler(ch.alloc()));
                        p.addLast("codec", new HttpServerCodec(16 * 1024, 64 * 1024, 64 * 1024));
                        // an image tar (gigabytes) is streamed into the runtime, never held whole
                        p.addLast("streamedBody", new StreamedBody(r -> r.method().name().equals("POST")
                                && new QueryStringDecoder(r.uri()).path().equals(IMAGES_LOAD)));
                        p.addLast("aggregator", new HttpObjectAggregator(64 * 1024));
                        p.addLast("agent", new RequestHandler());
                    }
                });
        serverChannel = b.bind(bind).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        executor.shutdownNow();
    }

    /** The peer's leaf certificate, or null. */
    private static X509Certificate peer(ChannelHandlerContext ctx) {
        SslHandler h = ctx.pipeline().get(SslHandler.class);
        try {
            var chain = h.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate c ? c : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** How much of a refused client's body is read before the 403, so that the client sees the answer. */
    static final long FORBIDDEN_DRAIN_LIMIT = 4L * 1024 * 1024;

    private final class RequestHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest req)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (req.decoderResult().isFailure()) {
                req.release();
                HttpReplies.status(ctx.channel(), 400, "BadRequest", "malformed HTTP request: " + req.decoderResult().cause(), false);
                return;
            }
            X509Certificate peer = peer(ctx);
            if (peer == null || !KubeletClientCertificate.isIdentity(peer)) {
                String who = peer == null ? "no client certificate" : "client certificate " + peer.getSubjectX500Principal().getName();
                req.release();
                StreamedBody.Body body = StreamedBody.take(ctx.channel());
                String message = who + " is not allowed: this agent answers only "
                        + KubeletClientCertificate.IDENTITY.user() + " (the API server)";
                if (body == null || body.finished()) {
                    HttpReplies.status(ctx.channel(), 403, "Forbidden", message, false);
                    return;
                }
                // read (a bounded part of) what the client is still sending, so that it sees the 403
                // rather than a connection reset while it writes
                executor.execute(() -> {
                    drainAtMost(body, FORBIDDEN_DRAIN_LIMIT);
                    HttpReplies.status(ctx.channel(), 403, "Forbidden", message, false);
                });
                return;
            }
            ctx.channel().config().setAutoRead(false);
            executor.execute(() -> process(ctx, req));
        }

        private void process(ChannelHandlerContext ctx, FullHttpRequest req) {
            try {
                QueryStringDecoder qs = new QueryStringDecoder(req.uri());
                String path = qs.path();
                if (path.equals(IMAGES_LOAD)) {
                    loadImages(ctx, req);
                    return;
                }
                GetHandler get = handlers.get(path);
                if (get != null) {
                    if (!req.method().name().equals("GET")) {
                        HttpReplies.status(ctx.channel(), 405, "MethodNotAllowed", "only GET is allowed on " + path, true);
                        return;
                    }
                    GetHandler.Response r;
                    try {
                        r = get.handle(path, qs.parameters());
                    } catch (Exception e) {
                        LOG.warn("GET {} failed", path, e);
                        HttpReplies.status(ctx.channel(), 500, "InternalError", "GET " + path + " failed: " + e, true);
                        return;
                    }
                    HttpReplies.full(ctx.channel(), r.status(), r.contentType(), r.body(), true);
                    return;
                }
                if (!streams.serve(ctx, req, qs)) {
                    HttpReplies.status(ctx.channel(), 404, "NotFound", "the agent serves no path " + path, true);
                }
            } catch (Throwable t) {
                LOG.error("failed to answer {} {}", req.method(), req.uri(), t);
                ctx.close();
            } finally {
                req.release();
            }
        }

        private void loadImages(ChannelHandlerContext ctx, FullHttpRequest req) {
            StreamedBody.Body streamed = StreamedBody.take(ctx.channel());
            // a body left unread cannot be skipped cheaply: answer, then close
            boolean keepAlive = streamed == null;
            if (images == null) {
                HttpReplies.status(ctx.channel(), 404, "NotFound", "this agent loads no images", keepAlive);
                return;
            }
            if (!req.method().name().equals("POST")) {
                HttpReplies.status(ctx.channel(), 405, "MethodNotAllowed", "only POST is allowed on " + IMAGES_LOAD
                        + " (the body is a docker save tar)", keepAlive);
                return;
            }
            if (streamed == null) {
                HttpReplies.status(ctx.channel(), 400, "BadRequest", "POST " + IMAGES_LOAD
                        + " needs a body: the tar written by docker save, and the request had none", true);
                return;
            }
            List<String> loaded;
            try {
                loaded = images.load(streamed);
            } catch (ContainerRuntimeException e) {
                LOG.warn("loading images failed: {}", e.getMessage());
                drain(streamed);
                HttpReplies.status(ctx.channel(), 500, "InternalError", "loading images failed ("
                        + e.reason() + "): " + e.getMessage(), false);
                return;
            } catch (RuntimeException e) {
                LOG.warn("loading images failed", e);
                drain(streamed);
                HttpReplies.status(ctx.channel(), 500, "InternalError", "loading images failed: " + e, false);
                return;
            }
            drain(streamed);
            if (loaded.isEmpty()) {
                HttpReplies.status(ctx.channel(), 400, "BadRequest", "the body of POST " + IMAGES_LOAD
                        + " held no image: send the tar written by docker save", false);
                return;
            }
            LOG.info("loaded images {}", loaded);
            HttpReplies.full(ctx.channel(), 200, "application/json",
                    Json.bytes(Map.of("images", loaded)), false);
        }

        /**
         * Reads what the runtime left of the body, so that a client still sending sees the answer (with
         * the engine's error) rather than a reset connection.
         */
        private static void drainAtMost(StreamedBody.Body body, long limit) {
            byte[] buf = new byte[8192];
            long read = 0;
            try {
                int n;
                while (read < limit && !body.finished() && (n = body.read(buf)) > 0) {
                    read += n;
                }
            } catch (IOException e) {
                // the client is gone; nothing to answer
            }
        }

        private static void drain(StreamedBody.Body body) {
            if (body.finished()) {
                return;
            }
            try {
                body.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the client is gone; nothing to answer
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }
    }
}
