package dev.berth.agent.runtime.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerRuntimeTest {
    @Test
    void namesArchitecturesAsGoDoes() {
        assertThat(DockerRuntime.goArch("x86_64")).isEqualTo("amd64");
        assertThat(DockerRuntime.goArch("aarch64")).isEqualTo("arm64");
        assertThat(DockerRuntime.goArch("armv7l")).isEqualTo("arm");
    }

    @Test
    void pullsLatestOnlyWhenTheReferenceHasNoTagOrDigest() {
        assertThat(DockerRuntime.withDefaultTag("busybox")).isEqualTo("busybox:latest");
        assertThat(DockerRuntime.withDefaultTag("localhost:5000/team/app")).isEqualTo("localhost:5000/team/app:latest");
        assertThat(DockerRuntime.withDefaultTag("localhost:5000/app:1.2")).isEqualTo("localhost:5000/app:1.2");
        assertThat(DockerRuntime.withDefaultTag("app@sha256:abc")).isEqualTo("app@sha256:abc");
    }

    @Test
    void bridgeInterfaceNamesFitLinuxsFifteenCharactersAndDiffer() {
        String a = DockerRuntime.bridgeName("berth-test-abcdef-pods");
        String b = DockerRuntime.bridgeName("berth-test-abcdee-pods");
        assertThat(a).hasSize(15).startsWith("berth").isNotEqualTo(b);
    }

    @Test
    void reportsTheEnginesOwnMessage() {
        var e = new NotFoundException("Status 404: {\"message\":\"No such container: abc\"}\n");
        assertThat(DockerRuntime.engineMessage(e)).isEqualTo("No such container: abc");
    }

    @Test
    void rejectsBadConstructorArgumentsNamingThem() {
        assertThatThrownBy(() -> new DockerRuntime(URI.create("http://x"), "p-", "n"))
                .hasMessageContaining("docker host http://x").hasMessageContaining("unix://");
        assertThatThrownBy(() -> new DockerRuntime(URI.create("unix:///var/run/docker.sock"), "bad prefix", "n"))
                .hasMessageContaining("name prefix \"bad prefix\"");
        assertThatThrownBy(() -> new DockerRuntime(URI.create("unix:///var/run/docker.sock"), "p-", " "))
                .hasMessageContaining("node name");
    }

    @Test
    void pipeHandsBytesAcrossThreadsAndEndsWhenTheWriterCloses() throws Exception {
        BytePipe pipe = new BytePipe(4);
        OutputStream out = pipe.sink();
        InputStream in = pipe.source();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        out.write("hello, pipe".getBytes());   // more than the buffer holds: the writer waits for the reader
        pipe.closeWriter();
        assertThat(new String(read.get())).isEqualTo("hello, pipe");
    }

    @Test
    void pipeHandsOverWhatWasWrittenBeforeReportingAFailure() throws Exception {
        BytePipe pipe = new BytePipe(16);
        pipe.offer("partial".getBytes(), 0, 7);
        pipe.fail(new java.io.IOException("engine went away"));
        byte[] buf = new byte[16];
        assertThat(pipe.source().read(buf)).isEqualTo(7);
        assertThatThrownBy(() -> pipe.source().read(buf)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("engine went away");
    }

    @Test
    void aFailureAfterTheEndIsNotReported() throws Exception {
        BytePipe pipe = new BytePipe(16);
        pipe.offer("all".getBytes(), 0, 3);
        pipe.closeWriter();
        pipe.fail(new java.io.IOException("closed by us at the byte limit"));
        assertThat(new String(pipe.source().readAllBytes())).isEqualTo("all");
    }

    @Test
    void offerGrowsTheBufferInsteadOfBlocking() throws Exception {
        BytePipe pipe = new BytePipe(2);
        assertThat(pipe.offer("more than two".getBytes(), 0, 13)).isEqualTo(13);
        pipe.closeWriter();
        assertThat(new String(pipe.source().readAllBytes())).isEqualTo("more than two");
    }

    @Test
    void pipeDropsWritesOnceTheReaderHasGone() throws Exception {
        boolean[] stopped = {false};
        BytePipe pipe = new BytePipe(2, () -> stopped[0] = true);
        pipe.source().close();
        pipe.sink().write("no one reads this".getBytes()); // must not block
        assertThat(stopped[0]).isTrue();
    }
}
