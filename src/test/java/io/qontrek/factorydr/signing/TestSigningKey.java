package io.qontrek.factorydr.signing;

import io.qontrek.factorydr.config.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One real Ed25519 signing key for the tests of this JVM (made by SigningKey.create, 0600, in a
 * private temporary directory), as an operator's FACTORY_SIGNING_KEY_FILE: writers fail closed
 * without one, so every test that backs up, drills or recovers names it.
 */
public final class TestSigningKey {
    private static Path file;

    private TestSigningKey() {}

    /** The key file, made on first use. */
    public static synchronized Path file() {
        if (file == null) {
            try {
                Path dir = Files.createTempDirectory("factory-dr-test-signing-key-");
                file = SigningKey.create(dir.resolve("signing-key.pem")).file();
                file.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** {@code env} with FACTORY_SIGNING_KEY_FILE added (a new map). */
    public static Map<String, String> with(Map<String, String> env) {
        Map<String, String> out = new HashMap<>(env);
        out.put(Secrets.SIGNING_KEY_FILE, file().toString());
        return out;
    }
}
