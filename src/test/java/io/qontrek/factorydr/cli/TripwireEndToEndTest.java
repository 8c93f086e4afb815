package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tripwire as an operator meets it: a full, an incremental, then the ledger cut back below the
 * backed-up head. The next full is still written, exits 0 and says TRIPWIRE; its manifest names the
 * finding, the alert log has it, `list` shows it, and retention keeps the incremental from before the
 * cut (and the full it builds on) long after the policy would have let them go, until `tripwire ack`.
 */
class TripwireEndToEndTest {
    @TempDir Path tmp;

    @Test
    void aLedgerCutBackTripsTheNextBackup_andRetentionKeepsTheBackupFromBeforeTheCutUntilAck() throws Exception {
        LocalDate day0 = LocalDate.now(ZoneOffset.UTC).minusDays(60);
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(60).days(2).ledgerRows(80).logMb(0)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now().minusSeconds(3600)).build(), null);
        Map<String, String> env = Cli.env(tmp);
        String full0 = "full-" + stamp(day0, 0);
        String inc1 = "incremental-" + stamp(day0, 1);
        String full7 = "full-" + stamp(day0, 7);

        // written through the CLI's entry point in this JVM (the tripped backup below runs as the operator's)
        assertThat(FactoryDr.run(new String[] {"backup", "full", "--root=" + root}, at(env, day0, 0))).isZero();
        RuntimeEdits.appendProofs(root, 2, Cli.TOWER_SECRET);
        assertThat(FactoryDr.run(new String[] {"backup", "incremental", "--root=" + root}, at(env, day0, 1))).isZero();
        Catalog catalog = new Catalog(root.resolve("archive/catalog.db"));
        assertThat(catalog.archives()).extracting(CatalogEntry::backupId).containsExactly(full0, inc1);
        assertThat(catalog.tripwires(true)).as("the runtime only grew").isEmpty();

        // the ledger cut back to seq 40: the next backup is written, exits 0, and says what it saw
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + root.resolve("data/federation_ledger.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM ledger WHERE seq > 40");
        }
        Cli.Result tripped = Cli.run(at(env, day0, 7), "backup", "full", "--root=" + root);
        String cut = "ledger head seq 40 is below seq 80 of the previous backup " + inc1;
        assertThat(tripped.exit()).as(tripped.toString()).isZero();
        assertThat(tripped.out()).contains("full backup written and verified").contains("TRIPWIRE: " + cut)
                .contains("retention keeps " + inc1 + " until 'factory-dr tripwire ack " + full7 + "'");
        JsonNode manifest = new ObjectMapper().readTree(root.resolve("archive/full/" + stamp(day0, 7) + ".tar.gz.enc.manifest.json").toFile());
        List<String> named = new ArrayList<>();
        manifest.get("tripwires").forEach(n -> named.add(n.asText()));
        assertThat(named).contains(cut);
        assertThat(catalog.tripwiresOf(full7)).extracting(Catalog.Tripwire::finding).containsExactlyElementsOf(named);
        assertThat(Files.readString(root.resolve("logs/alerts/factory-dr-" + day0.plusDays(7) + ".log")))
                .contains("\"flow\":\"backup-full\"").contains("backup-full tripwire: " + cut);
        assertThat(Cli.run(env, "list", "--root=" + root).out()).contains("unacknowledged tripwires").contains(full7 + " (")
                .contains(cut);

        // 45 days on, the policy would let the first group go; the tripwire holds it, and the dry run says why
        String asOf = "--as-of=" + day0.plusDays(45);
        Cli.Result held = Cli.run(env, "retention", "--dry-run", asOf, "--root=" + root);
        assertThat(held.exit()).as(held.toString()).isZero();
        assertThat(held.out())
                .contains("keep   incremental/" + stamp(day0, 1) + ".tar.gz.enc  " + inc1 + ": held by the tripwire of " + full7 + " (" + cut)
                .contains("until 'factory-dr tripwire ack " + full7 + "'")
                .contains("keep   full/" + stamp(day0, 0) + ".tar.gz.enc  " + full0 + ": 45 days old, beyond 30, but incremental "
                        + inc1 + " builds on it and is kept");

        Cli.Result nope = Cli.run(env, "tripwire", "ack", "full-19990101T000000Z", "--root=" + root);
        assertThat(nope.exit()).as(nope.toString()).isEqualTo(FactoryDr.USAGE);
        assertThat(nope.err().lines()).singleElement().asString().contains("no tripwire of 'full-19990101T000000Z'")
                .contains("unacknowledged: " + full7);

        Cli.Result ack = Cli.run(env, "tripwire", "ack", full7, "--root=" + root);
        assertThat(ack.exit()).as(ack.toString()).isZero();
        assertThat(ack.out()).startsWith("acknowledged ").contains(" of " + full7 + "; retention may let go of " + inc1 + " again");
        assertThat(Cli.run(env, "tripwire", "list", "--root=" + root).out()).contains("no unacknowledged tripwire");
        assertThat(Cli.run(env, "list", "--root=" + root).out()).doesNotContain("unacknowledged tripwires");

        Cli.Result free = Cli.run(env, "retention", "--dry-run", asOf, "--root=" + root);
        assertThat(free.out()).contains("remove full/" + stamp(day0, 0) + ".tar.gz.enc  " + full0 + ": 45 days old, beyond 30")
                .contains("remove incremental/" + stamp(day0, 1) + ".tar.gz.enc  " + inc1 + ": goes with its full " + full0);
    }

    private static Map<String, String> at(Map<String, String> env, LocalDate day0, int day) {
        Map<String, String> at = new HashMap<>(env);
        at.put("FACTORY_NOW", day0.plusDays(day) + "T03:00:00Z");
        return at;
    }

    private static String stamp(LocalDate day0, int day) {
        return day0.plusDays(day).toString().replace("-", "") + "T030000Z";
    }
}
