package io.qontrek.factorydr.camel;

import org.slf4j.LoggerFactory;

import io.qontrek.factorydr.archive.ArchiveException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.signing.DetachedSignatures;
import io.qontrek.factorydr.signing.SigningKey;
import io.qontrek.factorydr.verify.Verification;
import java.nio.file.Path;
import java.security.PublicKey;
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
final class SignatureBeans {
    /** Header of sign-detached: the file X to sign. */
    static final String SIGN_FILE = "factorySignFile";
    /** Header of verify-detached: the file X whose X.sig is checked. */
    static final String VERIFY_FILE = "factoryVerifyFile";
    /** Header verify-detached leaves: one line saying what it found (verified, or no signature). */
    static final String VERDICT = "factoryEd25519";
    private static final String PUBLIC_KEY = "factorySigningPublicKey";
    /** Exchange property signingInput sets when the file is too large to sign in memory. */
    static final String TOO_LARGE = "factorySignTooLarge";
    static final long MAX_SIGNED_BYTES = 32L << 20;
    private static final String VERIFY_KEY = "factoryVerifyKey";

    private SignatureBeans() {}

    static void bindAll(BiConsumer<String, Object> bind, RuntimeLayout layout, Secrets secrets) {
        // a writer without a key fails before it does any work, naming `factory-dr keys init`
        bind.accept("requireSigningKey", (Processor) ex -> SigningKey.configured(secrets.signingKeyFile()));

        // sign: body = the file's exact bytes, the private key in the header crypto:sign reads and clears. Bytes, not a
        // stream: crypto:sign never closes the stream it reads, and Ed25519 holds the whole message anyway (RFC 8032)
        bind.accept("signingInput", (Processor) ex -> {
            Path file = file(ex, SIGN_FILE);
            SigningKey key = SigningKey.configured(secrets.signingKeyFile());
            long size = java.nio.file.Files.size(file);
            if (size > MAX_SIGNED_BYTES) {
                // The JDK's Ed25519 keeps the whole message, and this step reads it whole: a manifest of
                // ~140,000 files and more would not fit the launcher's heap, and the backup must not fail
                // for it. Said loudly; its HMAC signature stands. A signer that reads the file twice from
                // disk (RFC 8032 needs two passes) lifts this limit.
                LoggerFactory.getLogger(SignatureBeans.class).warn("{} is {} bytes, over the {} an Ed25519 signature is made for"
                        + " in this version: not signed with Ed25519 (its HMAC signature stands)", file.getFileName(), size, MAX_SIGNED_BYTES);
                ex.setProperty(TOO_LARGE, true);
                return;
            }
            ex.getMessage().setBody(java.nio.file.Files.readAllBytes(file));
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE_PRIVATE_KEY, key.privateKey());
            ex.setProperty(PUBLIC_KEY, key.publicKey());
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
                ex.getMessage().setHeader(VERDICT, "no Ed25519 signature (" + DetachedSignatures.of(file).getFileName()
                        + " missing: written before signatures were made)");
                return;
            }
            if (java.nio.file.Files.size(file) > MAX_SIGNED_BYTES) {
                ex.getMessage().setHeader(VERDICT, "Ed25519 signature not checked: " + file.getFileName()
                        + " is over the " + MAX_SIGNED_BYTES + " bytes this version reads whole (its HMAC signature is checked)");
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
            ex.getMessage().setBody(java.nio.file.Files.readAllBytes(file));
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE, Base64.getEncoder().encodeToString(sig));
            ex.getMessage().setHeader(DigitalSignatureConstants.SIGNATURE_PUBLIC_KEY_OR_CERT, key);
        });
        bind.accept("detachedSignatureVerified", (Processor) ex -> ex.getMessage().setHeader(VERDICT,
                "Ed25519 signature verified: " + DetachedSignatures.of(file(ex, VERIFY_FILE)).getFileName() + " against "
                        + ex.getProperty(VERIFY_KEY, String.class)));
        bind.accept("detachedSignatureRejected", (Processor) ex -> {
            Path file = file(ex, VERIFY_FILE);
            throw new ArchiveException(DetachedSignatures.of(file).getFileName() + ": the Ed25519 signature does not verify against "
                    + ex.getProperty(VERIFY_KEY, String.class) + " (" + file.getFileName() + " was changed, or signed by another key)");
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
