package io.qontrek.factorydr.retention;

import java.nio.file.Path;
import java.util.List;

/**
 * What a retention run did (or, for a dry run, would do): the plan, the archives removed, how many
 * local files and S3 objects went, and the runtime logs pruned.
 *
 * @param offsite where S3 objects were removed ("bucket B at endpoint E"), or null with offsite copies off
 * @param offsiteLeft archives removed locally that the catalog knew to be offsite while offsite copies
 *     are off: their S3 objects stay until a run with factory.s3.enabled=true
 */
public record RetentionReport(RetentionPlan plan, boolean dryRun, List<RetentionPlan.Removal> removed, long localFiles,
                              long localBytes, long s3Objects, String offsite, List<Path> runtimeLogs, int offsiteLeft) {
    public RetentionReport {
        removed = List.copyOf(removed);
        runtimeLogs = List.copyOf(runtimeLogs);
    }

    public boolean nothingToDo() {
        return plan.removals().isEmpty() && runtimeLogs.isEmpty();
    }

    public String summary() {
        if (dryRun) {
            return "dry run " + plan.summary() + (runtimeLogs.isEmpty() ? "" : ", " + runtimeLogs.size() + " runtime logs to prune")
                    + "; nothing changed";
        }
        return "as of " + plan.asOf() + ": " + removed.size() + " archives removed (" + localFiles + " local files, "
                + String.format("%.1f MB", localBytes / 1e6) + (offsite == null ? "" : "; " + s3Objects + " S3 objects in " + offsite)
                + "), " + plan.kept().size() + " kept" + (runtimeLogs.isEmpty() ? "" : ", " + runtimeLogs.size() + " runtime logs pruned")
                + (offsiteLeft == 0 ? "" : "; " + offsiteLeft + " of them still have offsite copies (factory.s3.enabled=false)");
    }
}
