package dev.berth.core.provision;

/**
 * One progress report: the step running, how far it is ({@code 0.0} to {@code 1.0}) and what it
 * is doing now.
 */
public record Progress(String step, double fraction, String message) {
    public Progress {
        if (step == null || step.isBlank()) {
            throw new IllegalArgumentException("step must not be empty");
        }
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("fraction " + fraction + " must be between 0 and 1");
        }
        message = message == null ? "" : message;
    }
}
