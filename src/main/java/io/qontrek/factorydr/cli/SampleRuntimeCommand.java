package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr sample-runtime DIR}: a realistic runtime that follows the contract, for demos, tests and benchmarks. */
@Command(name = "sample-runtime", description = "Generate a runtime that follows the contract exactly (signed with TOWER_SIGNING_SECRET).")
final class SampleRuntimeCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Parameters(paramLabel = "DIR", description = "Where to generate it (must be new or empty).")
    Path dir;

    @Option(names = "--proofs", defaultValue = "200", description = "Proof files (default ${DEFAULT-VALUE}).")
    int proofs;

    @Option(names = "--days", defaultValue = "3", description = "Days the proofs span, ending now (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--ledger", defaultValue = "500", description = "Ledger rows (default ${DEFAULT-VALUE}).")
    int ledger;

    @Option(names = "--log-mb", defaultValue = "2", description = "Megabytes of service logs (default ${DEFAULT-VALUE}).")
    int logMb;

    @Option(names = "--leaves", defaultValue = "8", description = "Leaves per proof (default ${DEFAULT-VALUE}).")
    int leaves;

    @Option(names = "--seed", defaultValue = "20251023", description = "Random seed, for reproducible runtimes.")
    long seed;

    @Override
    public Integer call() throws Exception {
        byte[] tower = app.secrets().require(Secrets.TOWER_SECRET).towerSecret();
        SampleRuntime.Options options;
        try {
            options = SampleRuntime.Options.builder().proofs(proofs).days(days).ledgerRows(ledger).logMb(logMb)
                    .leavesPerProof(leaves).seed(seed).towerSecret(new String(tower, StandardCharsets.UTF_8))
                    .end(Instant.now()).build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sample-runtime: " + e.getMessage());
        }
        SampleRuntime.Summary s;
        try {
            s = SampleRuntime.generate(dir, options, Terminal.progress("sample runtime"));
        } finally {
            Terminal.endProgress();
        }
        if (app.json) {
            Output.json(java.util.Map.of("root", dir.toAbsolutePath().toString(), "files", s.files(), "bytes", s.bytes(),
                    "proofs", s.proofFiles(), "ledger_rows", s.ledgerRows()));
        } else {
            Output.out().printf("sample runtime generated in %s: %,d files, %.1f MB (%,d proofs %s..%s, %,d ledger rows)%n",
                    dir.toAbsolutePath(), s.files(), s.bytes() / 1e6, s.proofFiles(), s.firstDay(), s.lastDay(), s.ledgerRows());
        }
        return FactoryDr.OK;
    }
}
