package io.qontrek.factorydr.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qontrek.factorydr.common.Hashes;

/**
 * The manifest signature of the runtime contract: HMAC-SHA256 keyed with FACTORY_SIGNING_SECRET's bytes
 * over the RFC 8785 canonical JSON of the manifest without its {@code signature} field (so including
 * {@code archive}: the signature binds the file list to one exact archive file).
 */
public final class ManifestSignature {
    private ManifestSignature() {}

    public static String sign(Manifest m, byte[] signingSecret) {
        if (m.archive() == null) throw new IllegalStateException("manifest " + m.backupId() + " has no archive yet; sign after withArchive");
        if (signingSecret == null || signingSecret.length == 0) throw new IllegalArgumentException("signing secret is empty");
        ObjectNode signed = m.toJson(true);
        signed.remove("signature");
        return Hashes.hmacSha256Hex(signingSecret, CanonicalJson.bytes(signed));
    }

    /** True only when the manifest carries a signature, an archive, and the signature is right (constant-time compare). */
    public static boolean verify(Manifest m, byte[] signingSecret) {
        if (m.signature() == null || m.archive() == null) return false;
        return Hashes.sameHex(sign(m, signingSecret), m.signature());
    }
}
