#!/usr/bin/env bash
# demo.sh — boots the real-kernel lab and shows lvs-director running a direct-routing service there.
# Installs what it needs first (lab/install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
lab/install-deps.sh
echo "demo: building (mvn package, tests skipped)..."
mvn -B -q -DskipTests package
echo "demo: booting a Linux kernel with IPVS (user-mode-linux) and running the demo inside it..."
exec lab/uml-run --quiet --timeout 600 -- lab/demo-inside.sh
