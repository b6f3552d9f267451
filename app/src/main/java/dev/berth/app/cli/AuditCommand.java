package dev.berth.app.cli;

import dev.berth.core.apiserver.audit.AuditReader;
import dev.berth.core.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Reads the control plane's audit log (DATA_DIR/audit): every write and every refused request.",
        subcommands = {AuditCommand.Tail.class})
public final class AuditCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = {"Prints the last audit events, one a line: time, user, verb, object, result.",
                    "  berth audit tail -n 50",
                    "  berth audit tail -f -o json | jq ."})
    static final class Tail implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The control plane's data directory (default: $XDG_DATA_HOME/berth or ~/.local/share/berth).")
        Path dataDir;

        @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "20",
                description = "How many of the last events to print (default: ${DEFAULT-VALUE}).")
        int lines;

        @Option(names = {"-f", "--follow"}, description = "Keep printing events as they are written, until interrupted.")
        boolean follow;

        @Option(names = {"-o", "--output"}, paramLabel = "text|json", defaultValue = "text",
                description = "text (default) or json: the audit.k8s.io/v1 Event lines as written.")
        String output;

        PrintStream out = System.out;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!output.equals("text") && !output.equals("json")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--output: invalid value \"" + output + "\": must be text or json");
            }
            if (lines < 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--lines: invalid value " + lines + ": must not be negative");
            }
            Path dir = (dataDir != null ? dataDir : ServerOptions.defaultDataDir()).resolve("audit");
            AuditReader reader = new AuditReader(dir);
            for (String line : reader.last(lines)) {
                print(line);
            }
            out.flush();
            if (follow) {
                reader.follow(this::print, Duration.ofMillis(250));
            }
            return 0;
        }

        private void print(String line) {
            out.println(output.equals("json") ? line : AuditReader.describe(line));
            out.flush();
        }
    }
}
