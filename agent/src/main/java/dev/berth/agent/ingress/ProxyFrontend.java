package dev.berth.agent.ingress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the ingress. Requests are handled one at a time (pipelined ones wait):
 * the request head is routed (each request on its own, so requests on one client connection are
 * balanced too), a connection to the endpoint is opened or an idle one to the same endpoint kept
 * from an earlier request reused, and head and body are streamed to it as they arrive; the response streams back the same way. Neither body is held whole: reading from
 * one side pauses while the other side's socket buffer is full (Netty's write-buffer water marks).
 * Hop-by-hop headers are removed both ways, X-Forwarded-For/-Proto/-Host/-Port and X-Real-IP are
 * set (replacing what the client sent, as ingress-nginx does by default). A WebSocket (or any
 * other) upgrade answered 101 turns both connections into a plain byte relay.
 * Errors before the response started are answered 502 (endpoint refused or closed), 503 (no ready
 * endpoint, from the router) or 504 (connect or response timeout) with a text body saying why;
 * after that, the client connection is closed.
 */
final class ProxyFrontend extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyFrontend.class);

    /** RFC 9110 7.6.1 and RFC 2616 13.5.1: headers that concern one connection only. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    private final IngressProxy.Router router;
    private final Bootstrap backends;
    private final boolean tls;
    private final Duration responseTimeout;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    /** Connections to endpoints between requests, one per endpoint at most. */
    private final Map<InetSocketAddress, Channel> idle = new HashMap<>();
    static final int MAX_IDLE = 8;

    private Channel in;
    private Channel out;
    private InetSocketAddress outAddress;
    private boolean outReusable;
    private Exchange ex;
    private boolean upgraded;

    /** The request being answered. */
    private static final class Exchange {
        final HttpRequest request;
        final boolean upgrade;
        boolean keepAlive;
        boolean connected;
        boolean local;
        boolean requestDone;
        boolean responseStarted;
        boolean responseDone;
        boolean informational;
        boolean switching;
        String description = "";
        final List<HttpContent> pendingBody = new ArrayList<>();
        ScheduledFuture<?> timeout;

        Exchange(HttpRequest request) {
            this.request = request;
            this.keepAlive = HttpUtil.isKeepAlive(request);
            this.upgrade = isUpgrade(request);
        }
    }

    ProxyFrontend(IngressProxy.Router router, Bootstrap backends, boolean tls, Duration responseTimeout) {
        this.router = router;
        this.backends = backends;
        this.tls = tls;
        this.responseTimeout = responseTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        in = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        in = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded) {
            relay(msg, out);
            return;
        }
        if (ex != null && (msg instanceof HttpRequest || ex.requestDone)) {
            queued.add(msg);   // a pipelined request: answered after the current one
            updateRead();
            return;
        }
        handle(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (out != null) out.flush();
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest request) {
            start(request);
        } else if (msg instanceof HttpContent content) {
            body(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(HttpRequest request) {
        ex = new Exchange(request);
        if (request.decoderResult().isFailure()) {
            ex.keepAlive = false;
            ex.requestDone = true;
            respond(HttpResponseStatus.BAD_REQUEST, "the request cannot be parsed: " + request.decoderResult().cause().getMessage());
            return;
        }
        String uri = request.uri();
        String host = request.headers().get(HttpHeaderNames.HOST);
        String path = uri;
        if (!uri.startsWith("/")) {
            try {   // absolute-form, as sent to proxies
                URI parsed = URI.create(uri);
                if (parsed.getRawAuthority() != null) host = parsed.getRawAuthority();
                path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
                uri = path + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
            } catch (IllegalArgumentException e) {
                path = "/";
            }
        }
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        IngressProxy.Decision decision;
        try {
            decision = router.route(host, path);
        } catch (RuntimeException e) {
            log.warn("ingress: routing {} {} failed", host, path, e);
            decision = new IngressProxy.Refuse(500, "the ingress controller failed to route this request: " + e);
        }
        switch (decision) {
            case IngressProxy.Refuse refuse -> respond(HttpResponseStatus.valueOf(refuse.status()), refuse.message());
            case IngressProxy.Forward forward -> {
                ex.description = forward.description();
                HttpRequest outgoing = outgoingRequest(request, uri);
                Channel kept = idle.remove(forward.address());
                if (kept != null && kept.isActive()) {
                    dropBackend();
                    out = kept;
                    out.config().setAutoRead(in.isWritable());
                    outAddress = forward.address();
                    outReusable = true;
                    ex.connected = true;
                    out.write(outgoing);
                } else {
                    if (kept != null) kept.close();
                    connect(forward.address(), outgoing);
                }
            }
        }
        updateRead();
    }

    private void body(HttpContent content) {
        Exchange e = ex;
        if (e == null) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (e.local) {
            content.release();   // the request was answered here: its body is read and dropped
        } else if (!e.connected) {
            e.pendingBody.add(content);
        } else if (out == null) {
            content.release();   // the endpoint went away; the client was answered or is being closed
        } else {
            out.write(content);
        }
        if (last) {
            e.requestDone = true;
            if (e.local && e.responseDone) {
                finish();
            } else if (e.connected && !e.responseStarted) {
                out.flush();
                startResponseTimer();
            }
        }
        updateRead();
    }

    private void connect(InetSocketAddress address, HttpRequest outgoing) {
        dropBackend();
        Exchange e = ex;
        ChannelFuture f = backends.clone(in.eventLoop()).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("http", new HttpClientCodec(8192, 32 * 1024, 64 * 1024));
                ch.pipeline().addLast("proxy", new Backend());
            }
        }).connect(address);
        out = f.channel();
        outAddress = address;
        outReusable = true;
        f.addListener((ChannelFutureListener) done -> {
            if (ex != e || done.channel() != out) {
                done.channel().close();
                return;
            }
            if (!done.isSuccess()) {
                Throwable cause = done.cause();
                out = null;
                e.pendingBody.forEach(ReferenceCountUtil::release);
                e.pendingBody.clear();
                if (cause instanceof ConnectTimeoutException) {
                    respond(HttpResponseStatus.GATEWAY_TIMEOUT, "cannot connect to " + address + " (" + e.description
                            + ") within the connect timeout");
                } else {
                    respond(HttpResponseStatus.BAD_GATEWAY, "cannot connect to " + address + " (" + e.description + "): "
                            + (cause instanceof ConnectException ? "connection refused" : String.valueOf(cause.getMessage())));
                }
                updateRead();
                return;
            }
            e.connected = true;
            out.write(outgoing);
            for (HttpContent c : e.pendingBody) out.write(c);
            e.pendingBody.clear();
            out.flush();
            if (e.requestDone) startResponseTimer();
            updateRead();
        });
    }

    private void startResponseTimer() {
        Exchange e = ex;
        if (e.timeout != null) return;
        e.timeout = in.eventLoop().schedule(() -> {
            if (ex == e && !e.responseStarted) {
                outReusable = false;
                dropBackend();
                respond(HttpResponseStatus.GATEWAY_TIMEOUT, "no response from " + outAddressText() + " (" + e.description
                        + ") within " + responseTimeout.toSeconds() + "s");
            }
        }, responseTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String outAddressText() {
        return outAddress == null ? "the endpoint" : outAddress.toString();
    }

    /** Pauses reading the client while it would only fill buffers. */
    private void updateRead() {
        boolean read;
        if (upgraded) {
            read = out != null && out.isWritable();
        } else if (ex == null) {
            read = queued.isEmpty();
        } else if (ex.requestDone) {
            read = false;
        } else if (ex.local) {
            read = true;
        } else {
            read = ex.connected && out != null && out.isWritable();
        }
        if (in.config().isAutoRead() != read) in.config().setAutoRead(read);
    }

    /** Answers the current request from the proxy itself. */
    private void respond(HttpResponseStatus status, String message) {
        Exchange e = ex;
        if (e.responseStarted) {
            in.close();
            return;
        }
        if (status.code() >= 500) log.debug("ingress: {} {} for {} {}: {}", status.code(), status.reasonPhrase(),
                e.request.method(), e.request.uri(), message);
        e.local = true;
        e.responseStarted = true;
        e.responseDone = true;
        if (e.timeout != null) e.timeout.cancel(false);
        e.pendingBody.forEach(ReferenceCountUtil::release);
        e.pendingBody.clear();
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (e.request.method().equals(HttpMethod.HEAD)) r.content().clear();
        if (!e.keepAlive) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        in.writeAndFlush(r);
        if (e.requestDone) finish();
    }

    /** The response is complete: next request, or close. */
    private void finish() {
        Exchange e = ex;
        if (e.timeout != null) e.timeout.cancel(false);
        if (!e.requestDone) {
            // the endpoint answered before the whole request was sent: the rest cannot be framed any more
            e.keepAlive = false;
            outReusable = false;
        }
        if (outReusable && out != null && out.isActive() && idle.size() < MAX_IDLE) {
            // reading may have been paused for a slow client: an idle connection must read (to see it close)
            out.config().setAutoRead(true);
            Channel previous = idle.put(outAddress, out);   // kept for the next request to this endpoint
            if (previous != null && previous != out) previous.close();
            out = null;
        } else {
            dropBackend();
        }
        ex = null;
        if (!e.keepAlive) {
            in.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
            return;
        }
        in.flush();
        while (!queued.isEmpty() && !upgraded) {
            if (ex != null && (queued.peek() instanceof HttpRequest || ex.requestDone)) break;
            handle(queued.poll());
        }
        if (out != null) out.flush();
        updateRead();
    }

    private void dropBackend() {
        if (out != null) {
            Channel c = out;
            out = null;
            c.close();
        }
    }

    private HttpRequest outgoingRequest(HttpRequest request, String uri) {
        HttpHeaders headers = request.headers().copy();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        removeHopByHop(headers);
        if (chunked) headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        if (ex.upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        InetSocketAddress client = (InetSocketAddress) in.remoteAddress();
        InetSocketAddress local = (InetSocketAddress) in.localAddress();
        String clientIp = client.getAddress().getHostAddress();
        headers.set("X-Forwarded-For", clientIp);
        headers.set("X-Real-IP", clientIp);
        headers.set("X-Forwarded-Proto", tls ? "https" : "http");
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null) headers.set("X-Forwarded-Host", host);
        else headers.remove("X-Forwarded-Host");
        headers.set("X-Forwarded-Port", Integer.toString(local.getPort()));
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, headers);
    }

    static void removeHopByHop(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) headers.remove(name);
            }
        }
        for (String name : HOP_BY_HOP) headers.remove(name);
    }

    static boolean isUpgrade(HttpRequest request) {
        if (!request.headers().contains(HttpHeaderNames.UPGRADE)) return false;
        for (String connection : request.headers().getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                if (token.trim().toLowerCase(Locale.ROOT).equals("upgrade")) return true;
            }
        }
        return false;
    }

    private static void relay(Object msg, Channel to) {
        if (to == null || !to.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        to.write(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        // the client drained what the endpoint sent: read from the endpoint again
        if (out != null) out.config().setAutoRead(in.isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ex == null && !upgraded) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        dropBackend();
        for (Channel c : List.copyOf(idle.values())) c.close();
        idle.clear();
        if (ex != null) {
            if (ex.timeout != null) ex.timeout.cancel(false);
            ex.pendingBody.forEach(ReferenceCountUtil::release);
            ex.pendingBody.clear();
        }
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("ingress client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** The connection to the endpoint, on the same event loop as the client's. */
    private final class Backend extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange e = ex;
            if (ctx.channel() != out) {
                // an idle connection sent something unasked for: it is out of step, drop it
                ReferenceCountUtil.release(msg);
                idle.remove((InetSocketAddress) ctx.channel().remoteAddress(), ctx.channel());
                ctx.close();
                return;
            }
            if (upgraded || msg instanceof ByteBuf) {
                relay(msg, in);
            } else if (e == null || e.local) {
                // nothing asked for this (or the proxy already answered): the connection is out of step
                ReferenceCountUtil.release(msg);
                outReusable = false;
                dropBackend();
                return;
            } else if (msg instanceof HttpResponse response) {
                response(e, response);
            } else if (msg instanceof HttpContent content) {
                in.write(content);
                if (content instanceof LastHttpContent) responseEnd(ctx, e);
            } else {
                ReferenceCountUtil.release(msg);
            }
            if (!in.isWritable() && out != null) out.config().setAutoRead(false);
        }

        private void response(Exchange e, HttpResponse response) {
            e.responseStarted = true;
            if (e.timeout != null) e.timeout.cancel(false);
            int code = response.status().code();
            HttpHeaders headers = response.headers().copy();
            boolean chunked = HttpUtil.isTransferEncodingChunked(response);
            boolean hasLength = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
            if (response.decoderResult().isFailure()) {
                outReusable = false;
                e.responseStarted = false;
                dropBackend();
                respond(HttpResponseStatus.BAD_GATEWAY, "the endpoint " + outAddressText() + " (" + e.description
                        + ") sent an invalid response: " + response.decoderResult().cause().getMessage());
                return;
            }
            if (code == 101 && e.upgrade) {
                String upgrade = response.headers().get(HttpHeaderNames.UPGRADE);
                removeHopByHop(headers);
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
                if (upgrade != null) headers.set(HttpHeaderNames.UPGRADE, upgrade);
                e.switching = true;
                in.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers));
                return;
            }
            removeHopByHop(headers);
            if (code >= 100 && code < 200) {
                e.informational = true;
                e.responseStarted = false;
                in.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers));
                return;
            }
            outReusable = HttpUtil.isKeepAlive(response);
            boolean bodyless = code == 204 || code == 304 || e.request.method().equals(HttpMethod.HEAD);
            if (chunked || (!hasLength && !bodyless)) {
                if (e.request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    e.keepAlive = false;   // HTTP/1.0 has no chunks: the body ends when the connection does
                } else {
                    headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
            }
            if (!e.keepAlive) headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            else if (e.request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            in.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), headers));
        }

        private void responseEnd(ChannelHandlerContext ctx, Exchange e) {
            if (e.informational) {
                e.informational = false;
                in.flush();
                return;
            }
            if (e.switching) {
                // both sides now speak the upgraded protocol: drop the HTTP codecs and relay bytes
                upgraded = true;
                in.flush();
                in.pipeline().remove(HttpServerCodec.class);
                ctx.pipeline().remove(HttpClientCodec.class);
                updateRead();
                return;
            }
            e.responseDone = true;
            finish();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            in.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel() == out) updateRead();
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel() == out) {
                out = null;
                Exchange e = ex;
                if (upgraded) {
                    in.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                } else if (e != null && !e.local && e.connected && !e.responseDone) {
                    if (!e.responseStarted) {
                        respond(HttpResponseStatus.BAD_GATEWAY, "the endpoint " + outAddressText() + " (" + e.description
                                + ") closed the connection before answering");
                    } else {
                        in.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                    }
                }
                updateReadIfOpen();
            } else {
                idle.values().remove(ctx.channel());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("ingress connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private void updateReadIfOpen() {
        if (in.isActive()) updateRead();
    }
}
