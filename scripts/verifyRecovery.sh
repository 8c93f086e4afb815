#!/usr/bin/env bash
# verifyRecovery.js: is recovery safe? every recovery check -> factory-dr panic verify
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr panic verify "$@"
