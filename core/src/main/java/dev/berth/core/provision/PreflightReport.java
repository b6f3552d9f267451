package dev.berth.core.provision;

import java.util.List;

/** Every preflight check's result, in the order they ran. */
public record PreflightReport(List<CheckResult> results) {
    public PreflightReport {
        results = List.copyOf(results);
    }

    public boolean passed() {
        return results.stream().noneMatch(r -> r.status() == CheckResult.Status.FAIL);
    }

    public List<CheckResult> failures() {
        return results.stream().filter(r -> r.status() == CheckResult.Status.FAIL).toList();
    }

    public CheckResult get(String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check named " + name));
    }
}
