package io.qontrek.factorydr.config;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Map;

/**
 * Where factory-dr is installed: the directory holding bin/, config/, routes/ and
 * target/factory-dr.jar. The configuration file and the route files come from here, never from the
 * working directory, so a command does the same wherever it runs and a routes/ or config/ lying in
 * that directory is never loaded.
 *
 * <p>In order: the system property {@code factory.home} (bin/factory-dr passes it), the variable
 * {@code FACTORY_HOME}, else the directory above the one holding the code: {@code <home>/target} for
 * the jar as the build makes it ({@code target/factory-dr.jar}) and for a build tree's
 * {@code target/classes} alike.
 */
public final class Installation {
    public static final String PROPERTY = "factory.home";
    public static final String VARIABLE = "FACTORY_HOME";

    private Installation() {}

    /** The installation directory, absolute; an explicit one that does not exist is a usage error. */
    public static Path home(Map<String, String> env) {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) return explicit(property, "-D" + PROPERTY);
        String variable = env.get(VARIABLE);
        if (variable != null && !variable.isBlank()) return explicit(variable, VARIABLE);
        return aboveTheCode();
    }

    private static Path explicit(String value, String source) {
        Path home = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isDirectory(home)) {
            throw new ConfigException("installation directory " + home + " (from " + source + ") does not exist");
        }
        return home;
    }

    private static Path aboveTheCode() {
        CodeSource code = Installation.class.getProtectionDomain().getCodeSource();
        try {
            Path holder = code == null ? null : Path.of(code.getLocation().toURI()).toAbsolutePath().getParent();
            Path home = holder == null ? null : holder.getParent();
            if (home != null) return home;
        } catch (URISyntaxException | RuntimeException e) {
            // a code source that is no file (a custom class loader): only FACTORY_HOME can say
        }
        throw new ConfigException("cannot tell where factory-dr is installed: set " + VARIABLE);
    }
}
