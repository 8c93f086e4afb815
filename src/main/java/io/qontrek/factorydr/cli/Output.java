package io.qontrek.factorydr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.backup.BackupSet;
import io.qontrek.factorydr.backup.StoredArchive;
import java.io.PrintStream;

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
        var m = a.manifest();
        if (app.json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", "written");
            o.put("backup_id", m.backupId());
            o.put("type", m.type().wire());
            o.put("archive", a.file().toString());
            o.put("size", m.archive().size());
            o.put("sha256", m.archive().sha256());
            o.put("files", m.files().size());
            o.put("content_bytes", a.contentBytes());
            o.put("seconds", a.took().toMillis() / 1000.0);
            o.put("verified", true);
            o.set("redacted", JSON.valueToTree(m.redacted()));
            o.set("skipped", JSON.valueToTree(m.skipped()));
            json(o);
            return;
        }
        double secs = Math.max(a.took().toMillis() / 1000.0, 0.001);
        out().printf("%s written and verified: %s%n", what, a.file());
        out().printf("  %,d files, %.1f MB in, %.1f MB archived, %.1f s (%.1f MB/s)%n", m.files().size(),
                a.contentBytes() / 1e6, m.archive().size() / 1e6, secs, a.contentBytes() / 1e6 / secs);
        if (m.proofHead() != null) out().printf("  proof head: seq %d %s%n", m.proofHead().seq(), m.proofHead().merkleRoot());
        if (m.ledgerHead() != null) out().printf("  ledger head: seq %d %s%n", m.ledgerHead().seq(), m.ledgerHead().entryHash());
        for (String r : m.redacted()) out().printf("  redacted (secret fields removed): %s%n", r);
        for (String s : m.skipped()) out().printf("  skipped (holds a secret): %s%n", s);
    }

    static void nothingToDo(FactoryDr app, String what, BackupSet set) {
        if (app.json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", "nothing-to-do");
            o.put("backup_id", set.backupId());
            o.put("base", set.base());
            json(o);
        } else {
            String since = set.base() != null ? "no proof file changed since " + set.base() : "nothing to archive for " + set.backupId();
            out().printf("%s: %s; no archive written%n", what, since);
        }
    }
}
