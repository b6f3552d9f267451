package dev.berth.agent.podworker;

import dev.berth.agent.runtime.ContainerRuntime;
import dev.berth.agent.runtime.ExecResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Runs postStart and preStop handlers (exec, httpGet, sleep) as kubelet does; returns the failure message, if any. */
final class Hooks {
    private final ContainerRuntime runtime;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    Hooks(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /** Empty on success, else kubelet's message for the FailedPostStartHook / FailedPreStopHook event. */
    Optional<String> run(String hook, LifecycleHandler h, Container c, String containerId, String podIp, String podRef,
                         Duration timeout) {
        try {
            if (h.getExec() != null) {
                var cmd = h.getExec().getCommand();
                ExecResult r = runtime.exec(containerId, cmd, timeout);
                if (r.timedOut()) {
                    return Optional.of("Exec lifecycle hook (" + cmd + ") for Container \"" + c.getName() + "\" in Pod \""
                            + podRef + "\" failed - error: command timed out after " + timeout.toSeconds() + "s");
                }
                if (r.exitCode() != 0) {
                    return Optional.of("Exec lifecycle hook (" + cmd + ") for Container \"" + c.getName() + "\" in Pod \""
                            + podRef + "\" failed - error: command '" + String.join(" ", cmd) + "' exited with "
                            + r.exitCode() + ": " + r.output() + ", message: \"" + r.output() + "\"");
                }
                return Optional.empty();
            }
            if (h.getHttpGet() != null) {
                return httpGet(h.getHttpGet(), c, podIp, podRef, timeout);
            }
            if (h.getSleep() != null && h.getSleep().getSeconds() != null) {
                Thread.sleep(Math.min(h.getSleep().getSeconds() * 1000, timeout.toMillis()));
                return Optional.empty();
            }
            return Optional.of(hook + " hook of container \"" + c.getName() + "\" in pod \"" + podRef
                    + "\" names no handler (exec, httpGet or sleep)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(hook + " hook of container \"" + c.getName() + "\" was interrupted");
        } catch (RuntimeException e) {
            return Optional.of(hook + " hook of container \"" + c.getName() + "\" in pod \"" + podRef + "\" failed - error: "
                    + e.getMessage());
        }
    }

    private Optional<String> httpGet(HTTPGetAction a, Container c, String podIp, String podRef, Duration timeout)
            throws InterruptedException {
        String host = a.getHost() == null || a.getHost().isEmpty() ? podIp : a.getHost();
        int port = port(a.getPort(), c);
        String scheme = a.getScheme() == null ? "http" : a.getScheme().toLowerCase(java.util.Locale.ROOT);
        String path = a.getPath() == null || a.getPath().isEmpty() ? "/" : a.getPath();
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String url = scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
        for (HTTPHeader header : a.getHttpHeaders()) {
            req.header(header.getName(), header.getValue());
        }
        try {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 200 && r.statusCode() < 400) {
                return Optional.empty();
            }
            return Optional.of("HTTP lifecycle hook (" + path + ") for Container \"" + c.getName() + "\" in Pod \"" + podRef
                    + "\" failed - error: HTTP status code " + r.statusCode() + ", message: \"\"");
        } catch (java.io.IOException e) {
            return Optional.of("HTTP lifecycle hook (" + path + ") for Container \"" + c.getName() + "\" in Pod \"" + podRef
                    + "\" failed - error: " + e + ", message: \"\"");
        }
    }

    /** A port number, or a named port of the container. */
    static int port(IntOrString p, Container c) {
        if (p == null) {
            throw new IllegalArgumentException("port must be set");
        }
        if (p.getIntVal() != null) {
            return p.getIntVal();
        }
        String name = p.getStrVal();
        for (ContainerPort cp : c.getPorts()) {
            if (name.equals(cp.getName())) {
                return cp.getContainerPort();
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port " + name + " is not a number and names no port of container "
                    + c.getName());
        }
    }
}
