package dev.berth.app.logs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogLineTest {
    @Test
    void aTimestampedLineIsSplitIntoItsTimeAndItsText() {
        LogLine l = LogLine.parse("web-1", "app", "2026-12-02T10:00:01.123456789Z GET /index.html 200");
        assertThat(l.time()).isEqualTo(Instant.parse("2026-12-02T10:00:01.123456789Z"));
        assertThat(l.text()).isEqualTo("GET /index.html 200");
        assertThat(l.format(false, false)).isEqualTo("GET /index.html 200");
        assertThat(l.format(true, false)).isEqualTo("[web-1/app] GET /index.html 200");
        assertThat(l.format(true, true)).isEqualTo("2026-12-02T10:00:01.123456789Z [web-1/app] GET /index.html 200");
    }

    @Test
    void aLineWithoutATimeIsKeptWhole() {
        for (String raw : List.of("200 OK from upstream", "", "plain text", "2026 was a year")) {
            LogLine l = LogLine.parse("p", "c", raw);
            assertThat(l.time()).isNull();
            assertThat(l.text()).isEqualTo(raw);
            assertThat(l.format(false, true)).isEqualTo(raw);
        }
    }

    @Test
    void linesOfSeveralSourcesInterleaveByTimeAndOneSourceKeepsItsOrder() {
        List<LogLine> lines = new ArrayList<>();
        for (String raw : new String[] {"2026-12-02T10:00:01Z a1", "2026-12-02T10:00:03Z a2", "2026-12-02T10:00:03Z a3"}) {
            LogLine l = LogLine.parse("a", "c", raw);
            lines.add(LogLine.insertionPoint(lines, l), l);
        }
        for (String raw : new String[] {"2026-12-02T10:00:00Z b0", "2026-12-02T10:00:03Z b1", "2026-12-02T10:00:04Z b2"}) {
            LogLine l = LogLine.parse("b", "c", raw);
            lines.add(LogLine.insertionPoint(lines, l), l);
        }
        LogLine untimed = LogLine.parse("b", "c", "no time");
        lines.add(LogLine.insertionPoint(lines, untimed), untimed);
        assertThat(lines).extracting(LogLine::text).containsExactly("b0", "a1", "a2", "a3", "b1", "b2", "no time");
    }
}
