package io.qontrek.factorydr.steps;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.signing.DetachedSignatures;
import io.qontrek.factorydr.signing.SigningKey;
import io.qontrek.factorydr.signing.StreamingEd25519;
import io.qontrek.factorydr.verify.Verification;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SignatureException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.crypto.DigitalSignatureConstants;

/**
 * The beans of routes/signatures.camel.yaml: what crypto:sign and crypto:verify need (the file as
 * the body, the key in its header) and the X.sig file on either side of them.
 */
public final class SignatureBeans {
    /** Header of sign-detached: the file X to sign. */
    static final String SIGN_FILE = "factorySignFile";
    /** Header of verify-detached: the file X whose X.sig is checked. */
    static final String VERIFY_FILE = "factoryVerifyFile";
    /** Header verify-detached leaves: one line saying what it found (verified, or no signature). */
    public static final String VERDICT = "factoryEd25519";
    private static final String PUBLIC_KEY = "factorySigningPublicKey";
    /** Exchange properties: the size of the file to sign or check, by which the routes pick in memory or from disk. */
    static final String SIGN_SIZE = "factorySignSize";
    static final String VERIFY_SIZE = "factoryVerifySize";
    private static final String VERIFY_KEY = "factoryVerifyKey";
    private static final String VERIFY_SIGNATURE = "factoryVerifySignature";
    private static final String VERIFY_PUBLIC_KEY = "factoryVerifyPublicKey";

    private SignatureBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, RuntimeLayout layout, Secrets secrets) {
        // a writer without a key fails before it does any work, naming `factory-dr keys init`
        bind.accept("requireSigningKey", (Processor) ex -> SigningKey.configured(secrets.signingKeyFile()));

        // sign: the key in the header crypto:sign reads and clears, and X's size, by which the route picks the signer
        bind.accept("signingInput", (Processor) ex -> {
            Path file = file(ex, SIGN_FILE);
            SigningKey key = SigningKey.configured(secrets.signingKeyFile());
            ex.setProperty(SIGN_SIZE, java.nio.file.Files.size(file));
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE_PRIVATE_KEY, key.privateKey());
            ex.setProperty(PUBLIC_KEY, key.publicKey());
        });
        // X's exact bytes as the body: bytes, not a stream, as crypto:sign never closes the stream it reads
        bind.accept("readSignedFile", (Processor) ex -> ex.getMessage().setBody(java.nio.file.Files.readAllBytes(file(ex, SIGN_FILE))));
        // X too large for the heap: hashed from disk twice (RFC 8032), the signature where crypto:sign leaves it
        bind.accept("signFromDisk", (Processor) ex -> {
            PrivateKey key = ex.getMessage().getHeader(DigitalSignatureConstants.SIGNATURE_PRIVATE_KEY, PrivateKey.class);
            ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE_PRIVATE_KEY);
            byte[] signature = StreamingEd25519.sign(file(ex, SIGN_FILE), key);
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE, Base64.getEncoder().encodeToString(signature));
        });
        bind.accept("writeDetachedSignature", (Processor) ex -> {
            String b64 = ex.getMessage().getHeader(DigitalSignatureConstants.SIGNATURE, String.class);
            if (b64 == null) throw new IllegalStateException("route " + ex.getFromRouteId() + ": no signature; put this step after crypto:sign");
            ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE);
            DetachedSignatures.write(file(ex, SIGN_FILE), Base64.getDecoder().decode(b64.strip()));
        });
        bind.accept("publishSigningKey", (Processor) ex ->
                DetachedSignatures.publish(layout.archiveDir(), ex.getProperty(PUBLIC_KEY, PublicKey.class)));

        // verify: body = the file, X.sig and the public key in the headers crypto:verify reads; no X.sig: said, not failed
        bind.accept("detachedSignatureInput", (Processor) ex -> {
            Path file = file(ex, VERIFY_FILE);
            byte[] sig = DetachedSignatures.read(file);
            if (sig == null) {
                // nothing for crypto:verify: no header a verify before this one left may send it there
                ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE);
                ex.removeProperty(VERIFY_SIGNATURE);
                ex.removeProperty(VERIFY_PUBLIC_KEY);
                ex.getMessage().setHeader(VERDICT, "no Ed25519 signature (" + DetachedSignatures.of(file).getFileName()
                        + " missing: written before signatures were made)");
                return;
            }
            Path published = DetachedSignatures.publicKeyFile(layout.archiveDir());
            PublicKey key = DetachedSignatures.published(layout.archiveDir());
            String source = published.toString();
            if (key == null && secrets.signingKeyFile() != null) {
                key = SigningKey.configured(secrets.signingKeyFile()).publicKey();
                source = "the public key of " + secrets.signingKeyFile();
            }
            if (key == null) {
                throw new ArchiveException(DetachedSignatures.of(file).getFileName() + ": cannot be checked: no public key ("
                        + published + " is missing and " + Secrets.SIGNING_KEY_FILE + " is not set)");
            }
            ex.setProperty(VERIFY_KEY, source);
            ex.setProperty(VERIFY_SIGNATURE, sig);
            ex.setProperty(VERIFY_PUBLIC_KEY, key);
            ex.setProperty(VERIFY_SIZE, java.nio.file.Files.size(file));
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE, Base64.getEncoder().encodeToString(sig));
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE_PUBLIC_KEY_OR_CERT, key);
        });
        bind.accept("readVerifiedFile", (Processor) ex -> ex.getMessage().setBody(java.nio.file.Files.readAllBytes(file(ex, VERIFY_FILE))));
        bind.accept("verifyFromDisk", (Processor) ex -> {
            // taken off the message, as crypto:verify clears them
            byte[] sig = Base64.getDecoder().decode(ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE).toString());
            PublicKey key = (PublicKey) ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE_PUBLIC_KEY_OR_CERT);
            if (!StreamingEd25519.verify(file(ex, VERIFY_FILE), sig, key)) throw new SignatureException("does not verify");
        });
        bind.accept("detachedSignatureVerified", (Processor) ex -> ex.getMessage().setHeader(VERDICT,
                "Ed25519 signature verified: " + DetachedSignatures.of(file(ex, VERIFY_FILE)).getFileName() + " against "
                        + ex.getProperty(VERIFY_KEY, String.class)));
        // not the current key's: signed before a rotation, by a key it replaced (kept in the archive directory),
        // or else changed or foreign, which fails in one line
        bind.accept("verifyWithRetiredKeys", (Processor) ex -> {
            Path file = file(ex, VERIFY_FILE);
            byte[] sig = ex.getProperty(VERIFY_SIGNATURE, byte[].class);
            if (sig == null) throw new IllegalStateException("route " + ex.getFromRouteId() + ": no signature; put this step after detachedSignatureInput");
            // crypto:verify clears its headers only when it verifies
            ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE);
            ex.getMessage().removeHeader(DigitalSignatureConstants.SIGNATURE_PUBLIC_KEY_OR_CERT);
            DetachedSignatures.RetiredKeys retired = DetachedSignatures.retired(layout.archiveDir(),
                    ex.getProperty(VERIFY_PUBLIC_KEY, PublicKey.class));
            for (DetachedSignatures.RetiredKey k : retired.keys()) {
                if (StreamingEd25519.verify(file, sig, k.key())) {
                    ex.getMessage().setHeader(VERDICT, "Ed25519 signature verified: " + DetachedSignatures.of(file).getFileName()
                            + " against the retired key " + k.file() + " (not the current key; the name is its fingerprint)");
                    return;
                }
            }
            int n = retired.keys().size();
            String tried = n == 0 ? "" : n == 1 ? " or the retired key " + retired.keys().get(0).file()
                    : " or any of the " + n + " retired keys in " + layout.archiveDir();
            String skipped = retired.skipped().isEmpty() ? "" : "; skipped in " + layout.archiveDir() + ": " + String.join(", ", retired.skipped());
            throw new ArchiveException(DetachedSignatures.of(file).getFileName() + ": the Ed25519 signature does not verify against "
                    + ex.getProperty(VERIFY_KEY, String.class) + tried + " (" + file.getFileName() + " was changed, or signed by another key)"
                    + skipped);
        });
        // a verify route's list of verifications gets verify-detached's verdict as one more line
        bind.accept("keepSignatureVerdict", (Processor) ex -> {
            @SuppressWarnings("unchecked")
            List<Verification> list = ex.getMessage().getBody(List.class);
            String verdict = ex.getMessage().getHeader(VERDICT, String.class);
            if (list != null && verdict != null) list.add(new Verification("ed25519", true, 1, List.of(), verdict, Map.of()));
        });
    }

    private static Path file(Exchange ex, String header) {
        String f = ex.getMessage().getHeader(header, String.class);
        if (f == null || f.isBlank()) throw new IllegalStateException("route " + ex.getFromRouteId() + ": header " + header + " names no file");
        return Path.of(f);
    }
}
