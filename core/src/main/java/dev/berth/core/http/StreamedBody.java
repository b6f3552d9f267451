package dev.berth.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.buffer.Unpooled;
import io.netty.util.AttributeKey;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * Lets chosen requests bypass the {@code HttpObjectAggregator} that follows it in the pipeline: for
 * a request the predicate picks (and that has a body), it passes on a {@link FullHttpRequest} with an
 * empty body and puts the body, as an {@link InputStream}, in the channel attribute {@link #BODY}.
 * The stream reads from the connection only when its reader wants more bytes (the channel must not
 * auto-read while the request is served), so a slow consumer slows the client down and the body is
 * never held whole in memory. A client that asks for {@code Expect: 100-continue} gets the 100 only
 * once the body is first read, so that a request refused before (403, 404, 503) sends no body.
 */
public final class StreamedBody extends ChannelInboundHandlerAdapter {
    /** The body of the request being served, when it is streamed. */
    public static final AttributeKey<Body> BODY = AttributeKey.valueOf("berth.streamedBody");

    private final Predicate<HttpRequest> streamed;
    private Body current;

    /** @param streamed which requests get their body streamed rather than aggregated */
    public StreamedBody(Predicate<HttpRequest> streamed) {
        this.streamed = streamed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (current != null && msg instanceof HttpContent c) {
            Body body = current;
            if (c instanceof LastHttpContent) {
                current = null;
            }
            body.offer(c);
            return;
        }
        if (msg instanceof HttpRequest r && !(msg instanceof FullHttpRequest) && r.decoderResult().isSuccess()
                && hasBody(r) && streamed.test(r)) {
            Body body = new Body(ctx.channel());
            current = body;
            ctx.channel().config().setAutoRead(false);
            if (HttpUtil.is100ContinueExpected(r)) {
                // the client waits for "100 Continue" before it sends the body: say it only when the body
                // is wanted, so that a request refused early costs the client no upload
                r.headers().remove(HttpHeaderNames.EXPECT);
                body.continueNeeded = true;
            }
            ctx.channel().attr(BODY).set(body);
            ctx.fireChannelRead(new DefaultFullHttpRequest(r.protocolVersion(), r.method(), r.uri(), Unpooled.EMPTY_BUFFER,
                    r.headers(), EmptyHttpHeaders.INSTANCE));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean hasBody(HttpRequest r) {
        return HttpUtil.isTransferEncodingChunked(r) || HttpUtil.getContentLength(r, 0L) > 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // a read that gave no whole chunk yet: read on while the consumer waits
        if (current != null && current.starved()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.broken(new IOException("the client closed the connection before sending the whole request body"));
            current = null;
        }
        ctx.fireChannelInactive();
    }

    /** Takes the streamed body of the channel's current request, if it has one. */
    public static Body take(Channel channel) {
        return channel.attr(BODY).getAndSet(null);
    }

    /** A request body read from the connection as it is consumed. */
    public static final class Body extends InputStream {
        private static final Object END = new Object();
        private final Channel channel;
        private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
        private byte[] chunk = new byte[0];
        private int pos;
        private volatile boolean ended;
        private volatile boolean waiting;
        private volatile boolean continueNeeded;

        Body(Channel channel) {
            this.channel = channel;
        }

        void offer(HttpContent c) {
            try {
                if (c.content().isReadable()) {
                    byte[] bytes = new byte[c.content().readableBytes()];
                    c.content().readBytes(bytes);
                    chunks.add(bytes);
                }
                if (c instanceof LastHttpContent) {
                    chunks.add(END);
                }
            } finally {
                c.release();
            }
        }

        void broken(IOException e) {
            chunks.add(e);
        }

        boolean starved() {
            return waiting && chunks.isEmpty();
        }

        /** True once the whole body has been read. */
        public boolean finished() {
            return ended;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (continueNeeded) {
                continueNeeded = false;
                channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER));
            }
            while (pos >= chunk.length) {
                if (ended) {
                    return -1;
                }
                Object next = chunks.poll();
                if (next == null) {
                    waiting = true;
                    channel.eventLoop().execute(channel::read);
                    try {
                        next = chunks.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while reading the request body", e);
                    } finally {
                        waiting = false;
                    }
                }
                if (next == END) {
                    ended = true;
                    return -1;
                }
                if (next instanceof IOException e) {
                    chunks.add(e);
                    throw new IOException(e.getMessage(), e);
                }
                chunk = (byte[]) next;
                pos = 0;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return chunk.length - pos;
        }
    }
}
