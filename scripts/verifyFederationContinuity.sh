#!/usr/bin/env bash
# verifyFederationContinuity.js: ledger chain and nonces, with a test batch and a replay (rolled back) -> factory-dr verify federation --probe
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr verify federation --probe "$@"
