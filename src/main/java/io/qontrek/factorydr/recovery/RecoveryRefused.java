package io.qontrek.factorydr.recovery;

/** Recovery is not safe: at least one check failed. Carries every verdict for the report. */
public final class RecoveryRefused extends RuntimeException {
    private final transient PanicReport report;

    public RecoveryRefused(String what, PanicReport report) {
        super(what + ": " + report.failed().size() + " of " + report.checks().size() + " checks failed: "
                + report.failedSummary());
        this.report = report;
    }

    public PanicReport report() {
        return report;
    }
}
