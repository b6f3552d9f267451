package dev.berth.agent.runtime.docker;

import dev.berth.agent.testing.TestDocker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The local busybox test image runs a shell, with no registry involved. */
class BusyboxImageIT {
    @Test
    void buildsAndRunsTheBusyboxTestImage() throws Exception {
        String image = TestDocker.busybox();
        String prefix = TestDocker.runPrefix();
        try {
            TestDocker.Result r = TestDocker.docker("run", "--name", prefix + "hello", "--pull", "never", image,
                    "sh", "-c", "echo hello from $(hostname | wc -c) && ls /bin/sleep");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("hello from").contains("/bin/sleep");
        } finally {
            TestDocker.removeAll(prefix);
        }
        assertThat(TestDocker.docker("ps", "-aq", "--filter", "name=" + prefix).output()).isBlank();
    }
}
