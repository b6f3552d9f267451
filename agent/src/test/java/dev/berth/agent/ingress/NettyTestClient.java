package dev.berth.agent.ingress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 client for the tests that sets any Host header and any SNI name while connecting to
 * a loopback address (the JDK's HttpClient refuses a Host header of one's own).
 */
final class NettyTestClient implements AutoCloseable {
    record Response(int status, String body, io.netty.handler.codec.http.HttpHeaders headers, X509Certificate peer) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /** GET {@code path} with {@code host} as Host header; with {@code ssl}, over TLS with {@code host} as SNI name. */
    Response get(InetSocketAddress to, String host, String path, SslContext ssl) throws Exception {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                if (ssl != null) c.pipeline().addLast("tls", ssl.newHandler(c.alloc(), host, to.getPort()));
                c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16 * 1024 * 1024),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) throws Exception {
                                X509Certificate peer = null;
                                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                                if (tls != null) peer = (X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
                                result.complete(new Response(r.status().code(), r.content().toString(StandardCharsets.UTF_8),
                                        r.headers().copy(), peer));
                                ctx.close();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.completeExceptionally(cause);
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.completeExceptionally(new IllegalStateException("connection closed without a response"));
                            }
                        });
            }
        }).connect(to).sync().channel();
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        if (host != null) request.headers().set(HttpHeaderNames.HOST, host);
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        request.headers().set("X-Forwarded-For", "6.6.6.6");
        ch.writeAndFlush(request);
        try {
            return result.get(30, TimeUnit.SECONDS);
        } finally {
            ch.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
