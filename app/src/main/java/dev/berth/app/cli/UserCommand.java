package dev.berth.app.cli;

import dev.berth.core.pki.Kubeconfig;
import dev.berth.core.server.ServerOptions;
import dev.berth.core.users.Users;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "user", mixinStandardHelpOptions = true,
        description = {"Manages the people who use the cluster: each gets a kubeconfig with a client certificate "
                + "of their own (CN=NAME, signed by the cluster CA) and one role binding.",
                "Runs as the administrator of --kubeconfig."},
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Renew.class,
                UserCommand.Remove.class})
public final class UserCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every user subcommand takes. */
    static class Connection {
        @Option(names = "--kubeconfig", paramLabel = "FILE",
                description = "An administrator's kubeconfig (default: $KUBECONFIG, else DATA_DIR/admin.kubeconfig "
                        + "of the default data dir, $XDG_DATA_HOME/berth or ~/.local/share/berth).")
        Path kubeconfig;

        Path file() {
            if (kubeconfig != null) {
                return kubeconfig;
            }
            String env = System.getenv("KUBECONFIG");
            if (env != null && !env.isBlank()) {
                return Path.of(env.split(java.io.File.pathSeparator)[0]);
            }
            return ServerOptions.defaultDataDir().resolve("admin.kubeconfig");
        }

        KubernetesClient client(CommandSpec spec) {
            Path f = file();
            try {
                return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(f))).build();
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--kubeconfig: cannot read \"" + f
                        + "\": " + e.getMessage());
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Issues NAME a client certificate and binds a role to it; writes NAME's kubeconfig.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The user name (the certificate's CN): lower case letters, "
                + "digits, '-' and '.'.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", required = true,
                description = "view, edit, admin or cluster-admin (Kubernetes' default ClusterRoles).")
        String role;

        @Option(names = "--namespace", paramLabel = "NS",
                description = "Grant the role in this namespace only (a RoleBinding); default: the whole cluster.")
        String namespace;

        @Option(names = "--out", paramLabel = "FILE", description = "Where to write the kubeconfig (default: NAME.kubeconfig).")
        Path out;

        @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Certificate validity in days.")
        int days;

        @CommandLine.Mixin
        Connection connection = new Connection();

        @Override
        public Integer call() {
            try {
                Users.validate(name, role, namespace);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (days < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--days: invalid value " + days
                        + ": must be at least 1");
            }
            Path file = out != null ? out : Path.of(name + ".kubeconfig");
            if (Files.exists(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--out: \"" + file
                        + "\" already exists; remove it or give another --out");
            }
            Kubeconfig admin = Kubeconfig.read(connection.file());
            PrintWriter err = spec.commandLine().getErr();
            try (KubernetesClient client = connection.client(spec)) {
                Kubeconfig k = new Users(client, Clock.systemUTC()).add(name, role, namespace, admin.server(),
                        admin.certificateAuthorities().getFirst(), java.time.Duration.ofDays(days));
                k.write(file);
            } catch (IllegalArgumentException | IllegalStateException e) {
                err.println("error: " + e.getMessage());
                return 1;
            } catch (KubernetesClientException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
            spec.commandLine().getOut().println("user " + name + " added with role " + role
                    + (namespace == null ? " in the whole cluster" : " in namespace " + namespace)
                    + "; kubeconfig written to " + file);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the users and their roles.")
    static final class ListUsers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        Connection connection = new Connection();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KubernetesClient client = connection.client(spec)) {
                var users = new Users(client, Clock.systemUTC()).list();
                java.time.Instant now = Clock.systemUTC().instant();
                out.printf("%-24s %-14s %-12s %-22s%n", "NAME", "ROLE", "NAMESPACE", "EXPIRES");
                for (Users.User u : users) {
                    String expires = u.notAfter() == null ? "unknown"
                            : u.notAfter().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
                    String note = u.expired(now) ? "  EXPIRED: renew with berth user renew " + u.name()
                            : u.expiringSoon(now) ? "  WARNING: expires soon, renew with berth user renew " + u.name()
                            : "";
                    out.printf("%-24s %-14s %-12s %-22s%s%n", u.name(), u.role(),
                            u.namespace().isEmpty() ? "*" : u.namespace(), expires, note).flush();
                }
            } catch (KubernetesClientException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "renew", mixinStandardHelpOptions = true,
            description = {"Issues NAME a new client certificate and writes a kubeconfig with it.",
                    "The old certificate keeps working until it expires, so the person can switch without downtime;",
                    "'user remove' revokes every certificate NAME was issued. A removed user cannot renew."})
    static final class Renew implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The user to renew.")
        String name;

        @Option(names = "--out", paramLabel = "FILE",
                description = "Where to write the new kubeconfig (default: NAME.kubeconfig, replaced atomically).")
        Path out;

        @Option(names = "--days", paramLabel = "N", defaultValue = "365",
                description = "Certificate validity in days (at most the server's --cert-lifetime).")
        int days;

        @CommandLine.Mixin
        Connection connection = new Connection();

        @Override
        public Integer call() {
            if (days < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--days: invalid value " + days
                        + ": must be at least 1");
            }
            Path file = out != null ? out : Path.of(name + ".kubeconfig");
            Kubeconfig admin = Kubeconfig.read(connection.file());
            try (KubernetesClient client = connection.client(spec)) {
                Kubeconfig k = new Users(client, Clock.systemUTC()).renew(name, admin.server(),
                        admin.certificateAuthorities().getFirst(), java.time.Duration.ofDays(days));
                k.write(file);
                var certificate = ((Kubeconfig.ClientCertificate) k.credentials()).certifiedKey().certificate();
                spec.commandLine().getOut().println("user " + name + " renewed: new certificate valid until "
                        + certificate.getNotAfter().toInstant() + "; kubeconfig written to " + file
                        + " (the old certificate keeps working until it expires)");
            } catch (IllegalArgumentException | IllegalStateException | KubernetesClientException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Revokes NAME's certificate at once (refused from the next request on) and deletes its bindings.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The user to remove.")
        String name;

        @CommandLine.Mixin
        Connection connection = new Connection();

        @Override
        public Integer call() {
            try (KubernetesClient client = connection.client(spec)) {
                new Users(client, Clock.systemUTC()).remove(name);
            } catch (IllegalArgumentException | KubernetesClientException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
            spec.commandLine().getOut().println("user " + name + " removed; its certificate is revoked");
            return 0;
        }
    }
}
