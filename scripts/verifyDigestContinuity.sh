#!/usr/bin/env bash
# verifyDigestContinuity.js -> factory-dr verify digests
source "$(dirname "${BASH_SOURCE[0]}")/factory-dr.inc.sh"
run_factory_dr verify digests "$@"
