#!/usr/bin/env bash
# The whole test suite as CI runs it: one build, then the unit and integration suites, then the
# end-to-end suites (which start ebb, kubectl and Prometheus processes) on their own, so that
# their processes do not starve the timing-sensitive tests on a 2-core machine.
# `swift test` alone runs everything at once and works on a machine with room to spare.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
status=0
swift test --skip-build --skip EndToEndTests || status=1
swift test --skip-build --filter EndToEndTests || status=1
exit $status
