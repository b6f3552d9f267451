package dev.berth.core.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StreamedBodyTest {
    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new StreamedBody(r -> r.uri().startsWith("/upload")), new HttpObjectAggregator(16));
    }

    private static HttpRequest post(String uri) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        return r;
    }

    private static DefaultHttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Test
    void aChosenRequestPassesWithAnEmptyBodyAndItsBodyStreamsPastTheAggregatorsLimit() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(post("/upload?x=1"));
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed.uri()).isEqualTo("/upload?x=1");
        assertThat(passed.content().readableBytes()).isZero();
        assertThat(ch.config().isAutoRead()).as("the consumer decides when to read").isFalse();
        StreamedBody.Body body = StreamedBody.take(ch);
        assertThat(body).isNotNull();
        ch.writeInbound(chunk("0123456789"), chunk("abcdefghij"),
                new DefaultLastHttpContent(Unpooled.copiedBuffer("KLMNOPQRST", StandardCharsets.UTF_8)));
        assertThat((Object) ch.readInbound()).as("body chunks are not passed on").isNull();
        assertThat(body.finished()).isFalse();
        assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("0123456789abcdefghijKLMNOPQRST");
        assertThat(body.finished()).isTrue();
        passed.release();
    }

    @Test
    void otherRequestsAreAggregatedAsBefore() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(post("/other"), chunk("small"), LastHttpContent.EMPTY_LAST_CONTENT);
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed.content().toString(StandardCharsets.UTF_8)).isEqualTo("small");
        assertThat(StreamedBody.take(ch)).isNull();
        passed.release();
    }

    @Test
    void continueIsSentOnlyWhenTheBodyIsFirstRead() throws Exception {
        EmbeddedChannel ch = channel();
        HttpRequest r = post("/upload");
        r.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        ch.writeInbound(r);
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed.headers().contains(HttpHeaderNames.EXPECT)).isFalse();
        assertThat((Object) ch.readOutbound()).as("nothing is said before the body is wanted").isNull();
        StreamedBody.Body body = StreamedBody.take(ch);
        ch.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("tar", StandardCharsets.UTF_8)));
        assertThat(body.readAllBytes()).hasSize(3);
        HttpResponse cont = ch.readOutbound();
        assertThat(cont.status().code()).isEqualTo(100);
        passed.release();
    }

    @Test
    void aConnectionClosedMidBodyIsAnErrorForTheReader() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(post("/upload"), chunk("part"));
        FullHttpRequest passed = ch.readInbound();
        StreamedBody.Body body = StreamedBody.take(ch);
        ch.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(body::readAllBytes)
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("before sending the whole request body");
        passed.release();
    }
}
