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

    @Command(name = "panic", description = "Verify or recover from panic mode (issue #5).")
    static final class Panic implements java.util.concurrent.Callable<Integer> {
        @ParentCommand FactoryDr app;
        @Unmatched java.util.List<String> rest;

        public Integer call() {
            return notYet(app, "panic", 5);
        }
    }

    @Command(name = "drill", description = "Run a DR drill in a staging copy (issue #5).")
    static final class Drill implements java.util.concurrent.Callable<Integer> {
        @ParentCommand FactoryDr app;
        @Unmatched java.util.List<String> rest;

        public Integer call() {
            return notYet(app, "drill", 5);
        }
    }
}
