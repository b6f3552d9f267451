package dev.berth.app.nodes;

import dev.berth.core.api.labels.Names;
import dev.berth.core.provision.NodeInstaller;
import dev.berth.core.provision.SshTarget;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the add-node wizard asks, as typed, and its validation: every problem names the field,
 * the value and the rule. Pure data: the wizard fills it, {@link #validate()} checks it, and
 * {@link #target()} and {@link #request} turn it into what the provisioning code takes.
 *
 * @param host    the machine's name or address
 * @param user    the SSH login user
 * @param port    the SSH port, as typed (empty: 22)
 * @param keyFile the private key file
 * @param name    the node's name (empty: the host, lowercased)
 * @param labels  {@code key=value} pairs, separated by commas or new lines
 * @param taints  {@code key[=value]:Effect}, separated by commas or new lines
 */
public record AddNodeForm(String host, String user, String port, String keyFile, String name, String labels, String taints) {
    public static final List<String> EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    /** One problem with one field. */
    public record Problem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    public AddNodeForm {
        host = trim(host);
        user = trim(user);
        port = trim(port);
        keyFile = trim(keyFile);
        name = trim(name);
        labels = labels == null ? "" : labels;
        taints = taints == null ? "" : taints;
    }

    private static String trim(String s) {
        return s == null ? "" : s.strip();
    }

    /** Every problem, in the order of the fields; empty when the form can be used. */
    public List<Problem> validate() {
        List<Problem> out = new ArrayList<>();
        if (host.isEmpty()) {
            out.add(new Problem("host", "Required value: the machine's name or address"));
        } else if (!host.matches("[A-Za-z0-9._:\\[\\]-]+")) {
            out.add(new Problem("host", "Invalid value: \"" + host + "\": must be a host name or an IP address"));
        }
        if (user.isEmpty()) {
            out.add(new Problem("user", "Required value: the login user on the machine"));
        } else if (!user.matches("[A-Za-z0-9._][A-Za-z0-9._-]*")) {
            out.add(new Problem("user", "Invalid value: \"" + user + "\": must be a user name (letters, digits, '.', '_', '-')"));
        }
        if (!port.isEmpty()) {
            try {
                int p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    out.add(new Problem("port", "Invalid value: " + port + ": must be between 1 and 65535"));
                }
            } catch (NumberFormatException e) {
                out.add(new Problem("port", "Invalid value: \"" + port + "\": must be a number between 1 and 65535"));
            }
        }
        if (keyFile.isEmpty()) {
            out.add(new Problem("key", "Required value: a private key file whose public key the machine accepts"));
        } else if (!Files.isRegularFile(Path.of(keyFile))) {
            out.add(new Problem("key", "Invalid value: \"" + keyFile + "\": no such file"));
        } else if (!Files.isReadable(Path.of(keyFile))) {
            out.add(new Problem("key", "Invalid value: \"" + keyFile + "\": not readable"));
        }
        String node = nodeName();
        if (!node.isEmpty()) {
            List<String> bad = Names.dns1123Subdomain(node);
            if (!bad.isEmpty()) {
                out.add(new Problem("name", "Invalid value: \"" + node + "\": " + String.join("; ", bad)));
            }
        }
        try {
            parseLabels(labels);
        } catch (IllegalArgumentException e) {
            out.add(new Problem("labels", e.getMessage()));
        }
        try {
            parseTaints(taints);
        } catch (IllegalArgumentException e) {
            out.add(new Problem("taints", e.getMessage()));
        }
        return out;
    }

    /** The node's name: as given, else the host lowercased. */
    public String nodeName() {
        return (name.isEmpty() ? host : name).toLowerCase(Locale.ROOT);
    }

    public int portNumber() {
        return port.isEmpty() ? SshTarget.DEFAULT_PORT : Integer.parseInt(port);
    }

    /** Where and as whom to connect; call after {@link #validate()} found nothing. */
    public SshTarget target() {
        requireValid();
        return new SshTarget(host, host, portNumber(), user, List.of(Path.of(keyFile)), List.of());
    }

    /** The install request for {@code server}; call after {@link #validate()} found nothing. */
    public NodeInstaller.Request request(URI server, int agentPort, Duration readyTimeout) {
        requireValid();
        return new NodeInstaller.Request(nodeName(), server, parseLabels(labels), parseTaints(taints), agentPort, readyTimeout);
    }

    private void requireValid() {
        List<Problem> problems = validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.getFirst().toString());
        }
    }

    private static List<String> items(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split("[,\\n]")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** {@code k=v} pairs; keys and values checked as the API server checks labels. */
    public static Map<String, String> parseLabels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : items(text)) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Invalid value: \"" + item + "\": must be KEY=VALUE");
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            List<String> bad = new ArrayList<>(Names.qualifiedName(key));
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("Invalid value: \"" + key + "\": " + String.join("; ", bad));
            }
            bad = Names.labelValue(value);
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("Invalid value: \"" + value + "\" (label " + key + "): " + String.join("; ", bad));
            }
            out.put(key, value);
        }
        return out;
    }

    /** {@code key[=value]:Effect} items, as {@code kubectl taint} takes them. */
    public static List<Taint> parseTaints(String text) {
        List<Taint> out = new ArrayList<>();
        for (String item : items(text)) {
            int colon = item.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Invalid value: \"" + item + "\": must be KEY[=VALUE]:EFFECT");
            }
            String effect = item.substring(colon + 1).strip();
            if (!EFFECTS.contains(effect)) {
                throw new IllegalArgumentException("Unsupported value: \"" + effect + "\" (taint " + item
                        + "): supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
            }
            String kv = item.substring(0, colon);
            int eq = kv.indexOf('=');
            String key = (eq < 0 ? kv : kv.substring(0, eq)).strip();
            String value = eq < 0 ? null : kv.substring(eq + 1).strip();
            List<String> bad = Names.qualifiedName(key);
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("Invalid value: \"" + key + "\" (taint key): " + String.join("; ", bad));
            }
            if (value != null) {
                bad = Names.labelValue(value);
                if (!bad.isEmpty()) {
                    throw new IllegalArgumentException("Invalid value: \"" + value + "\" (taint value): " + String.join("; ", bad));
                }
            }
            out.add(new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build());
        }
        return out;
    }
}
