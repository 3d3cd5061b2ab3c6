#!/usr/bin/env bash
# build-probe-floor.sh — builds ProbeLoadBenchmark's reference prober, src/test/c/probe-floor.c, to
# target/probe-floor (bench.sh and bench-probe-veth.sh call it; gcc from lab/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"
command -v gcc >/dev/null || { echo "build-probe-floor: needs gcc (lab/install-deps.sh)" >&2; exit 1; }
mkdir -p target
src=src/test/c/probe-floor.c out=target/probe-floor
if [[ ! -x $out || $src -nt $out ]]; then
  gcc -O2 -Wall -Wextra -Werror -o "$out.tmp" "$src"
  mv "$out.tmp" "$out"
fi
