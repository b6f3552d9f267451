package dev.berth.core.apiserver.audit;

import dev.berth.core.controller.runtime.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class AuditReaderTest {
    @TempDir
    Path dir;

    private static String event(int i) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"create\",\"user\":{\"username\":\"ann\"},"
                + "\"objectRef\":{\"resource\":\"deployments\",\"namespace\":\"team-a\",\"name\":\"web-" + i
                + "\",\"apiGroup\":\"apps\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":201},"
                + "\"stageTimestamp\":\"2026-12-02T12:30:00.000000Z\"}";
    }

    @Test
    void lastReadsAcrossRotatedFilesOldestFirst() throws Exception {
        AuditLog log = new AuditLog(dir, new AuditLog.Settings(2048, 5, 100), new FakeClock());
        IntStream.range(0, 40).forEach(i -> log.record(event(i).getBytes(StandardCharsets.UTF_8)));
        log.close();
        assertThat(AuditLog.backups(dir)).hasSizeGreaterThan(1);
        List<String> last = new AuditReader(dir).last(15);
        assertThat(last).hasSize(15);
        assertThat(last.getFirst()).contains("\"web-25\"");
        assertThat(last.getLast()).contains("\"web-39\"");
        assertThat(new AuditReader(dir.resolve("none")).last(5)).isEmpty();
    }

    @Test
    void describesAnEventOnOneLineForPeople() {
        assertThat(AuditReader.describe(event(1)))
                .isEqualTo("2026-12-02T12:30:00.000000Z  ann  create  deployments.apps team-a/web-1  201");
        String refused = "{\"kind\":\"Event\",\"verb\":\"list\",\"requestURI\":\"/api/v1/secrets\",\"user\":{\"username\":\"bob\"},"
                + "\"impersonatedUser\":{\"username\":\"cat\"},\"objectRef\":{\"resource\":\"secrets\",\"apiVersion\":\"v1\"},"
                + "\"responseStatus\":{\"code\":403,\"reason\":\"Forbidden\"},\"stageTimestamp\":\"t\"}";
        assertThat(AuditReader.describe(refused)).isEqualTo("t  bob (as cat)  list  secrets  403 Forbidden");
        assertThat(AuditReader.describe("not json")).isEqualTo("not json");
    }
}
