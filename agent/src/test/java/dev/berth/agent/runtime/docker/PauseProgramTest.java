package dev.berth.agent.runtime.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class PauseProgramTest {
    @TempDir
    Path dir;

    @Test
    void isAStaticElfExecutableForEachArchitecture() {
        for (String arch : new String[]{"amd64", "arm64"}) {
            ByteBuffer b = ByteBuffer.wrap(PauseProgram.forArchitecture(arch)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt(0)).as(arch).isEqualTo(0x464C457F);               // \x7fELF
            assertThat(b.get(4)).as("64-bit").isEqualTo((byte) 2);
            assertThat(b.getShort(16)).as("ET_EXEC").isEqualTo((short) 2);
            assertThat(b.getShort(18)).as("e_machine").isEqualTo((short) (arch.equals("amd64") ? 0x3E : 0xB7));
            assertThat(b.getLong(24)).as("entry").isEqualTo(PauseProgram.BASE + PauseProgram.CODE_OFFSET);
            assertThat(b.getShort(56)).as("one program header").isEqualTo((short) 1);
            assertThat(b.getInt(64)).as("PT_LOAD").isEqualTo(1);
            assertThat(b.getLong(64 + 32)).as("p_filesz").isEqualTo(b.capacity());
        }
    }

    @Test
    void rejectsArchitecturesItHasNoCodeFor() {
        assertThatThrownBy(() -> PauseProgram.forArchitecture("riscv64"))
                .hasMessageContaining("riscv64").hasMessageContaining("amd64 or arm64");
    }

    @Test
    void encodesAarch64InstructionsAsTheArchitectureManualDoes() {
        assertThat(PauseProgram.movz(8, 134)).isEqualTo(0xD28010C8);  // mov x8, #134
        assertThat(PauseProgram.movz(0, 0)).isEqualTo(0xD2800000);    // mov x0, #0
        assertThat(PauseProgram.adr(1, 8)).isEqualTo(0x10000041);     // adr x1, .+8
        assertThat(PauseProgram.adr(1, 0x5A)).isEqualTo(0x500002C1);  // adr x1, .+0x5a (immlo 2, immhi 0x16)
        assertThat(PauseProgram.branch(0x4C, 0x30)).isEqualTo(0x17FFFFF9); // b .-0x1c
        assertThat(PauseProgram.SVC0).isEqualTo(0xD4000001);
        int[] words = words(PauseProgram.aarch64());
        assertThat(words).contains(0xD28010C8, 0xD2800928, 0xD2800BC8, 0xD2802088); // rt_sigaction, ppoll, exit_group, wait4
        assertThat(PauseProgram.branchGt(0x10, 0x0)).isEqualTo(0x54FFFF8C);  // b.gt .-0x10
        assertThat(words).contains(PauseProgram.MOVN_X0_0, PauseProgram.CMP_X0_0, PauseProgram.RET);
    }

    @Test
    void exitsWithStatusZeroOnSigtermAndSigintAndWaitsOtherwise() throws Exception {
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");
        assumeThat(System.getProperty("os.arch")).isIn("amd64", "x86_64");
        Path pause = dir.resolve("pause");
        Files.write(pause, PauseProgram.forArchitecture("amd64"));
        Files.setPosixFilePermissions(pause, PosixFilePermissions.fromString("rwxr-xr-x"));

        Process term = new ProcessBuilder(pause.toString()).start();
        assertThat(term.waitFor(200, TimeUnit.MILLISECONDS)).as("still waiting").isFalse();
        term.destroy(); // SIGTERM
        assertThat(term.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(term.exitValue()).isZero();

        Process intr = new ProcessBuilder(pause.toString()).start();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(intr.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(intr.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(intr.exitValue()).isZero();
    }

    @Test
    void reapsChildrenItInherits() throws Exception {
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");
        assumeThat(System.getProperty("os.arch")).isIn("amd64", "x86_64");
        Path pause = dir.resolve("pause");
        Files.write(pause, PauseProgram.forArchitecture("amd64"));
        Files.setPosixFilePermissions(pause, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the shell starts a child, then becomes pause (same pid): pause is the child's parent
        Process p = new ProcessBuilder("sh", "-c", "sleep 0.3 & echo $!; exec " + pause).start();
        try {
            String child = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine().strip();
            Path proc = Path.of("/proc", child);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> !Files.exists(proc)); // a zombie would keep its /proc entry
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
    }

    private static int[] words(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int[] w = new int[(elf.length - PauseProgram.CODE_OFFSET) / 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = b.getInt(PauseProgram.CODE_OFFSET + 4 * i);
        }
        return w;
    }
}
