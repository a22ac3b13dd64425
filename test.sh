#!/usr/bin/env bash
# Runs every test: builds all modules and runs their unit tests (Surefire) and the cross-module
# tests (Failsafe) with `mvn verify`. Extra arguments go to Maven, e.g.
#   ./test.sh -pl backend-epoll -am
#   ./test.sh -Dtest='EpollContractTest'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
. scripts/java-env.sh
. scripts/ensure-packages.sh
aio_ensure_packages || echo "warning: installing those packages failed: the layout tests against them skip (with CI=true they fail)" >&2
# Not -q: Surefire's "Tests run: ..." summary lines must print.
exec mvn -B -ntp verify "$@"
