package dev.berth.app.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ImagePushCommandTest {
    @Test
    void referencesSplitIntoRepositoryAndTagWithLatestAsTheDefault() {
        assertThat(ImagePushCommand.reference("busybox")).containsExactly("busybox", "latest");
        assertThat(ImagePushCommand.reference("lab/app:1.2")).containsExactly("lab/app", "1.2");
        assertThat(ImagePushCommand.reference("registry.local:5000/app")).containsExactly("registry.local:5000/app", "latest");
        assertThat(ImagePushCommand.reference("registry.local:5000/app:v2")).containsExactly("registry.local:5000/app", "v2");
        assertThat(ImagePushCommand.reference("app:")).isNull();
        assertThat(ImagePushCommand.reference("app@sha256:abc")).isNull();
        assertThat(ImagePushCommand.reference("has space")).isNull();
    }

    @Test
    void nodeAndAllAreExclusive() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new BerthCommand()).setErr(new PrintWriter(err))
                .execute("image", "push", "app:1", "--node", "a", "--all");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void anInvalidImageIsRejectedNamingTheRule() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new BerthCommand()).setErr(new PrintWriter(err))
                .execute("image", "push", "app@sha256:abc", "--node", "a");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("app@sha256:abc").contains("REPOSITORY[:TAG]");
    }

    @Test
    void helpDescribesThePush() {
        StringWriter out = new StringWriter();
        new CommandLine(new BerthCommand()).setOut(new PrintWriter(out)).execute("image", "push", "--help");
        assertThat(out.toString()).contains("--node").contains("--all").contains("--kubeconfig").contains("docker save");
    }
}
