package dev.berth.app.cli;

import picocli.CommandLine;

/** Entry point of the {@code berth} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new BerthCommand()).execute(args));
    }
}
