package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.archive.Manifest;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.restore.DeltaChain;
import io.qontrek.factorydr.restore.RestorePlan;
import io.qontrek.factorydr.restore.RestorePlanner;
import io.qontrek.factorydr.verify.DigestVerifier;
import io.qontrek.factorydr.verify.FederationVerifier;
import io.qontrek.factorydr.verify.ProofChainVerifier;
import io.qontrek.factorydr.verify.Rebuild;
import io.qontrek.factorydr.verify.ReceiptVerifier;
import io.qontrek.factorydr.verify.RuntimeWhole;
import io.qontrek.factorydr.verify.Verification;
import io.qontrek.factorydr.verify.VerificationFailed;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The beans of routes/verify.camel.yaml. Each verifier leaves a list of {@link Verification}s as
 * the body; {@code requirePassed} turns the first failed one into a failure of the flow.
 *
 * <p>Headers: {@code factoryFrom}/{@code factoryTo} (YYYY-MM-DD) for proofs, {@code factoryProbe}
 * (true) for federation, {@code factoryDate} (YYYY-MM-DD or latest) for backup.
 */
public final class VerifyBeans {
    public static final String FROM = "factoryFrom";
    public static final String TO = "factoryTo";
    static final String PROBE = "factoryProbe";
    static final String RUNTIME_PARTS = "factoryRuntimeParts";
    /** Header verifyRestoreSetArchives leaves: the archive files it verified, in order. */
    static final String RESTORE_SET = "factoryRestoreSet";

    private VerifyBeans() {}

    /** Exchange property of verify-daily: the verifications its steps have kept so far. */
    static final String VERIFICATIONS = "factoryVerifications";

    static void bindAll(BiConsumer<String, Object> bind, RuntimeLayout layout, Catalog catalog, Secrets secrets,
            Supplier<Instant> now) {
        bind.accept("verifyProofs", (Processor) ex -> body(ex,
                ProofChainVerifier.verify(layout, date(ex, FROM), date(ex, TO))));
        bind.accept("verifyReceipts", (Processor) ex -> body(ex, ReceiptVerifier.verify(layout, secrets.towerSecret())));
        bind.accept("verifyDigests", (Processor) ex -> body(ex, DigestVerifier.verify(layout)));
        bind.accept("verifyFederation", (Processor) ex -> {
            List<Verification> out = new ArrayList<>();
            out.add(FederationVerifier.verify(layout));
            if (Boolean.TRUE.equals(ex.getMessage().getHeader(PROBE, Boolean.class))) out.add(FederationVerifier.probe(layout));
            ex.getMessage().setBody(out);
        });
        // the runtime whole (RuntimeWhole), in the parts the route names, e.g. "proofs,digests,federation"
        bind.accept("verifyRuntime", (Processor) ex -> {
            String parts = ex.getMessage().getHeader(RUNTIME_PARTS, String.class);
            if (parts == null) throw new IllegalStateException("route " + ex.getFromRouteId() + ": verifyRuntime needs header " + RUNTIME_PARTS);
            byte[] tower = secrets.towerSecretIfSet();
            ex.getMessage().setBody(new ArrayList<>(RuntimeWhole.verify(layout, tower, RuntimeWhole.Part.parse(parts))));
        });
        bind.accept("verifyRestoreSetArchives", (Processor) ex -> {
            String requested = ex.getMessage().getHeader(FlowBeans.DATE, "latest", String.class);
            RestorePlan plan = RestorePlanner.plan(catalog.archives(), requested, now.get());
            List<String> problems = new ArrayList<>();
            List<String> files = new ArrayList<>();
            ArchiveVerifier verifier = new ArchiveVerifier();
            List<DeltaChain.Link> chain = new ArrayList<>();
            for (CatalogEntry e : plan.archives()) {
                Path file = layout.archiveDir().resolve(e.name());
                files.add(file.toString());
                try (Manifest m = verifier.verify(file, secrets.archiveKey(), secrets.signingSecret()).manifest()) {
                    chain.add(new DeltaChain.Link(e.name(), m.databases()));
                } catch (ArchiveException failed) {
                    problems.add(e.name() + ": " + failed.getMessage());
                    chain.add(DeltaChain.Link.unread(e.name()));
                }
            }
            // each archive whole is not enough: a restore replays the deltas in this order, so they must chain
            problems.addAll(DeltaChain.problems(chain));
            body(ex, new Verification("backup", problems.isEmpty(), plan.archives().size(), problems,
                    plan.archives().size() + " archives of the restore set for " + requested + " ("
                            + String.join(", ", plan.backupIds()) + ")", Map.of()));
            // for the route's check of each manifest's Ed25519 signature (verify-detached)
            ex.getMessage().setHeader(RESTORE_SET, files);
        });
        // the proof chain's verdict, passed or not, for the proof-chain gate (governance/Gates), which reads it
        // instead of the proof directory; before requirePassed, so that a broken chain is recorded too
        bind.accept("recordProofChain", (Processor) ex -> {
            Verification v = verifications(ex).stream().filter(x -> ProofChainVerifier.NAME.equals(x.name())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("route " + ex.getFromRouteId()
                            + ": recordProofChain needs the verdict of verifyProofs as the body"));
            catalog.recordProofChainCheck(proofChainCheck(ex.getFromRouteId(), now.get(), v, date(ex, FROM), date(ex, TO)));
        });
        bind.accept("requirePassed", (Processor) ex -> {
            for (Verification v : verifications(ex)) {
                if (!v.passed()) throw new VerificationFailed(v);
            }
        });
        bind.accept("rebuildNonces", (Processor) ex -> ex.getMessage().setBody(Rebuild.nonces(layout)));
        bind.accept("rebuildReceipts", (Processor) ex -> ex.getMessage().setBody(Rebuild.receipts(layout)));

        // verify-daily: each verify step leaves its verifications as the body; keep them all
        bind.accept("keepVerifications", (Processor) ex -> {
            @SuppressWarnings("unchecked")
            List<Object> kept = ex.getProperty(VERIFICATIONS, List.class);
            if (kept == null) {
                kept = new ArrayList<>();
                ex.setProperty(VERIFICATIONS, kept);
            }
            kept.addAll(verifications(ex));
        });
        bind.accept("allVerifications", (Processor) ex -> {
            List<?> kept = ex.getProperty(VERIFICATIONS, List.class);
            ex.getMessage().setBody(kept == null ? new ArrayList<>() : new ArrayList<>(kept));
        });
    }

    /** What the catalog keeps of a proof chain verdict: its range, the seqs it checked, the head it read. */
    static Catalog.ProofChainCheck proofChainCheck(String flow, Instant at, Verification v, Optional<LocalDate> from,
            Optional<LocalDate> to) {
        return new Catalog.ProofChainCheck(flow, at.toString(), v.passed(), from.map(LocalDate::toString).orElse(null),
                to.map(LocalDate::toString).orElse(null), v.fact("proof_files").map(Long::parseLong).orElse(0L),
                v.fact("first_seq").map(Long::valueOf).orElse(null), v.fact("last_seq").map(Long::valueOf).orElse(null),
                v.fact("head_seq").map(Long::valueOf).orElse(null), v.fact("head_root").orElse(null),
                v.passed() ? v.detail() : v.firstProblem().orElse(v.detail()));
    }

    @SuppressWarnings("unchecked")
    static List<Verification> verifications(Exchange ex) {
        Object body = ex.getMessage().getBody();
        if (body instanceof Verification v) return List.of(v);
        if (body instanceof List<?> list) return (List<Verification>) list;
        throw new IllegalStateException("route " + ex.getFromRouteId() + ": requirePassed needs verifications as the body");
    }

    private static void body(Exchange ex, Verification v) {
        ex.getMessage().setBody(new ArrayList<>(List.of(v)));
    }

    private static Optional<LocalDate> date(Exchange ex, String header) {
        String d = ex.getMessage().getHeader(header, String.class);
        return d == null || d.isBlank() ? Optional.empty() : Optional.of(LocalDate.parse(d));
    }
}
