#!/usr/bin/env bash
# verifyBackup.js: every archive of the latest restore set [--date=D] -> factory-dr verify backup
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr verify backup "$@"
