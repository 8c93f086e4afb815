package io.qontrek.factorydr.verify;

/**
 * One check's verdict: its name, whether it passed, and one line saying what it found. The one shape
 * of every yes-or-no answer factory-dr gives: a governance gate, a panic recovery check, a drill
 * outcome's check, a verifier's summary ({@link #of}).
 */
public record CheckResult(String name, boolean pass, String detail) {

    /** A verifier's verdict as a check: its summary when it passed, its first problem when not. */
    public static CheckResult of(Verification v) {
        String detail = v.passed() ? v.detail() : v.firstProblem().orElse(v.detail())
                + (v.problems().size() > 1 ? " (and " + (v.problems().size() - 1) + " more)" : "");
        return new CheckResult(v.name(), v.passed(), detail);
    }

    public static CheckResult passed(String name, String detail) {
        return new CheckResult(name, true, detail);
    }

    public static CheckResult failed(String name, String detail) {
        return new CheckResult(name, false, detail);
    }
}
