#!/usr/bin/env bash
# Allocation of our 1MRC server once it is warm (the `mrc` workload of run.sh measures the whole run
# from a cold JVM instead). Starts MrcAioServer (one loop, unpinned) with its measured window opened
# --warmup seconds after the first connection, runs MrcLoad (N events over C connections) against it,
# records the same window with JFR (settings=profile: jdk.ObjectAllocationSample with stack traces),
# stops the server and prints:
#   - the server's SERVER line and alloc_bytes / requests of its loop thread over the warm window
#     (ThreadMXBean, as in run.sh's tables);
#   - the JFR allocation samples taken on the loop thread (http-0), by class and top frame.
#
#   benchmarks/mrc-warm-alloc.sh                        epoll, 1,000,000 events over 1,000 connections, 5 s warm-up
#   benchmarks/mrc-warm-alloc.sh --backend io_uring --requests 400000 --warmup 3 --no-build
# The window must open after the warm-up (all connections up, the 75,000 user ids in, JIT done): 5 s
# is enough on a quiet machine; on a loaded one give more (--warmup 40 at a load average of 13).
# Logs and the recording go to benchmarks/target/mrc-warm-alloc-<time>/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/java-env.sh

backend=epoll requests=1000000 connections=1000 warmup=5 build=1
while [ $# -gt 0 ]; do
    case $1 in
        --backend) backend=$2; shift ;;
        --requests) requests=$2; shift ;;
        --connections) connections=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --no-build) build=0 ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$build" = 1 ]; then
    echo "building (mvn package -DskipTests -pl benchmarks -am)..." >&2
    mvn -B -ntp -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl benchmarks -am package >&2
fi
jar=$(ls benchmarks/target/aio-benchmarks-*.jar | grep -v -- '-sources\|-tests\|-javadoc' | head -n 1)
cp="benchmarks/target/lib/*:$jar"
jvm=(java --enable-native-access=ALL-UNNAMED -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$cp")

out=benchmarks/target/mrc-warm-alloc-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
port=$((9500 + RANDOM % 400))
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); backend=$backend requests=$requests connections=$connections warmup=${warmup}s" | tee "$out/conditions.txt" >&2

"${jvm[@]}" io.fasterapi.aio.bench.MrcAioServer --backend "$backend" --port "$port" --loops 1 --warmup "$warmup" > "$out/server.log" 2>&1 &
server_pid=$!
trap 'kill -TERM "$server_pid" 2> /dev/null || true' EXIT
for _ in $(seq 1 200); do
    grep -q '^listening' "$out/server.log" 2> /dev/null && break
    sleep 0.1
done

"${jvm[@]}" io.fasterapi.aio.bench.MrcLoad --port "$port" --requests "$requests" --connections "$connections" > "$out/client.log" 2>&1 &
load_pid=$!
sleep "$warmup"
jcmd "$server_pid" JFR.start name=warm settings=profile > /dev/null
wait "$load_pid" || true
jcmd "$server_pid" JFR.stop name=warm filename="$PWD/$out/warm.jfr" > /dev/null
kill -TERM "$server_pid"
wait "$server_pid" 2> /dev/null || true
trap - EXIT

grep '^CLIENT\|^PROBLEM' "$out/client.log" || { echo "no CLIENT line: $out/client.log" >&2; exit 1; }
line=$(grep '^SERVER' "$out/server.log") || { echo "no SERVER line: $out/server.log" >&2; exit 1; }
echo "$line"
req=$(sed -E 's/.* requests=([0-9]+) .*/\1/' <<< "$line")
alloc=$(sed -E 's/.* alloc_bytes=([0-9]+) .*/\1/' <<< "$line")
awk -v a="$alloc" -v r="$req" 'BEGIN { printf "warm window: %d requests, %d bytes allocated by the loop thread, %.3f B/req\n", r, a, (r ? a / r : 0) }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# JFR allocation samples on the loop thread: count and sampled weight by class and top frame.
jfr print --events jdk.ObjectAllocationSample --stack-depth 1 "$out/warm.jfr" > "$out/samples.txt"
awk '
    /jdk.ObjectAllocationSample/ { thread = ""; cls = ""; frame = ""; weight = 0; instack = 0 }
    /eventThread = / { thread = $0 }
    /objectClass = / { sub(/.*objectClass = /, ""); sub(/ \(classLoader.*/, ""); cls = $0 }
    /weight = / { w = $3; unit = $4; weight = w * (unit ~ /kB/ ? 1024 : unit ~ /MB/ ? 1048576 : 1) }
    instack && frame == "" && NF { frame = $0; gsub(/^ +/, "", frame) }
    /stackTrace = \[/ { instack = 1 }
    /^}/ { if (thread ~ /"http-/) { n++; key = cls "  <-  " frame; c[key]++; wt[key] += weight; total += weight } }
    END {
        printf "JFR allocation samples on the loop thread in the warm window: %d (sampled weight %.0f bytes)\n", n, total
        for (k in c) printf "  %5d samples  %12.0f bytes  %s\n", c[k], wt[k], k
    }' "$out/samples.txt"
echo "recording: $out/warm.jfr (jfr view allocation-by-site $out/warm.jfr)"
