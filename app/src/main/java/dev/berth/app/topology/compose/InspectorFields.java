package dev.berth.app.topology.compose;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text forms of the inspector's container fields, both ways: environment as
 * {@code NAME=value} lines, resources as four quantities, probes as a handler type and a target
 * ({@code 8080/healthz}, {@code 5432}, {@code cat /tmp/ready}). Parsing refuses what cannot be read
 * with the field, the value and the form expected; the API server's rules are applied afterwards
 * by the edit commands.
 */
public final class InspectorFields {
    /** The handlers a probe can have, as the inspector offers them. */
    public enum Handler {
        NONE("None"), HTTP_GET("HTTP GET"), TCP_SOCKET("TCP"), EXEC("Command"), GRPC("gRPC");

        private final String label;

        Handler(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A probe as the inspector shows it; delays and periods are seconds, null when unset. */
    public record ProbeForm(Handler handler, String target, Integer initialDelaySeconds, Integer periodSeconds) {}

    private static final Pattern HTTP_TARGET = Pattern.compile("(?:(https?)://)?([A-Za-z0-9][A-Za-z0-9-]*)(/.*)?");
    private static final Pattern PORT = Pattern.compile("\\d+|[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    private InspectorFields() {}

    // ---- environment

    /** The literal variables as {@code NAME=value} lines; variables from a source are not shown here. */
    public static String formatEnv(List<EnvVar> env) {
        if (env == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (EnvVar e : env) {
            if (e.getValueFrom() == null) {
                out.append(e.getName()).append('=').append(e.getValue() == null ? "" : e.getValue()).append('\n');
            }
        }
        return out.toString();
    }

    /** The variables taken from a ConfigMap, Secret or field, which the text form leaves as they are. */
    public static List<EnvVar> sourcedEnv(List<EnvVar> env) {
        return env == null ? List.of() : env.stream().filter(e -> e.getValueFrom() != null).toList();
    }

    /**
     * The container's environment after the person typed {@code text}: a literal variable that is
     * no longer there is removed, one whose value changed keeps its place, a variable from a source
     * stays unless a line names it, and new names are added at the end in the order typed.
     */
    public static List<EnvVar> parseEnv(String text, List<EnvVar> existing) {
        Map<String, String> typed = new LinkedHashMap<>();
        String[] lines = text == null ? new String[0] : text.split("\\R");
        int index = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("env[" + index + "]: Invalid value: \"" + line.strip()
                        + "\": must be NAME=value");
            }
            String name = line.substring(0, eq).strip();
            if (typed.containsKey(name)) {
                throw new IllegalArgumentException("env[" + index + "].name: Duplicate value: \"" + name + "\"");
            }
            typed.put(name, line.substring(eq + 1));
            index++;
        }
        List<EnvVar> out = new ArrayList<>();
        if (existing != null) {
            for (EnvVar e : existing) {
                String value = typed.remove(e.getName());
                if (value != null) {
                    out.add(new EnvVarBuilder().withName(e.getName()).withValue(value).build());
                } else if (e.getValueFrom() != null) {
                    out.add(new EnvVarBuilder(e).build());
                }
            }
        }
        typed.forEach((name, value) -> out.add(new EnvVarBuilder().withName(name).withValue(value).build()));
        return out;
    }

    // ---- resources

    /** The four usual quantities as typed ({@code 250m}, {@code 128Mi}); blank ones are left out, all blank is none. */
    public static ResourceRequirements parseResources(String requestCpu, String requestMemory, String limitCpu, String limitMemory) {
        Map<String, Quantity> requests = quantities(requestCpu, requestMemory);
        Map<String, Quantity> limits = quantities(limitCpu, limitMemory);
        if (requests.isEmpty() && limits.isEmpty()) {
            return null;
        }
        ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
        if (!requests.isEmpty()) {
            b.withRequests(requests);
        }
        if (!limits.isEmpty()) {
            b.withLimits(limits);
        }
        return b.build();
    }

    /** A quantity of {@code resources} ({@code requests} or {@code limits}) as text, blank when unset. */
    public static String quantity(ResourceRequirements resources, boolean limits, String name) {
        if (resources == null) {
            return "";
        }
        Map<String, Quantity> m = limits ? resources.getLimits() : resources.getRequests();
        Quantity q = m == null ? null : m.get(name);
        return q == null ? "" : q.toString();
    }

    private static Map<String, Quantity> quantities(String cpu, String memory) {
        Map<String, Quantity> out = new LinkedHashMap<>();
        if (cpu != null && !cpu.isBlank()) {
            out.put("cpu", new Quantity(cpu.strip()));
        }
        if (memory != null && !memory.isBlank()) {
            out.put("memory", new Quantity(memory.strip()));
        }
        return out;
    }

    // ---- probes

    /** How {@code probe} reads in the inspector. */
    public static ProbeForm formatProbe(Probe probe) {
        if (probe == null) {
            return new ProbeForm(Handler.NONE, "", null, null);
        }
        Integer delay = probe.getInitialDelaySeconds();
        Integer period = probe.getPeriodSeconds();
        if (probe.getHttpGet() != null) {
            var h = probe.getHttpGet();
            String scheme = h.getScheme() != null && h.getScheme().equalsIgnoreCase("HTTPS") ? "https://" : "";
            String path = h.getPath() == null || h.getPath().isEmpty() ? "/" : h.getPath();
            return new ProbeForm(Handler.HTTP_GET, scheme + port(h.getPort()) + path, delay, period);
        }
        if (probe.getTcpSocket() != null) {
            return new ProbeForm(Handler.TCP_SOCKET, port(probe.getTcpSocket().getPort()), delay, period);
        }
        if (probe.getExec() != null) {
            List<String> command = probe.getExec().getCommand() == null ? List.of() : probe.getExec().getCommand();
            return new ProbeForm(Handler.EXEC, String.join(" ", command.stream().map(InspectorFields::quoted).toList()), delay, period);
        }
        if (probe.getGrpc() != null) {
            String service = probe.getGrpc().getService();
            return new ProbeForm(Handler.GRPC, probe.getGrpc().getPort() + (service == null || service.isEmpty() ? "" : " " + service),
                    delay, period);
        }
        return new ProbeForm(Handler.NONE, "", delay, period);
    }

    /**
     * The probe the inspector's fields describe, keeping the thresholds and timeouts of
     * {@code previous}; null for {@link Handler#NONE}. {@code field} (such as
     * {@code readinessProbe}) names the probe in errors.
     */
    public static Probe parseProbe(String field, ProbeForm form, Probe previous) {
        if (form.handler() == Handler.NONE) {
            return null;
        }
        String target = form.target() == null ? "" : form.target().strip();
        ProbeBuilder b = previous == null ? new ProbeBuilder() : new ProbeBuilder(previous);
        b.withHttpGet(null).withTcpSocket(null).withExec(null).withGrpc(null);
        switch (form.handler()) {
            case HTTP_GET -> {
                Matcher m = HTTP_TARGET.matcher(target);
                if (!m.matches()) {
                    throw invalid(field + ".httpGet", target, "must be PORT/path, such as 8080/healthz or https://8443/ready");
                }
                b.withNewHttpGet().withPort(portValue(field + ".httpGet.port", m.group(2)))
                        .withPath(m.group(3) == null ? "/" : m.group(3))
                        .withScheme(m.group(1) == null ? "HTTP" : m.group(1).toUpperCase(java.util.Locale.ROOT))
                        .endHttpGet();
            }
            case TCP_SOCKET -> b.withNewTcpSocket().withPort(portValue(field + ".tcpSocket.port", target)).endTcpSocket();
            case EXEC -> {
                List<String> command = target.isEmpty() ? List.of() : ComposeImport.words(target);
                if (command.isEmpty()) {
                    throw new IllegalArgumentException(field + ".exec.command: Required value: a command to run in the container");
                }
                b.withNewExec().withCommand(command).endExec();
            }
            case GRPC -> {
                String[] parts = target.split("\\s+", 2);
                int port;
                try {
                    port = Integer.parseInt(parts[0]);
                } catch (NumberFormatException e) {
                    throw invalid(field + ".grpc.port", parts[0], "must be a port number, optionally followed by a service name");
                }
                b.withNewGrpc().withPort(port).withService(parts.length > 1 ? parts[1] : null).endGrpc();
            }
            case NONE -> throw new IllegalStateException();
        }
        b.withInitialDelaySeconds(form.initialDelaySeconds()).withPeriodSeconds(form.periodSeconds());
        return b.build();
    }

    private static IntOrString portValue(String field, String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + ": Required value: a port number or name");
        }
        if (!PORT.matcher(text).matches()) {
            throw invalid(field, text, "must be a port number or a port name (lower case letters, digits and '-')");
        }
        if (!text.chars().allMatch(Character::isDigit)) {
            return new IntOrString(text);
        }
        try {
            return new IntOrString(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            throw invalid(field, text, "must be between 1 and 65535, inclusive");
        }
    }

    private static String port(IntOrString port) {
        if (port == null) {
            return "";
        }
        return port.getIntVal() != null ? port.getIntVal().toString() : port.getStrVal();
    }

    private static String quoted(String word) {
        if (!word.isEmpty() && word.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
            return word;
        }
        return word.contains("'") ? "\"" + word + "\"" : "'" + word + "'";
    }

    private static IllegalArgumentException invalid(String field, String value, String rule) {
        return new IllegalArgumentException(field + ": Invalid value: \"" + value + "\": " + rule);
    }
}
