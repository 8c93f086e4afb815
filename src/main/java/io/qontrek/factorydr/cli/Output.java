package io.qontrek.factorydr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.io.PrintStream;
import java.util.List;

/** The results commands print: a sentence for people, or JSON with --json. */
final class Output {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {}

    static PrintStream out() {
        return System.out;
    }

    static void json(Object value) {
        try {
            out().println(JSON.writeValueAsString(value));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON output", e);
        }
    }

    static void archiveWritten(FactoryDr app, String what, StoredArchive a) {
        archiveWritten(app, what, a, null);
    }

    /** servicePid: the running service that did it for this command, or null when the command did. */
    static void archiveWritten(FactoryDr app, String what, StoredArchive a, Long servicePid) {
        var m = a.manifest();
        if (app.json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", "written");
            o.put("backup_id", m.backupId());
            o.put("type", m.type().wire());
            o.put("archive", a.file().toString());
            o.put("size", m.archive().size());
            o.put("sha256", m.archive().sha256());
            o.put("files", m.files().count());
            o.put("content_bytes", a.contentBytes());
            o.put("seconds", a.took().toMillis() / 1000.0);
            o.put("verified", true);
            o.set("redacted", JSON.valueToTree(m.redacted()));
            o.set("skipped", JSON.valueToTree(m.skipped()));
            if (m.databases() != null) {
                var dbs = o.putArray("databases");
                for (var d : m.databases()) {
                    ObjectNode x = dbs.addObject();
                    x.put("name", d.name());
                    x.put("form", d.form().wire());
                    x.put("rows", d.rows());
                    x.put("why", d.why());
                }
            }
            List<Catalog.Tripwire> tripped = tripwires(app, a);
            if (!tripped.isEmpty()) {
                o.set("tripwires", JSON.valueToTree(tripped.stream().map(Catalog.Tripwire::finding).toList()));
                o.put("held", tripped.get(0).held());
            }
            if (servicePid != null) o.put("service_pid", servicePid);
            json(o);
            return;
        }
        double secs = Math.max(a.took().toMillis() / 1000.0, 0.001);
        out().printf("%s written and verified: %s%n", what, a.file());
        out().printf("  %,d files, %.1f MB in, %.1f MB archived, %.1f s (%.1f MB/s)%n", m.files().count(),
                a.contentBytes() / 1e6, m.archive().size() / 1e6, secs, a.contentBytes() / 1e6 / secs);
        if (m.proofHead() != null) out().printf("  proof head: seq %d %s%n", m.proofHead().seq(), m.proofHead().merkleRoot());
        if (m.ledgerHead() != null) out().printf("  ledger head: seq %d %s%n", m.ledgerHead().seq(), m.ledgerHead().entryHash());
        if (m.databases() != null && m.type() == io.qontrek.factorydr.archive.Manifest.Type.INCREMENTAL) {
            for (var d : m.databases()) {
                if (d.form() == io.qontrek.factorydr.archive.Manifest.Database.Form.DELTA) {
                    out().printf("  %s: %,d rows added (%s)%n", d.name(), d.rows(), d.path());
                } else {
                    out().printf("  %s: taken whole (%,d rows): %s%n", d.name(), d.rows(), d.why());
                }
            }
        }
        for (String r : m.redacted()) out().printf("  redacted (secret fields removed): %s%n", r);
        for (String s : m.skipped()) out().printf("  skipped (holds a secret): %s%n", s);
        // the backup is written, but it saw the runtime shrink: say so where the operator looks
        List<Catalog.Tripwire> tripped = tripwires(app, a);
        for (Catalog.Tripwire t : tripped) out().printf("  TRIPWIRE: %s%n", t.finding());
        if (!tripped.isEmpty()) out().printf("  %s%n", tripped.get(0).hold());
        if (servicePid != null) out().printf("  run by the factory-dr service (pid %d) serving this archive directory%n", servicePid);
    }

    /**
     * The backup's tripwire findings as the catalog recorded them, with the backup they hold: all of them,
     * those judged on the archive's own size too, which its manifest (written inside it) cannot name, and
     * so a service's reply, read from that manifest, does not carry.
     */
    private static List<Catalog.Tripwire> tripwires(FactoryDr app, StoredArchive a) {
        return new Catalog(RuntimeLayout.of(app.settings()).catalogDb()).tripwiresOf(a.manifest().backupId());
    }

    static void restored(FactoryDr app, io.qontrek.factorydr.restore.RestoreJob job) {
        if (app.json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", job.dryRun ? "dry-run" : "restored");
            o.put("target", job.target.root().toString());
            o.put("scope", job.scope.wire());
            o.set("backup_ids", JSON.valueToTree(job.backupIds));
            o.put("files", job.files);
            o.put("bytes", job.bytes);
            o.set("checks", JSON.valueToTree(job.checks));
            if (job.description != null) {
                o.set("added", JSON.valueToTree(job.description.added()));
                o.set("changed", JSON.valueToTree(job.description.changed()));
                o.set("removed", JSON.valueToTree(job.description.removed()));
                o.set("kept_live", JSON.valueToTree(job.description.keptLive()));
            }
            if (job.swapped != null) o.set("swapped", JSON.valueToTree(job.swapped.swapped()));
            json(o);
            return;
        }
        out().printf("%s %s from %s (%,d files, %.1f MB)%n", job.dryRun ? "dry run: would restore" : "restored",
                job.target.root(), String.join(" + ", job.backupIds), job.files, job.bytes / 1e6);
        for (String c : job.checks) out().println("  " + c);
        if (job.description != null) {
            var d = job.description;
            out().println("  " + d.summary());
            for (String a : limit(d.added())) out().println("  + " + a);
            for (String c : limit(d.changed())) out().println("  ~ " + c);
            for (String r : limit(d.removed())) out().println("  - " + r);
        }
        if (job.swapped != null) {
            out().println("  swapped in: " + String.join(", ", job.swapped.swapped()));
            if (!job.swapped.keptLive().isEmpty()) out().println("  kept live (secrets): " + String.join(", ", job.swapped.keptLive()));
            if (job.swapped.warning() != null) out().println("  warning: " + job.swapped.warning());
        }
    }

    private static java.util.List<String> limit(java.util.List<String> names) {
        if (names.size() <= 20) return names;
        var out = new java.util.ArrayList<>(names.subList(0, 20));
        out.add("... and " + (names.size() - 20) + " more");
        return out;
    }

    static void verifications(FactoryDr app, java.util.List<io.qontrek.factorydr.verify.Verification> list) {
        if (app.json) {
            json(list.stream().map(v -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("name", v.name());
                o.put("passed", v.passed());
                o.put("checked", v.checked());
                o.put("detail", v.detail());
                o.set("problems", JSON.valueToTree(v.problems()));
                o.set("facts", JSON.valueToTree(v.facts()));
                return o;
            }).toList());
            return;
        }
        for (var v : list) {
            out().printf("%s %s: %s%n", v.passed() ? "ok    " : "FAILED", v.name(), v.detail());
            for (String p : limit(v.problems())) out().println("         " + p);
        }
    }

    static void nothingToDo(FactoryDr app, String what, String backupId, String base, Long servicePid) {
        if (app.json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", "nothing-to-do");
            o.put("backup_id", backupId);
            o.put("base", base);
            if (servicePid != null) o.put("service_pid", servicePid);
            json(o);
        } else {
            String since = base != null ? "neither the proof files nor the databases changed since " + base : "nothing to archive for " + backupId;
            out().printf("%s: %s; no archive written%s%n", what, since,
                    servicePid == null ? "" : " (checked by the factory-dr service, pid " + servicePid + ")");
        }
    }
}
