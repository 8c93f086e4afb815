package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.common.TestJvm;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runbook's script names (scripts/*.sh) run the mapped factory-dr commands. */
class ScriptsEndToEndTest {
    @TempDir Path tmp;

    /** FACTORY_DR pointing at this build's classes (bin/factory-dr would build a jar first). */
    private Map<String, String> env() throws Exception {
        String command = TestJvm.command(List.of("-Xmx512m"), FactoryDr.class.getName()).stream()
                .map(a -> "'" + a + "'").collect(java.util.stream.Collectors.joining(" "));
        Path launcher = tmp.resolve("factory-dr");
        Files.writeString(launcher, "#!/usr/bin/env bash\nexec " + command + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = new HashMap<>(Cli.env(tmp));
        env.put("FACTORY_DR", launcher.toString());
        return env;
    }

    private static Cli.Result script(Map<String, String> env, String line) throws Exception {
        return Cli.sh(Path.of("").toAbsolutePath(), env, line);
    }

    @Test
    void runbookCommandsWorkWithShInPlaceOfJs() throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(90).days(3).ledgerRows(50).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.parse("2025-10-23T12:00:00Z")).build(), null);
        Map<String, String> env = env();
        env.put("FACTORY_ROOT", root.toString());

        Cli.Result chain = script(env, "scripts/verifyProofChain.sh --from=2025-10-22 --to=2025-10-23");
        assertThat(chain.exit()).as(chain.toString()).isZero();
        assertThat(chain.out()).contains("ok     proofs:");

        Cli.Result archive = script(env, "scripts/maintenance.sh --task=archive --date=2025-10-22");
        assertThat(archive.exit()).as(archive.toString()).isZero();
        Path daily = root.resolve("archive/proof/2025-10-22.tar.gz.enc");
        assertThat(daily).isRegularFile();

        Cli.Result verified = script(env, "scripts/verifyArchive.sh " + daily);
        assertThat(verified.exit()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("archive verified");

        Files.delete(root.resolve("proof/proof-000000000040.json"));
        Cli.Result broken = script(env, "scripts/verifyProofChain.sh");
        assertThat(broken.exit()).as(broken.toString()).isEqualTo(1);
        assertThat(broken.err()).contains("seq 40 missing");
    }

    @Test
    void badUsageExitsTwoWithoutRunningAnything() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("FACTORY_DR", "/nonexistent/factory-dr"); // must not be reached
        Cli.Result unknown = script(env, "scripts/maintenance.sh --task=vacuum");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown --task=vacuum");
        assertThat(script(env, "scripts/maintenance.sh").exit()).isEqualTo(2);
        assertThat(script(env, "scripts/verifyArchive.sh").exit()).isEqualTo(2);
    }
}
