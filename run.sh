#!/usr/bin/env bash
# The main job: runs the self-verifying echo demo on the best backend available here
# (builds the distribution first if needed). Extra arguments go to `aio demo`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
exec bin/aio demo "$@"
