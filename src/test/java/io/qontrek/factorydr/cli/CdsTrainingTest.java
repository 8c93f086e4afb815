package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The launcher's class-data archive holds what its training run loads: a training command that fails
 * leaves every class after it out of the archive, and every later start reads them from the jar again.
 * (When backups came to need a signing key, the training's backup failed, and with it all it had left to do.)
 */
class CdsTrainingTest {
    @Test
    void everyTrainingCommandSucceeds() throws Exception {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int failures;
        synchronized (Cli.class) { // Cli.run swaps them too, and points the log at each run's file
            String logFile = System.getProperty("factorydr.log.file");
            System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                failures = CdsTraining.train();
            } finally {
                System.setOut(stdout);
                System.setErr(stderr);
                // the training's FactoryDr.run sets it where it is unset: Cli.logTo must find it as it left it
                if (logFile == null) System.clearProperty("factorydr.log.file");
                else System.setProperty("factorydr.log.file", logFile);
            }
        }
        assertThat(failures).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }
}
