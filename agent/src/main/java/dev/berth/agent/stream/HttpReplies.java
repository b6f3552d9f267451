package dev.berth.agent.stream;

import dev.berth.core.api.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;

/** Whole HTTP answers of the agent's server, and blocking writes with back-pressure. */
public final class HttpReplies {
    private HttpReplies() {
    }

    /** A Kubernetes Status (as kubelet's errors reach kubectl through the API server). */
    public static void status(Channel ch, int code, String reason, String message, boolean keepAlive) {
        full(ch, code, "application/json", Json.bytes(Statuses.failure(code, reason, message)), keepAlive);
    }

    public static void full(Channel ch, int code, String contentType, byte[] body, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (keepAlive) {
            ch.writeAndFlush(r).addListener(f -> {
                ch.config().setAutoRead(true);
                ch.read();
            });
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes and waits until written, so a slow reader slows the writer; never call on an event loop. */
    public static void write(Channel ch, Object msg) throws IOException {
        ChannelFuture f = ch.writeAndFlush(msg);
        try {
            f.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing", e);
        }
        if (!f.isSuccess()) {
            throw new IOException("the connection is gone: " + f.cause(), f.cause());
        }
    }

}
