#!/usr/bin/env bash
# The benchmark of issue #3 (not a test; ./test.sh never runs it). Builds the benchmarks module,
# then for each workload runs the three servers -- ours on io_uring, ours on epoll, the JDK NIO
# Selector -- one after the other in a rotating order for N rounds, each against the same load
# client (our library, epoll backend), server pinned to CPU 0 and client to CPU 1. Then a short
# strace pass per server counts I/O system calls per request (the calls between two SIGHUP marks). Prints one Markdown table per workload.
#
#   benchmarks/run.sh                 3 rounds, 2 s warm-up + 8 s measured per run (about 9 minutes)
#   benchmarks/run.sh --quick         1 round, 2 s + 5 s
#   options: --rounds N  --warmup S  --duration S  --pipeline D  --strace-seconds S  --no-strace
#            --workloads 'echo-64B-1conn echo-64B-100conn http-100conn http-1conn'
#            --servers 'io_uring epoll nio'  --no-build
# Results (every log, strace output, results.txt, report.md) go to benchmarks/target/bench-<time>/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh

rounds=3 warmup=2 duration=8 pipeline=1 strace_secs=3 do_strace=1 build=1
workloads="echo-64B-1conn echo-64B-100conn http-100conn http-1conn"
servers="io_uring epoll nio"
while [ $# -gt 0 ]; do
    case $1 in
        --quick) rounds=1 duration=5 ;;
        --rounds) rounds=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --duration) duration=$2; shift ;;
        --pipeline) pipeline=$2; shift ;;
        --strace-seconds) strace_secs=$2; shift ;;
        --no-strace) do_strace=0 ;;
        --workloads) workloads=$2; shift ;;
        --servers) servers=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$build" = 1 ]; then
    echo "building (mvn package -DskipTests -pl benchmarks -am)..." >&2
    mvn -B -ntp -q -DskipTests -pl benchmarks -am package >&2
fi
jar=$(ls benchmarks/target/aio-benchmarks-*.jar | grep -v -- '-sources\|-tests\|-javadoc' | head -n 1)
cp="benchmarks/target/lib/*:$jar"
# The same JVM options for every server and the client.
jvm=(java --enable-native-access=ALL-UNNAMED -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$cp")

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

server_class() {
    case $1 in
        io_uring) echo io.fasterapi.aio.bench.IoUringServer ;;
        epoll) echo io.fasterapi.aio.bench.EpollServer ;;
        nio) echo io.fasterapi.aio.bench.NioServer ;;
        *) echo "unknown server $1" >&2; exit 2 ;;
    esac
}

# workload name -> "mode connections"
workload_args() {
    case $1 in
        echo-64B-1conn) echo "echo 1" ;;
        echo-64B-100conn) echo "echo 100" ;;
        http-100conn) echo "http 100" ;;
        http-1conn) echo "http 1" ;;
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

start_server() { # server mode log warmup
    port=$((port + 1))
    local class
    class=$(server_class "$1")
    "${pin0[@]}" "${jvm[@]}" "$class" --port "$port" --mode "$2" --size 64 --warmup "$4" > "$3" 2>&1 &
    server_pid=$!
    local i
    for i in $(seq 1 200); do
        grep -q '^listening' "$3" 2> /dev/null && return 0
        kill -0 "$server_pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "server $1 did not start:" >&2
    cat "$3" >&2
    exit 1
}

# key=value fields of the line starting with $1 in file $2 (without the tag)
fields() { grep -m1 "^$1 " "$2" | cut -d' ' -f2-; }

echo "machine: $(nproc) CPUs, $(uname -sr), $(java -version 2>&1 | head -n 1)" | tee "$out/machine.txt" >&2
echo "rounds=$rounds warmup=${warmup}s duration=${duration}s pipeline=$pipeline workloads='$workloads' servers='$servers'" | tee -a "$out/machine.txt" >&2

for w in $workloads; do
    read -r mode conns <<< "$(workload_args "$w")"
    # shellcheck disable=SC2206
    order=($servers)
    for r in $(seq 1 "$rounds"); do
        for s in "${order[@]}"; do
            slog=$out/$w-r$r-$s.server.log
            clog=$out/$w-r$r-$s.client.log
            load1=$(cut -d' ' -f1 /proc/loadavg) # the machine's load before this run (other users)
            start_server "$s" "$mode" "$slog" "$warmup"
            "${pin1[@]}" "${jvm[@]}" io.fasterapi.aio.bench.LoadClient --port "$port" --mode "$mode" --size 64 \
                --connections "$conns" --pipeline "$pipeline" --warmup "$warmup" --duration "$duration" > "$clog" 2>&1 || true
            stop_server
            c=$(fields CLIENT "$clog" || true)
            v=$(fields SERVER "$slog" | sed 's/\([a-z_]*\)=/srv_\1=/g' || true)
            if [ -z "$c" ] || [ -z "$v" ]; then
                echo "run $w round $r $s failed; logs: $slog $clog" >&2
                tail -n 5 "$slog" "$clog" >&2 || true
                continue
            fi
            echo "RUN workload=$w round=$r server=$s load1=$load1 $c $v" >> "$results"
            printf '%-18s round %d  %-8s  %s\n' "$w" "$r" "$s" \
                "$(echo "$c" | grep -o 'rps=[^ ]*\|p99_us=[^ ]*\|errors=[^ ]*' | tr '\n' ' ')$(echo "$v" | grep -o 'srv_cpu_ns=[^ ]*\|srv_requests=[^ ]*' | tr '\n' ' ')" >&2
        done
        order=("${order[@]:1}" "${order[0]}") # rotate: each server takes each position in turn
    done

    if [ "$do_strace" = 1 ] && command -v strace > /dev/null; then
        for s in $servers; do
            slog=$out/$w-strace-$s.server.log
            clog=$out/$w-strace-$s.client.log
            sfile=$out/$w-strace-$s.strace.txt
            start_server "$s" "$mode" "$slog" 0
            "${pin1[@]}" "${jvm[@]}" io.fasterapi.aio.bench.LoadClient --port "$port" --mode "$mode" --size 64 \
                --connections "$conns" --pipeline "$pipeline" --warmup 1 --duration "$((strace_secs + 3))" > "$clog" 2>&1 &
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
            echo "STRACE workload=$w server=$s requests=$((b - a)) $calls" >> "$results"
            echo "$w strace $s: requests=$((b - a)) $calls" >&2
        done
    fi
done

java -cp "$cp" io.fasterapi.aio.bench.Report "$results" | tee "$out/report.md"
echo >&2
echo "all logs and results: $out" >&2
