# shellcheck shell=bash
# Sourced by test.sh: installs the Debian packages the tests read, when they are missing.
# They are sources we did not write, against which the layout tests of the backends that cannot
# run on Linux check our struct layouts and constants:
#   gcc-mingw-w64-x86-64     the mingw-w64 headers and cross compiler (IOCP: Winsock structs, constants, GUIDs)
#   golang-golang-x-sys-dev  Go's golang.org/x/sys/unix (kqueue: struct kevent, EV_*/EVFILT_*, BSD socket and errno values)
#   librust-libc-dev         Rust's libc crate (the same, for what Go lacks)
#   socat                    a Unix domain socket peer we did not write (UnixDomainContractTest)
#   curl, wrk                clients we did not write, pointed at `aio serve` (ServeIT) and at the HTTP
#                            servers (HttpRealClientsTest)
#   apache2-utils            ApacheBench (ab), another HTTP client we did not write (HttpRealClientsTest)
#   python3                  hands `aio serve` a listening socket as systemd does (ServeIT)
# As root (CI, a fresh machine) it installs what is missing with apt-get; otherwise it names what
# is missing, and those tests skip saying so (with CI=true they fail instead).

aio_ensure_packages() {
    local needed=(gcc-mingw-w64-x86-64 golang-golang-x-sys-dev librust-libc-dev socat curl wrk python3 apache2-utils) missing=() p
    command -v dpkg-query >/dev/null 2>&1 || return 0 # not Debian: nothing to install this way
    for p in "${needed[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "note: not installed: ${missing[*]} (run as root, or apt-get install them): the layout tests against them skip" >&2
        return 0
    fi
    echo "installing the packages the layout tests read: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}
