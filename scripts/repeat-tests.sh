#!/usr/bin/env bash
# Flake hunt: runs the whole suite (./test.sh) N times in a row, then the integration module's
# Failsafe *IT classes M times in a row, and counts the runs that failed. Every run's log is kept
# under target/repeat-tests/<start time>/, with the failing tests of each red run listed at the end.
#
#   scripts/repeat-tests.sh                  # 10 whole-suite runs, then 20 IT runs
#   scripts/repeat-tests.sh --suite 0 --its 5
#
# Exit status 1 if any run failed. Extra arguments after -- go to Maven in every run.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

suite=10
its=20
extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --suite) suite=$2; shift 2 ;;
        --its) its=$2; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

logs=target/repeat-tests/$(date +%Y%m%d-%H%M%S)
mkdir -p "$logs"
red=()

# Runs one Maven invocation, logs it, and prints one line: the run, its result, its test counts.
one() {
    local name=$1; shift
    local log=$logs/$name.log started=$SECONDS rc
    ./test.sh "$@" ${extra[@]+"${extra[@]}"} >"$log" 2>&1
    rc=$?
    # Surefire's and Failsafe's per-module totals: "Tests run: N, Failures: F, Errors: E, Skipped: S" alone.
    local totals
    totals=$(grep -E '^\[(INFO|WARNING|ERROR)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" \
        | awk -F'[:,] *' '{r+=$2; f+=$4; e+=$6; s+=$8} END {printf "%d tests, %d failures, %d errors, %d skipped", r, f, e, s}')
    if [ "$rc" -eq 0 ]; then
        printf '%-10s passed  %4ds  %s\n' "$name" $((SECONDS - started)) "$totals"
    else
        printf '%-10s FAILED  %4ds  %s; log %s\n' "$name" $((SECONDS - started)) "$totals" "$log"
        grep -E '^\[ERROR\] +[A-Za-z0-9_.]+(:[0-9]+)?|<<< (FAILURE|ERROR)!' "$log" | head -20 | sed 's/^/           /'
        red+=("$name")
    fi
}

for i in $(seq 1 "$suite"); do
    one "suite-$i"
done
for i in $(seq 1 "$its"); do
    # Only the integration module's *IT classes: no unit test anywhere, no other module's ITs.
    one "its-$i" -pl integration -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
done

passed=$((suite + its - ${#red[@]}))
echo "repeat-tests: $passed passed, ${#red[@]} failed (suite runs: $suite, IT runs: $its; logs in $logs)"
[ ${#red[@]} -eq 0 ]
