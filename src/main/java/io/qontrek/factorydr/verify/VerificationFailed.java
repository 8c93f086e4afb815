package io.qontrek.factorydr.verify;

/** A verifier found a problem: the operation failed a check (exit status 1). */
public final class VerificationFailed extends RuntimeException {
    private final transient Verification verification;

    public VerificationFailed(Verification v) {
        super("verify " + v.name() + " failed: " + v.firstProblem().orElse(v.detail())
                + (v.problems().size() > 1 ? " (and " + (v.problems().size() - 1) + " more)" : ""));
        this.verification = v;
    }

    public Verification verification() {
        return verification;
    }
}
