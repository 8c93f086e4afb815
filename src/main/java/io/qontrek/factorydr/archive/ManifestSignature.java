package io.qontrek.factorydr.archive;

import io.qontrek.factorydr.common.Hashes;
import io.qontrek.factorydr.common.Hex;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import javax.crypto.Mac;

/**
 * The manifest signature of the runtime contract: HMAC-SHA256 keyed with FACTORY_SIGNING_SECRET's bytes
 * over the RFC 8785 canonical JSON of the manifest without its {@code signature} field (so including
 * {@code archive}: the signature binds the file list to one exact archive file). The canonical bytes
 * stream through the MAC as they are written, never held whole.
 */
public final class ManifestSignature {
    private ManifestSignature() {}

    public static String sign(Manifest m, byte[] signingSecret) {
        if (m.archive() == null) throw new IllegalStateException("manifest " + m.backupId() + " has no archive yet; sign after withArchive");
        if (signingSecret == null || signingSecret.length == 0) throw new IllegalArgumentException("signing secret is empty");
        Mac mac = Hashes.hmacSha256(signingSecret);
        try (OutputStream out = new BufferedOutputStream(new MacOutput(mac), 1 << 16)) {
            ManifestJson.writeCanonical(m, ManifestJson.Form.SIGNED, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Hex.encode(mac.doFinal());
    }

    /** True only when the manifest carries a signature, an archive, and the signature is right (constant-time compare). */
    public static boolean verify(Manifest m, byte[] signingSecret) {
        if (m.signature() == null || m.archive() == null) return false;
        return Hashes.sameHex(sign(m, signingSecret), m.signature());
    }

    private static final class MacOutput extends OutputStream {
        private final Mac mac;

        MacOutput(Mac mac) {
            this.mac = mac;
        }

        @Override
        public void write(int b) {
            mac.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            mac.update(b, off, len);
        }
    }
}
