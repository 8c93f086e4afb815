package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.backup.BackupSettings;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.governance.GovernancePolicy;
import io.qontrek.factorydr.observe.ObserveSettings;
import io.qontrek.factorydr.offsite.OffsiteSettings;
import io.qontrek.factorydr.proofs.DrillProof;
import io.qontrek.factorydr.retention.RetentionPolicy;
import io.qontrek.factorydr.schedule.Schedules;

/**
 * Every property we know, checked at start-up, so that a bad value fails before anything is written
 * rather than at 3 a.m., naming the property and the value. Each module checks its own settings; this
 * only lists the modules, from up here, so that config/ depends on none of them.
 */
public final class SettingsCheck {
    private SettingsCheck() {}

    /** Checks {@code s} and returns it; a bad value is a ConfigException. */
    public static Settings validate(Settings s) {
        BackupSettings.validate(s);
        OffsiteSettings.validate(s);
        RetentionPolicy.from(s);
        DrillProof.Objectives.from(s);
        ObserveSettings.validate(s);
        GovernancePolicy.validate(s);
        Schedules.from(s);
        // signatures: a file up to this is held whole by camel-crypto (the JDK keeps about two copies)
        s.getInt("factory.signing.in-memory-max-bytes", 0, 64 << 20);
        // the service's own
        s.getInt("factory.http.port", 1, 65535);
        s.getPort("factory.jmx.port");
        s.getBoolean("factory.serve");
        s.getBoolean("factory.routes.reload");
        s.getBoolean("factory.camel-cli.enabled");
        CamelCliConnector.interval(s);
        // config's own
        RuntimeLayout.of(s);
        s.clock();
        return s;
    }
}
