package io.qontrek.factorydr.retention;

import io.qontrek.factorydr.config.Settings;

/**
 * The retention thresholds, in whole days (factory.retention.*).
 *
 * @param proofDays daily proof archives (archive/proof/) older than this go
 * @param fullDays full backups older than this go, with the incrementals that build on them, unless
 *     an incremental within this many days still builds on the full
 * @param logsDays alert-log archives (archive/alerts/) older than this go; also the age of the
 *     runtime's own logs/*.log when {@code pruneRuntimeLogs} is on
 * @param pruneRuntimeLogs also delete the runtime's logs/*.log older than logsDays (off by default:
 *     the runtime's live log directory belongs to its own log rotation)
 */
public record RetentionPolicy(int proofDays, int fullDays, int logsDays, boolean pruneRuntimeLogs) {
    public static final int MAX_DAYS = 100 * 366;

    public RetentionPolicy {
        if (proofDays < 1 || fullDays < 1 || logsDays < 1) throw new IllegalArgumentException("retention days must be at least 1");
    }

    /** The runbook's policy: 90 / 30 / 7 days, runtime logs left alone. */
    public static RetentionPolicy runbook() {
        return new RetentionPolicy(90, 30, 7, false);
    }

    /** From factory.retention.*, validated; a bad value names the property. */
    public static RetentionPolicy from(Settings s) {
        return new RetentionPolicy(s.getInt("factory.retention.proof-days", 1, MAX_DAYS),
                s.getInt("factory.retention.full-days", 1, MAX_DAYS),
                s.getInt("factory.retention.logs-days", 1, MAX_DAYS),
                s.getBoolean("factory.retention.prune-runtime-logs"));
    }

    public String describe() {
        return "daily proof archives " + proofDays + " d, full backups " + fullDays + " d, alert logs " + logsDays + " d"
                + (pruneRuntimeLogs ? ", runtime logs/*.log " + logsDays + " d" : "") + ", recovery proofs forever";
    }
}
