package io.qontrek.factorydr.common;

import java.net.URI;

/**
 * A URL as it may appear in a log or a message: scheme, host and port only. Credentials hide in
 * every other part: user info, the query, and the path itself (a Slack webhook's token is its path,
 * healthchecks.io's ping key is a path segment).
 */
public final class LoggedUrl {
    private LoggedUrl() {}

    public static String of(URI url) {
        StringBuilder s = new StringBuilder().append(url.getScheme()).append("://").append(url.getHost());
        if (url.getPort() > 0) s.append(':').append(url.getPort());
        boolean more = (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/"))
                || url.getRawQuery() != null || url.getRawFragment() != null;
        return s.append(more ? "/[redacted]" : "").toString();
    }
}
