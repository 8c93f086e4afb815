#!/usr/bin/env bash
# recoverPanic.js: refuse while a recovery check fails, else a signed proof and data/ATLAS_PANIC cleared -> factory-dr panic recover
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr panic recover "$@"
