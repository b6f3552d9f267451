package dev.berth.core.provision;

import java.util.stream.Collectors;

/** Preflight found problems; nothing was changed on the host. */
public final class PreflightFailedException extends ProvisionException {
    private final PreflightReport report;

    public PreflightFailedException(PreflightReport report) {
        super("preflight failed, nothing was changed on the host:\n" + report.failures().stream()
                .map(r -> "  " + r.name() + ": " + r.message() + "\n    fix: " + r.remedy()).collect(Collectors.joining("\n")));
        this.report = report;
    }

    public PreflightReport report() {
        return report;
    }
}
