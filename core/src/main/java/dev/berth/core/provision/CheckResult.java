package dev.berth.core.provision;

/** The outcome of one preflight check; a warning or failure says what to do in {@code remedy}. */
public record CheckResult(String name, Status status, String message, String remedy) {
    public enum Status { OK, WARN, FAIL }

    public static CheckResult ok(String name, String message) {
        return new CheckResult(name, Status.OK, message, "");
    }

    public static CheckResult warn(String name, String message, String remedy) {
        return new CheckResult(name, Status.WARN, message, remedy);
    }

    public static CheckResult fail(String name, String message, String remedy) {
        return new CheckResult(name, Status.FAIL, message, remedy);
    }

    @Override
    public String toString() {
        return status + " " + name + ": " + message + (remedy.isEmpty() ? "" : " -> " + remedy);
    }
}
