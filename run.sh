#!/usr/bin/env bash
# The main job: the 1 Million Request Challenge (1,000,000 events over 1,000 keep-alive connections,
# HTTP server and load client in one process) on every backend available here, one after the
# other, with a table of time, req/s, latency and correctness (builds the distribution first if
# needed): each backend twice, the server written with callbacks and in blocking style on virtual
# threads (--style all). Extra arguments go to `aio 1mrc` (--backend, --requests, --connections,
# --server-loops, --style callbacks|virtual-threads|all). The echo demo is `bin/aio demo`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
case " $* " in
    *" --style "* | *" --style="*) exec bin/aio 1mrc "$@" ;;
    *) exec bin/aio 1mrc --style all "$@" ;;
esac
