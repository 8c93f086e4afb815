#!/usr/bin/env bash
# emitDrillProof.js: the whole DR drill in a staging copy and its signed proof [--staging=DIR] -> factory-dr drill
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr drill "$@"
