/**
 * Ed25519 detached signatures (docs/signatures.md): beside a file {@code X} (a manifest sidecar, a
 * drill proof, a recovery proof), {@code X.sig} holds the raw 64-byte Ed25519 signature over X's
 * exact bytes, so anyone with the public key checks it with {@code openssl pkeyutl -verify -pubin
 * -inkey signing-key.pub.pem -rawin -in X -sigfile X.sig}. The routes sign and verify with
 * camel-crypto (routes/signatures.camel.yaml); this package holds the key ({@link
 * io.qontrek.factorydr.signing.SigningKey}) and the files ({@link io.qontrek.factorydr.signing.DetachedSignatures}).
 *
 * <p>Invariants: the private key is read only from an owner-only PKCS#8 PEM file
 * (FACTORY_SIGNING_KEY_FILE) and never written anywhere else; an {@code X.sig} is written atomically
 * (temporary name, fsync, rename) and is always exactly 64 bytes; the published public key is
 * replaced only when it differs, the one it replaces kept under its fingerprint.
 */
package io.qontrek.factorydr.signing;
