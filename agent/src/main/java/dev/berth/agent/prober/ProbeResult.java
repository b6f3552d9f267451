package dev.berth.agent.prober;

/**
 * The outcome of one probe, as kubelet's {@code probe.Result}: a {@code WARNING} (an HTTP probe
 * that stopped at a redirect to another host) counts as a success but is reported as an event.
 *
 * @param output what the handler said: the failure message, or the exec output / response body
 */
record ProbeResult(Outcome outcome, String output) {
    enum Outcome { SUCCESS, WARNING, FAILURE }

    static ProbeResult success(String output) {
        return new ProbeResult(Outcome.SUCCESS, output);
    }

    static ProbeResult warning(String output) {
        return new ProbeResult(Outcome.WARNING, output);
    }

    static ProbeResult failure(String output) {
        return new ProbeResult(Outcome.FAILURE, output);
    }

    boolean succeeded() {
        return outcome != Outcome.FAILURE;
    }
}
