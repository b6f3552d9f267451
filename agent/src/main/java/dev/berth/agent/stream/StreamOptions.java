package dev.berth.agent.stream;

import java.util.List;
import java.util.Map;

/**
 * The query of kubelet's {@code /exec} and {@code /attach}: {@code command} (repeated),
 * {@code input}, {@code output}, {@code error}, {@code tty}.
 */
record StreamOptions(List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty) {

    /** @throws IllegalArgumentException naming the parameter and the rule */
    static StreamOptions parse(Map<String, List<String>> query, boolean exec) {
        List<String> command = query.getOrDefault("command", List.of());
        if (exec && command.isEmpty()) {
            throw new IllegalArgumentException("command: you must specify at least one command to run");
        }
        boolean stdin = flag(query, "input");
        boolean stdout = flag(query, "output");
        boolean stderr = flag(query, "error");
        boolean tty = flag(query, "tty");
        if (!stdin && !stdout && !stderr) {
            throw new IllegalArgumentException("you must specify at least 1 of stdin (input), stdout (output), stderr (error)");
        }
        return new StreamOptions(command, stdin, stdout, stderr && !tty, tty);
    }

    static boolean flag(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.getFirst().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "t", "true" -> true;
            case "0", "f", "false", "" -> false;
            default -> throw new IllegalArgumentException(name + ": invalid value \"" + v.getFirst()
                    + "\": must be true, false, 1 or 0");
        };
    }
}
