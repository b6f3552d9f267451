package dev.berth.core.apiserver.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import dev.berth.core.http.StreamedBody;
import java.util.function.Predicate;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The API server's HTTP/1.1 front: TLS, request decoding, a virtual thread per request, full and
 * streamed (chunked or WebSocket) responses. One request at a time per connection.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final AttributeKey<Stream> STREAM = AttributeKey.valueOf("berth.stream");

    private final InetSocketAddress bind;
    private volatile SslContext ssl;
    private final ApiHandler handler;
    private final int maxBody;
    private final Predicate<HttpRequest> streamedBodies;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;

    public HttpServer(InetSocketAddress bind, SslContext ssl, ApiHandler handler, int maxBody) {
        this(bind, ssl, handler, maxBody, r -> false);
    }

    /**
     * @param streamedBodies the requests whose body is not aggregated (nor limited to {@code maxBody})
     *                       but handed to the handler as a stream ({@link ApiRequest#bodyStream()})
     */
    public HttpServer(InetSocketAddress bind, SslContext ssl, ApiHandler handler, int maxBody,
                      Predicate<HttpRequest> streamedBodies) {
        this.bind = bind;
        this.ssl = ssl;
        this.handler = handler;
        this.maxBody = maxBody;
        this.streamedBodies = streamedBodies;
    }

    /**
     * Serves TLS handshakes from now on with {@code context} (a renewed certificate); connections
     * already open, watches among them, keep the context they were made with.
     *
     * @throws IllegalStateException when this server was made without TLS
     */
    public void useSslContext(SslContext context) {
        if (ssl == null) throw new IllegalStateException("this HTTP server was started without TLS");
        this.ssl = java.util.Objects.requireNonNull(context, "context");
    }

    /** Binds and starts serving; returns the bound address (port 0 picks a free port). */
    public InetSocketAddress start() throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        SslContext context = ssl;   // one read: a rotation in between must not split it
                        if (context != null) {
                            p.addLast("ssl", context.newHandler(ch.alloc()));
                        }
                        p.addLast("codec", new HttpServerCodec(16 * 1024, 64 * 1024, 64 * 1024));
                        p.addLast("streamedBody", new StreamedBody(streamedBodies));
                        p.addLast("aggregator", new LimitedAggregator(maxBody));
                        p.addLast("api", new RequestHandler());
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
            boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
        executor.shutdownNow();
    }

    /** A Kubernetes Status body, for the few errors answered below the API handlers. */
    static byte[] status(int code, String reason, String message) {
        String m = message.replace("\\", "\\\\").replace("\"", "\\\"");
        return ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + m
                + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static final class LimitedAggregator extends HttpObjectAggregator {
        private final int max;

        LimitedAggregator(int max) {
            super(max);
            this.max = max;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            byte[] body = status(413, "RequestEntityTooLarge",
                    "the request body is larger than the limit of " + max + " bytes");
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            // the connection stays open: the aggregator discards the rest of the body, and a client
            // still sending it reads this answer afterwards instead of a reset
            ctx.writeAndFlush(r);
        }
    }

    /** A streamed response in progress on one channel. */
    private static final class Stream implements ApiResponse.ResponseStream {
        private final Channel ch;
        private final boolean websocket;
        private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
        private final Object writable = new Object();
        private volatile boolean closed;

        Stream(Channel ch, boolean websocket) {
            this.ch = ch;
            this.websocket = websocket;
        }

        @Override
        public void write(byte[] chunk) throws IOException {
            if (closed || !ch.isActive()) {
                throw new IOException("client went away");
            }
            ByteBuf buf = Unpooled.wrappedBuffer(chunk);
            ch.writeAndFlush(websocket ? new TextWebSocketFrame(buf) : new DefaultHttpContent(buf));
            if (!ch.isWritable()) {
                synchronized (writable) {
                    while (!ch.isWritable() && !closed) {
                        try {
                            writable.wait(100);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted");
                        }
                    }
                }
            }
        }

        void writabilityChanged() {
            synchronized (writable) {
                writable.notifyAll();
            }
        }

        @Override
        public boolean isClosed() {
            return closed || !ch.isActive();
        }

        @Override
        public void onClose(Runnable r) {
            onClose.add(r);
            if (closed) {
                r.run();
            }
        }

        void closed() {
            if (!closed) {
                closed = true;
                onClose.forEach(Runnable::run);
                writabilityChanged();
            }
        }
    }

    private final class RequestHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest req) {
                if (req.decoderResult().isFailure()) {
                    req.release();
                    sendFull(ctx, false, 400, "application/json",
                            status(400, "BadRequest", "malformed HTTP request: " + req.decoderResult().cause()), Map.of());
                    return;
                }
                ctx.channel().config().setAutoRead(false);
                executor.execute(() -> process(ctx, req));
            } else if (msg instanceof WebSocketFrame frame) {
                try {
                    if (frame instanceof CloseWebSocketFrame) {
                        ctx.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
                    } else if (frame instanceof PingWebSocketFrame) {
                        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
                    }
                } finally {
                    frame.release();
                }
            } else {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Stream s = ctx.channel().attr(STREAM).get();
            if (s != null) {
                s.writabilityChanged();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Stream s = ctx.channel().attr(STREAM).get();
            if (s != null) {
                s.closed();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }

        private void process(ChannelHandlerContext ctx, FullHttpRequest req) {
            StreamedBody.Body streamed = StreamedBody.take(ctx.channel());
            // the rest of a streamed body the handler left unread cannot be skipped cheaply: close after answering
            boolean keepAlive = HttpUtil.isKeepAlive(req) && streamed == null;
            try {
                ApiRequest ar = toApiRequest(ctx, req, streamed);
                ApiResponse resp;
                try {
                    resp = handler.handle(ar);
                } catch (RuntimeException e) {
                    LOG.error("internal error serving {} {}", req.method(), req.uri(), e);
                    resp = ApiResponse.Full.json(500, status(500, "InternalError",
                            "an error on the server (\"" + e.getClass().getSimpleName() + "\") has prevented the request from succeeding"));
                }
                switch (resp) {
                    case ApiResponse.Full f -> sendFull(ctx, keepAlive, f.status(), f.contentType(), f.body(), f.headers());
                    case ApiResponse.Upgraded u -> upgrade(ctx, u);
                    case ApiResponse.Streaming s -> {
                        if (ar.websocketUpgrade()) {
                            streamWebSocket(ctx, req, s);
                        } else {
                            streamChunked(ctx, keepAlive, s);
                        }
                    }
                }
            } catch (Throwable t) {
                LOG.error("failed to answer {} {}", req.method(), req.uri(), t);
                ctx.close();
            } finally {
                req.release();
            }
        }

        private void sendFull(ChannelHandlerContext ctx, boolean keepAlive, int code, String type, byte[] body,
                              Map<String, String> headers) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                    Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            headers.forEach((k, v) -> r.headers().set(k, v));
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(r).addListener(f -> resumeReading(ctx));
            }
        }

        private void resumeReading(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }

        /** Writes the backend's 101, then hands the connection, as bytes, to the backend's tunnel. */
        private void upgrade(ChannelHandlerContext ctx, ApiResponse.Upgraded u) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(u.status()),
                    Unpooled.EMPTY_BUFFER);
            u.headers().forEach((k, v) -> r.headers().set(k, v));
            Channel ch = ctx.channel();
            ch.writeAndFlush(r).addListener(f -> {
                if (!f.isSuccess() || !ch.isActive()) {
                    u.tunnel().abort();
                    ch.close();
                    return;
                }
                ChannelPipeline p = ch.pipeline();
                p.remove("streamedBody");
                p.remove("aggregator");
                p.remove("codec");
                p.remove("api");
                u.tunnel().splice(ch);
            });
        }

        private void streamChunked(ChannelHandlerContext ctx, boolean keepAlive, ApiResponse.Streaming s) {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(s.status()));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, s.contentType());
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            s.headers().forEach((k, v) -> r.headers().set(k, v));
            Stream stream = new Stream(ctx.channel(), false);
            ctx.channel().attr(STREAM).set(stream);
            ctx.writeAndFlush(r);
            // read on, so that a client closing the connection is noticed while we stream
            ctx.channel().config().setAutoRead(true);
            try {
                s.producer().produce(stream);
            } catch (Exception e) {
                if (!stream.isClosed()) {
                    LOG.debug("stream ended with error: {}", e.toString());
                }
            }
            ctx.channel().attr(STREAM).set(null);
            if (ctx.channel().isActive()) {
                if (keepAlive) {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                } else {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                }
            }
        }

        private void streamWebSocket(ChannelHandlerContext ctx, FullHttpRequest req, ApiResponse.Streaming s)
                throws InterruptedException {
            String url = (ssl != null ? "wss://" : "ws://") + req.headers().get(HttpHeaderNames.HOST) + req.uri();
            WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(url, null, false, 16 * 1024 * 1024);
            WebSocketServerHandshaker hs = factory.newHandshaker(req);
            if (hs == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            hs.handshake(ctx.channel(), req).sync();
            Stream stream = new Stream(ctx.channel(), true);
            ctx.channel().attr(STREAM).set(stream);
            ctx.channel().config().setAutoRead(true);
            try {
                s.producer().produce(stream);
            } catch (Exception e) {
                LOG.debug("websocket stream ended: {}", e.toString());
            }
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private ApiRequest toApiRequest(ChannelHandlerContext ctx, FullHttpRequest req, StreamedBody.Body streamed) {
            QueryStringDecoder qs = new QueryStringDecoder(req.uri());
            byte[] body = new byte[req.content().readableBytes()];
            req.content().getBytes(req.content().readerIndex(), body);
            X509Certificate[] certs = null;
            SslHandler sslHandler = ctx.pipeline().get(SslHandler.class);
            if (sslHandler != null) {
                try {
                    Certificate[] peer = sslHandler.engine().getSession().getPeerCertificates();
                    certs = new X509Certificate[peer.length];
                    for (int i = 0; i < peer.length; i++) {
                        certs[i] = (X509Certificate) peer[i];
                    }
                } catch (SSLPeerUnverifiedException e) {
                    certs = null;
                }
            }
            boolean upgrade = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
            String remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a
                    ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
            return new ApiRequest(req.method().name(), qs.path(), qs.parameters(), req.headers(), body, certs, remote,
                    upgrade, streamed);
        }
    }
}
