package dev.berth.agent.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static dev.berth.agent.ingress.IngressFixtures.ingress;
import static dev.berth.agent.ingress.IngressFixtures.path;
import static dev.berth.agent.ingress.IngressFixtures.rule;
import static dev.berth.agent.ingress.IngressFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

class IngressRoutesTest {

    /**
     * The table of examples in the Kubernetes Ingress docs ("Examples" under "Path types"): the
     * rule's paths as TYPE:PATH separated by spaces, the request path, and the rule that must win
     * ("-" for none, so the default backend).
     */
    @ParameterizedTest(name = "{0} with request {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
            "Prefix:/; /; Prefix:/",
            "Prefix:/; /any/thing; Prefix:/",
            "Exact:/foo; /foo; Exact:/foo",
            "Exact:/foo; /bar; -",
            "Exact:/foo; /foo/; -",
            "Exact:/foo/; /foo; -",
            "Prefix:/foo; /foo; Prefix:/foo",
            "Prefix:/foo; /foo/; Prefix:/foo",
            "Prefix:/foo/; /foo; Prefix:/foo/",
            "Prefix:/foo/; /foo/; Prefix:/foo/",
            "Prefix:/aaa/bb; /aaa/bbb; -",
            "Prefix:/aaa/bbb; /aaa/bbb; Prefix:/aaa/bbb",
            "Prefix:/aaa/bbb/; /aaa/bbb; Prefix:/aaa/bbb/",
            "Prefix:/aaa/bbb; /aaa/bbb/; Prefix:/aaa/bbb",
            "Prefix:/aaa/bbb; /aaa/bbb/ccc; Prefix:/aaa/bbb",
            "Prefix:/aaa/bbb; /aaa/bbbxyz; -",
            "Prefix:/ Prefix:/aaa; /aaa/ccc; Prefix:/aaa",
            "Prefix:/ Prefix:/aaa Prefix:/aaa/bbb; /aaa/bbb; Prefix:/aaa/bbb",
            "Prefix:/ Prefix:/aaa Prefix:/aaa/bbb; /ccc; Prefix:/",
            "Prefix:/aaa; /ccc; -",
            "Prefix:/foo Exact:/foo; /foo; Exact:/foo",
            "Exact:/foo Prefix:/foo; /foo; Exact:/foo",
            "Exact:/foo Prefix:/foo; /foo/bar; Prefix:/foo",
            "Prefix:/foo; /foobar; -",
            "ImplementationSpecific:/foo; /foo/bar; Prefix:/foo",
            "ImplementationSpecific:/foo; /foobar; -",
            "Prefix:/foo Prefix:/foo/bar; /foo/bar/baz; Prefix:/foo/bar",
            "Exact:/ Prefix:/; /; Exact:/",
    })
    void matchesPathsAsTheKubernetesDocsSay(String rules, String request, String expected) {
        List<HTTPIngressPath> paths = new java.util.ArrayList<>();
        for (String r : rules.split(" ")) {
            String[] typeAndPath = r.split(":", 2);
            paths.add(path(typeAndPath[0], typeAndPath[1], service("svc-" + typeAndPath[0] + typeAndPath[1], 80)));
        }
        IngressRoutes routes = IngressRoutes.of(List.of(ingress("default", "web", "2026-01-01T00:00:00Z", null,
                rule(null, paths.toArray(HTTPIngressPath[]::new)))));

        Optional<IngressRoutes.Match> match = routes.match("example.com", request);

        if (expected.equals("-")) {
            assertThat(match).isEmpty();
        } else {
            String[] e = expected.split(":", 2);
            String type = e[0].equals("ImplementationSpecific") ? "Prefix" : e[0];
            assertThat(match).hasValueSatisfying(m -> {
                assertThat(m.pathType()).isEqualTo(type);
                assertThat(m.path()).isEqualTo(e[1]);
            });
        }
    }

    /** The host examples of the Kubernetes docs ("Hostname wildcards"), and precise hosts. */
    @ParameterizedTest(name = "rule host {0}, Host header {1} -> {2}")
    @CsvSource({
            "*.foo.com, bar.foo.com, true",
            "*.foo.com, baz.bar.foo.com, false",
            "*.foo.com, foo.com, false",
            "*.foo.com, BAR.Foo.com:8080, true",
            "foo.bar.com, foo.bar.com, true",
            "foo.bar.com, foo.bar.com:80, true",
            "foo.bar.com, Foo.Bar.COM, true",
            "foo.bar.com, foo.bar.com., true",
            "foo.bar.com, bar.foo.com, false",
            "foo.bar.com, x.foo.bar.com, false",
    })
    void matchesHostsAsTheKubernetesDocsSay(String ruleHost, String hostHeader, boolean matches) {
        IngressRoutes routes = IngressRoutes.of(List.of(ingress("default", "web", "2026-01-01T00:00:00Z", null,
                rule(ruleHost, path("Prefix", "/", service("svc", 80))))));

        assertThat(routes.match(hostHeader, "/").isPresent()).isEqualTo(matches);
    }

    @Test
    void preciseHostsWinOverWildcardsWhichWinOverRulesWithoutHost() {
        IngressRoutes routes = IngressRoutes.of(List.of(ingress("default", "web", "2026-01-01T00:00:00Z", null,
                rule("a.example.com", path("Prefix", "/app", service("precise", 80))),
                rule("*.example.com", path("Prefix", "/", service("wildcard", 80))),
                rule(null, path("Prefix", "/", service("any", 80)), path("Prefix", "/app/long/path", service("any-long", 80))))));

        assertThat(serviceOf(routes.match("a.example.com", "/app/long/path/x"))).isEqualTo("precise");
        // no path of the precise host matches: the wildcard's rules come next, then those without host
        assertThat(serviceOf(routes.match("a.example.com", "/other"))).isEqualTo("wildcard");
        assertThat(serviceOf(routes.match("b.example.com", "/app"))).isEqualTo("wildcard");
        assertThat(serviceOf(routes.match("example.org", "/app/long/path"))).isEqualTo("any-long");
        assertThat(serviceOf(routes.match(null, "/"))).isEqualTo("any");
    }

    @Test
    void unmatchedRequestsGoToTheDefaultBackendOfAnIngressForTheirHostElseOfTheOldest() {
        Ingress older = ingress("team-a", "a", "2026-01-01T00:00:00Z", service("a-default", 80),
                rule("a.lab", path("Exact", "/", service("a-root", 80))));
        Ingress newer = ingress("team-b", "b", "2026-02-01T00:00:00Z", service("b-default", "http"),
                rule("b.lab", path("Exact", "/", service("b-root", 80))));
        IngressRoutes routes = IngressRoutes.of(List.of(newer, older));

        assertThat(serviceOf(routes.match("b.lab", "/"))).isEqualTo("b-root");
        assertThat(routes.match("b.lab", "/missing")).hasValueSatisfying(m -> {
            assertThat(m.backend().service()).isEqualTo("b-default");
            assertThat(m.backend().namespace()).isEqualTo("team-b");
            assertThat(m.backend().portName()).isEqualTo("http");
            assertThat(m.pathType()).isEqualTo("default");
        });
        assertThat(serviceOf(routes.match("a.lab", "/missing"))).isEqualTo("a-default");
        assertThat(serviceOf(routes.match("unknown.lab", "/"))).isEqualTo("a-default");
    }

    @Test
    void theOldestIngressWinsTheSameHostAndPath() {
        Ingress older = ingress("default", "old", "2026-01-01T00:00:00Z", null,
                rule("x.lab", path("Prefix", "/", service("old", 80))));
        Ingress newer = ingress("default", "new", "2026-03-01T00:00:00Z", null,
                rule("x.lab", path("Prefix", "/", service("new", 80)), path("Prefix", "/api", service("api", 80))));
        IngressRoutes routes = IngressRoutes.of(List.of(newer, older));

        assertThat(serviceOf(routes.match("x.lab", "/"))).isEqualTo("old");
        assertThat(serviceOf(routes.match("x.lab", "/api/v1"))).isEqualTo("api");
        assertThat(routes.match("x.lab", "/").orElseThrow().backend().ingress()).isEqualTo("default/old");
    }

    @Test
    void noIngressesMatchNothing() {
        assertThat(IngressRoutes.EMPTY.match("a.lab", "/")).isEmpty();
    }

    private static String serviceOf(Optional<IngressRoutes.Match> match) {
        return match.map(m -> m.backend().service()).orElse("<none>");
    }
}
