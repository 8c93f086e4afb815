package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.signing.SigningKey;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code factory-dr keys init|show}: the Ed25519 key that signs manifests and recovery proofs
 * (docs/signatures.md). Only the public key is ever printed.
 */
@Command(name = "keys", description = "The Ed25519 signing key (FACTORY_SIGNING_KEY_FILE): make one, show its public key.")
final class KeysCommand {
    @ParentCommand
    FactoryDr app;

    @Command(name = "init", description = {"Make a new Ed25519 signing key: a PKCS#8 PEM, created 0600, never over an existing file.",
            "Prints where it is and its public key."})
    int init(@Option(names = "--file", paramLabel = "FILE", description = "Where (default: FACTORY_SIGNING_KEY_FILE).") Path file)
            throws Exception {
        Path target = file(file);
        SigningKey key = SigningKey.create(target);
        String pem = SigningKey.publicPem(key.publicKey());
        if (app.json) {
            Output.json(Map.of("file", target.toAbsolutePath().toString(), "public_key", pem,
                    "fingerprint", SigningKey.fingerprint(key.publicKey())));
        } else {
            Output.out().println("signing key written to " + target.toAbsolutePath() + " (0600; keep it off the archive volume)");
            Output.out().println("use it: export " + Secrets.SIGNING_KEY_FILE + "=" + target.toAbsolutePath());
            Output.out().print(pem);
        }
        return FactoryDr.OK;
    }

    @Command(name = "show", description = "Print the signing key's public key (SubjectPublicKeyInfo PEM, as openssl reads it).")
    int show(@Option(names = "--file", paramLabel = "FILE", description = "The key (default: FACTORY_SIGNING_KEY_FILE).") Path file) {
        SigningKey key = SigningKey.load(file(file));
        String pem = SigningKey.publicPem(key.publicKey());
        if (app.json) {
            Output.json(Map.of("file", key.file().toAbsolutePath().toString(), "public_key", pem,
                    "fingerprint", SigningKey.fingerprint(key.publicKey())));
        } else {
            Output.out().print(pem);
        }
        return FactoryDr.OK;
    }

    private Path file(Path option) {
        if (option != null) return option;
        Path configured = app.secrets().signingKeyFile();
        if (configured == null) {
            throw new ConfigException("say which key file: --file=FILE, or export " + Secrets.SIGNING_KEY_FILE + "=FILE");
        }
        return configured;
    }
}
