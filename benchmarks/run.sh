#!/usr/bin/env bash
# The benchmark of issues #3 and #5 (not a test; ./test.sh never runs it). Builds the benchmarks
# module, then for each workload and each loop count runs every peer -- ours on io_uring, ours on
# epoll, Netty 4.2 on its io_uring and its epoll transport, the JDK NIO Selector -- one after the
# other in a rotating order for N rounds, each against the same load generator: our LoadClient
# (our library, epoll backend, one loop) for echo, wrk for HTTP. One loop: server pinned to CPU 0,
# load to CPU 1. Two loops (a loop group): nothing pinned, so server and load share both cores.
# Optionally (--strace) a short strace pass per one-loop server counts I/O system calls per
# request. Prints one Markdown table per workload and loop count, then the ratios at a glance.
#
#   benchmarks/run.sh                 2 rounds, 2 s warm-up + 5 s (echo) / 10 s (wrk) measured (about 14 minutes)
#   benchmarks/run.sh --quick         1 round, 1 s warm-up + 3 s (echo) / 5 s (wrk) (about 4 minutes)
#   benchmarks/run.sh --workloads mrc the 1MRC end to end (not in the default list; see below)
#   options: --rounds N  --warmup S  --duration S (wrk)  --echo-duration S  --loops '1 2'
#            --peers 'io_uring epoll netty-io_uring netty-epoll nio c-epoll c-io_uring'   (--servers is the same;
#                    c-epoll, c-io_uring: benchmarks/c/*.c, built with gcc (+ liburing) here; every workload, one loop)
#            --workloads 'echo-64B-1conn echo-64B-100conn http-wrk-100conn http-wrk-pipe16-100conn'
#                        (also: http-1conn, our LoadClient, one connection;
#                         mrc: the 1 Million Request Challenge end to end, see below)
#            (also: vt-io_uring, vt-epoll, vt-jdk-socket, vt-jdk-channel: blocking style, a virtual thread
#                   per connection, on our blocking sockets or the JDK's (VtServer; --workloads vthreads
#                   runs the set of issue #15: echo and HTTP with 100 and 10,000 connections);
#                   io_uring-busy, epoll-busy: ours with AsyncIoConfig.pollBusy;
#                   io_uring-batch, ours on io_uring with AsyncIoConfig.batchWaitMicros = --batch-wait µs,
#                   default 1000: one io_uring_enter per request-response on kernels 6.12+)
#            --mrc-requests N (default 1,000,000; --quick: 200,000)  --mrc-connections N (default 1,000)
#            --strace  --strace-seconds S  --no-build
# Workloads with one connection run on one loop only (a second loop would have nothing to do).
# mrc: every peer serves POST /event and GET /stats with the same logic (ours: our HttpServer /
# HttpServerGroup with MrcHandler; the others: MrcHttp, with the same EventParser and EventStats);
# the load is MrcClient (servers module, our library, epoll, one loop) in its own JVM (MrcLoad):
# N events over C keep-alive connections, then GET /stats checked. No warm-up: the server's
# window (CPU, allocation) is the whole run, JIT included; no strace pass.
# Results (every log, strace output, results.txt, report.md) go to benchmarks/target/bench-<time>/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh
. benchmarks/common.sh

rounds=2 warmup=2 duration=10 echo_duration=5 strace_secs=3 do_strace=0 build=1 batch_wait=1000
mrc_requests=1000000 mrc_connections=1000
loops_list="1 2"
workloads="echo-64B-1conn echo-64B-100conn http-wrk-100conn http-wrk-pipe16-100conn"
servers="io_uring epoll netty-io_uring netty-epoll nio c-epoll c-io_uring"
while [ $# -gt 0 ]; do
    case $1 in
        --quick) rounds=1 warmup=1 duration=5 echo_duration=3 mrc_requests=200000 ;;
        --mrc-requests) mrc_requests=$2; shift ;;
        --mrc-connections) mrc_connections=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --batch-wait) batch_wait=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --duration) duration=$2; shift ;;
        --echo-duration) echo_duration=$2; shift ;;
        --loops) loops_list=$2; shift ;;
        --strace) do_strace=1 ;;
        --strace-seconds) strace_secs=$2; shift ;;
        --no-strace) do_strace=0 ;;
        --workloads) workloads=$2; shift
            if [ "$workloads" = vthreads ]; then
                workloads="echo-64B-100conn http-wrk-100conn echo-64B-10kconn http-wrk-10kconn"
                servers="vt-io_uring vt-epoll vt-jdk-socket vt-jdk-channel io_uring netty-io_uring"
                loops_list=1
            fi ;;
        --peers | --servers) servers=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if ! command -v wrk > /dev/null; then
    echo "installing wrk (apt-get install -y wrk)..." >&2
    apt-get install -y wrk > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }
fi

bench_build "$build"
bench_jvm
# The C peers (the physical limit): compiled here with gcc (and liburing for c-io_uring), never
# part of the library's build. A peer that cannot be built is skipped with the reason.
c_bin=benchmarks/target/c
drop_peer() {
    echo "$2: the $1 peer is skipped" >&2
    servers=$(echo "$servers" | tr ' ' '\n' | grep -vx -- "$1" | tr '\n' ' ')
}
if [[ " $servers " == *" c-"* ]]; then
    mkdir -p "$c_bin"
    if [[ " $servers " == *" c-io_uring "* ]] && [ ! -f /usr/include/liburing.h ]; then
        echo "installing liburing-dev (apt-get install -y liburing-dev)..." >&2
        apt-get install -y liburing-dev > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y liburing-dev > /dev/null 2>&1; } || true
    fi
    if ! command -v gcc > /dev/null; then
        drop_peer c-epoll "no gcc (apt-get install gcc)"
        drop_peer c-io_uring "no gcc (apt-get install gcc)"
    fi
    if [[ " $servers " == *" c-epoll "* ]] && ! gcc -O2 -o "$c_bin/epoll_server" benchmarks/c/epoll_server.c; then
        drop_peer c-epoll "benchmarks/c/epoll_server.c did not compile"
    fi
    if [[ " $servers " == *" c-io_uring "* ]] && ! gcc -O2 -o "$c_bin/uring_server" benchmarks/c/uring_server.c -luring; then
        drop_peer c-io_uring "benchmarks/c/uring_server.c did not compile (liburing-dev missing?)"
    fi
fi

out=benchmarks/target/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
results=$out/results.txt
: > "$results"

# Prefixes that pin a command to a CPU. Arrays, not functions: a background function runs in a
# subshell, and its pid (what $! names) would not be the JVM's, which must get the signals.
if command -v taskset > /dev/null; then
    pin0=(taskset -c 0) pin1=(taskset -c 1)
else
    echo "warning: no taskset, not pinning" >&2
    pin0=(env) pin1=(env)
fi
nopin=(env)

# server name (and mode) -> main class and its extra arguments
server_cmd() {
    case $1 in
        c-epoll) echo "$c_bin/epoll_server"; return ;; # every mode, mrc included
        c-io_uring) echo "$c_bin/uring_server"; return ;;
        *) if [ "${2:-}" = mrc ]; then mrc_server_cmd "$1"; return; fi ;;
    esac
    case $1 in
        io_uring) echo io.fasterapi.aio.bench.IoUringServer ;;
        io_uring-batch) echo io.fasterapi.aio.bench.IoUringServer --batch-wait "$batch_wait" ;;
        io_uring-receive) echo io.fasterapi.aio.bench.IoUringServer --receive 1024 ;;
        io_uring-busy) echo io.fasterapi.aio.bench.IoUringServer --poll-busy 1 ;;
        epoll-busy) echo io.fasterapi.aio.bench.EpollServer --poll-busy 1 ;;
        epoll-receive) echo io.fasterapi.aio.bench.EpollServer --receive 1024 ;;
        epoll) echo io.fasterapi.aio.bench.EpollServer ;;
        nio) echo io.fasterapi.aio.bench.NioServer ;;
        netty-epoll) echo io.fasterapi.aio.bench.NettyServer --transport epoll ;;
        netty-io_uring) echo io.fasterapi.aio.bench.NettyServer --transport io_uring ;;
        vt-io_uring) echo io.fasterapi.aio.bench.VtServer --impl aio --backend io_uring ;;
        vt-epoll) echo io.fasterapi.aio.bench.VtServer --impl aio --backend epoll ;;
        vt-jdk-socket) echo io.fasterapi.aio.bench.VtServer --impl jdk-socket ;;
        vt-jdk-channel) echo io.fasterapi.aio.bench.VtServer --impl jdk-channel ;;
        *) echo "unknown server $1" >&2; exit 2 ;;
    esac
}

# workload name -> "generator mode connections pipeline-depth"
workload_args() {
    case $1 in
        echo-64B-1conn) echo "client echo 1 1" ;;
        echo-64B-100conn) echo "client echo 100 1" ;;
        echo-64B-10kconn) echo "client echo 10000 1" ;;
        http-wrk-10kconn) echo "wrk http 10000 1" ;;
        http-wrk-100conn) echo "wrk http 100 1" ;;
        http-wrk-pipe16-100conn) echo "wrk http 100 16" ;;
        http-1conn) echo "client http 1 1" ;;
        mrc) echo "mrc mrc $mrc_connections 1" ;;
        *) echo "unknown workload $1" >&2; exit 2 ;;
    esac
}

io_syscalls=recvfrom,sendto,read,write,readv,writev,recvmsg,sendmsg,epoll_wait,epoll_pwait,epoll_pwait2,epoll_ctl,io_uring_enter
port=9400
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
        server_pid=
    fi
}
trap 'stop_server' EXIT
trap 'exit 130' INT TERM

start_server() { # server mode loops log warmup pin-prefix-name
    port=$((port + 1))
    local -a cmd pin
    read -r -a cmd <<< "$(server_cmd "$1" "$2")"
    if [ "$6" = pin ]; then pin=("${pin0[@]}"); else pin=("${nopin[@]}"); fi
    local -a runtime=("${jvm[@]}")
    if [[ $1 == c-* ]]; then runtime=(); fi # a native binary
    "${pin[@]}" "${runtime[@]}" "${cmd[@]}" --port "$port" --mode "$2" --loops "$3" --size 64 --warmup "$5" > "$4" 2>&1 &
    server_pid=$!
    bench_await_listening "$4" "$server_pid" && return 0
    echo "server $1 did not start:" >&2
    cat "$4" >&2
    exit 1
}

# Runs the load for one measured run and writes its CLIENT line to $clog.
#   run_load generator mode conns depth loops warmup duration clog
run_load() {
    local gen=$1 mode=$2 conns=$3 depth=$4 loops=$5 wu=$6 dur=$7 clog=$8
    local -a pin
    if [ "$loops" = 1 ]; then pin=("${pin1[@]}"); else pin=("${nopin[@]}"); fi
    if [ "$gen" = mrc ]; then
        # the 1MRC: a fixed number of events, no warm-up, no duration
        "${pin[@]}" "${jvm[@]}" io.fasterapi.aio.bench.MrcLoad --port "$port" --requests "$mrc_requests" \
            --connections "$conns" > "$clog" 2>&1 || true
    elif [ "$gen" = client ]; then
        "${pin[@]}" "${jvm[@]}" io.fasterapi.aio.bench.LoadClient --port "$port" --mode "$mode" --size 64 \
            --connections "$conns" --pipeline "$depth" --warmup "$wu" --duration "$dur" > "$clog" 2>&1 || true
    else
        # wrk: one thread per server loop; a warm-up run (its numbers dropped), then the measured run.
        local -a script=()
        if [ "$depth" -gt 1 ]; then script=(-s benchmarks/wrk/pipeline.lua); fi
        local url="http://127.0.0.1:$port/"
        if [ "$wu" != 0 ]; then
            "${pin[@]}" wrk -t "$loops" -c "$conns" -d "${wu}s" "${script[@]}" "$url" -- "$depth" > "$clog.warmup" 2>&1 || true
        fi
        "${pin[@]}" wrk -t "$loops" -c "$conns" -d "${dur}s" --latency "${script[@]}" "$url" -- "$depth" > "$clog.wrk" 2>&1 || true
        java -cp "$cp" io.fasterapi.aio.bench.WrkResult "$clog.wrk" > "$clog" 2>&1 || true
    fi
}

# key=value fields of the line starting with $1 in file $2 (without the tag)
fields() { grep -m1 "^$1 " "$2" | cut -d' ' -f2-; }

echo "machine: $(nproc) CPUs, $(uname -sr), $(java -version 2>&1 | head -n 1), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" | tee "$out/machine.txt" >&2
echo "rounds=$rounds warmup=${warmup}s duration=${duration}s (wrk) ${echo_duration}s (echo) mrc=$mrc_requests events/$mrc_connections conns loops='$loops_list' workloads='$workloads' peers='$servers'" | tee -a "$out/machine.txt" >&2
started=$(date +%s)

for w in $workloads; do
    read -r gen mode conns depth <<< "$(workload_args "$w")"
    if [ "$gen" = wrk ]; then dur=$duration; else dur=$echo_duration; fi
    for loops in $loops_list; do
        if [ "$conns" = 1 ] && [ "$loops" != 1 ]; then
            continue # one connection: a second loop would have nothing to do
        fi
        if [ "$loops" = 1 ]; then pinning=pin; else pinning=nopin; fi
        wu=$warmup
        if [ "$gen" = mrc ]; then wu=0; fi # the whole 1MRC run is measured
        # shellcheck disable=SC2206
        order=($servers)
        for r in $(seq 1 "$rounds"); do
            for s in "${order[@]}"; do
                if [[ $s == c-* ]] && [ "$loops" != 1 ]; then
                    continue # the C peers serve one loop
                fi
                slog=$out/$w-l$loops-r$r-$s.server.log
                clog=$out/$w-l$loops-r$r-$s.client.log
                load1=$(cut -d' ' -f1 /proc/loadavg) # the machine's load before this run (other users)
                start_server "$s" "$mode" "$loops" "$slog" "$wu" "$pinning"
                run_load "$gen" "$mode" "$conns" "$depth" "$loops" "$warmup" "$dur" "$clog"
                stop_server
                c=$(fields CLIENT "$clog" || true)
                v=$(fields SERVER "$slog" | sed 's/\([a-z_]*\)=/srv_\1=/g' || true)
                if [ -z "$c" ] || [ -z "$v" ]; then
                    echo "run $w loops $loops round $r $s failed; logs: $slog $clog" >&2
                    tail -n 5 "$slog" "$clog" >&2 || true
                    continue
                fi
                echo "RUN workload=$w loops=$loops round=$r server=$s load1=$load1 $c $v" >> "$results"
                printf '%-24s loops %d round %d  %-15s %s\n' "$w" "$loops" "$r" "$s" \
                    "$(echo "$c" | grep -o 'seconds=[^ ]*\|rps=[^ ]*\|p99_us=[^ ]*\|errors=[^ ]*\|correct=[^ ]*' | tr '\n' ' ')$(echo "$v" | grep -o 'srv_cpu_ns=[^ ]*\|srv_requests=[^ ]*' | tr '\n' ' ')load1=$load1" >&2
            done
            order=("${order[@]:1}" "${order[0]}") # rotate: each server takes each position in turn
        done
    done

    if [ "$do_strace" = 1 ] && [ "$gen" != mrc ] && command -v strace > /dev/null; then
        for s in $servers; do
            slog=$out/$w-strace-$s.server.log
            clog=$out/$w-strace-$s.client.log
            sfile=$out/$w-strace-$s.strace.txt
            start_server "$s" "$mode" 1 "$slog" 0 pin
            run_load "$gen" "$mode" "$conns" "$depth" 1 0 "$((strace_secs + 3))" "$clog" &
            client_pid=$!
            sleep 2
            # Every I/O system call of every thread of the server, with the two SIGHUPs that frame
            # the window (each makes the server print its request count) marked in the same
            # trace: only calls between the two marks count.
            strace -f -e trace="$io_syscalls" -e signal=SIGHUP -o "$sfile" -p "$server_pid" 2> "$sfile.attach" &
            strace_pid=$!
            sleep 1
            kill -HUP "$server_pid"
            sleep "$strace_secs"
            kill -HUP "$server_pid"; sleep 0.3
            kill -INT "$strace_pid"; wait "$strace_pid" || true
            wait "$client_pid" || true
            stop_server
            a=$(grep '^COUNT ' "$slog" | sed -n 1p | sed 's/.*requests=//')
            b=$(grep '^COUNT ' "$slog" | sed -n 2p | sed 's/.*requests=//')
            if [ -z "$a" ] || [ -z "$b" ]; then
                echo "strace pass $w $s: no request counts in $slog" >&2
                continue
            fi
            # Lines "PID name(args...", counted between the first and second "--- SIGHUP" line.
            calls=$(awk '/--- SIGHUP/ { marks++; next } marks == 1' "$sfile" |
                sed -E -n 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
            echo "STRACE workload=$w loops=1 server=$s requests=$((b - a)) $calls" >> "$results"
            echo "$w strace $s: requests=$((b - a)) $calls" >&2
        done
    fi
done

echo "took $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s" | tee -a "$out/machine.txt" >&2
java -cp "$cp" io.fasterapi.aio.bench.Report "$results" | tee "$out/report.md"
echo >&2
echo "all logs and results: $out" >&2
