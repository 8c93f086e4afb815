package io.qontrek.factorydr.verify;

import io.qontrek.factorydr.config.RuntimeLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The anti-replay invariant of the runtime contract: every ledger nonce is in the nonce store. An
 * anti-join that SQLite runs over both files (the nonce store attached to the ledger's connection),
 * rather than a lookup per ledger row through JDBC: about 2 s instead of 10 for 1.2M rows. The seq
 * range is cut into one slice per core, each its own connection and thread, and the slices' findings
 * are reported in seq order.
 */
public final class NonceCoverage {
    private static final String MISSING = "SELECT l.seq, l.nonce FROM ledger l"
            + " WHERE l.seq BETWEEN ? AND ? AND NOT EXISTS (SELECT 1 FROM ns.nonces n WHERE n.nonce = l.nonce) ORDER BY l.seq";
    /** Below this many rows one slice does it all: threads and connections cost more than they save. */
    private static final long MIN_SLICE = 100_000;
    /**
     * How much of the nonce store is mapped, over all slices: the pages a slice touches stay in the
     * process's resident set, so this bounds what the mapping adds to it (each slice maps the first
     * MAPPED_BYTES / slices of the file, and reads beyond through pread).
     */
    private static final long MAPPED_BYTES = 256L << 20;

    private NonceCoverage() {}

    /**
     * How many ledger rows of a restore's staged runtime carry a nonce that is not in the nonce store;
     * both databases must exist. The nonce store is read memory-mapped: the anti-join probes its index
     * once per ledger row, and through pread each probe costs a few system calls (half of the check's
     * CPU, in the kernel, for 1.2M rows). Only for staged files, which nothing else writes or
     * truncates: an I/O error on a mapped file ends the process (serve too, when its drill restores)
     * instead of failing the query, and a restore's staging is swept on the next run.
     */
    public static long missingInStaged(RuntimeLayout staged) throws SQLException {
        return missingMapped(staged, MAPPED_BYTES);
    }

    /** As {@link #missingInStaged}, with {@code mappedBytes} of the nonce store mapped over all slices. */
    static long missingMapped(RuntimeLayout staged, long mappedBytes) throws SQLException {
        Findings findings = new Findings(FederationVerifier.NAME);
        report(staged, findings, mappedBytes);
        return findings.problems();
    }

    /** Reports each ledger row whose nonce is missing from the nonce store, in seq order. */
    static void report(RuntimeLayout layout, Findings findings) throws SQLException {
        report(layout, findings, 0);
    }

    private static void report(RuntimeLayout layout, Findings findings, long mappedBytes) throws SQLException {
        long first;
        long last;
        try (Connection ledger = Sqlite.openReadOnly(layout.ledgerDb());
             Statement s = ledger.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(seq), max(seq) FROM ledger")) {
            rs.next();
            first = rs.getLong(1);
            last = rs.getLong(2);
            if (rs.wasNull()) return; // an empty ledger carries no nonce
        }
        int slices = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), (last - first + 1) / MIN_SLICE));
        long width = (last - first + slices) / slices;
        long mapped = mappedBytes / slices;
        List<Slice> found = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        SQLException[] failure = new SQLException[1];
        for (int i = 0; i < slices; i++) {
            long from = first + i * width;
            long to = Math.min(last, from + width - 1);
            Slice found1 = new Slice();
            found.add(found1);
            Runnable slice = () -> {
                try {
                    missingIn(layout, mapped, from, to, found1);
                } catch (SQLException e) {
                    synchronized (failure) {
                        if (failure[0] == null) failure[0] = e;
                    }
                }
            };
            if (i == slices - 1) {
                slice.run(); // the last slice on this thread
            } else {
                Thread t = new Thread(slice, "nonce-coverage-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted checking nonce coverage", e);
            }
        }
        if (failure[0] != null) throw failure[0];
        for (Slice slice : found) {
            for (String line : slice.lines) findings.problem(line);
            findings.moreProblems(slice.count - slice.lines.size());
        }
    }

    /** What one slice found: at most {@link Findings#CAP} lines, and how many rows in all. */
    private static final class Slice {
        final List<String> lines = new ArrayList<>();
        long count;
    }

    private static void missingIn(RuntimeLayout layout, long mappedBytes, long from, long to, Slice slice) throws SQLException {
        try (Connection ledger = Sqlite.openReadOnly(layout.ledgerDb())) {
            try (PreparedStatement attach = ledger.prepareStatement("ATTACH DATABASE ? AS ns")) {
                attach.setString(1, layout.nonceStoreDb().toString());
                attach.execute();
            }
            if (mappedBytes > 0) {
                // only the nonce store: the ledger is read once in order, and mapping it too would put
                // all of its pages in the process's resident set
                try (Statement s = ledger.createStatement()) {
                    s.execute("PRAGMA ns.mmap_size = " + mappedBytes);
                }
            }
            try (PreparedStatement q = ledger.prepareStatement(MISSING)) {
                q.setLong(1, from);
                q.setLong(2, to);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        if (slice.lines.size() < Findings.CAP) {
                            slice.lines.add("seq " + rs.getLong(1) + ": nonce " + rs.getString(2) + " not in the nonce store");
                        }
                        slice.count++;
                    }
                }
            }
        }
    }
}
