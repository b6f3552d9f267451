package dev.berth.app.cli;

import dev.berth.core.apiserver.audit.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

class AuditCommandTest {
    @TempDir
    Path dataDir;

    private String tail(String... args) {
        AuditCommand.Tail tail = new AuditCommand.Tail();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        tail.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = new CommandLine(tail).execute(args);
        assertThat(code).isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tailPrintsTheLastEventsAsTextOrAsWritten() {
        AuditLog log = new AuditLog(dataDir.resolve("audit"), AuditLog.Settings.defaults(), Clock.systemUTC());
        for (String user : new String[] {"ann", "bob", "cat"}) {
            log.record(("{\"kind\":\"Event\",\"verb\":\"delete\",\"user\":{\"username\":\"" + user + "\"},"
                    + "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"web\"},"
                    + "\"responseStatus\":{\"code\":200},\"stageTimestamp\":\"2026-12-02T12:00:00.000000Z\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        log.close();
        String text = tail("--data-dir", dataDir.toString(), "-n", "2");
        assertThat(text.lines()).containsExactly(
                "2026-12-02T12:00:00.000000Z  bob  delete  pods default/web  200",
                "2026-12-02T12:00:00.000000Z  cat  delete  pods default/web  200");
        String json = tail("--data-dir", dataDir.toString(), "-n", "1", "-o", "json");
        assertThat(json.lines()).singleElement().asString().startsWith("{\"kind\":\"Event\"").contains("\"cat\"");
    }

    @Test
    void aBadOutputFormatIsRefusedNamingTheOption() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new BerthCommand()).setErr(new PrintWriter(err))
                .execute("audit", "tail", "--data-dir", dataDir.toString(), "-o", "yaml");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--output: invalid value \"yaml\": must be text or json");
    }
}
