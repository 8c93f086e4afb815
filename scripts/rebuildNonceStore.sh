#!/usr/bin/env bash
# rebuildNonceStore.js: the nonce store from the ledger -> factory-dr rebuild nonces
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr rebuild nonces "$@"
