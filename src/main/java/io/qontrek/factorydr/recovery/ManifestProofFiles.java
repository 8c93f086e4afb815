package io.qontrek.factorydr.recovery;

import io.qontrek.factorydr.archive.FileRecord;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.backup.SortedListing;
import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.ParallelIo;
import io.qontrek.factorydr.common.ScratchDb;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The proof files a restore set's manifests say the restored runtime holds (a later archive's record
 * of a path replacing an earlier one's), and the drill's comparison of a restored proof directory
 * with them. Kept in a private on-disk SQLite table, not the heap: a runtime of a million proofs is
 * a million records. The comparison is one merge, in path byte order, of that table with a sorted
 * listing of the directory, whose files are hashed a batch at a time in parallel.
 */
final class ManifestProofFiles implements AutoCloseable {
    private static final int HASH_BATCH = 512;
    private final Connection db;
    private final PreparedStatement put;
    private long count;

    /** What a comparison found: files compared, differences, and the first difference in words (or null). */
    record Comparison(long files, long differences, String first) {}

    ManifestProofFiles() throws SQLException {
        db = ScratchDb.open("CREATE TABLE files (path BLOB PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID");
        put = db.prepareStatement("INSERT OR REPLACE INTO files VALUES (?, ?)");
    }

    /** Adds the manifest's proof/ files; call for the restore set's archives in order. */
    void add(Manifest m) throws SQLException {
        for (FileRecord f : m.files()) {
            if (!f.path().startsWith("proof/")) continue;
            put.setBytes(1, f.path().getBytes(StandardCharsets.UTF_8));
            put.setString(2, f.sha256());
            put.executeUpdate();
        }
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM files")) {
            count = rs.next() ? rs.getLong(1) : 0;
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Compares {@code proofDir} (its files named "proof/...") with the manifests' records. */
    Comparison compare(Path proofDir) throws IOException, SQLException {
        long files = 0;
        long differences = 0;
        String first = null;
        try (ParallelIo io = new ParallelIo(); SortedListing listing = SortedListing.of(proofDir, null);
             Statement s = db.createStatement(); ResultSet want = s.executeQuery("SELECT path, sha256 FROM files ORDER BY path")) {
            boolean more = want.next();
            List<String> batch = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            while (listing.hasNext() || !batch.isEmpty()) {
                // the next batch of files that the manifests list too; the others are reported as they come
                while (listing.hasNext() && batch.size() < HASH_BATCH) {
                    String path = "proof/" + listing.next().relative();
                    byte[] p = path.getBytes(StandardCharsets.UTF_8);
                    while (more && Arrays.compareUnsigned(want.getBytes(1), p) < 0) {
                        differences++;
                        if (first == null) first = new String(want.getBytes(1), StandardCharsets.UTF_8) + " missing";
                        more = want.next();
                    }
                    files++;
                    if (more && Arrays.equals(want.getBytes(1), p)) {
                        batch.add(path);
                        expected.add(want.getString(2));
                        more = want.next();
                    } else {
                        differences++;
                        if (first == null) first = path + " is in no manifest";
                    }
                }
                List<String> got = io.map(batch, path -> Hashes.sha256Hex(proofDir.resolve(path.substring("proof/".length()))));
                for (int i = 0; i < batch.size(); i++) {
                    if (!got.get(i).equals(expected.get(i))) {
                        differences++;
                        if (first == null) first = batch.get(i) + " differs from the manifest";
                    }
                }
                batch.clear();
                expected.clear();
            }
            while (more) {
                differences++;
                if (first == null) first = new String(want.getBytes(1), StandardCharsets.UTF_8) + " missing";
                more = want.next();
            }
        }
        return new Comparison(files, differences, first);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // a private temporary database: nothing is left either way
        }
    }
}
