package io.qontrek.factorydr.config;

/** Bad usage or configuration: the operator must change something (exit status 2). */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
