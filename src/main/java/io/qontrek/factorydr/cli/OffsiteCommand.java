package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.archive.ArchiveVerifier;
import io.qontrek.factorydr.steps.FlowBeans;
import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.steps.OffsiteBeans;
import io.qontrek.factorydr.common.ProgressListener;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.offsite.CatchUpReport;
import io.qontrek.factorydr.offsite.OffsiteCopy;
import io.qontrek.factorydr.offsite.OffsiteSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code factory-dr offsite catch-up|download}: the offsite copies in S3, through their routes. */
@Command(name = "offsite", description = "Offsite copies in S3: upload what is missing, or download an archive back.")
final class OffsiteCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "catch-up", description = "Upload every catalogued archive not yet offsite, oldest first; nothing is sent twice.")
    int catchUp() throws Exception {
        Settings settings = enabledSettings();
        RuntimeLayout.of(settings).requireArchive();
        Object result = run(settings, app.secrets(), "offsite-catch-up", Map.of());
        CatchUpReport r = (CatchUpReport) result;
        if (app.json) {
            Output.json(Map.of("archives", r.copies().size(), "uploaded", r.uploaded(), "already_stored", r.alreadyThere(),
                    "bytes", r.bytes(), "copies", r.copies().stream().map(c -> Map.of("name", c.name(), "objects_uploaded",
                            c.uploaded(), "bytes", c.bytesUploaded())).toList()));
        } else {
            Output.out().println("offsite catch-up: " + r.summary());
            for (OffsiteCopy c : r.copies()) Output.out().println("  " + c.summary());
        }
        return FactoryDr.OK;
    }

    @Command(name = "download", description = "Download an archive and its sidecars, verify them, then give them their names.")
    int download(@Parameters(paramLabel = "NAME", description = "The archive's relative name, e.g. full/20251026T030000Z.tar.gz.enc.") String name,
                 @Option(names = "--target", paramLabel = "DIR", description = "Where it goes (default: the archive directory).") Path target)
            throws Exception {
        Settings settings = enabledSettings();
        Secrets secrets = app.secrets().require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(FlowBeans.ARCHIVE, name);
        if (target != null) headers.put(OffsiteBeans.TARGET, target.toAbsolutePath().toString());
        ArchiveVerifier.VerifyResult r = (ArchiveVerifier.VerifyResult) run(settings, secrets, "offsite-download", headers);
        if (app.json) {
            Output.json(Map.of("archive", name, "verified", true, "files", r.files(), "size", r.archiveSize()));
        } else {
            Output.out().printf("downloaded and verified: %s (%,d files, %.1f MB)%n", name, r.files(), r.archiveSize() / 1e6);
        }
        return FactoryDr.OK;
    }

    private Settings enabledSettings() {
        Settings settings = app.settings();
        if (!OffsiteSettings.from(settings).enabled()) {
            throw new ConfigException("offsite copies are off: set factory.s3.enabled=true (FACTORY_S3_ENABLED) and the bucket");
        }
        return settings;
    }

    private static Object run(Settings settings, Secrets secrets, String route, Map<String, Object> headers) throws Exception {
        try (Flows flows = Flows.start(settings, secrets, route)) {
            return flows.run(route, headers, ProgressListener.NONE);
        }
    }
}
