package dev.berth.core.controller.runtime;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes Events through the API, on a background thread so that recording never blocks a
 * reconcile. Like client-go's event correlator, a repeat of an event (same object, type, reason
 * and message, from the same component) increments the {@code count} and moves
 * {@code lastTimestamp} of the Event already written instead of writing a new one.
 */
public final class ApiEventRecorder implements EventRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiEventRecorder.class);
    /** Pending events beyond this are dropped (and counted) rather than held without bound. */
    static final int MAX_PENDING = 10_000;
    /** Repeats are recognised among this many recent events, as client-go's LRU of 4096. */
    static final int CACHE_SIZE = 4096;

    private final KubernetesClient client;
    private final Clock clock;
    private final String component;
    private final String instance;
    private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>(MAX_PENDING);
    private final Map<String, Written> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    private final Thread writer;
    private volatile boolean closed;
    private long dropped;
    private long sequence;

    private record Pending(ObjectReference regarding, String type, String reason, String message, Instant at) {
    }

    private record Written(String namespace, String name, int count, String firstTimestamp) {
    }

    public ApiEventRecorder(KubernetesClient client, Clock clock, String component) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.component = Objects.requireNonNull(component, "component");
        this.instance = component + "-" + ProcessHandle.current().pid();
        this.writer = Thread.ofVirtual().name("events-" + component).start(this::run);
    }

    @Override
    public void event(HasMetadata regarding, String type, String reason, String message) {
        if (closed || regarding == null || regarding.getMetadata() == null) {
            return;
        }
        if (!pending.offer(new Pending(reference(regarding), type, reason, message, clock.instant()))) {
            synchronized (this) {
                if (dropped++ % 1000 == 0) {
                    log.warn("{} events dropped: more than {} waiting to be written", dropped, MAX_PENDING);
                }
            }
        }
    }

    static ObjectReference reference(HasMetadata obj) {
        return new ObjectReferenceBuilder()
                .withApiVersion(obj.getApiVersion())
                .withKind(obj.getKind())
                .withNamespace(obj.getMetadata().getNamespace())
                .withName(obj.getMetadata().getName())
                .withUid(obj.getMetadata().getUid())
                .withResourceVersion(obj.getMetadata().getResourceVersion())
                .build();
    }

    private void run() {
        while (!closed || !pending.isEmpty()) {
            try {
                Pending p = pending.poll(200, TimeUnit.MILLISECONDS);
                if (p != null) {
                    write(p);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("event not written: {}", e.toString());
            }
        }
    }

    private void write(Pending p) {
        String namespace = p.regarding().getNamespace() == null || p.regarding().getNamespace().isEmpty()
                ? "default" : p.regarding().getNamespace();
        String key = String.join("\u0000", namespace, p.regarding().getKind(), p.regarding().getName(),
                String.valueOf(p.regarding().getUid()), p.type(), p.reason(), p.message());
        String now = timestamp(p.at());
        Written seen = recent.get(key);
        if (seen != null) {
            int count = seen.count() + 1;
            try {
                client.v1().events().inNamespace(seen.namespace()).withName(seen.name())
                        .edit(e -> new EventBuilder(e).withCount(count).withLastTimestamp(now).build());
                recent.put(key, new Written(seen.namespace(), seen.name(), count, seen.firstTimestamp()));
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
                recent.remove(key); // expired or deleted: write a new one
            }
        }
        // client-go names events NAME.<unix nanos in hex>; a sequence keeps names unique within a millisecond
        String name = p.regarding().getName() + "." + Long.toHexString(p.at().toEpochMilli() * 1_000_000L + (sequence++ % 1_000_000L));
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withInvolvedObject(p.regarding())
                .withType(p.type())
                .withReason(p.reason())
                .withMessage(p.message())
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component)
                .withReportingInstance(instance)
                .build();
        client.v1().events().inNamespace(namespace).resource(event).create();
        recent.put(key, new Written(namespace, name, 1, now));
    }

    private static String timestamp(Instant at) {
        return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Stops accepting events and writes those pending, waiting up to two seconds. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(java.time.Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }
}
