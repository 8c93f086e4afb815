package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.verify.CheckResult;
import java.util.List;

/** Every recovery check's verdict; recovery is safe only when each one passed. */
public record PanicReport(List<CheckResult> checks) {
    public PanicReport {
        checks = List.copyOf(checks);
    }

    public boolean safe() {
        return !checks.isEmpty() && checks.stream().allMatch(CheckResult::pass);
    }

    public List<CheckResult> failed() {
        return checks.stream().filter(c -> !c.pass()).toList();
    }

    /** "proofs (seq 17 is missing), federation (...)": the failed checks, for one line. */
    public String failedSummary() {
        return String.join("; ", failed().stream().map(c -> c.name() + ": " + c.detail()).toList());
    }
}
