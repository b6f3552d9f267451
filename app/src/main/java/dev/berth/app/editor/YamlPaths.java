package dev.berth.app.editor;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the line of a Kubernetes field path ({@code spec.template.spec.containers[0].image},
 * {@code metadata.labels[app]}) in a YAML text, from SnakeYAML's node marks, so a server's
 * validation error can be shown on the line it is about. The nearest existing parent is used when
 * the field itself is missing (a required value).
 */
public final class YamlPaths {
    private YamlPaths() {}

    /** The 1-based line, or 0 when the text does not parse or the path names nothing in it. */
    public static int lineOf(String yaml, String fieldPath) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (RuntimeException e) {
            return 0;
        }
        if (root == null || fieldPath == null || fieldPath.isBlank()) {
            return 0;
        }
        Node node = root;
        int line = 0;
        for (String seg : segments(fieldPath)) {
            Node next = null;
            int keyLine = 0;
            if (seg.startsWith("[") && node instanceof SequenceNode seq) {
                try {
                    int i = Integer.parseInt(seg.substring(1, seg.length() - 1));
                    if (i >= 0 && i < seq.getValue().size()) {
                        next = seq.getValue().get(i);
                        keyLine = next.getStartMark().getLine() + 1;
                    }
                } catch (NumberFormatException ignored) {
                    // not an index
                }
            } else if (node instanceof MappingNode map) {
                String key = seg.startsWith("[") ? seg.substring(1, seg.length() - 1) : seg;
                for (NodeTuple t : map.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                        next = t.getValueNode();
                        keyLine = k.getStartMark().getLine() + 1;
                        break;
                    }
                }
            }
            if (next == null) {
                return line == 0 ? 1 : line;
            }
            node = next;
            line = keyLine;
        }
        return line;
    }

    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else if (c == '[') {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                int end = path.indexOf(']', i);
                if (end < 0) {
                    end = path.length() - 1;
                }
                out.add(path.substring(i, end + 1));
                i = end;
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }
}
