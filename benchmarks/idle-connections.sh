#!/usr/bin/env bash
# RSS per 1,000 idle keep-alive connections (issue #12; not a test): each 1MRC server (one loop)
# is started on its own, IdleConnections opens N connections with one POST /event each and keeps
# them open, and the server's VmRSS is read before and after (after a warm-up: 50 connections,
# 200 events each, closed). Rounds rotate the order of the servers. Prints one IDLE line per
# run and a Markdown table of medians and spreads.
#
#   benchmarks/idle-connections.sh                       3 rounds, 10,000 connections, every server
#   options: --rounds N  --connections N  --peers 'io_uring epoll netty-io_uring netty-epoll nio'  --no-build
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh
. benchmarks/common.sh

rounds=3 connections=10000 build=1
peers="io_uring epoll netty-io_uring netty-epoll nio"
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        --connections) connections=$2; shift ;;
        --peers) peers=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((connections + 3000)) ]; then
    echo "the descriptor limit ($(ulimit -n)) is below $((connections + 3000)): use fewer --connections" >&2
    exit 2
fi
bench_build "$build"
bench_jvm
out=benchmarks/target/idle-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
results=$out/results.txt
: > "$results"

port=9600
read -r -a order <<< "$peers"
for round in $(seq 1 "$rounds"); do
    for s in "${order[@]}"; do
        port=$((port + 1))
        log=$out/server-$s-$round.log
        read -r -a cmd <<< "$(mrc_server_cmd "$s")"
        "${jvm[@]}" "${cmd[@]}" --port "$port" --mode mrc --loops 1 --size 64 --warmup 0 > "$log" 2>&1 &
        pid=$!
        bench_await_listening "$log" "$pid" || true # a server that did not start fails below
        if ! line=$("${jvm[@]}" io.fasterapi.aio.bench.IdleConnections --port "$port" --connections "$connections" \
                --server-pid "$pid" 2> "$out/client-$s-$round.log"); then
            # The server could not hold them (NIO's direct buffers run out at -Xmx256m, for one).
            why=$(grep -m1 -o 'OutOfMemoryError[^(]*' "$log" || grep -m1 -o '[A-Za-z.]*Exception[^"]*' "$out/client-$s-$round.log" || true)
            line="IDLE connections=$connections failed=\"${why:-see $log}\""
        fi
        kill -TERM "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
        echo "$line round=$round server=$s" | tee -a "$results"
    done
    order=("${order[@]:1}" "${order[0]}") # rotate: each server takes each place in turn
done

echo
echo "### RSS per 1,000 idle keep-alive connections ($connections connections, one loop, $rounds rounds; $(date +%F))"
echo
echo "| server | MiB per 1,000 (median) | min | max | RSS before → after, MiB (median run) |"
echo "|---|--:|--:|--:|--:|"
for s in $peers; do
    failed=$(grep " server=$s\$" "$results" | grep -c 'failed=' || true)
    if [ "$failed" -gt 0 ]; then
        echo "| $s | failed in $failed of $rounds rounds: $(grep " server=$s\$" "$results" | grep -m1 -o 'failed="[^"]*"') | | | |"
        continue
    fi
    grep " server=$s\$" "$results" | sed 's/.*rss_before_kb=\([0-9]*\) rss_after_kb=\([0-9]*\) per_1000_mib=\([0-9.]*\).*/\3 \1 \2/' | sort -n \
        | awk -v s="$s" '{v[NR]=$1; b[NR]=$2; a[NR]=$3} END {m=int((NR+1)/2);
            names["io_uring"]="ours, io_uring"; names["epoll"]="ours, epoll"; names["netty-io_uring"]="Netty io_uring";
            names["netty-epoll"]="Netty epoll"; names["nio"]="JDK NIO";
            printf "| %s | %.1f | %.1f | %.1f | %.0f → %.0f |\n", names[s], v[m], v[1], v[NR], b[m]/1024, a[m]/1024}'
done
echo
echo "all logs and results: $out"
