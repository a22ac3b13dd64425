#!/usr/bin/env bash
# Memory at rest (issue #12, item 3; not a test): each one-loop server of the benchmark is started
# idle (echo mode, no connection) with the benchmark's JVM flags plus Native Memory Tracking, and
# after --settle seconds its RSS (anonymous and file-backed), its NMT committed memory by category,
# and its used heap are read. Then --load seconds of echo load (one connection, our LoadClient)
# and the peak RSS. Rounds rotate the order. Prints one MEM line per run and a Markdown table of
# medians.
#
#   benchmarks/memory-at-rest.sh                    3 rounds; peers io_uring epoll nio netty-epoll
#   options: --rounds N  --peers '...'  --settle S  --load S  --jvm-extra 'flags'  --no-build
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh
. benchmarks/common.sh

rounds=3 settle=5 load=5 build=1 extra=""
peers="io_uring epoll nio netty-epoll"
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        --peers) peers=$2; shift ;;
        --settle) settle=$2; shift ;;
        --load) load=$2; shift ;;
        --jvm-extra) extra=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
bench_build "$build"
bench_jvm
out=benchmarks/target/memory-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
results=$out/results.txt
: > "$results"

server_class() {
    case $1 in
        io_uring) echo io.fasterapi.aio.bench.IoUringServer ;;
        epoll) echo io.fasterapi.aio.bench.EpollServer ;;
        nio) echo io.fasterapi.aio.bench.NioServer ;;
        netty-epoll) echo io.fasterapi.aio.bench.NettyServer --transport epoll ;;
        netty-io_uring) echo io.fasterapi.aio.bench.NettyServer --transport io_uring ;;
        *) echo "unknown server $1" >&2; exit 2 ;;
    esac
}
kb() { awk -v k="$1:" '$1 == k {print $2; exit}' "/proc/$2/status"; }

port=9700
read -r -a order <<< "$peers"
read -r -a extra_flags <<< "$extra"
for round in $(seq 1 "$rounds"); do
    for s in "${order[@]}"; do
        port=$((port + 1))
        log=$out/server-$s-$round.log
        read -r -a cmd <<< "$(server_class "$s")"
        "${jvm[@]}" -XX:NativeMemoryTracking=summary "${extra_flags[@]}" "${cmd[@]}" --port "$port" --mode echo \
            --loops 1 --size 64 --warmup 0 > "$log" 2>&1 &
        pid=$!
        bench_await_listening "$log" "$pid" || true # a server that did not start fails below
        sleep "$settle"
        rss=$(kb VmRSS $pid) anon=$(kb RssAnon $pid) file=$(kb RssFile $pid) threads=$(kb Threads $pid)
        jcmd "$pid" VM.native_memory summary > "$out/nmt-$s-$round.txt" 2>&1 || true
        jcmd "$pid" GC.heap_info > "$out/heap-$s-$round.txt" 2>&1 || true
        # NMT "committed" per category, in KB: "-  Java Heap (reserved=..KB, committed=..KB)"
        nmt=$(sed -n 's/^-\s*\([A-Za-z ]*[A-Za-z]\) (reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1=\2/p' "$out/nmt-$s-$round.txt" \
            | tr ' ' '_' | tr '\n' ' ')
        heap_used=$(grep -m1 -o 'used [0-9]*K' "$out/heap-$s-$round.txt" | tr -dc '0-9' || true)
        "${jvm[@]}" io.fasterapi.aio.bench.LoadClient --port "$port" --mode echo --size 64 --connections 1 \
            --pipeline 1 --warmup 0 --duration "$load" > "$out/client-$s-$round.log" 2>&1 || true
        peak=$(kb VmHWM $pid)
        kill -TERM "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
        echo "MEM server=$s round=$round rss_kb=$rss anon_kb=$anon file_kb=$file threads=$threads heap_used_kb=${heap_used:-?} peak_kb=$peak $nmt" \
            | tee -a "$results"
    done
    order=("${order[@]:1}" "${order[0]}")
done

echo
echo "### Memory at rest and under one connection's echo load ($rounds rounds, median; $(date +%F))"
echo
echo "| server | idle RSS MiB | anon | file | heap used MiB | NMT: Java Heap | Class | Metaspace | Thread | Code | Compiler | Other | peak RSS MiB |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for s in $peers; do
    grep "^MEM server=$s " "$results" | awk -v s="$s" '
        function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return a[int((n + 1) / 2)] }
        { n++; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1], n] = kv[2] } }
        END {
            split("rss_kb anon_kb file_kb heap_used_kb Java_Heap Class Metaspace Thread Code Compiler Other peak_kb", keys, " ")
            line = "| " s
            for (k = 1; k <= 12; k++) { for (r = 1; r <= n; r++) a[r] = v[keys[k], r] + 0; line = line sprintf(" | %.1f", med(a, n) / 1024) }
            print line " |"
        }'
done
echo
echo "all logs and NMT reports: $out"
