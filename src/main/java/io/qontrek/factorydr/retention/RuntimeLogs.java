package io.qontrek.factorydr.retention;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The runtime's own service logs (logs/*.log, not logs/alerts/) older than the logs threshold: only
 * when factory.retention.prune-runtime-logs=true. Off by default, because the runtime's live log
 * directory belongs to the runtime's log rotation, and a file it still writes may be old by mtime
 * only if it is idle. Only regular files directly in logs/ whose name ends in .log and whose last
 * change is older than the threshold are candidates; nothing else there is touched.
 */
public final class RuntimeLogs {
    private RuntimeLogs() {}

    public static List<Path> expired(Path logsDir, LocalDate asOf, int days) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(logsDir)) return out; // logs/ may be a link (to /var/log/factory, say); what is in it is not followed
        try (Stream<Path> s = Files.list(logsDir)) {
            for (Path p : s.sorted().toList()) {
                if (!p.getFileName().toString().endsWith(".log") || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                LocalDate changed = LocalDate.ofInstant(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant(), ZoneOffset.UTC);
                if (java.time.temporal.ChronoUnit.DAYS.between(changed, asOf) > days) out.add(p);
            }
        }
        return out;
    }
}
