package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.config.Settings;

/** The settings of health, alerts and heartbeats, checked at start-up (each read where it is used). */
public final class ObserveSettings {
    private ObserveSettings() {}

    public static void validate(Settings s) {
        HealthChecks.minFreeBytes(s);
        Alerts.webhook(s);
        Alerts.timeout(s);
        Heartbeat.template(s);
        Heartbeat.timeout(s);
    }
}
