package io.qontrek.factorydr.governance;

import io.qontrek.factorydr.config.Settings;
import java.time.Duration;

/**
 * The thresholds of the governance gates (factory.governance.*), validated when read.
 *
 * @param rpo the newest recovery point (full or incremental backup, or an incremental run that
 *     found nothing changed) must be younger than this
 * @param fullMaxAge the newest full backup must be younger than this
 * @param verifyMaxAge the newest verification, and the newest proof chain verification, must be younger than this
 * @param drillMaxAge the newest passed DR drill must be younger than this
 * @param offsiteGrace an archive younger than this may still be on its way offsite
 * @param offsiteEnabled whether offsite copies are configured (factory.s3.enabled)
 * @param offsiteRequired whether the offsite gate fails when offsite copies are disabled
 */
public record GovernancePolicy(Duration rpo, Duration fullMaxAge, Duration verifyMaxAge, Duration drillMaxAge,
                               Duration offsiteGrace, boolean offsiteEnabled, boolean offsiteRequired) {

    /** The runbook's objectives: RPO 1 h, weekly fulls, daily verification, quarterly drills. */
    public static GovernancePolicy defaults(boolean offsiteEnabled) {
        return new GovernancePolicy(Duration.ofMinutes(60), Duration.ofDays(7), Duration.ofHours(26), Duration.ofDays(92),
                Duration.ofMinutes(15), offsiteEnabled, true);
    }

    /** Checks governance's settings: the policy, and how often the service watches the gates (a route's timer). */
    public static void validate(Settings s) {
        from(s);
        s.getInt("factory.governance.watch-interval-seconds", 1, 86_400);
    }

    public static GovernancePolicy from(Settings s) {
        return new GovernancePolicy(
                Duration.ofMinutes(s.getInt("factory.governance.rpo-minutes", 1, 7 * 24 * 60)),
                Duration.ofDays(s.getInt("factory.governance.full-max-age-days", 1, 366)),
                Duration.ofHours(s.getInt("factory.governance.verify-max-age-hours", 1, 24 * 366)),
                Duration.ofDays(s.getInt("factory.governance.drill-max-age-days", 1, 3660)),
                Duration.ofMinutes(s.getInt("factory.governance.offsite-grace-minutes", 0, 24 * 60)),
                s.getBoolean("factory.s3.enabled"),
                s.getBoolean("factory.governance.offsite-required"));
    }
}
