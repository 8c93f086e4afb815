package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.ScratchDb;
import io.qontrek.factorydr.common.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Proves that the paths of one archive (its manifest, its tar entries) never repeat, in memory that
 * does not grow with their number.
 *
 * <p>Paths that come in runs of strictly ascending UTF-8 bytes, one run per top-level directory and
 * no run resumed, cannot repeat: that is checked with the previous path alone, and every backup
 * writes its entries so. Each path is still appended to an unlinked spool file, so that at the first
 * path out of that order the spool is loaded into a private on-disk SQLite table, which then answers
 * for every later path exactly. Nothing outlives {@link #close} or the process.
 *
 * <p>{@link #claim} also says whether a parent of the path was itself claimed as a file (a tar whose
 * {@code a} is a file and {@code a/b} another). In order, such a parent can only be one of the few
 * paths that every path since began with (they are kept on a stack): names between {@code a} and
 * {@code a/b} in byte order all begin with {@code a}.
 */
public final class UniquePaths implements AutoCloseable {
    private static final int MAX_RUNS = 256;
    
    private final Path spillDir;
    // ordered mode
    private final Set<String> closedRuns = new HashSet<>();
    private String run;
    private byte[] last;
    private final java.util.ArrayDeque<byte[]> open = new java.util.ArrayDeque<>(); // each a prefix-to-be of the next
    private Spool spool;
    // table mode, after the first path out of order
    private Connection table;
    private PreparedStatement insert;
    private PreparedStatement lookup;

    /** The answer of {@link #claim}: the path was claimed before, or one of its parents was claimed as a path. */
    public record Claim(boolean repeated, String claimedParent) {
        static final Claim NEW = new Claim(false, null);

        public boolean ok() {
            return !repeated && claimedParent == null;
        }
    }

    /** Spills into {@code spillDir} (null: java.io.tmpdir) once there is more than a buffer of paths. */
    public UniquePaths(Path spillDir) {
        this.spillDir = spillDir;
        this.spool = new Spool(spillDir);
    }

    /** Records {@code path}; false when it was recorded before. */
    public boolean add(String path) {
        return !claim(path, false).repeated();
    }

    /** Records {@code path} and checks its parents ('/'-separated prefixes) against the paths recorded. */
    public Claim claim(String path) {
        return claim(path, true);
    }

    /** Whether {@code path} was recorded (exact; may move this set to its table). */
    public boolean contains(String path) {
        try {
            if (table == null) openTable();
            return inTable(path.getBytes(StandardCharsets.UTF_8));
        } catch (SQLException | IOException e) {
            throw failure(e);
        }
    }

    private Claim claim(String path, boolean parents) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        try {
            if (table == null && inOrder(bytes)) {
                String parent = parents ? openParent(bytes) : null;
                while (!open.isEmpty() && !continues(bytes, open.peek())) open.pop();
                open.push(bytes);
                spool.append(bytes);
                return parent == null ? Claim.NEW : new Claim(false, parent);
            }
            if (table == null) openTable();
            if (parents) {
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '/' && inTable(Arrays.copyOf(bytes, i))) return new Claim(false, new String(bytes, 0, i, StandardCharsets.UTF_8));
                }
            }
            insert.setBytes(1, bytes);
            return insert.executeUpdate() == 1 ? Claim.NEW : new Claim(true, null);
        } catch (SQLException | IOException e) {
            throw failure(e);
        }
    }

    /** A parent of {@code path} among the open paths (in order, the only ones that can be its parents), or null. */
    private String openParent(byte[] path) {
        for (byte[] p : open) {
            if (p.length < path.length && path[p.length] == '/' && Arrays.equals(p, 0, p.length, path, 0, p.length)) {
                return new String(p, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Whether a path after {@code earlier} in order can still have {@code earlier} as its parent: it begins with it and a byte below '/'. */
    private static boolean continues(byte[] path, byte[] earlier) {
        return path.length > earlier.length && (path[earlier.length] & 0xff) < '/'
                && Arrays.equals(earlier, 0, earlier.length, path, 0, earlier.length);
    }

    private boolean inTable(byte[] path) throws SQLException {
        lookup.setBytes(1, path);
        try (var rs = lookup.executeQuery()) {
            return rs.next();
        }
    }

    private static IllegalStateException failure(Exception e) {
        return new IllegalStateException("cannot check archive paths for repeats: " + e.getMessage(), e);
    }

    /** Whether every path so far came in order (no table was needed). */
    public boolean ordered() {
        return table == null;
    }

    private boolean inOrder(byte[] path) {
        String top = top(path);
        if (top.equals(run)) {
            if (Arrays.compareUnsigned(last, path) >= 0) return false;
        } else {
            if (closedRuns.contains(top) || closedRuns.size() >= MAX_RUNS) return false;
            if (run != null) closedRuns.add(run);
            run = top;
        }
        last = path;
        return true;
    }

    /** Out of order: every path so far goes into the table, which answers from now on. */
    private void openTable() throws SQLException, IOException {
        table = ScratchDb.open("CREATE TABLE paths (path BLOB PRIMARY KEY) WITHOUT ROWID");
        insert = table.prepareStatement("INSERT OR IGNORE INTO paths VALUES (?)");
        lookup = table.prepareStatement("SELECT 1 FROM paths WHERE path = ?");
        for (byte[] path : spool.seal()) {
            insert.setBytes(1, path);
            insert.executeUpdate(); // ordered paths are distinct
        }
        spool.close();
        spool = null;
        closedRuns.clear();
        open.clear();
        last = null;
    }

    @Override
    public void close() {
        try {
            if (spool != null) spool.close();
            if (table != null) table.close();
        } catch (SQLException ignored) {
            // unlinked or temporary: nothing is left either way
        }
    }

    private static String top(byte[] path) {
        for (int i = 0; i < path.length; i++) {
            if (path[i] == '/') return new String(path, 0, i, StandardCharsets.UTF_8);
        }
        return "";
    }
}
