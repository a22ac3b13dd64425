# shellcheck shell=bash
# Sourced by every launcher (test.sh, bin/aio and so run.sh, the benchmarks, and the Felix
# container's bin/felix, which has a copy): makes JAVA_HOME and PATH point at a JDK 25 or newer.
#
#   1. $JAVA_HOME, if its java reports a feature version >= 25;
#   2. otherwise the newest JDK (a directory with bin/javac) >= 25 under $AIO_JVM_DIR
#      (default /usr/lib/jvm);
#   3. otherwise a message on stderr naming everything looked at, and exit 1.
#
# Also exports MAVEN_OPTS with --sun-misc-unsafe-memory-access=allow (Maven 3.8's Guice calls
# sun.misc.Unsafe, which JDK 24+ warns about).

aio_required_java=25

# Feature version (17, 21, 25, ...) of a java home, or nothing if it has no working java.
aio_java_feature() {
    local home=$1 line v
    [ -x "$home/bin/java" ] || return 1
    # First line: openjdk version "25.0.3" 2026-04-21 LTS   /   java version "1.8.0_392" (without the
    # options variables, whose "Picked up ..." notice would come first)
    line=$(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS "$home/bin/java" -version 2>&1 | head -n 1) || return 1
    v=${line#*\"}
    v=${v%%\"*}
    case $v in
        1.*) v=${v#1.} ;;
    esac
    v=${v%%[!0-9]*}
    [ -n "$v" ] || return 1
    printf '%s\n' "$v"
}

aio_find_java() {
    local jvm_dir=${AIO_JVM_DIR:-/usr/lib/jvm}
    local java_home_note="JAVA_HOME is not set"
    local v

    if [ -n "${JAVA_HOME:-}" ]; then
        if v=$(aio_java_feature "$JAVA_HOME"); then
            if [ "$v" -ge "$aio_required_java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
                return 0
            fi
            if [ "$v" -ge "$aio_required_java" ]; then
                java_home_note="JAVA_HOME=$JAVA_HOME is $v but has no javac (a JRE)"
            else
                java_home_note="JAVA_HOME=$JAVA_HOME is $v"
            fi
        else
            java_home_note="JAVA_HOME=$JAVA_HOME has no working bin/java"
        fi
    fi

    local best_home="" best_v=0 looked="" seen=" " d real
    for d in "$jvm_dir"/*; do
        [ -d "$d" ] || continue
        # Debian keeps aliases (java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64): look once.
        real=$(cd "$d" && pwd -P)
        case $seen in *" $real "*) continue ;; esac
        seen="$seen$real "
        if [ -x "$d/bin/javac" ] && v=$(aio_java_feature "$d"); then
            looked="$looked ${d##*/}=$v"
            if [ "$v" -ge "$aio_required_java" ] && [ "$v" -gt "$best_v" ]; then
                best_home=$d
                best_v=$v
            fi
        else
            looked="$looked ${d##*/}=(no JDK)"
        fi
    done

    if [ -n "$best_home" ]; then
        if [ -n "${JAVA_HOME:-}" ]; then
            echo "note: $java_home_note; using $best_home instead" >&2
        fi
        JAVA_HOME=$best_home
        return 0
    fi
    echo "error: need a JDK $aio_required_java or newer: $java_home_note;" \
         "nothing >= $aio_required_java under $jvm_dir (looked at:${looked:- nothing})." >&2
    echo "Install one (e.g. Temurin 25) or set JAVA_HOME to it." >&2
    return 1
}

if ! aio_find_java; then
    # Sourced from a script: end it. Sourced from an interactive shell: do not close the shell.
    case $- in
        *i*) return 1 ;;
        *) exit 1 ;;
    esac
fi

export JAVA_HOME
case ":$PATH:" in
    ":$JAVA_HOME/bin:"*) ;;
    *) PATH="$JAVA_HOME/bin:$PATH" ;;
esac
export PATH

case " ${MAVEN_OPTS:-} " in
    *" --sun-misc-unsafe-memory-access="*) ;;
    *) MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
esac
export MAVEN_OPTS

unset -f aio_java_feature aio_find_java
unset aio_required_java
