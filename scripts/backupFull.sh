#!/usr/bin/env bash
# Weekly full backup (runbook: 0 3 * * 0 backupFull.sh) -> factory-dr backup full
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr backup full "$@"
