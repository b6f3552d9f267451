package dev.berth.core.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.api.Json;
import dev.berth.core.apiserver.auth.UserInfo;
import dev.berth.core.apiserver.cache.CachedObject;
import dev.berth.core.apiserver.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
            Instant now = Instant.now();
            UserInfo admin = new UserInfo("admin", List.of(UserInfo.MASTERS));
            ResourceStorage.WriteOptions w = new ResourceStorage.WriteOptions(false, TypedCodec.FieldValidation.STRICT,
                    "test", admin, new ArrayList<>());
            storage.create(events, "default", event("once", now), w);
            // an event that recurred 100 s later (the recorder bumps lastTimestamp and count)
            storage.create(events, "default", event("recurring", now.plusSeconds(100)), w);
            // the sweep reads the watch cache, which the store fills asynchronously
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    storage.cache().resource(events.storage()).list(events.keyPrefix()))
                    .extracting(CachedObject::name).contains("once", "recurring"));

            EventExpiry before = new EventExpiry(storage, events, 3600, Clock.fixed(now.plusSeconds(3500), ZoneOffset.UTC));
            assertThat(before.sweep()).isZero();

            EventExpiry after = new EventExpiry(storage, events, 3600, Clock.fixed(now.plusSeconds(3650), ZoneOffset.UTC));
            assertThat(after.sweep()).isEqualTo(1);
            assertThat(storage.find(events, "default", "once")).isNull();
            assertThat(storage.find(events, "default", "recurring")).isNotNull();

            EventExpiry later = new EventExpiry(storage, events, 3600, Clock.fixed(now.plusSeconds(3720), ZoneOffset.UTC));
            assertThat(later.sweep()).isEqualTo(1);
            assertThat(storage.find(events, "default", "recurring")).isNull();
        }
    }
}
