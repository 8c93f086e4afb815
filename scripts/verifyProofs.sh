#!/usr/bin/env bash
# verifyProofs.js: every proof's merkle root and the chain -> factory-dr verify proofs
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr verify proofs "$@"
