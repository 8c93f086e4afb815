package io.qontrek.factorydr.observe;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Replaces every known secret value in a text that leaves the process (an alert, a ping's reason) by [redacted]. */
final class Redaction {
    private final List<String> secrets;

    /** @param secrets values never to write or send (Secrets.knownValues()) */
    Redaction(List<byte[]> secrets) {
        this.secrets = secrets.stream().map(b -> new String(b, StandardCharsets.UTF_8)).filter(s -> !s.isEmpty()).toList();
    }

    String redact(String text) {
        String t = text;
        for (String s : secrets) t = t.replace(s, "[redacted]");
        return t;
    }
}
