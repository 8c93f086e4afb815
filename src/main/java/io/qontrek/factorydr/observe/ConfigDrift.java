package io.qontrek.factorydr.observe;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.camel.util.SensitiveUtils;

/**
 * Whether the configuration file still says what the service runs with. A changed property takes
 * effect only at a restart (routes resolved their placeholders when they were built), so until
 * then healthz is degraded, naming each property whose running value differs from what a restart
 * would load, and saying so when that restart would fail.
 */
public final class ConfigDrift {
    private static final int MAX_LISTED = 10;

    private final Settings running;
    private final UnaryOperator<Settings> validate;

    /** @param validate checks every property as a start would (SettingsCheck::validate, which lives above observe/) */
    public ConfigDrift(Settings running, UnaryOperator<Settings> validate) {
        this.running = running;
        this.validate = validate;
    }

    public Check check() {
        Settings now;
        try {
            now = running.reloaded();
        } catch (RuntimeException e) {
            return Check.degraded("config", "the configuration cannot be read again, a restart would fail: " + e.getMessage());
        }
        List<String> changed = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(running.asMap().keySet());
        keys.addAll(now.asMap().keySet());
        for (String key : keys) {
            String was = running.asMap().get(key);
            String is = now.asMap().get(key);
            if (Objects.equals(was, is)) continue;
            String where = now.asMap().containsKey(key) ? now.origin(key) : running.origin(key);
            changed.add(SensitiveUtils.containsSensitive(key) ? key + " (in " + where + ")"
                    : key + ": running " + quoted(was) + ", " + where + " now " + quoted(is));
        }
        if (changed.isEmpty()) return Check.healthy("config", "the running configuration is what the configuration file says");
        String list = String.join("; ", changed.subList(0, Math.min(MAX_LISTED, changed.size())))
                + (changed.size() > MAX_LISTED ? "; and " + (changed.size() - MAX_LISTED) + " more" : "");
        String restart;
        try {
            validate.apply(now);
            restart = "a restart applies it";
        } catch (ConfigException e) {
            restart = "a restart would fail: " + e.getMessage();
        }
        return Check.degraded("config", changed.size() + (changed.size() == 1 ? " property differs" : " properties differ")
                + " from the running value: " + list + " (" + restart + ")");
    }

    private static String quoted(String v) {
        return v == null ? "(unset)" : "'" + v + "'";
    }
}
