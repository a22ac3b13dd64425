#!/usr/bin/env bash
# UDP and Unix domain socket echo (issue #14, item 6; not a test): one-thread echo servers (ours on
# io_uring and epoll, for UDP also "ourspool" receiving through a buffer pool, the JDK's DatagramChannel / Selector, Netty 4.2's epoll and io_uring
# transports) against one ping-pong client of --connections blocking channels, 64-byte messages.
# Server on CPU 0, client on CPU 1; the client counts round trips and reads the server's CPU time
# (/proc/PID/stat, 10 ms ticks) over its window. Medians over --rounds rounds in rotating order.
#
#   benchmarks/local-echo.sh                    3 rounds of 5 s; kinds udp uds
#   options: --rounds N  --kinds 'udp uds'  --peers '...'  --connections N  --seconds S  --size B  --no-build
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh
. benchmarks/common.sh

rounds=3 seconds=5 warmup=2 connections=16 size=64 build=1
kinds="udp uds"
peers="ours-io_uring ours-epoll ourspool-io_uring ourspool-epoll jdk netty-epoll netty-io_uring"
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        --kinds) kinds=$2; shift ;;
        --peers) peers=$2; shift ;;
        --connections) connections=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        --size) size=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
bench_build "$build"
bench_jvm
bench_run_dir local-echo "rounds=$rounds kinds='$kinds' peers='$peers' connections=$connections size=$size warmup=${warmup}s seconds=${seconds}s"

port=9900
read -r -a order <<< "$peers"
for round in $(seq 1 "$rounds"); do
    for kind in $kinds; do
        for p in "${order[@]}"; do
            port=$((port + 1))
            impl=${p%%-*}; backend=${p#*-}; [ "$impl" = "$p" ] && backend=""
            [ "$impl" = ourspool ] && [ "$kind" != udp ] && continue # a pool changes nothing for a stream echo here
            path=$out/$p-$round.sock
            log=$out/server-$p-$kind-$round.log
            "${pin0[@]}" "${jvm[@]}" io.fasterapi.aio.bench.LocalEchoBench server --impl "$impl" --backend "${backend:-epoll}" \
                --kind "$kind" --port "$port" --path "$path" > "$log" 2>&1 &
            pid=$!
            bench_await_listening "$log" "$pid" || { echo "server $p did not start:" >&2; cat "$log" >&2; exit 1; }
            sleep 0.5 # bound after the line is printed
            line=$("${pin1[@]}" "${jvm[@]}" io.fasterapi.aio.bench.LocalEchoBench client --kind "$kind" --port "$port" \
                --path "$path" --connections "$connections" --warmup "$warmup" --seconds "$seconds" --size "$size" \
                --server-pid "$pid" 2> "$out/client-$p-$kind-$round.err" | grep '^LOCAL' || true)
            kill "$pid" 2> /dev/null || true
            wait "$pid" 2> /dev/null || true
            [ -n "$line" ] || { echo "no result from $p $kind round $round:" >&2; cat "$out/client-$p-$kind-$round.err" "$log" >&2; exit 1; }
            echo "$line peer=$p round=$round" | tee -a "$results" >&2
        done
    done
    order=("${order[@]:1}" "${order[0]}")
done

echo
echo "| kind | peer | round trips/s (median, min-max) | per server CPU-second (median, min-max) |"
echo "|---|---|--:|--:|"
for kind in $kinds; do
    for p in $peers; do
        awk -v k="$kind" -v p="$p" '
            { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
            v["kind"] == k && v["peer"] == p {
                n++; rps[n] = v["requests"] / (v["window_ms"] / 1000)
                cpu[n] = v["server_cpu_ms"] > 0 ? v["requests"] / (v["server_cpu_ms"] / 1000) : 0 }
            function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
            END { if (n == 0) exit
                printf "| %s | %s | %\047d (%\047d-%\047d) | ", k, p, med(rps, n), rps[1], rps[n]
                printf "%\047d (%\047d-%\047d) |\n", med(cpu, n), cpu[1], cpu[n] }' "$results"
    done
done | tee "$out/table.md"
echo "raw results: $results" >&2
