package dev.berth.core.apiserver.audit;

import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditLogTest {
    @TempDir
    Path dir;

    private static byte[] line(int i) {
        return ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(80) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private List<String> allLines() throws Exception {
        List<String> out = new ArrayList<>();
        for (Path p : AuditLog.backups(dir)) {
            out.addAll(Files.readAllLines(p));
        }
        out.addAll(Files.readAllLines(dir.resolve(AuditLog.FILE)));
        return out;
    }

    @Test
    void closeWritesEveryQueuedEventInOrder() throws Exception {
        AuditLog log = new AuditLog(dir, AuditLog.Settings.defaults(), new FakeClock());
        IntStream.range(0, 5000).forEach(i -> log.record(line(i)));
        log.close();
        List<String> lines = Files.readAllLines(log.file());
        assertThat(lines).hasSize(5000);
        assertThat(lines.getFirst()).startsWith("{\"n\":0,");
        assertThat(lines.getLast()).startsWith("{\"n\":4999,");
    }

    @Test
    void rotatesBySizeAndKeepsOnlyTheNewestFiles() throws Exception {
        AuditLog log = new AuditLog(dir, new AuditLog.Settings(1024, 2, 100), new FakeClock());
        IntStream.range(0, 100).forEach(i -> log.record(line(i)));
        log.close();
        List<Path> backups = AuditLog.backups(dir);
        assertThat(backups).hasSize(2);
        assertThat(backups).allSatisfy(p -> assertThat(Files.size(p)).isLessThanOrEqualTo(1024));
        assertThat(backups.getFirst().getFileName().toString()).matches("audit-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}\\.log");
        List<String> kept = allLines();
        // the newest events survive, in order, none twice
        assertThat(kept.getLast()).startsWith("{\"n\":99,");
        List<Integer> numbers = kept.stream().map(l -> Integer.parseInt(l.substring(5, l.indexOf(',')))).toList();
        assertThat(numbers).isSorted().doesNotHaveDuplicates();
        assertThat(numbers.getFirst()).isGreaterThan(0);
    }

    @Test
    void appendsToTheFileOfAnEarlierRun() throws Exception {
        AuditLog first = new AuditLog(dir, AuditLog.Settings.defaults(), new FakeClock());
        first.record(line(1));
        first.close();
        AuditLog second = new AuditLog(dir, AuditLog.Settings.defaults(), new FakeClock());
        second.record(line(2));
        second.close();
        assertThat(Files.readAllLines(dir.resolve(AuditLog.FILE))).hasSize(2);
    }

    @Test
    void anEventAfterCloseIsStillWritten() throws Exception {
        AuditLog log = new AuditLog(dir, AuditLog.Settings.defaults(), new FakeClock());
        log.close();
        log.record(line(7));
        assertThat(Files.readAllLines(log.file())).containsExactly(new String(line(7), StandardCharsets.UTF_8));
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new AuditLog.Settings(10, 1, 1))
                .hasMessage("audit log maxFileBytes: invalid value 10: must be at least 1024");
        assertThatThrownBy(() -> new AuditLog.Settings(4096, -1, 1))
                .hasMessage("audit log maxBackups: invalid value -1: must not be negative");
    }
}
