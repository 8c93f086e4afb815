/**
 * Offsite copies: every archive and its two sidecars under the same relative key in an S3 bucket
 * ({@code s3://<bucket>/<prefix><relative name>}), checked after upload and before anything trusts a
 * download. Invariant: an archive counts as offsite (catalog {@code offsite_at}) only once the server
 * reports each of its three objects with the local size and content checksum; a download is renamed
 * into place only after the archive verifier accepts it.
 */
package io.qontrek.factorydr.offsite;
