#!/usr/bin/env bash
# Full restore: restore.sh --date=YYYY-MM-DD|latest [--verify] -> factory-dr restore ...
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr restore "$@"
