package io.qontrek.factorydr.observe;

/** One health check: status healthy, degraded or unhealthy, and why. */
public record Check(String name, String status, String detail) {
    public static final String HEALTHY = "healthy";
    public static final String DEGRADED = "degraded";
    public static final String UNHEALTHY = "unhealthy";

    public static Check healthy(String name, String detail) {
        return new Check(name, HEALTHY, detail);
    }

    public static Check degraded(String name, String detail) {
        return new Check(name, DEGRADED, detail);
    }

    public static Check unhealthy(String name, String detail) {
        return new Check(name, UNHEALTHY, detail);
    }

    static int rank(String status) {
        return switch (status) {
            case HEALTHY -> 0;
            case DEGRADED -> 1;
            default -> 2;
        };
    }
}
