package io.qontrek.factorydr.backup;

import io.qontrek.factorydr.config.Settings;

/** The settings of the backup flows (factory.backup.*), checked at start-up. */
public final class BackupSettings {
    private BackupSettings() {}

    public static void validate(Settings s) {
        s.getInt("factory.backup.logs-max-age-hours", 1, 24 * 365);
        s.getInt("factory.backup.gzip-threads", 1, 64);
        try {
            io.qontrek.factorydr.archive.Gzip.engine(s.get("factory.backup.gzip-engine", "auto"));
        } catch (IllegalArgumentException e) {
            throw new io.qontrek.factorydr.config.ConfigException("factory.backup.gzip-engine: " + e.getMessage());
        }
        s.getInt("factory.backup.sqlite-busy-timeout-seconds", 1, 3600);
        s.getInt(ShrinkCheck.MIN_ARCHIVE_BYTES, 0, Integer.MAX_VALUE);
        s.getList("factory.backup.secret-fields");
    }
}
