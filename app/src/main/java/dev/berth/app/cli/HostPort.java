package dev.berth.app.cli;

import picocli.CommandLine;

/** HOST:PORT as given on the command line ([::1]:6443 for IPv6). */
record HostPort(String host, int port) {
    static HostPort parse(String option, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? value : value.substring(0, colon);
        String port = colon < 0 ? "6443" : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535 || host.isEmpty()) {
                throw new NumberFormatException();
            }
            return new HostPort(host, p);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(new CommandLine(new ServerCommand()),
                    option + ": invalid value \"" + value + "\": must be HOST:PORT with a port from 0 to 65535");
        }
    }
}
