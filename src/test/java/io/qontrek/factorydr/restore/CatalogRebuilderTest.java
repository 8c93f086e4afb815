package io.qontrek.factorydr.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.qontrek.factorydr.backup.StoredArchive;
import io.qontrek.factorydr.catalog.Catalog;
import io.qontrek.factorydr.catalog.CatalogEntry;
import io.qontrek.factorydr.config.RuntimeLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilds the catalog from archives the project's writer stored, then from broken copies of them. */
class CatalogRebuilderTest {
    @TempDir Path tmp;
    RuntimeLayout layout;
    StoredArchive full;
    StoredArchive day;
    Catalog catalog;

    @BeforeEach
    void storeArchives() throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        layout = Archives.layout(tmp.resolve("runtime"));
        Archives.runtime(layout.root(), 30, end);
        full = Archives.full(layout, end.plusSeconds(60));
        day = Archives.proofDay(layout, LocalDate.ofInstant(end, ZoneOffset.UTC), end.plusSeconds(120));
        catalog = new Catalog(layout.catalogDb());
    }

    @Test
    void recordsEveryArchiveAsTheBackupWouldHaveAndOnlyOnce() throws Exception {
        CatalogRebuilder.Result r = CatalogRebuilder.rebuild(layout.archiveDir(), catalog, Archives.signing());

        assertThat(r).isEqualTo(new CatalogRebuilder.Result(2, 2, 0, List.of()));
        assertThat(catalog.archives()).containsExactly(unverified(full.catalogEntry()), unverified(day.catalogEntry()));
        assertThat(catalog.files(full.manifest().backupId())).containsExactlyInAnyOrderElementsOf(full.fileRows());
        assertThat(catalog.files(day.manifest().backupId())).containsExactlyInAnyOrderElementsOf(day.fileRows());

        assertThat(CatalogRebuilder.rebuild(layout.archiveDir(), catalog, Archives.signing()))
                .isEqualTo(new CatalogRebuilder.Result(2, 0, 2, List.of()));
        assertThat(catalog.archives()).hasSize(2);
    }

    @Test
    void aCatalogThatKnowsSomeArchivesGetsTheRest() throws Exception {
        catalog.record(full.catalogEntry(), full.fileRows());
        CatalogRebuilder.Result r = CatalogRebuilder.rebuild(layout.archiveDir(), catalog, Archives.signing());
        assertThat(r.recorded()).isEqualTo(1);
        assertThat(r.alreadyKnown()).isEqualTo(1);
        assertThat(catalog.archives()).extracting(CatalogEntry::verifiedAt).first().isEqualTo(full.catalogEntry().verifiedAt());
    }

    @Test
    void skipsAndReportsManifestsThatCannotBeTrusted() throws Exception {
        String fullName = full.manifest().archive().name();
        // a tampered manifest: one byte of a file's size changed
        Path tampered = copyArchive(full.file(), "20990101T000000Z");
        Path tamperedManifest = tampered.resolveSibling(tampered.getFileName() + ".manifest.json");
        String json = Files.readString(tamperedManifest, StandardCharsets.UTF_8)
                .replace("\"name\" : \"" + fullName + "\"", "\"name\" : \"full/20990101T000000Z.tar.gz.enc\"");
        Files.writeString(tamperedManifest, json);
        // a renamed copy: manifest intact but it names the original
        copyArchive(full.file(), "20990102T000000Z");
        // a truncated archive
        Path truncated = copyArchive(day.file(), "2099-01-03");
        try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        // an archive whose file is gone, and an archive without a manifest
        Path gone = copyArchive(day.file(), "2099-01-04");
        Files.delete(gone);
        Path orphan = copyArchive(day.file(), "2099-01-05");
        Files.delete(orphan.resolveSibling(orphan.getFileName() + ".manifest.json"));

        CatalogRebuilder.Result r = CatalogRebuilder.rebuild(layout.archiveDir(), catalog, Archives.signing());

        assertThat(r.manifests()).isEqualTo(6);
        assertThat(r.recorded()).isEqualTo(2);
        assertThat(r.problems()).containsExactly(
                "full/20990101T000000Z.tar.gz.enc: manifest signature does not verify",
                "full/20990102T000000Z.tar.gz.enc: manifest names archive '" + fullName + "', not this one",
                "proof/2099-01-03.tar.gz.enc: manifest names archive '" + day.manifest().archive().name() + "', not this one",
                "proof/2099-01-04.tar.gz.enc: manifest names archive '" + day.manifest().archive().name() + "', not this one",
                "proof/2099-01-05.tar.gz.enc: no manifest sidecar");
        assertThat(catalog.archives()).extracting(CatalogEntry::backupId)
                .containsExactly(full.manifest().backupId(), day.manifest().backupId());
    }

    @Test
    void reportsAMissingOrTruncatedArchiveWhoseManifestIsGenuine() throws Exception {
        try (FileChannel ch = FileChannel.open(full.file(), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 16);
        }
        Files.delete(day.file());
        CatalogRebuilder.Result r = CatalogRebuilder.rebuild(layout.archiveDir(), catalog, Archives.signing());
        assertThat(r.problems()).containsExactly(
                full.manifest().archive().name() + ": archive is " + (full.manifest().archive().size() - 16)
                        + " bytes, the manifest says " + full.manifest().archive().size(),
                day.manifest().archive().name() + ": archive file missing");
        assertThat(r.recorded()).isZero();
        assertThat(catalog.archives()).isEmpty();
    }

    @Test
    void aWrongSigningSecretTrustsNothing() throws Exception {
        CatalogRebuilder.Result r = CatalogRebuilder.rebuild(layout.archiveDir(), catalog, "other".getBytes(StandardCharsets.UTF_8));
        assertThat(r.recorded()).isZero();
        assertThat(r.problems()).hasSize(2).allMatch(p -> p.endsWith(": manifest signature does not verify"));
    }

    @Test
    void aNotJsonManifestIsReportedWithItsReason() throws Exception {
        Files.createDirectories(layout.archiveDir().resolve("alerts"));
        Files.writeString(layout.archiveDir().resolve("alerts/2099-01-06.tar.gz.enc.manifest.json"), "{not json");
        CatalogRebuilder.Result r = CatalogRebuilder.rebuild(layout.archiveDir(), catalog, Archives.signing());
        assertThat(r.problems()).singleElement().asString()
                .startsWith("alerts/2099-01-06.tar.gz.enc: 2099-01-06.tar.gz.enc.manifest.json: manifest is not valid JSON");
    }

    private static CatalogEntry unverified(CatalogEntry e) {
        return new CatalogEntry(e.backupId(), e.type(), e.name(), e.createdAt(), e.base(), e.size(), e.sha256(), e.files(),
                e.contentBytes(), e.proofHeadSeq(), e.proofHeadRoot(), e.ledgerHeadSeq(), e.ledgerHeadHash(), null, null);
    }

    /** Copies an archive and its two sidecars under a new stamp in the same directory. */
    private static Path copyArchive(Path archive, String stamp) throws Exception {
        Path copy = archive.resolveSibling(stamp + ".tar.gz.enc");
        Files.copy(archive, copy);
        for (String suffix : List.of(".sha256", ".manifest.json")) {
            Files.copy(archive.resolveSibling(archive.getFileName() + suffix), copy.resolveSibling(copy.getFileName() + suffix));
        }
        return copy;
    }
}
