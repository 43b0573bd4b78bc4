#!/usr/bin/env bash
# The whole test suite as CI runs it: one build, then three groups, each in parallel within
# itself: the unit, codec and simulator suites; the suites that run the operator and the
# Kubernetes client against the faces and real kubectl; the end-to-end suites (ebb, kubectl
# and Prometheus processes). On a 2-core machine, running all at once starves the suites
# whose waits are in real time. The planner's long CPU-bound suites (and the exact solver they
# wait on) run on their own: beside the others they held both of the test process's cooperative
# threads for minutes, and watches and process tests waiting in real time timed out.
# `swift test` alone runs everything at once. Before the tests, the formatter's check
# (Scripts/format.sh --check): a file that does not follow .swift-format fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
Scripts/format.sh --check || status=1
swift build --build-tests
swift test --skip-build --skip 'EndToEndTests|OperatorTests|KubernetesClientTests|PlannerTests|PlannerOracleTests' || status=1
swift test --skip-build --filter 'PlannerTests|PlannerOracleTests' || status=1
swift test --skip-build --filter 'OperatorTests|KubernetesClientTests' || status=1
swift test --skip-build --filter 'EndToEndTests' || status=1
exit $status
