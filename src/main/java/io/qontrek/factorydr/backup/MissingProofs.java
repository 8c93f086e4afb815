package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.runtime.ProofFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Proof files an earlier archive holds that a listing of proof/ lacks: how many, and the first
 * {@link #NAMED} by name with the archives holding them. Found by one merge of the listing, in the
 * byte order of its names, with the catalog's rows in the same order ({@link Catalog#latestFiles}): a
 * row the listing passes by is a file gone. Nothing is held per file, so a million proofs cost what a
 * thousand do. Only proof files ({@code proof-<seq>.json}) count; a daily digest is rewritten by the
 * runtime and is not a proof seq.
 *
 * <p>The incremental's collector drives the merge with the listing it makes anyway ({@link Merge#listed}
 * gives it the catalog's row of each file); a full holds every proof file, so its own file list, as
 * archived, is merged the same way when it is sealed ({@link ShrinkCheck}).
 */
public final class MissingProofs {
    /** How many missing files a finding names; the rest are counted. */
    static final int NAMED = 10;

    private long count;
    private final List<String> named = new ArrayList<>();
    private final TreeSet<String> holders = new TreeSet<>();

    private MissingProofs() {}

    /** Starts a merge against these rows (below proof/), which it closes. */
    public static Merge merge(Catalog.LatestFiles known) {
        return new Merge(known);
    }

    /** How many proof files the catalog holds that the listing lacks. */
    public long count() {
        return count;
    }

    /** The first of them by name (at most {@link #NAMED}). */
    public List<String> named() {
        return List.copyOf(named);
    }

    /**
     * The finding, one line ("3 proof files that earlier archives hold are gone from proof/: a, b, c (copies
     * in full-...)"), or null when none is missing. The same loss always reads the same, so that a backup can
     * tell it was already reported.
     */
    public String finding() {
        if (count == 0) return null;
        boolean all = count == named.size();
        return count + " proof file" + (count == 1 ? " that an earlier archive holds is" : "s that earlier archives hold are")
                + " gone from proof/: " + String.join(", ", named) + (all ? "" : ", and " + (count - named.size()) + " more")
                + " (copies" + (all ? "" : " of these") + " in " + String.join(", ", holders) + ")";
    }

    private void missing(Catalog.Recorded r) {
        if (r.relative().indexOf('/') >= 0 || ProofFile.seqOfFileName(r.relative()).isEmpty()) return;
        count++;
        if (named.size() < NAMED) {
            named.add(r.relative());
            holders.add(r.backupId());
        }
    }

    /** The merge in progress; feed it the listing in ascending byte order of the names, then {@link #finish}. */
    public static final class Merge implements AutoCloseable {
        private final Catalog.LatestFiles known;
        private final MissingProofs result = new MissingProofs();
        private Catalog.Recorded next;

        private Merge(Catalog.LatestFiles known) {
            this.known = known;
            this.next = known.hasNext() ? known.next() : null;
        }

        /**
         * The catalog's row of this listed file (its path below proof/), or null when the catalog holds none;
         * every row before it is of a file gone.
         */
        public Catalog.Recorded listed(String relative) {
            byte[] name = relative.getBytes(StandardCharsets.UTF_8);
            while (next != null && java.util.Arrays.compareUnsigned(utf8(next.relative()), name) < 0) {
                result.missing(next);
                next = known.hasNext() ? known.next() : null;
            }
            if (next == null || !next.relative().equals(relative)) return null;
            Catalog.Recorded r = next;
            next = known.hasNext() ? known.next() : null;
            return r;
        }

        /** The listing is done: the rows left are of files gone too. */
        public MissingProofs finish() {
            while (next != null) {
                result.missing(next);
                next = known.hasNext() ? known.next() : null;
            }
            close();
            return result;
        }

        @Override
        public void close() {
            known.close();
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }
}
