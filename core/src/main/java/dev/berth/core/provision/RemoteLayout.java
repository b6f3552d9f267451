package dev.berth.core.provision;

/**
 * Where Berth lives on a node: {@code /opt/berth/<version>/} (the bundle), {@code /etc/berth/}
 * (credentials, 0600), {@code /var/lib/berth/} (the agent's data) and the service unit. Nothing else
 * on the host is touched. Tests put all of it under a directory of their own with {@link #under}.
 */
public record RemoteLayout(String root) {
    public static final RemoteLayout SYSTEM = new RemoteLayout("");
    public static final String UNIT_NAME = "berth-agent.service";

    public RemoteLayout {
        if (root.endsWith("/")) root = root.substring(0, root.length() - 1);
    }

    /** Everything under {@code dir} (an absolute path). */
    public static RemoteLayout under(String dir) {
        if (!dir.startsWith("/")) throw new IllegalArgumentException("root \"" + dir + "\" must be an absolute path");
        return new RemoteLayout(dir);
    }

    public String opt() { return root + "/opt/berth"; }

    public String bundleDir(String version) { return opt() + "/" + version; }

    /** The symlink to the bundle in use. */
    public String current() { return opt() + "/current"; }

    public String etc() { return root + "/etc/berth"; }

    public String kubeconfig() { return etc() + "/node.kubeconfig"; }

    public String bootstrapKubeconfig() { return etc() + "/bootstrap.kubeconfig"; }

    /** The agent's options, read by the unit and the supervisor script. */
    public String agentEnv() { return etc() + "/agent.env"; }

    public String data() { return root + "/var/lib/berth"; }

    public String unitFile() { return root + "/etc/systemd/system/" + UNIT_NAME; }

    /** The supervisor's pid file and log, where systemd does not run. */
    public String supervisorPid() { return data() + "/supervisor.pid"; }

    public String agentLog() { return data() + "/agent.log"; }
}
