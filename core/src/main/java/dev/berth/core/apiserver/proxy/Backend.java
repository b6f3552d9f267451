package dev.berth.core.apiserver.proxy;

import dev.berth.core.apiserver.http.ApiResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One request to a node agent on a dialed channel: the response head, then either the body as
 * chunks pulled one read at a time (so a slow client slows the agent), or, after a 101, raw bytes
 * relayed both ways with the client's connection.
 */
final class Backend extends ChannelInboundHandlerAdapter implements ApiResponse.Tunnel {
    private static final Object END = new Object();

    private final Channel upstream;
    private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
    private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean upgraded;
    private Channel client;

    Backend(Channel upstream) {
        this.upstream = upstream;
    }

    /** Sends the request and starts reading the answer. */
    CompletableFuture<HttpResponse> send(FullHttpRequest request) {
        upstream.pipeline().addLast("codec", new HttpClientCodec());
        upstream.pipeline().addLast("backend", this);
        upstream.writeAndFlush(request).addListener(f -> {
            if (f.isSuccess()) {
                upstream.read();
            } else {
                head.completeExceptionally(f.cause());
            }
        });
        return head;
    }

    /**
     * Sends the request head, then the body as it is read from {@code body}, each chunk only once the
     * one before is written (so a slow agent slows the client). Stops sending when the agent answers
     * before the whole body went out. Returns the answer's head; call from a thread that may block.
     */
    CompletableFuture<HttpResponse> send(HttpRequest request, java.io.InputStream body) throws IOException {
        upstream.pipeline().addLast("codec", new HttpClientCodec());
        upstream.pipeline().addLast("backend", this);
        await(upstream.writeAndFlush(request));
        upstream.read();
        byte[] buffer = new byte[64 * 1024];
        for (int n; !head.isDone() && (n = body.read(buffer)) >= 0; ) {
            if (n > 0) {
                await(upstream.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buffer, 0, n))));
            }
        }
        if (!head.isDone()) {
            await(upstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
        }
        return head;
    }

    private void await(ChannelFuture f) throws IOException {
        try {
            f.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to the node agent", e);
        }
        if (!f.isSuccess()) {
            if (head.isDone()) {
                return;
            }
            throw new IOException("sending to the node agent failed: " + f.cause().getMessage(), f.cause());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded) {
            if (msg instanceof ByteBuf buf) {
                if (client == null) {
                    early.add(buf);
                } else {
                    relay(buf);
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.status().code() == 101) {
                upgraded = true;
                // from here on the connection carries the agent's protocol, not HTTP
                ctx.pipeline().remove("codec");
            }
            head.complete(r);
        }
        if (msg instanceof HttpContent c) {
            if (c.content().isReadable()) {
                byte[] bytes = new byte[c.content().readableBytes()];
                c.content().readBytes(bytes);
                chunks.add(bytes);
            }
            if (c instanceof LastHttpContent) {
                chunks.add(END);
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!head.isDone()) {
            ctx.read();
        }
    }

    private void relay(ByteBuf buf) {
        client.writeAndFlush(buf).addListener(f -> {
            if (f.isSuccess()) {
                upstream.read();
            } else {
                upstream.close();
            }
        });
    }

    /** The next chunk of the body, or null at its end. */
    byte[] next() throws IOException, InterruptedException {
        Object o = chunks.poll();
        if (o == null) {
            upstream.read();
            o = chunks.take();
        }
        if (o == END) {
            chunks.add(END);
            return null;
        }
        if (o instanceof Throwable t) {
            chunks.add(o);
            throw new IOException("the node agent's answer broke off: " + t.getMessage(), t);
        }
        return (byte[]) o;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        head.completeExceptionally(new IOException("the node agent closed the connection before answering"));
        chunks.add(END);
        for (ByteBuf b : early) {
            b.release();
        }
        early.clear();
        if (client != null) {
            client.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        head.completeExceptionally(cause);
        chunks.add(cause);
        ctx.close();
    }

    void close() {
        upstream.close();
    }

    @Override
    public void splice(Channel clientChannel) {
        upstream.eventLoop().execute(() -> {
            if (!clientChannel.isActive()) {
                // the client left between the 101 and now: nothing will ever close the agent's side
                early.forEach(ByteBuf::release);
                early.clear();
                upstream.close();
                return;
            }
            client = clientChannel;
            clientChannel.pipeline().addLast("relay", new ClientSide());
            for (ByteBuf b : early) {
                client.writeAndFlush(b);
            }
            early.clear();
            if (!upstream.isActive()) {
                client.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            upstream.read();
            clientChannel.read();
        });
    }

    @Override
    public void abort() {
        upstream.close();
    }

    /** Bytes from the client go to the agent; the next read waits until they are written. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                ctx.read();
                return;
            }
            upstream.writeAndFlush(msg).addListener(f -> {
                if (f.isSuccess()) {
                    ctx.read();
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            upstream.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
