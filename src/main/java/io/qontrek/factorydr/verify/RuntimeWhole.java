package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.common.ParallelChecks;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.runtime.RuntimeDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * "Is the runtime whole?", answered by one mechanism for everyone who asks it: a restore of its
 * staged copy (with --verify), panic verify and recover, the drill, and the daily verification.
 * Each part is one verifier; the parts run at once, one per core (they only read, apart from the
 * federation probe's rolled-back transaction), and the verdicts come back in {@link Part} order. A
 * part that throws is a failed verdict saying so, never a pass.
 */
public final class RuntimeWhole {
    /** The parts, in the order their verdicts are reported. */
    public enum Part {
        /** The proof files' Merkle chain, whole (ProofChainVerifier). */
        PROOFS(ProofChainVerifier.NAME),
        /** Every day's digest against its proofs (DigestVerifier). */
        DIGESTS(DigestVerifier.NAME),
        /** Each tower receipt's HMAC and the receipt index against the proof files (ReceiptVerifier). */
        RECEIPTS(ReceiptVerifier.NAME),
        /** The federation ledger's chain and nonces (FederationVerifier). */
        FEDERATION(FederationVerifier.NAME),
        /** A test batch accepted and replayed, rolled back (FederationVerifier.probe). */
        FEDERATION_PROBE(FederationVerifier.PROBE_NAME),
        /** {@code PRAGMA integrity_check} of each database; a missing one fails. */
        DATABASES("databases");

        public final String verdictName;

        Part(String verdictName) {
            this.verdictName = verdictName;
        }

        /** "proofs,digests,federation" (as a route names them) to the parts; an unknown name is refused. */
        public static Set<Part> parse(String names) {
            Set<Part> parts = EnumSet.noneOf(Part.class);
            for (String n : names.split(",")) {
                String name = n.trim();
                if (name.isEmpty()) continue;
                try {
                    parts.add(valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_')));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + name + "' is not a part of the runtime check (one of "
                            + String.join(", ", EnumSet.allOf(Part.class).stream().map(p -> p.name().toLowerCase(Locale.ROOT)
                                    .replace('_', '-')).toList()) + ")");
                }
            }
            return parts;
        }
    }

    public static final Set<Part> ALL = EnumSet.allOf(Part.class);

    private RuntimeWhole() {}

    /** The parts asked for, integrity_check on every database. */
    public static List<Verification> verify(RuntimeLayout layout, byte[] towerSecret, Set<Part> parts) throws IOException {
        return verify(layout, towerSecret, parts, RuntimeDatabase.inOrder());
    }

    /**
     * @param towerSecret TOWER_SIGNING_SECRET; without it the receipts part fails saying it is needed
     * @param databases the databases the DATABASES part checks
     */
    public static List<Verification> verify(RuntimeLayout layout, byte[] towerSecret, Set<Part> parts,
            List<RuntimeDatabase> databases) throws IOException {
        ParallelChecks checks = new ParallelChecks();
        List<ParallelChecks.Result<Verification>> results = new ArrayList<>();
        List<Part> asked = new ArrayList<>();
        for (Part p : Part.values()) {
            if (!parts.contains(p)) continue;
            asked.add(p);
            results.add(checks.submit(() -> run(p, layout, towerSecret, databases)));
        }
        checks.awaitAll();
        List<Verification> verdicts = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            try {
                verdicts.add(results.get(i).get());
            } catch (IOException | RuntimeException | AssertionError e) { // as the recovery checks always took them
                String m = e.getMessage();
                String why = "the check could not run: " + (m == null ? e.getClass().getSimpleName() : m.replace('\n', ' '));
                verdicts.add(new Verification(asked.get(i).verdictName, false, 0, List.of(why), why, Map.of()));
            }
        }
        return verdicts;
    }

    private static Verification run(Part p, RuntimeLayout layout, byte[] towerSecret, List<RuntimeDatabase> databases)
            throws Exception {
        return switch (p) {
            case PROOFS -> ProofChainVerifier.verify(layout);
            case DIGESTS -> DigestVerifier.verify(layout);
            case RECEIPTS -> {
                if (towerSecret == null) throw new IllegalStateException("checking tower receipts needs TOWER_SIGNING_SECRET");
                yield ReceiptVerifier.verify(layout, towerSecret);
            }
            case FEDERATION -> FederationVerifier.verify(layout);
            case FEDERATION_PROBE -> FederationVerifier.probe(layout);
            case DATABASES -> databases(layout, databases);
        };
    }

    private static Verification databases(RuntimeLayout layout, List<RuntimeDatabase> databases) {
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (RuntimeDatabase db : databases) {
            names.add(db.fileName());
            Path file = db.live(layout);
            if (!Files.isRegularFile(file)) {
                problems.add("data/" + db.fileName() + " is missing");
                continue;
            }
            String r = integrityCheck(file);
            if (!r.equals("ok")) problems.add("data/" + db.fileName() + " fails integrity_check: " + r);
        }
        String detail = problems.isEmpty() ? "integrity_check ok: " + String.join(", ", names) : String.join("; ", problems);
        return new Verification(Part.DATABASES.verdictName, problems.isEmpty(), databases.size(), problems, detail, Map.of());
    }

    /** "ok", or SQLite's first complaint (an unreadable file included). */
    static String integrityCheck(Path db) {
        try (Connection c = Sqlite.openReadOnly(db); Statement s = c.createStatement()) {
            // 16 MiB of page cache instead of 2: the check revisits pages, and each miss is a read()
            s.execute("PRAGMA cache_size=-16384");
            return Sqlite.integrityCheck(c);
        } catch (SQLException e) {
            return e.getMessage();
        }
    }
}
