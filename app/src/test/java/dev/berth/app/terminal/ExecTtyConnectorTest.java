package dev.berth.app.terminal;

import com.techsenger.jeditermfx.core.util.TermSize;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecTtyConnectorTest {
    /** An exec whose output the test writes and whose input, resizes and closes the test reads. */
    static final class FakeExec implements ExecStream {
        final PipedOutputStream container = new PipedOutputStream();
        final PipedInputStream output;
        final ByteArrayOutputStream stdin = new ByteArrayOutputStream();
        final List<String> resizes = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final AtomicInteger closes = new AtomicInteger();

        FakeExec() throws IOException {
            output = new PipedInputStream(container, 4096);
        }

        void print(byte... bytes) throws IOException {
            container.write(bytes);
            container.flush();
        }

        @Override public InputStream output() { return output; }
        @Override public OutputStream input() { return stdin; }
        @Override public void resize(int columns, int rows) { resizes.add(columns + "x" + rows); }
        @Override public CompletableFuture<Integer> exitCode() { return exit; }

        @Override
        public void close() {
            closes.incrementAndGet();
            try {
                container.close();
            } catch (IOException ignored) {
                // already closed
            }
            exit.complete(-1);
        }
    }

    static String read(ExecTtyConnector c) throws IOException {
        char[] buf = new char[64];
        int n = c.read(buf, 0, buf.length);
        return n < 0 ? null : new String(buf, 0, n);
    }

    @Test
    void bytesGoBothWays() throws Exception {
        FakeExec exec = new FakeExec();
        ExecTtyConnector c = new ExecTtyConnector(exec, "web-1/app");
        c.write("echo hello\r");
        c.write(new byte[] {0x03});
        assertThat(exec.stdin.toByteArray()).isEqualTo("echo hello\r\u0003".getBytes(StandardCharsets.UTF_8));
        exec.print("hello\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(read(c)).isEqualTo("hello\r\n");
        assertThat(c.getName()).isEqualTo("web-1/app");
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    void typedTextIsSentAsUtf8() throws Exception {
        FakeExec exec = new FakeExec();
        ExecTtyConnector c = new ExecTtyConnector(exec, "p");
        c.write("é€");
        assertThat(exec.stdin.toByteArray()).containsExactly(0xC3 - 256, 0xA9 - 256, 0xE2 - 256, 0x82 - 256, 0xAC - 256);
    }

    @Test
    void aCharacterSplitAcrossReadsIsDecodedWhenItsLastByteComes() throws Exception {
        FakeExec exec = new FakeExec();
        ExecTtyConnector c = new ExecTtyConnector(exec, "p");
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        exec.print((byte) 'a', euro[0], euro[1]);
        assertThat(read(c)).isEqualTo("a");
        exec.print(euro[2], (byte) 'b');
        StringBuilder rest = new StringBuilder();
        while (rest.length() < 2) {
            rest.append(read(c));
        }
        assertThat(rest.toString()).isEqualTo("€b").doesNotContain("\uFFFD");
    }

    @Test
    void resizeGoesToTheExecsResizeChannelWhileConnected() throws Exception {
        FakeExec exec = new FakeExec();
        ExecTtyConnector c = new ExecTtyConnector(exec, "p");
        c.resize(new TermSize(120, 40));
        c.resize(new TermSize(0, 0));
        assertThat(exec.resizes).containsExactly("120x40");
        exec.exit.complete(0);
        c.resize(new TermSize(80, 24));
        assertThat(exec.resizes).containsExactly("120x40");
    }

    @Test
    void theSessionEndsWithTheExecsExitCode() throws Exception {
        FakeExec exec = new FakeExec();
        ExecTtyConnector c = new ExecTtyConnector(exec, "p");
        exec.print("bye\n".getBytes(StandardCharsets.UTF_8));
        exec.exit.complete(3);
        exec.container.close();
        assertThat(c.isConnected()).isFalse();
        assertThat(c.waitFor()).isEqualTo(3);
        assertThat(read(c)).isEqualTo("bye\n");
        assertThat(read(c)).isNull();
    }

    @Test
    void closingEndsTheExecOnceAndAWaitingReadEnds() throws Exception {
        FakeExec exec = new FakeExec();
        ExecTtyConnector c = new ExecTtyConnector(exec, "p");
        CompletableFuture<String> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return String.valueOf(read(c));
            } catch (IOException e) {
                return "error " + e.getMessage();
            }
        });
        c.close();
        c.close();
        assertThat(exec.closes).hasValue(1);
        assertThat(c.isConnected()).isFalse();
        assertThat(pending.get()).isEqualTo("null");
        c.write("ignored");
        assertThat(exec.stdin.size()).isZero();
    }

    @Test
    void fabric8ExecNeedsACommand() {
        assertThatThrownBy(() -> Fabric8Exec.open(null, "default", "p", null, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("command: Required value: a command to run in the container, such as /bin/sh");
    }
}
