package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Events live for the event TTL after they were last seen, then go. */
class EventExpiryIT {
    @TempDir
    Path dir;

    private static ObjectNode event(String name, Instant last) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("apiVersion", "v1");
        e.put("kind", "Event");
        e.putObject("metadata").put("name", name);
        ObjectNode io = e.putObject("involvedObject");
        io.put("kind", "Pod");
        io.put("name", "p");
        io.put("namespace", "default");
        e.put("reason", "Tested");
        e.put("message", "m");
        e.put("type", "Normal");
        e.put("firstTimestamp", last.minusSeconds(60).toString());
        e.put("lastTimestamp", last.toString());
        e.put("count", 2);
        return e;
    }

    @Test
    void deletesEventsLastSeenLongerAgoThanTheTtl() throws Exception {
        try (TestApiServer server = new TestApiServer(dir)) {
            ResourceStorage storage = server.server().storage();
            ResourceType events = server.server().type("", "events");
            Instant now = Instant.parse("2026-01-01T12:00:00Z");
            UserInfo admin = new UserInfo("admin", List.of(UserInfo.MASTERS));
            ResourceStorage.WriteOptions w = new ResourceStorage.WriteOptions(false, TypedCodec.FieldValidation.STRICT,
                    "test", admin, new ArrayList<>());
            storage.create(events, "default", event("old", now.minusSeconds(3601)), w);
            storage.create(events, "default", event("recent", now.minusSeconds(3599)), w);

            EventExpiry expiry = new EventExpiry(storage, events, 3600, Clock.fixed(now, ZoneOffset.UTC));
            assertThat(expiry.sweep()).isEqualTo(1);
            assertThat(storage.find(events, "default", "old")).isNull();
            assertThat(storage.find(events, "default", "recent")).isNotNull();

            EventExpiry later = new EventExpiry(storage, events, 3600, Clock.fixed(now.plusSeconds(2), ZoneOffset.UTC));
            assertThat(later.sweep()).isEqualTo(1);
            assertThat(storage.find(events, "default", "recent")).isNull();
        }
    }
}
