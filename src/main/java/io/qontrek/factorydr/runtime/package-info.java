/**
 * The factory runtime as {@code runtime-contract.md} fixes it: proof files and their Merkle roots,
 * Tower receipts, daily digests, the federation ledger and its SQLite schemas, and a generator of
 * sample runtimes. Pure Java, no Camel: backups, verifiers and the CLI call these mechanisms.
 *
 * <p>Invariants kept here: every hash is computed exactly as the contract spells it (RFC 6962 roots,
 * HMAC receipts, bar-joined digests and entry hashes, lowercase hex, UTC times with a Z); what is
 * written reads back equal, byte for byte; a file that departs from the contract's shape is refused
 * with one line naming the file and the field, while a wrong hash still reads, for a verifier to
 * report; and no secret value is ever part of a {@code toString()}.
 */
package io.qontrek.factorydr.runtime;
