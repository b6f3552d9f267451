package dev.berth.core.provision;

/** POSIX shell quoting for the commands sent to a host. */
public final class Shell {
    private Shell() {}

    /** {@code s} as one word for {@code sh}: single quotes, with {@code '} written as {@code '\''}. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
