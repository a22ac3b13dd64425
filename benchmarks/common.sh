# Sourced by the benchmark scripts (run.sh, idle-connections.sh): the build, the classpath and JVM
# options every server and client runs with, and the 1MRC servers' main classes.

# Builds the benchmarks module (and what it needs) when $1 is 1.
bench_build() {
    if [ "$1" = 1 ]; then
        echo "building (mvn package -DskipTests -pl benchmarks -am)..." >&2
        mvn -B -ntp -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl benchmarks -am package >&2
    fi
}

# Sets cp (the benchmarks' classpath) and jvm: the same JVM options for every server and the client. Netty's: sun.misc.Unsafe
# allowed (JDK 24+ would warn, and Netty would fall back to slower paths without it), leak
# detection off (its default samples 1% of buffers with a stack trace: a debugging aid, not a
# production setting).
bench_jvm() {
    local jar
    jar=$(ls benchmarks/target/aio-benchmarks-*.jar | grep -v -- '-sources\|-tests\|-javadoc' | head -n 1)
    cp="benchmarks/target/lib/*:$jar"
    jvm=(java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dio.netty.leakDetection.level=disabled
        -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$cp")
}

# The 1MRC server of peer $1: main class and arguments.
mrc_server_cmd() {
    case $1 in
        io_uring) echo io.fasterapi.aio.bench.MrcAioServer --backend io_uring ;;
        io_uring-batch) echo io.fasterapi.aio.bench.MrcAioServer --backend io_uring --batch-wait "${batch_wait:-1000}" ;;
        epoll) echo io.fasterapi.aio.bench.MrcAioServer --backend epoll ;;
        nio) echo io.fasterapi.aio.bench.MrcNioServer ;;
        netty-epoll) echo io.fasterapi.aio.bench.MrcNettyServer --transport epoll ;;
        netty-io_uring) echo io.fasterapi.aio.bench.MrcNettyServer --transport io_uring ;;
        vt-io_uring) echo io.fasterapi.aio.bench.VtServer --impl aio --backend io_uring ;;
        vt-epoll) echo io.fasterapi.aio.bench.VtServer --impl aio --backend epoll ;;
        vt-jdk-socket) echo io.fasterapi.aio.bench.VtServer --impl jdk-socket ;;
        vt-jdk-channel) echo io.fasterapi.aio.bench.VtServer --impl jdk-channel ;;
        *) echo "unknown server $1" >&2; exit 2 ;;
    esac
}

# Waits up to 20 s for the server logging to $1 to print its "listening" line; fails sooner if
# process $2 (when given) has exited.
bench_await_listening() {
    local i
    for i in $(seq 1 200); do
        grep -q '^listening' "$1" 2> /dev/null && return 0
        if [ -n "${2:-}" ] && ! kill -0 "$2" 2> /dev/null; then return 1; fi
        sleep 0.1
    done
    return 1
}

# Sets pin0 and pin1 (taskset to CPU 0 and CPU 1; empty without taskset), makes out
# (benchmarks/target/$1-<time>) with an empty results file, and writes machine.txt: the date,
# kernel, CPUs, load and the settings line $2.
bench_run_dir() {
    pin0=() pin1=()
    if command -v taskset > /dev/null; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi
    out=benchmarks/target/$1-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$out"
    results=$out/results.txt
    : > "$results"
    { echo "date: $(date -u +%FT%TZ)"; echo "kernel: $(uname -r)"; echo "cpus: $(nproc)"
      echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; echo "$2"; } | tee "$out/machine.txt" >&2
}
