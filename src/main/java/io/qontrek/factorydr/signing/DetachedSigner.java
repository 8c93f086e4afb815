package io.qontrek.factorydr.signing;

import java.nio.file.Path;

/**
 * Writes {@code X.sig} beside a file X. The one signer is the route sign-detached
 * (routes/signatures.camel.yaml); Java that must sign a file in the middle of its work (the archive
 * store signs the manifest sidecar while it is still staged) is handed this and sends X there.
 */
@FunctionalInterface
public interface DetachedSigner {
    void sign(Path file) throws Exception;
}
