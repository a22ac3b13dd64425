#!/usr/bin/env bash
# Zero-copy sends (issue #13, item 5; not a test): our server streams writes of --sizes bytes (two in
# flight per connection, --connections connections) to a blocking Java reader, on io_uring and epoll,
# with AsyncIoConfig.zeroCopy off and on. The server counts the bytes of completed writes and its
# process CPU time over its window; the table gives throughput and server CPU seconds per GiB sent,
# medians over --rounds rounds in rotating order, server and client pinned to separate cores.
#
#   benchmarks/zero-copy.sh                    3 rounds; sizes 64 KiB, 256 KiB, 1 MiB
#   options: --rounds N  --sizes '65536 ...'  --peers 'io_uring io_uring-zc epoll epoll-zc'
#            --connections N  --warmup S  --duration S  --no-build
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh
. benchmarks/common.sh

rounds=3 warmup=2 duration=5 connections=2 build=1
sizes="65536 262144 1048576"
peers="io_uring io_uring-zc epoll epoll-zc"
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        --sizes) sizes=$2; shift ;;
        --peers) peers=$2; shift ;;
        --connections) connections=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --duration) duration=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
bench_build "$build"
bench_jvm
bench_run_dir zero-copy "rounds=$rounds sizes='$sizes' peers='$peers' connections=$connections warmup=${warmup}s duration=${duration}s"

port=9800
read -r -a order <<< "$peers"
for round in $(seq 1 "$rounds"); do
    for size in $sizes; do
        for p in "${order[@]}"; do
            port=$((port + 1))
            backend=${p%-zc}
            zc=0; [ "$p" != "$backend" ] && zc=1
            log=$out/server-$p-$size-$round.log
            "${pin0[@]}" "${jvm[@]}" io.fasterapi.aio.bench.ZeroCopyBench server --backend "$backend" --zero-copy "$zc" \
                --size "$size" --port "$port" --warmup "$warmup" --duration "$duration" > "$log" 2>&1 &
            pid=$!
            bench_await_listening "$log" "$pid" || { echo "server $p did not start:" >&2; cat "$log" >&2; exit 1; }
            "${pin1[@]}" "${jvm[@]}" io.fasterapi.aio.bench.ZeroCopyBench client --port "$port" --connections "$connections" \
                --seconds $((warmup + duration + 5)) > "$out/client-$p-$size-$round.log" 2>&1 &
            cpid=$!
            wait "$pid" || true
            kill "$cpid" 2> /dev/null || true
            wait "$cpid" 2> /dev/null || true
            line=$(grep '^ZC ' "$log" || true)
            [ -n "$line" ] || { echo "no result from $p size $size round $round:" >&2; cat "$log" >&2; exit 1; }
            echo "$line peer=$p round=$round" | tee -a "$results" >&2
        done
    done
    # rotate the order for the next round
    order=("${order[@]:1}" "${order[0]}")
done

echo
echo "| size | peer | GiB/s (median, min-max) | server CPU s per GiB (median, min-max) |"
echo "|---|---|---|---|"
for size in $sizes; do
    for p in $peers; do
        awk -v s="$size" -v p="$p" '
            { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
            v["size"] == s && v["peer"] == p {
                gib = v["bytes"] / 1073741824; n++
                tp[n] = gib / (v["window_ms"] / 1000); cpu[n] = (v["cpu_ns"] / 1e9) / gib }
            function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
            END { if (n == 0) exit
                printf "| %d KiB | %s | %.2f (%.2f-%.2f) | ", s / 1024, p, med(tp, n), tp[1], tp[n]
                printf "%.3f (%.3f-%.3f) |\n", med(cpu, n), cpu[1], cpu[n] }' "$results"
    done
done | tee "$out/table.md"
echo "raw results: $results" >&2
