package io.qontrek.factorydr.restore;

import io.qontrek.factorydr.archive.Manifest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether each incremental's database deltas build on the heads the archives before it in a restore
 * set leave, judged from their signed manifests alone: what a restore's replay ({@link DeltaReplay})
 * refuses against the staged rows, found by {@code verify backup} without one. A set whose
 * incremental was built on another backup than the one before it (a catalog that missed a full when
 * it was taken) passes each archive's own check and is refused only here.
 */
public final class DeltaChain {
    /**
     * One archive of the set, in restore order: its name, and the databases its manifest names (null:
     * none); {@code read} false for one whose manifest could not be read (it failed on its own), after
     * which the heads are not known.
     */
    public record Link(String archive, List<Manifest.Database> databases, boolean read) {
        public Link(String archive, List<Manifest.Database> databases) {
            this(archive, databases, true);
        }

        public static Link unread(String archive) {
            return new Link(archive, null, false);
        }
    }

    private DeltaChain() {}

    /** One line per delta that does not build on the head before it; empty when every one does. */
    public static List<String> problems(List<Link> set) {
        List<String> problems = new ArrayList<>();
        Map<String, Manifest.TableHead> heads = new HashMap<>();
        for (Link link : set) {
            if (!link.read()) heads.clear(); // already named by its own failure: not again by the archives after it
            if (link.databases() == null) continue;
            for (Manifest.Database d : link.databases()) {
                Manifest.TableHead before = heads.put(d.name(), d.head());
                // an archive from before databases were named leaves the head unknown: the restore judges it
                if (d.form() != Manifest.Database.Form.DELTA || before == null) continue;
                if (before.rows() != d.base().rows() || !Objects.equals(before.lastRowSha256(), d.base().lastRowSha256())) {
                    problems.add(link.archive() + ": its " + d.name() + " delta builds on " + d.base().rows() + " rows, but the archives"
                            + " before it leave " + before.rows() + (before.rows() == d.base().rows() ? " rows ending in another row" : " rows")
                            + ": it builds on an archive not in this set (missing, or of another chain); a restore of the set is refused");
                }
            }
        }
        return problems;
    }
}
