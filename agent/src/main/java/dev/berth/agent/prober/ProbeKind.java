package dev.berth.agent.prober;

public enum ProbeKind {
    LIVENESS, READINESS, STARTUP
}
