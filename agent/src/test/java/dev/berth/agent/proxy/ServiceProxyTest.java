package dev.berth.agent.proxy;

import dev.berth.agent.AgentOptions;
import dev.berth.agent.network.HostCommand;
import dev.berth.agent.proxy.ProxyFixtures.Ep;
import dev.berth.core.controller.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.berth.agent.proxy.ProxyFixtures.service;
import static dev.berth.agent.proxy.ProxyFixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ServiceProxyTest {
    private final FakeClock clock = new FakeClock();
    private final FakeSource source = new FakeSource();
    private final Recording dataplane = new Recording();
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final ServiceProxy proxy = new ServiceProxy(new ProxyModel.Settings("n1", "10.43.0.10", "10.42.1.1"), source,
            dataplane, clock, reported::add);

    @AfterEach
    void close() {
        proxy.close();
    }

    static final class FakeSource implements ServiceProxy.Source {
        volatile boolean synced;
        final List<Service> services = new CopyOnWriteArrayList<>();
        final List<EndpointSlice> slices = new CopyOnWriteArrayList<>();

        @Override
        public boolean synced() {
            return synced;
        }

        @Override
        public List<Service> services() {
            return List.copyOf(services);
        }

        @Override
        public List<EndpointSlice> endpointSlices() {
            return List.copyOf(slices);
        }

        @Override
        public List<Pod> pods() {
            return List.of();
        }
    }

    static final class Recording implements ProxyDataplane {
        record Call(ProxyTable table, boolean resync) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();
        volatile int failures;

        @Override
        public String mode() {
            return "recording";
        }

        @Override
        public void program(ProxyTable table, boolean resync) {
            if (failures > 0) {
                failures--;
                throw new IllegalStateException("iptables-restore failed with exit code 4: resource busy");
            }
            calls.add(new Call(table, resync));
        }
    }

    @Test
    void nothingIsProgrammedBeforeTheCachesHaveSyncedSoARestartNeverRemovesRules() {
        source.services.add(service("default", "web", "10.43.0.5", ":80").build());
        assertThat(proxy.syncNow()).isTrue();
        assertThat(dataplane.calls).isEmpty();
        assertThat(reported).containsExactly("recording");
        source.synced = true;
        assertThat(proxy.syncNow()).isTrue();
        assertThat(dataplane.calls).singleElement().satisfies(c -> assertThat(c.table().services())
                .anyMatch(p -> p.name().equals("web")));
        assertThat(reported).containsExactly("recording");
    }

    @Test
    void aFullResyncIsAskedAtTheStartAndThenEveryPeriodByTheClock() {
        source.synced = true;
        proxy.syncNow();
        proxy.syncNow();
        clock.advance(ServiceProxy.RESYNC_PERIOD.minusSeconds(1));
        proxy.syncNow();
        clock.advance(Duration.ofSeconds(1));
        proxy.syncNow();
        proxy.syncNow();
        assertThat(dataplane.calls).extracting(Recording.Call::resync).containsExactly(true, false, false, true, false);
    }

    @Test
    void eachRunProgramsTheCurrentStateOfTheCaches() {
        source.synced = true;
        source.services.add(service("default", "web", "10.43.0.5", ":80").build());
        source.slices.add(slice("default", "web", "s", List.of(":80"), Ep.ready("10.42.1.7")));
        proxy.syncNow();
        source.slices.set(0, slice("default", "web", "s", List.of(":80"), Ep.notReady("10.42.1.7"), Ep.ready("10.42.2.8")));
        proxy.syncNow();
        source.services.clear();
        proxy.syncNow();
        assertThat(dataplane.calls).extracting(c -> c.table().services().stream().filter(p -> p.name().equals("web"))
                .map(p -> p.endpoints().toString()).toList())
                .containsExactly(List.of("[10.42.1.7:80]"), List.of("[10.42.2.8:80]"), List.of());
    }

    @Test
    void aFailedRunIsReportedForARetryAndTheNextOneProgramsAgain() {
        source.synced = true;
        dataplane.failures = 1;
        assertThat(proxy.syncNow()).isFalse();
        assertThat(proxy.programmed()).isNull();
        assertThat(proxy.syncNow()).isTrue();
        // the failed run did not count as the start's resync
        assertThat(dataplane.calls).extracting(Recording.Call::resync).containsExactly(true);
        assertThat(proxy.programmedCount()).isEqualTo(1);
    }

    @Test
    void aModeThatCannotBeWrittenToTheNodeIsTriedAgainWithoutHoldingUpTheRules() {
        List<String> attempts = new ArrayList<>();
        ServiceProxy p = new ServiceProxy(new ProxyModel.Settings("n1", "10.43.0.10", "10.42.1.1"), source, dataplane, clock,
                mode -> {
                    attempts.add(mode);
                    if (attempts.size() == 1) throw new IllegalStateException("connection refused");
                });
        try {
            source.synced = true;
            assertThat(p.syncNow()).isFalse();
            assertThat(dataplane.calls).hasSize(1);
            assertThat(p.syncNow()).isTrue();
            p.syncNow();
            assertThat(attempts).containsExactly("recording", "recording");
        } finally {
            p.close();
        }
    }

    @Test
    void aBurstOfEventsIsProgrammedInFewRuns() {
        source.synced = true;
        for (int i = 0; i < 200; i++) {
            proxy.requestSync();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> dataplane.calls.size() >= 1);
        assertThat(dataplane.calls.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void modeSelectionFollowsTheOption() {
        AgentOptions options = AgentOptions.defaults(Path.of("/tmp/kubeconfig")).withNodeName("n1");
        // a namespace that does not exist: iptables-restore cannot run there
        HostCommand broken = new HostCommand("/var/run/netns/berth-test-no-such-netns", Duration.ofSeconds(10));
        assertThat(ServiceProxy.dataplane(options.withProxyMode(AgentOptions.ProxyMode.USERSPACE), broken).mode())
                .isEqualTo("userspace");
        assertThat(ServiceProxy.dataplane(options.withProxyMode(AgentOptions.ProxyMode.NONE), broken).mode())
                .isEqualTo("none");
        assertThat(ServiceProxy.dataplane(options.withProxyMode(AgentOptions.ProxyMode.AUTO), broken).mode())
                .isEqualTo("userspace");
        assertThatThrownBy(() -> ServiceProxy.dataplane(options.withProxyMode(AgentOptions.ProxyMode.IPTABLES), broken))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("proxy mode iptables cannot be used on node n1: iptables-restore failed")
                .hasMessageContaining("--proxy-mode auto");
    }
}
