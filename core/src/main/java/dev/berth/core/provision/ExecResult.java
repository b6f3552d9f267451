package dev.berth.core.provision;

/** What a remote command did: its exit code (-1 when it ended by a signal) and its output. */
public record ExecResult(int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** stderr, else stdout, trimmed, at most 500 characters: for messages. */
    public String diagnostic() {
        String s = stderr.isBlank() ? stdout : stderr;
        s = s.strip();
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
