#!/usr/bin/env bash
# Hourly incremental backup of changed proof files -> factory-dr backup incremental
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr backup incremental "$@"
