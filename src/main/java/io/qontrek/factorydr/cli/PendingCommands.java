package io.qontrek.factorydr.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/**
 * Commands of the design whose issues are still open. Each says so plainly and exits 2, rather
 * than pretending to work.
 */
final class PendingCommands {
    private PendingCommands() {}

    static int notYet(FactoryDr app, String command, int issue) {
        System.err.println("factory-dr: '" + command + "' is not implemented yet (issue #" + issue + ")");
        return FactoryDr.USAGE;
    }

    @Command(name = "retention", description = "Apply the retention policy locally and on S3 (issue #4).")
    static final class Retention implements java.util.concurrent.Callable<Integer> {
        @ParentCommand FactoryDr app;
        @Unmatched java.util.List<String> rest;

        public Integer call() {
            return notYet(app, "retention", 4);
        }
    }

}
