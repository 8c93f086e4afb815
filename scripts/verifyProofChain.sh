#!/usr/bin/env bash
# verifyProofChain.js [--from=YYYY-MM-DD --to=YYYY-MM-DD] -> factory-dr verify proofs
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr verify proofs "$@"
