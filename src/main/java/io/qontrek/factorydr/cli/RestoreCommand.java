package io.qontrek.factorydr.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/** {@code factory-dr restore}: staged, verified restores arrive with issue #3. */
@Command(name = "restore", description = "Restore by date, latest or a given archive (issue #3).")
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Unmatched
    java.util.List<String> rest;

    @Override
    public Integer call() {
        return PendingCommands.notYet(app, "restore", 3);
    }
}
