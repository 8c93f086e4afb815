package io.qontrek.factorydr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import io.qontrek.factorydr.proofs.RecoveryProofs;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Recovery proofs as an outsider reads them: the signature recomputed by python3 and openssl, not by our code. */
final class RecoveryProofCheck {
    private RecoveryProofCheck() {}

    /** HMAC-SHA256 over the RFC 8785 form (sorted keys, no whitespace; our content has integers only) without the signature. */
    static String independentSignature(Path dir, Path proof) throws Exception {
        String script = "python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.pop(\"signature\");"
                + " sys.stdout.write(json.dumps(m, sort_keys=True, separators=(\",\",\":\"), ensure_ascii=False))' '"
                + proof + "' | openssl dgst -sha256 -hmac \"$S\" -r | cut -d' ' -f1";
        Cli.Result r = Cli.sh(dir, Map.of("S", Cli.SIGNING_SECRET), script);
        if (r.exit() != 0) throw new AssertionError(r.toString());
        return r.out().trim();
    }

    /**
     * What a third party runs holding only the published public key (archive/signing-key.pub.pem):
     * openssl on X and its detached Ed25519 signature X.sig.
     */
    static Cli.Result thirdPartyVerify(Path dir, Path archiveDir, Path file) throws Exception {
        return Cli.sh(dir, Map.of(), "openssl pkeyutl -verify -pubin -inkey '" + archiveDir.resolve("signing-key.pub.pem")
                + "' -rawin -in '" + file + "' -sigfile '" + file + ".sig'");
    }

    static JsonNode read(Path proof) throws Exception {
        return new ObjectMapper().readTree(proof.toFile());
    }

    /**
     * The files under archive/recovery-proofs whose name starts with prefix, oldest first
     * ({@link RecoveryProofs#NAME_ORDER}: a proof of the same second as the one before is named -2).
     */
    static List<Path> list(Path archiveDir, String prefix) throws Exception {
        Path dir = archiveDir.resolve("recovery-proofs");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".json"))
                    .sorted(RecoveryProofs.NAME_ORDER).toList();
        }
    }
}
