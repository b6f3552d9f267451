package dev.berth.agent.prober;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * kubelet's HTTP probe ({@code pkg/probe/http}) on Netty's HTTP codec: GET with
 * {@code User-Agent: kube-probe/<version>} and {@code Accept: *}{@code /*} unless the probe sets
 * them, no keep-alive, no compression, TLS without certificate verification; 200-399 passes;
 * redirects are followed (at most 10) while they stay on the same host, and a redirect elsewhere
 * ends the probe with a warning; at most 10 KiB of the body is read; the whole exchange,
 * redirects included, must finish within the timeout.
 */
final class HttpGetProber {
    static final int MAX_BODY_BYTES = 10 * 1024;
    static final int MAX_REDIRECTS = 10;

    private final EventLoopGroup group;
    private volatile SslContext insecureTls;
    private final String userAgent;

    /** One request header of the probe, in order; repeated names are all sent. */
    record Header(String name, String value) {
    }

    HttpGetProber(EventLoopGroup group, String userAgent) {
        this.group = group;
        this.userAgent = userAgent;
    }

    /** Made on the first HTTPS probe: most nodes never need it. */
    private SslContext insecureTls() throws IOException {
        SslContext tls = insecureTls;
        if (tls == null) {
            synchronized (this) {
                if (insecureTls == null) {
                    try {
                        insecureTls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
                    } catch (SSLException e) {
                        throw new IOException("tls: cannot set up TLS for HTTPS probes: " + e.getMessage(), e);
                    }
                }
                tls = insecureTls;
            }
        }
        return tls;
    }

    /** The URL kubelet builds: {@code scheme://host:port} then the path (a leading slash added). */
    static String url(String scheme, String host, int port, String path) {
        String p = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
        return scheme.toLowerCase(Locale.ROOT) + "://" + GoText.joinHostPort(host, port) + p;
    }

    ProbeResult probe(String url, List<Header> probeHeaders, Duration timeout) throws ProbeException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI first;
        try {
            first = new URI(url);
        } catch (URISyntaxException e) {
            return ProbeResult.failure("parse " + GoText.quote(url) + ": " + e.getReason());
        }
        String customHost = null;
        boolean hasUserAgent = false;
        String accept = null;
        boolean acceptGiven = false;
        for (Header h : probeHeaders) {
            if (h.name().equalsIgnoreCase("Host") && customHost == null) {
                customHost = h.value();
            } else if (h.name().equalsIgnoreCase("User-Agent")) {
                hasUserAgent = true;
            } else if (h.name().equalsIgnoreCase("Accept") && !acceptGiven) {
                acceptGiven = true;
                accept = h.value();
            }
        }
        URI current = first;
        String hostHeader = customHost;
        for (int redirects = 0; ; redirects++) {
            String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return ProbeResult.failure("Get " + GoText.quote(current.toString()) + ": unsupported protocol scheme "
                        + GoText.quote(scheme));
            }
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    pathAndQuery(current), Unpooled.EMPTY_BUFFER);
            for (Header h : probeHeaders) {
                if (!h.name().equalsIgnoreCase("Host") && !(h.name().equalsIgnoreCase("Accept") && accept != null && accept.isEmpty())) {
                    request.headers().add(h.name(), h.value());
                }
            }
            request.headers().set(HttpHeaderNames.HOST, hostHeader != null ? hostHeader : current.getRawAuthority());
            if (!hasUserAgent) {
                request.headers().set(HttpHeaderNames.USER_AGENT, userAgent);
            }
            if (!acceptGiven) {
                request.headers().set(HttpHeaderNames.ACCEPT, "*/*");
            }
            request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

            Response response;
            try {
                response = exchange(current, request, deadline);
            } catch (TimeoutException e) {
                return ProbeResult.failure("Get " + GoText.quote(current.toString())
                        + ": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
            } catch (IOException e) {
                return ProbeResult.failure("Get " + GoText.quote(current.toString()) + ": " + e.getMessage());
            } catch (BodyTimeoutException e) {
                throw new ProbeException("context deadline exceeded (Client.Timeout or context cancellation while reading body)");
            }
            int status = response.status();
            if (isRedirect(status) && response.location() != null) {
                URI next;
                boolean relative;
                try {
                    URI location = new URI(response.location());
                    relative = !location.isAbsolute();
                    next = current.resolve(location);
                } catch (URISyntaxException | IllegalArgumentException e) {
                    return ProbeResult.failure("Get " + GoText.quote(response.location()) + ": failed to parse Location header "
                            + GoText.quote(response.location()));
                }
                // kubelet does not follow redirects to another host: the 3xx is the answer
                if (sameHost(first, next)) {
                    // Go's client gives up when the 10th response is still a redirect
                    if (redirects + 1 >= MAX_REDIRECTS) {
                        return ProbeResult.failure("Get " + GoText.quote(next.toString()) + ": stopped after 10 redirects");
                    }
                    // a custom Host survives only a relative redirect, as in Go's client
                    hostHeader = customHost != null && relative ? customHost : null;
                    current = next;
                    continue;
                }
            }
            String body = response.body();
            if (status >= 200 && status < 400) {
                if (status >= 300) {
                    return ProbeResult.warning("Probe terminated redirects, Response body: " + body);
                }
                return ProbeResult.success(body);
            }
            // kubelet keeps the body out of this message on purpose (it may hold secrets)
            return ProbeResult.failure("HTTP probe failed with statuscode: " + status);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && b.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost());
    }

    private static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private record Response(int status, String location, String body) {
    }

    /** The status line and headers came, the body did not, in time. */
    private static final class BodyTimeoutException extends Exception {
    }

    private Response exchange(URI uri, FullHttpRequest request, long deadline)
            throws TimeoutException, IOException, BodyTimeoutException {
        String host = uri.getHost();
        if (host == null) {
            throw new IOException("no Host in request URL");
        }
        String connectHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = port(uri);
        String hostPort = GoText.joinHostPort(connectHost, port);
        SslContext tls = "https".equalsIgnoreCase(uri.getScheme()) ? insecureTls() : null;
        Collector collector = new Collector();
        long remainingMillis = remainingMillis(deadline);
        if (remainingMillis <= 0) {
            throw new TimeoutException();
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, remainingMillis))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), connectHost, port));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), collector);
                    }
                });
        Channel channel = null;
        try {
            ChannelFuture connect = bootstrap.connect(connectHost, port);
            if (!connect.await(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                connect.cancel(false);
                throw new TimeoutException();
            }
            channel = connect.channel();
            if (!connect.isSuccess()) {
                if (connect.cause() instanceof io.netty.channel.ConnectTimeoutException) {
                    throw new TimeoutException();
                }
                throw new IOException(GoText.dialError(hostPort, connect.cause()));
            }
            channel.writeAndFlush(request);
            try {
                return collector.result.get(Math.max(0, remainingMillis(deadline)), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (collector.status > 0) {
                    throw new BodyTimeoutException();
                }
                throw e;
            } catch (ExecutionException e) {
                throw new IOException(describe(e.getCause()), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("probe interrupted", e);
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private static long remainingMillis(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static String describe(Throwable e) {
        Throwable root = GoText.rootCause(e);
        if (root instanceof javax.net.ssl.SSLException) {
            return "tls: " + root.getMessage();
        }
        if (root instanceof java.nio.channels.ClosedChannelException || root instanceof EofException) {
            return "EOF";
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static final class EofException extends IOException {
        EofException() {
            super("EOF");
        }
    }

    /** Reads the status, the Location and up to {@link #MAX_BODY_BYTES} of the body. */
    private static final class Collector extends SimpleChannelInboundHandler<HttpObject> {
        final CompletableFuture<Response> result = new CompletableFuture<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        volatile int status;
        private String location;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (result.isDone()) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                result.completeExceptionally(new IOException("net/http: HTTP/1.x transport connection broken: malformed HTTP response ("
                        + msg.decoderResult().cause().getMessage() + ")"));
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                location = response.headers().get(HttpHeaderNames.LOCATION);
                status = response.status().code();
            }
            if (msg instanceof HttpContent content) {
                ByteBuf buf = content.content();
                int take = Math.min(buf.readableBytes(), MAX_BODY_BYTES - body.size());
                if (take > 0) {
                    byte[] bytes = new byte[take];
                    buf.getBytes(buf.readerIndex(), bytes);
                    body.writeBytes(bytes);
                }
                if (msg instanceof LastHttpContent || body.size() >= MAX_BODY_BYTES) {
                    result.complete(new Response(status, location, body.toString(StandardCharsets.UTF_8)));
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (status > 0) {
                // a body ending with the connection (no length given) is complete
                result.complete(new Response(status, location, body.toString(StandardCharsets.UTF_8)));
            } else {
                result.completeExceptionally(new EofException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Headers of the probe as given, for {@link #probe}. */
    static List<Header> headers(List<io.fabric8.kubernetes.api.model.HTTPHeader> given) {
        if (given == null) {
            return List.of();
        }
        return given.stream().filter(h -> h.getName() != null && !h.getName().isEmpty())
                .map(h -> new Header(h.getName(), h.getValue() == null ? "" : h.getValue())).toList();
    }
}
