package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.catalog.CatalogReads;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.governance.Gates;
import io.qontrek.factorydr.governance.GovernancePolicy;
import io.qontrek.factorydr.governance.GovernanceReport;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.proofs.RecoveryProofs;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every view of "how are the backups right now" comes from: GET /api/mcp/governance, healthz,
 * /metrics, the governance watch, the status page (GET /) and {@code factory-dr status} all ask this
 * one object, so the page and the terminal can never judge a gate differently from the API. It only
 * reads recorded state (the catalog, a few stats, the newest signed drill proof).
 */
public final class Status {
    /** The backup flows the page charts: the ones the RPO rests on. */
    public static final List<String> CHARTED_FLOWS = List.of("backup-full", "backup-incremental");
    /** How far back the chart reaches. */
    public static final Duration CHART_WINDOW = Duration.ofDays(30);

    private final RuntimeLayout layout;
    private final Catalog catalog;
    private final GovernancePolicy policy;
    private final HealthChecks health;
    private final DrillProof.Objectives objectives;
    private final Secrets secrets;

    public Status(Settings settings, Secrets secrets) {
        this.layout = RuntimeLayout.of(settings);
        this.catalog = new Catalog(layout.catalogDb());
        this.policy = GovernancePolicy.from(settings);
        this.health = new HealthChecks(layout, policy.offsiteEnabled(), HealthChecks.minFreeBytes(settings));
        this.objectives = DrillProof.Objectives.from(settings);
        this.secrets = secrets;
    }

    public RuntimeLayout layout() {
        return layout;
    }

    public GovernancePolicy policy() {
        return policy;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The governance gates, read from the catalog. */
    public GovernanceReport governance(Instant now) {
        return governance(catalog, now);
    }

    /** The governance gates, as GET /api/mcp/governance answers them from what its route read of the catalog. */
    public GovernanceReport governance(CatalogReads read, Instant now) {
        return Gates.evaluate(layout, read, policy, signingSecret(), now);
    }

    /** The health checks, read from the catalog; {@code service} are the running service's own (see ApiBeans). */
    public HealthReport health(Check... service) {
        return health(catalog, service);
    }

    /** The health checks, as healthz answers them from what its route read of the catalog. */
    public HealthReport health(CatalogReads read, Check... service) {
        return health.check(read, service);
    }

    /** Where the chart's runs start: {@link #CHART_WINDOW} before {@code now}, as recorded times compare. */
    public static String chartSince(Instant now) {
        return now.minus(CHART_WINDOW).toString();
    }

    /** Everything the status page shows, read from the catalog, around verdicts the caller has already reached. */
    public StatusReport report(Instant now, GovernanceReport governance, HealthReport healthReport) {
        return report(catalog, catalog.runsSince(CHARTED_FLOWS, chartSince(now)), now, governance, healthReport);
    }

    /**
     * Everything the status page shows, from what its route read of the catalog: {@code chartRuns} are
     * the runs of {@link #CHARTED_FLOWS} since {@link #chartSince}.
     */
    public StatusReport report(CatalogReads read, List<Catalog.SizedRun> chartRuns, Instant now, GovernanceReport governance,
            HealthReport healthReport) {
        List<CatalogEntry> archives = read.archives();
        Map<String, CatalogEntry> newest = new LinkedHashMap<>();
        for (CatalogEntry e : archives) newest.put(e.type(), e);    // oldest first: the last of a type wins
        return new StatusReport(now, layout.root(), governance, healthReport, List.copyOf(newest.values()),
                new StatusReport.Rpo(Gates.recoveryPoints(layout, read), objectives.rpo()),
                lastDrill(), objectives.rto(), offsite(archives), chartRuns);
    }

    private StatusReport.Offsite offsite(List<CatalogEntry> archives) {
        List<CatalogEntry> waiting = new ArrayList<>();
        String newestCopy = null;
        for (CatalogEntry e : archives) {
            if (e.offsiteAt() == null) waiting.add(e);
            else if (newestCopy == null || e.offsiteAt().compareTo(newestCopy) > 0) newestCopy = e.offsiteAt();
        }
        return new StatusReport.Offsite(policy.offsiteEnabled(), waiting.size(), waiting.isEmpty() ? null : waiting.get(0),
                newestCopy);
    }

    /**
     * Drill proofs are verified with the signing key, read at each evaluation (a rotated key file
     * counts at once); without it the drill gate fails, since no proof can be verified.
     */
    private byte[] signingSecret() {
        return secrets.has(Secrets.SIGNING_SECRET) ? secrets.signingSecret() : null;
    }

    /** The newest drill proof whose signature verifies: the one the drill gate judges. */
    private StatusReport.LastDrill lastDrill() {
        var dir = layout.archiveDir().resolve(RecoveryProofs.DIRECTORY);
        byte[] signingSecret = signingSecret();
        if (signingSecret == null) {
            return new StatusReport.LastDrill(null, "FACTORY_SIGNING_SECRET is not set: no drill proof can be verified");
        }
        try {
            DrillProof.Newest found = DrillProof.newest(dir, signingSecret, Gates.DRILL_PROOF_READS);
            return found.proof().map(p -> new StatusReport.LastDrill(p, p.detail()))
                    .orElseGet(() -> new StatusReport.LastDrill(null, "no signed drill proof in " + dir + " (factory-dr drill)"));
        } catch (IOException | RuntimeException e) {
            return new StatusReport.LastDrill(null, "cannot list " + dir + ": " + e.getMessage());
        }
    }
}
