package dev.berth.agent.stats;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line must be
 * a HELP, TYPE, comment or sample line; a family's TYPE comes once, before its samples, and its
 * samples are contiguous. Returns each sample's value keyed by {@code name{labels}} as written
 * in canonical form (labels sorted).
 */
final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?");
    private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"\\s*(,|$)");

    record Sample(String name, Map<String, String> labels, double value, Long timestampMillis) {
    }

    final Map<String, String> types = new HashMap<>();
    final Map<String, String> help = new HashMap<>();
    final Map<String, Sample> samples = new LinkedHashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText out = new PrometheusText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        Set<String> closed = new HashSet<>();
        String current = null;
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            Matcher m;
            if (line.isBlank()) {
                continue;
            }
            if ((m = HELP.matcher(line)).matches()) {
                if (out.help.put(m.group(1), m.group(2)) != null) {
                    throw new IllegalArgumentException("line " + n + ": second HELP for " + m.group(1));
                }
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                if (out.types.put(m.group(1), m.group(2)) != null) {
                    throw new IllegalArgumentException("line " + n + ": second TYPE for " + m.group(1));
                }
                continue;
            }
            if (line.startsWith("#")) {
                if (line.startsWith("# HELP") || line.startsWith("# TYPE")) {
                    throw new IllegalArgumentException("line " + n + ": malformed metadata: " + line);
                }
                continue;
            }
            if (!(m = SAMPLE.matcher(line)).matches()) {
                throw new IllegalArgumentException("line " + n + ": not a sample: " + line);
            }
            String name = m.group(1);
            String family = familyOf(name, out.types);
            if (!out.types.containsKey(family)) {
                throw new IllegalArgumentException("line " + n + ": sample of " + name + " before its TYPE");
            }
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new IllegalArgumentException("line " + n + ": samples of " + family + " are not contiguous");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
            Map<String, String> labels = new java.util.TreeMap<>();
            if (m.group(2) != null && !m.group(2).isEmpty()) {
                Matcher l = LABEL.matcher(m.group(2));
                int at = 0;
                while (at < m.group(2).length()) {
                    if (!l.find(at) || l.start() != at) {
                        throw new IllegalArgumentException("line " + n + ": bad labels: " + m.group(2));
                    }
                    String v = l.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
                    if (labels.put(l.group(1), v) != null) {
                        throw new IllegalArgumentException("line " + n + ": label " + l.group(1) + " twice");
                    }
                    at = l.end();
                }
            }
            double value = switch (m.group(3)) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> {
                    if (!m.group(3).matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                        throw new IllegalArgumentException("line " + n + ": bad value " + m.group(3));
                    }
                    yield Double.parseDouble(m.group(3));
                }
            };
            Long ts = m.group(4) == null ? null : Long.parseLong(m.group(4));
            String key = name + labels;
            if (out.samples.put(key, new Sample(name, labels, value, ts)) != null) {
                throw new IllegalArgumentException("line " + n + ": duplicate sample " + key);
            }
        }
        return out;
    }

    /** The family a sample belongs to: itself, or the histogram/summary it is a part of. */
    private static String familyOf(String name, Map<String, String> types) {
        for (String suffix : new String[]{"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String t = types.get(base);
                if ("histogram".equals(t) || "summary".equals(t)) {
                    return base;
                }
            }
        }
        return name;
    }

    double value(String name, Map<String, String> labels) {
        Sample s = samples.get(name + new java.util.TreeMap<>(labels));
        if (s == null) {
            throw new AssertionError("no sample " + name + labels + " in " + samples.keySet());
        }
        return s.value();
    }
}
